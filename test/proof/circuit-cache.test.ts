// The compiled step circuits cached under $CAX_HOME/circuits are checked on
// every read (issue 26 item 8): an R1CS or witness generator whose bytes are
// not the ones its meta.json records, or a meta.json that does not parse, is
// compiled again rather than used.
import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileCircuit } from '../../host/proof/circuit.js';
import { flipped } from '../helpers/bytes.js';

const sha = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('the circuit cache', () => {
  it('compiles again a circuit whose witness generator, R1CS or meta was changed', async () => {
    const home = mkdtempSync(join(tmpdir(), 'cax-circuits-'));
    try {
      const first = await compileCircuit({ steps: 4 }, home);
      const wasm = sha(first.wasm);
      for (const [file, damage] of [
        [first.wasm, (b: Buffer) => flipped(b, 100)],
        [first.r1cs, (b: Buffer) => flipped(b, -1)],
        [join(first.r1cs, '..', 'meta.json'), () => Buffer.from('{not json')],
      ] as const) {
        writeFileSync(file, damage(readFileSync(file)));
        const again = await compileCircuit({ steps: 4 }, home);
        expect(again.hash).toBe(first.hash);
        expect(sha(again.r1cs)).toBe(first.hash);
        expect(sha(again.wasm)).toBe(wasm);
      }
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  }, 120_000);
});
