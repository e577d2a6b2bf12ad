// Random RV32IM programs for the proof tests (every ALU, shift, M, load,
// store and branch kind with random operands, loads and stores around a
// scratch word), run on the ISS to their end with a trace; and the programs
// of jumps and of branches that trap, which circuit.test.ts and
// forgery.test.ts share.
import fc from 'fast-check';
import { RAM_BASE } from '../../host/riscv/machine.js';
import { PROOF_RAM_BYTES } from '../../host/proof/access.js';
import type { TraceRecord } from '../../host/trace/record.js';
import { BRANCH_OPS, I_OPS, LOAD_OPS, R_OPS, SHIFT_OPS, STORE_OPS, bType, csr, exitWith, iType, issWith, jal, li, MRET, rType, sType } from '../riscv/asm.js';

/** x8 points here; loads and stores use the words from it. */
export const SCRATCH = 0x80000200;

const reg = fc.integer({ min: 0, max: 7 });
const dest = fc.integer({ min: 1, max: 7 });
const value = fc.oneof(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.constantFrom(0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 5, -5));
const instruction: fc.Arbitrary<number[]> = fc.oneof(
  fc.tuple(fc.constantFrom(...R_OPS), dest, reg, reg).map(([op, rd, a, b]) => [rType(op, rd, a, b)]),
  fc.tuple(fc.constantFrom(...I_OPS), dest, reg, fc.integer({ min: -2048, max: 2047 })).map(([op, rd, a, imm]) => [iType(op, rd, a, imm)]),
  fc.tuple(fc.constantFrom(...SHIFT_OPS), dest, reg, fc.integer({ min: 0, max: 31 })).map(([op, rd, a, sh]) => [iType(op, rd, a, sh)]),
  fc.tuple(fc.constantFrom(...STORE_OPS), reg, fc.integer({ min: 0, max: 2 })).map(([op, b, k]) => [sType(op, 8, b, op === 'sw' ? 4 * k : op === 'sh' ? 2 * k + 4 : k + 5)]),
  fc.tuple(fc.constantFrom(...LOAD_OPS), dest, fc.integer({ min: 0, max: 2 })).map(([op, rd, k]) => [iType(op, rd, 8, op === 'lw' ? 4 * k : op.startsWith('lh') ? 2 * k + 4 : k + 5)]),
  fc.tuple(fc.constantFrom(...BRANCH_OPS), reg, reg, dest).map(([op, a, b, rd]) => [bType(op, a, b, 8), iType('addi', rd, rd, 1)]),
);

/** The words of a program: x1…x7 random, x8 = SCRATCH, a random body, the end (EXIT 1). */
export const program: fc.Arbitrary<number[]> = fc
  .tuple(fc.array(value, { minLength: 7, maxLength: 7 }), fc.array(instruction, { minLength: 1, maxLength: 24 }))
  .map(([values, body]) => [...values.flatMap((v, i) => li(i + 1, v)), ...li(8, SCRATCH), ...body.flat(), ...exitWith(1)]);

/** Runs words (the image) on the ISS to their end: the trace and RAM after the run. */
export function run(words: readonly number[]): { trace: TraceRecord[]; image: Uint8Array; ram: Uint8Array; cycles: number } {
  const iss = issWith(words, { ramBytes: PROOF_RAM_BYTES }); // the machine the proofs model
  const trace: TraceRecord[] = [];
  iss.setTraceSink((r) => trace.push(r));
  const { ended, cycles } = iss.run({ maxCycles: 100_000 });
  if (ended !== 'exit') throw new Error(`the program ended by ${ended}, not EXIT`);
  return { trace, image: new Uint8Array(new Uint32Array(words).buffer), ram: iss.readMemory(RAM_BASE, iss.ramBytes), cycles };
}

/** The address of word `index` of a program. */
export const wordAt = (index: number): number => (RAM_BASE + 4 * index) >>> 0;

/** The handler of the trap programs below: adds mcause to x20 and mtval to x21, and returns to x9. */
const TRAP_HANDLER = [
  csr('csrrs', 10, 0x342, 0), // mcause
  rType('add', 20, 20, 10),
  csr('csrrs', 11, 0x343, 0), // mtval
  rType('add', 21, 21, 11),
  csr('csrrw', 0, 0x341, 9), // mepc = x9
  MRET,
];

/**
 * Jumps that trap, each into a handler that adds mcause to x20 and mtval to
 * x21 and returns to x9: a jal to pc + 6 (cause 0, mtval the target), a jalr
 * to 0x1000 (aligned, outside RAM: the fetch there faults, cause 1, mtval =
 * mepc = 0x1000), and a jalr x1 to END + 2 (cause 0, mtval from rs1; x1 not
 * written). HANDLER is word 20, END word 16.
 */
export const JUMP_TRAPS = {
  words: [
    ...li(5, wordAt(20)),
    csr('csrrw', 0, 0x305, 5), // mtvec
    ...li(9, wordAt(6)), // where the handler returns
    jal(0, 6),
    ...li(9, wordAt(11)),
    ...li(6, 0x1000),
    iType('jalr', 0, 6, 0),
    ...li(9, wordAt(16)),
    ...li(7, wordAt(16) + 2),
    iType('jalr', 1, 7, 0),
    ...exitWith(1),
    ...TRAP_HANDLER,
  ],
  HANDLER: wordAt(20),
  END: wordAt(16),
  /** The jal's pc and the second jalr's. */
  JAL: wordAt(5),
  JALR: wordAt(15),
};

/**
 * Branches to misaligned targets, each taken or not by its rs2, into the
 * handler of JUMP_TRAPS's kind (x20 += mcause, x21 += mtval, return to x9):
 * a beq x1, x3 to pc + 6 with x1 = x3 (taken: cause 0, mtval the target), a
 * bne of the same registers (not taken: an ordinary step), a blt x1, x2 to
 * pc + 10 with x1 = -1, x2 = 1 (taken, signed) and a bltu of the same (not
 * taken, unsigned). `atBne` replaces the word at BNE (a beq there traps:
 * the forger's run). HANDLER is word 23.
 */
export function branchTraps(atBne = bType('bne', 1, 3, 6)): number[] {
  return [
    ...li(5, wordAt(23)),
    csr('csrrw', 0, 0x305, 5), // mtvec
    ...li(1, -1),
    ...li(2, 1),
    ...li(3, -1),
    ...li(9, wordAt(12)),
    bType('beq', 1, 3, 6),
    ...li(9, wordAt(15)),
    atBne,
    ...li(9, wordAt(18)),
    bType('blt', 1, 2, 10),
    bType('bltu', 1, 2, 10),
    ...exitWith(1),
    ...TRAP_HANDLER,
  ];
}

export const BRANCH_TRAPS = {
  words: branchTraps(),
  HANDLER: wordAt(23),
  /** The pcs of the branches: beq (traps), bne (not taken), blt (traps), bltu (not taken). */
  BEQ: wordAt(11),
  BNE: wordAt(14),
  BLT: wordAt(17),
  BLTU: wordAt(18),
};
