// The code bytes `cax --json compile` reports for one TEL source under each of several sets of flags: how the
// compiler tests check that a `--no-…` option reaches the code generator from the command line.
import { expect } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../host/cli/program.js';
import { captureIO } from './cli-io.js';

/** The code bytes of `source` compiled once with each set of `flags`, in order. */
export async function compiledSizes(source: string, flagSets: readonly (readonly string[])[]): Promise<number[]> {
  const dir = mkdtempSync(join(tmpdir(), 'cax-compiled-sizes-'));
  try {
    writeFileSync(join(dir, 'p.tel'), source);
    const sizes: number[] = [];
    for (const flags of flagSets) {
      const io = captureIO();
      expect(await runCli(['--json', 'compile', join(dir, 'p.tel'), ...flags], io)).toBe(0);
      sizes.push((JSON.parse(io.stdout.join('\n')) as { codeBytes: number }).codeBytes);
    }
    return sizes;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
