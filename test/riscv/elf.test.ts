// The ELF loader: real ELFs from the cross compiler parse to the right
// segments and symbols; random and mutated files either parse or fail with
// E_ELF and the offset, never anything else.
import { describe, it, expect } from '@jest/globals';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { isCaxError } from '../../host/errors.js';
import { parseElf } from '../../host/riscv/elf.js';
import { Iss } from '../../host/riscv/iss.js';

const fib = new Uint8Array(readFileSync('build/iss/fib.elf'));

function parsesOrElfError(bytes: Uint8Array, load: boolean): void {
  try {
    const image = parseElf(bytes);
    if (load) new Iss({ ramBytes: 4096 }).load(image);
  } catch (e) {
    if (!isCaxError(e)) throw e;
    expect(e.code).toBe('E_ELF');
    expect(typeof e.details.offset === 'number' || typeof e.details.vaddr === 'number').toBe(true);
  }
}

describe('ELF loader', () => {
  it('reads entry, segments and symbols of a compiled program', () => {
    const image = parseElf(fib);
    expect(image.entry).toBe(0x80000000);
    expect(image.segments.length).toBeGreaterThan(0);
    expect(image.segments[0]!.vaddr).toBe(0x80000000);
    expect(image.symbols.get('_start')).toBe(0x80000000);
    expect(image.symbols.get('main')).toBeGreaterThan(0x80000000);
    expect(image.symbols.has('tohost')).toBe(false);
  });

  it('names the offset of what is wrong', () => {
    const wrongMachine = fib.slice();
    wrongMachine[18] = 62;
    expect(() => parseElf(wrongMachine)).toThrow(/e_machine 62.*offset 18/);
    expect(() => parseElf(fib.subarray(0, 40))).toThrow(/beyond the end.*offset 0/);
    const class64 = fib.slice();
    class64[4] = 2;
    expect(() => parseElf(class64)).toThrow(/32-bit.*offset 4/);
  });

  it('random bytes: parse or E_ELF', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => parsesOrElfError(bytes, true)),
      { numRuns: 500 },
    );
  });

  it('mutated ELFs: parse and load, or E_ELF with an offset', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { minLength: 1, maxLength: 8 }), fc.nat(), (edits, cut) => {
        const bytes = fib.slice(0, Math.max(52, fib.length - (cut % 64)));
        for (const [at, value] of edits) bytes[at % Math.min(bytes.length, 400)] = value;
        parsesOrElfError(bytes, true);
      }),
      { numRuns: 1000 },
    );
  });

  it('the ISS loads a raw image at the reset pc when the file is not an ELF', () => {
    const iss = new Iss({ ramBytes: 4096 });
    expect(iss.load(new Uint8Array([0x13, 0, 0, 0]))).toEqual({ kind: 'raw', entry: 0x80000000, tohost: undefined });
    expect(() => iss.load(new Uint8Array(8192))).toThrow(/does not fit/);
  });
});

describe('tohost', () => {
  it('a store to the ELF symbol tohost ends the run by its convention (even values ignored)', () => {
    for (const jit of [false, true]) {
      const iss = new Iss({ jit, translateAfter: 1 });
      const loaded = iss.load(readFileSync('build/iss/tohost.elf'));
      expect(loaded.tohost).toBeGreaterThan(0x80000000);
      expect(iss.run({ maxCycles: 1000 })).toEqual({ ended: 'tohost', exitCode: 2, cycles: 6 * 3, instret: 6 });
      expect(iss.readMemory(loaded.tohost!, 4)).toEqual(new Uint8Array([5, 0, 0, 0]));
    }
  });
});
