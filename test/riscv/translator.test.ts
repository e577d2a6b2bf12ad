// The block translator against the interpreter on random instruction
// streams: after every slice of a run with a random cycle budget both
// engines must agree on registers, pc, memory, CSRs, cycles, instructions
// retired, how the run ended, the UART output and the trace records.
import { describe, it, expect } from '@jest/globals';
import fc from 'fast-check';
import { Iss, type IssOptions } from '../../host/riscv/iss.js';
import type { TraceRecord } from '../../host/riscv/trace.js';
import {
  BRANCH_OPS, EBREAK, ECALL, I_OPS, LOAD_OPS, MRET, R_OPS, SHIFT_OPS, STORE_OPS,
  bType, csr, exitWith, iType, jal, li, lui, rType, sType,
} from './asm.js';

const RAM = 8192;
const HANDLER_AT = 200; // word index of the trap handler
const DATA = 0x80001000;

const reg = fc.integer({ min: 1, max: 26 }); // x27..x31 are the harness's
const anyReg = fc.integer({ min: 0, max: 26 });

/** One random instruction or short sequence at word index `at` of a body of `length` words starting at `start`. */
function piece(start: number, length: number): fc.Arbitrary<(at: number) => number[]> {
  const target = fc.integer({ min: start, max: start + length }).chain((w) => fc.constantFrom(w * 4, w * 4, w * 4 + 2));
  return fc.oneof(
    { weight: 6, arbitrary: fc.tuple(fc.constantFrom(...R_OPS), reg, anyReg, anyReg).map(([op, rd, a, b]) => () => [rType(op, rd, a, b)]) },
    { weight: 6, arbitrary: fc.tuple(fc.constantFrom(...I_OPS), reg, anyReg, fc.integer({ min: -2048, max: 2047 })).map(([op, rd, a, imm]) => () => [iType(op, rd, a, imm)]) },
    { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...SHIFT_OPS), reg, anyReg, fc.integer({ min: 0, max: 31 })).map(([op, rd, a, sh]) => () => [iType(op, rd, a, sh)]) },
    { weight: 2, arbitrary: fc.tuple(reg, fc.integer()).map(([rd, v]) => () => li(rd, v)) },
    { weight: 5, arbitrary: fc.tuple(fc.constantFrom(...LOAD_OPS), reg, fc.integer({ min: -8, max: 64 })).map(([op, rd, off]) => () => [iType(op, rd, 27, off)]) },
    { weight: 5, arbitrary: fc.tuple(fc.constantFrom(...STORE_OPS), anyReg, fc.integer({ min: -8, max: 64 })).map(([op, rs, off]) => () => [sType(op, 27, rs, off)]) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...LOAD_OPS), reg, anyReg, fc.integer({ min: -64, max: 64 })).map(([op, rd, base, off]) => () => [iType(op, rd, base, off)]) },
    { weight: 4, arbitrary: fc.tuple(fc.constantFrom(...BRANCH_OPS), anyReg, anyReg, target).map(([op, a, b, t]) => (at: number) => [bType(op, a, b, t - at * 4)]) },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom(0, 1, 5), target).map(([rd, t]) => (at: number) => [jal(rd, t - at * 4)]) },
    { weight: 1, arbitrary: fc.tuple(reg, fc.constantFrom(0, 2, 4, 8)).map(([rd, off]) => (at: number) => [...li(26, 0x80000000 + (start + ((at * 7) % length)) * 4), iType('jalr', rd, 26, off)]) },
    { weight: 2, arbitrary: fc.tuple(reg, fc.constantFrom(0xb00, 0xb80, 0xb02, 0xb82, 0xc00, 0xc02, 0x340, 0x300, 0x341)).map(([rd, n]) => () => [csr('csrrs', rd, n, 0)]) },
    { weight: 1, arbitrary: fc.tuple(anyReg, fc.constantFrom(0xb00, 0xb80, 0xb02, 0xb82, 0x340)).map(([rs, n]) => () => [csr('csrrw', 0, n, rs)]) },
    { weight: 1, arbitrary: fc.constantFrom(ECALL, EBREAK, 0, 0xffffffff, rType('div', 0, 0, 0) | (1 << 30)).map((w) => () => [w]) },
    { weight: 1, arbitrary: fc.constantFrom(0, 1).map((on) => () => [lui(28, 0x10002000), iType('addi', 26, 0, on), sType('sw', 28, 26, 4)]) },
    { weight: 1, arbitrary: anyReg.map((rs) => () => [lui(28, 0x10000000), sType('sw', 28, rs, 0), iType('lw', 26, 28, 8), iType('lw', 26, 28, 0x1000 - 0x1000)]) },
    { weight: 1, arbitrary: fc.tuple(anyReg, fc.integer({ min: start, max: start + length - 1 })).map(([rs, w]) => () => [...li(28, 0x80000000 + w * 4), sType('sw', 28, rs, 0)]) },
  );
}

/** A random program: trace off, handler set, x27 → data, the body, exit; the handler skips the trapping instruction. */
const program = fc.integer({ min: 5, max: 60 }).chain((length) => {
  const prologue = [lui(28, 0x10002000), sType('sw', 28, 0, 4), ...li(29, 0x80000000 + HANDLER_AT * 4), csr('csrrw', 0, 0x305, 29), ...li(27, DATA)];
  const start = prologue.length;
  return fc.array(piece(start, length), { minLength: length, maxLength: length }).map((pieces) => {
    const words = [...prologue];
    for (const p of pieces) words.push(...p(words.length));
    words.push(...exitWith(1));
    while (words.length < HANDLER_AT) words.push(0x13);
    words.push(csr('csrrs', 31, 0x341, 0), iType('addi', 31, 31, 4), csr('csrrw', 0, 0x341, 31), MRET);
    return words;
  });
});

interface Observed {
  readonly iss: Iss;
  readonly records: TraceRecord[];
  readonly sent: number[];
}

function start(words: readonly number[], options: IssOptions, trace: boolean): Observed {
  const iss = new Iss({ ramBytes: RAM, ...options });
  iss.load(new Uint8Array(new Uint32Array(words).buffer));
  const records: TraceRecord[] = [];
  const sent: number[] = [];
  if (trace) iss.setTraceSink((r) => records.push(r));
  iss.uart.onTransmit((b) => sent.push(b));
  return { iss, records, sent };
}

function state(o: Observed): unknown {
  const { iss } = o;
  return {
    pc: iss.pc, regs: iss.registers(), cycles: iss.cycles, instret: iss.instret, ended: iss.ended,
    csrs: [0x300, 0x305, 0x340, 0x341, 0x342, 0x343, 0xb00, 0xb80, 0xb02, 0xb82].map((n) => iss.csr(n)),
    memory: Buffer.from(iss.readMemory(0x80000000, RAM)).toString('base64'), sent: o.sent.join(','),
  };
}

describe('block translator vs interpreter', () => {
  it('agree after every slice on random instruction streams', () => {
    fc.assert(fc.property(program, fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 12 }), fc.constantFrom(1, 2, 3), (words, slices, translateAfter) => {
      const reference = start(words, { jit: false }, true);
      const traced = start(words, { translateAfter }, true);
      const fast = start(words, { translateAfter }, false);
      for (const budget of [...slices, 20_000]) {
        const results = [reference, traced, fast].map((o) => o.iss.run({ maxCycles: budget }));
        expect(results[1]).toEqual(results[0]);
        expect(results[2]).toEqual(results[0]);
        const expected = state(reference);
        expect(state(traced)).toEqual(expected);
        expect(state(fast)).toEqual(expected);
        expect(traced.records).toEqual(reference.records);
      }
    }), { numRuns: 250 });
  });

  it('sees code that the program overwrites inside a hot loop', () => {
    // x1 counts down from 50; at 25 the loop patches its own `addi x2, x2, 1` into `addi x2, x2, 100`.
    const patched = iType('addi', 2, 2, 100);
    const words = [
      ...li(1, 50), ...li(3, 25), ...li(4, patched), ...li(5, 0x80000020),
      iType('addi', 2, 2, 1), // 0x20
      iType('addi', 1, 1, -1),
      bType('bne', 1, 3, 8), sType('sw', 5, 4, 0),
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
