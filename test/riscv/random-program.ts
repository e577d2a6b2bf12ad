// Random RV32IM programs for differential tests (translator vs interpreter,
// ISS vs RTL): ALU, loads and stores (some misaligned or outside RAM),
// branches and jumps (some to misaligned targets), counter and CSR reads and
// writes, traps, TRACE_EN toggles, UART writes and self-modifying stores;
// a handler skips each trapping instruction. Words for a raw image at the
// reset pc that fit in 8 KiB of RAM.
import fc from 'fast-check';
import { BRANCH_OPS, EBREAK, ECALL, I_OPS, LOAD_OPS, MRET, R_OPS, SHIFT_OPS, STORE_OPS, bType, csr, exitWith, iType, jal, li, lui, rType, sType } from './asm.js';

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
    {
      weight: 2,
      arbitrary: fc.tuple(reg, fc.integer()).map(
        ([rd, v]) =>
          () =>
            li(rd, v),
      ),
    },
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
export const randomProgram: fc.Arbitrary<number[]> = fc.integer({ min: 5, max: 60 }).chain((length) => {
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
