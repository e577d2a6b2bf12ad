// An error is printed once, not twice: a command that shows an error itself
// (a diagnostic with its source line, a run summary with its error line) does
// not get it printed again by the CLI; --json still gets the one error document.
import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { runCli } from '../../host/cli/program.js';
import { captureIO } from '../helpers/cli-io.js';

const ErrorDocument = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

const occurrences = (text: string, part: string): number => text.split(part).length - 1;

describe('an error', () => {
  const cases = [
    { file: 'parse.tel', source: 'main = 1 +\n', code: 'E_PARSE', message: 'expected an expression' },
    { file: 'div.tel', source: 'main = 1 / 0\n', code: 'E_DIV_ZERO', message: 'division by zero' },
    { file: 'unbound.tel', source: 'main = nothing_here\n', code: 'E_UNBOUND', message: 'nothing_here is not defined' },
  ];

  it.each(cases)('from cax eval ($code) is printed once', async ({ file, source, code, message }) => {
    const dir = mkdtempSync(join(tmpdir(), 'cax-once-'));
    try {
      writeFileSync(join(dir, file), source);
      const io = captureIO({ cwd: dir });
      expect(await runCli(['eval', file, '--main', 'main'], io)).toBe(1);
      const printed = [...io.stdout, ...io.stderr].join('\n');
      expect(occurrences(printed, code)).toBe(1);
      expect(occurrences(printed, message)).toBe(1);

      const json = captureIO({ cwd: dir });
      expect(await runCli(['--json', 'eval', file, '--main', 'main'], json)).toBe(1);
      expect(json.stderr).toEqual([]);
      expect(ErrorDocument.parse(JSON.parse(json.stdout.join('\n'))).error.code).toBe(code);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
