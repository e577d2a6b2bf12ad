// --json holds for usage errors too (docs/cli.md): one JSON error document on
// stdout with code E_USAGE, exit 2, nothing on stderr; without --json the
// text error and the help go to stderr.
import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { runCli } from '../../host/cli/program.js';
import { captureIO } from '../helpers/cli-io.js';

const ErrorDocument = z.object({ error: z.object({ code: z.literal('E_USAGE'), message: z.string() }) }).strict();

describe('usage errors', () => {
  it.each([
    [['--json', 'bogus'], /unknown command 'bogus'/],
    [['--json', 'run'], /missing required argument 'ref'/],
    [['--json', 'check', 'x.tel', '--nope'], /unknown option '--nope'/],
    [['--json'], /^a command is required/],
    [['--json', 'iss', 'run', 'x.elf', '--max-cycles', 'many'], /^bad option: --max-cycles: /],
  ])('cax %j is one JSON error document', async (argv, message) => {
    const io = captureIO();
    expect(await runCli(argv, io)).toBe(2);
    expect(io.stderr).toEqual([]);
    expect(io.stdout).toHaveLength(1);
    expect(ErrorDocument.parse(JSON.parse(io.stdout[0] ?? '')).error.message).toMatch(message);
  });

  it('prints text on stderr without --json', async () => {
    const io = captureIO();
    expect(await runCli(['bogus'], io)).toBe(2);
    expect(io.stdout).toEqual([]);
    expect(io.stderr.join('\n')).toMatch(/^error: unknown command 'bogus'/);
  });
});
