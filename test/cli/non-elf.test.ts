// `cax iss run` and `cax sim run` treat a file that is not an ELF the same
// way: E_USAGE naming it and --raw, before anything runs.
import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { runCli } from '../../host/cli/program.js';
import { captureIO } from '../helpers/cli-io.js';

const ErrorDocument = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

describe('a program that is not an ELF', () => {
  it('is the same usage error on the ISS and on the simulation', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cax-non-elf-'));
    try {
      writeFileSync(join(dir, 'notes.txt'), 'not a program\n');
      const errors = [];
      for (const engine of ['iss', 'sim']) {
        const io = captureIO({ cwd: dir });
        expect(await runCli(['--json', engine, 'run', 'notes.txt'], io)).toBe(2);
        errors.push(ErrorDocument.parse(JSON.parse(io.stdout.at(-1) ?? '')).error);
      }
      expect(errors[0]).toEqual({ code: 'E_USAGE', message: 'notes.txt is not an ELF file (--raw loads a raw image at 0x80000000)' });
      expect(errors[1]).toEqual(errors[0]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
