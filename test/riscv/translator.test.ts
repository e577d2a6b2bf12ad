// The block translator against the interpreter on random instruction
// streams: after every slice of a run with a random cycle budget both
// engines must agree on registers, pc, memory, CSRs, cycles, instructions
// retired, how the run ended, the UART output and the trace records (also
// as the retire hook hears them, without records).
import { describe, it, expect } from '@jest/globals';
import fc from 'fast-check';
import { Iss, type IssOptions } from '../../host/riscv/iss.js';
import type { TraceRecord } from '../../host/trace/record.js';
import { quietRecord } from '../helpers/trace-records.js';
import { bType, exitWith, iType, li, sType } from './asm.js';
import { randomProgram } from './random-program.js';

const RAM = 8192;

interface Observed {
  readonly iss: Iss;
  readonly records: TraceRecord[];
  readonly sent: number[];
}

/** What the retire hook hears of a record. */
const heard = (r: TraceRecord): unknown => [r.pc, r.insn, r.rd, r.rdValue, r.trap];

function start(words: readonly number[], options: IssOptions, trace: boolean | 'hook'): Observed {
  const iss = new Iss({ ramBytes: RAM, ...options });
  iss.load(new Uint8Array(new Uint32Array(words).buffer));
  const records: TraceRecord[] = [];
  const sent: number[] = [];
  if (trace === 'hook') iss.setRetireHook((pc, insn, rd, rdValue, trap) => records.push(quietRecord({ pc, insn, rd, rdValue, trap })));
  else if (trace) iss.setTraceSink((r) => records.push(r));
  iss.uart.onTransmit((b) => sent.push(b));
  return { iss, records, sent };
}

function state(o: Observed): unknown {
  const { iss } = o;
  return {
    pc: iss.pc,
    regs: iss.registers(),
    cycles: iss.cycles,
    instret: iss.instret,
    ended: iss.ended,
    csrs: [0x300, 0x305, 0x340, 0x341, 0x342, 0x343, 0xb00, 0xb80, 0xb02, 0xb82].map((n) => iss.csr(n)),
    memory: Buffer.from(iss.readMemory(0x80000000, RAM)).toString('base64'),
    sent: o.sent.join(','),
  };
}

describe('block translator vs interpreter', () => {
  it('agree after every slice on random instruction streams', () => {
    fc.assert(
      fc.property(randomProgram, fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 12 }), fc.constantFrom(1, 2, 3), (words, slices, translateAfter) => {
        const reference = start(words, { jit: false }, true);
        const traced = start(words, { translateAfter }, true);
        const fast = start(words, { translateAfter }, false);
        const hooked = start(words, { translateAfter }, 'hook');
        for (const budget of [...slices, 20_000]) {
          const results = [reference, traced, fast, hooked].map((o) => o.iss.run({ maxCycles: budget }));
          expect(results[1]).toEqual(results[0]);
          expect(results[2]).toEqual(results[0]);
          expect(results[3]).toEqual(results[0]);
          const expected = state(reference);
          expect(state(traced)).toEqual(expected);
          expect(state(fast)).toEqual(expected);
          expect(state(hooked)).toEqual(expected);
          expect(traced.records).toEqual(reference.records);
          expect(hooked.records.map(heard)).toEqual(reference.records.map(heard));
        }
      }),
      { numRuns: 250 },
    );
  });

  it('sees code that the program overwrites inside a hot loop', () => {
    // x1 counts down from 50; at 25 the loop patches its own `addi x2, x2, 1` into `addi x2, x2, 100`.
    const patched = iType('addi', 2, 2, 100);
    const words = [
      ...li(1, 50),
      ...li(3, 25),
      ...li(4, patched),
      ...li(5, 0x80000020),
      iType('addi', 2, 2, 1), // 0x20
      iType('addi', 1, 1, -1),
      bType('bne', 1, 3, 8),
      sType('sw', 5, 4, 0),
      bType('bne', 1, 0, -16),
      ...exitWith(1),
    ];
    for (const options of [{ jit: false }, { translateAfter: 1 }, { translateAfter: 2 }]) {
      const iss = new Iss({ ramBytes: RAM, ...options });
      iss.load(new Uint8Array(new Uint32Array(words).buffer));
      expect(iss.run({ maxCycles: 100_000 }).ended).toBe('exit');
      expect(iss.reg(2)).toBe(25 + 25 * 100);
    }
  });

  it('keeps its translation when a loop stores to data next to its code (same page)', () => {
    // the loop counts x1 down from 1000 and stores it to the word right after the program
    const words = [...li(1, 1000), ...li(5, 0x8000002c), sType('sw', 5, 1, 0), iType('addi', 1, 1, -1), bType('bne', 1, 0, -8), ...exitWith(1), 0];
    const iss = new Iss({ ramBytes: RAM, translateAfter: 1 });
    iss.load(new Uint8Array(new Uint32Array(words).buffer));
    expect(iss.run({ maxCycles: 100_000 }).ended).toBe('exit');
    expect(iss.readMemory(0x8000002c, 4)).toEqual(new Uint8Array([1, 0, 0, 0]));
    expect(iss.translatedBlocks).toBeLessThan(5);
  });

  it('drops translations when the host writes code', () => {
    const words = [iType('addi', 1, 1, 1), bType('bne', 1, 0, -4)];
    const iss = new Iss({ ramBytes: RAM, translateAfter: 1 });
    iss.load(new Uint8Array(new Uint32Array(words).buffer));
    iss.run({ maxCycles: 3000 });
    expect(iss.translatedBlocks).toBeGreaterThan(0);
    iss.writeMemory(0x80000000, new Uint8Array(new Uint32Array(exitWith(5)).buffer));
    iss.pc = 0x80000000;
    expect(iss.run({ maxCycles: 3000 })).toMatchObject({ ended: 'exit', exitCode: 2 });
  });
});
