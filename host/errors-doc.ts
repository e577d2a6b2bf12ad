// docs/errors.md, the troubleshooting guide, generated from the error
// registry (host/errors.ts): `npm run docs:errors` writes it, and
// test/cli/errors-doc.test.ts fails when the file is not what this makes.
import { pathToFileURL } from 'node:url';
import { ERROR_AREAS, ERROR_CODES, type ErrorCode, type ErrorEntry } from './errors.js';

/** A table cell: pipes escaped, on one line. */
const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function errorsMarkdown(): string {
  const entries = Object.entries(ERROR_CODES) as [ErrorCode, ErrorEntry][];
  const lines = [
    '# Errors',
    '',
    '<!-- generated from host/errors.ts by `npm run docs:errors`; do not edit by hand -->',
    '',
    'Every failure cax reports carries one of these codes: printed as `error: E_CODE message` (with',
    '`file:line:col` when it has a place), and as `{"error": {"code", "message", "span", "details"}}`',
    'with `--json`. Exit status 1 for an error of the program or its input, 2 for a usage error, 70',
    'only for an internal error. This page is the troubleshooting guide: what each code means, what',
    'usually causes it, and what to do.',
    '',
  ];
  for (const area of ERROR_AREAS) {
    lines.push(`## ${area[0]!.toUpperCase()}${area.slice(1)}`, '', '| code | means | usual cause | fix |', '| --- | --- | --- | --- |');
    for (const [code, e] of entries) if (e.area === area) lines.push(`| \`${code}\` | ${cell(e.meaning)} | ${cell(e.cause)} | ${cell(e.fix)} |`);
    lines.push('');
  }
  return lines.join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) process.stdout.write(errorsMarkdown());
