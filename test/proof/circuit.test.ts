// The step circuit against the ISS, witness by witness (no proving, so it is
// fast): random RV32IM programs (every ALU, shift, M, load, store and branch
// kind with random operands) run on the ISS give traces whose every chunk
// satisfies the circuit and exposes the trace's access words (completeness),
// and a random change to one record of such a trace is refused by the
// circuit or by the memory replay; CSR instructions and traps into a handler
// (ebreak, an illegal word, a misaligned load, mret, wfi, jumps and branches
// to misaligned targets) are accepted and their forgeries refused by the
// replay of the CSRs and system steps.
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import fc from 'fast-check';
import * as snarkjs from 'snarkjs';
import { compileCircuit, DEV_SIZE, ptauPower, publicLayout, type Circuit } from '../../host/proof/circuit.js';
import { releaseCurve } from '../../host/proof/curve.js';
import { ACCESS_CSR, ACCESS_SYSTEM, accessesOf, accessOf, packAccess, replayMemory, unpackAccess, type Access } from '../../host/proof/access.js';
import { imageHash } from '../../host/proof/image.js';
import { buildStatement, checkMemory, type Statement } from '../../host/proof/statement.js';
import type { TraceRecord } from '../../host/trace/record.js';
import { segmentsOn } from '../../host/proof/prove.js';
import { ReplayCore } from '../../host/proof/tel-run.js';
import { bType, csr, ECALL, EBREAK, exitWith, iType, jal, li, MRET, rType, sType, WFI } from '../riscv/asm.js';
import { decode } from '../../host/riscv/decode.js';
import { RAM_BASE } from '../../host/riscv/machine.js';
import { BRANCH_TRAPS, JUMP_TRAPS, program, run, SCRATCH } from './random-programs.js';

const HOME = 'build/proof/home';
const SIZE = DEV_SIZE;
let circuit: Circuit;

beforeAll(async () => {
  circuit = await compileCircuit(SIZE, HOME);
}, 600_000);
afterAll(() => releaseCurve());

/** Index of the first chunk whose witness the circuit refuses, or -1. */
async function firstRefused(statement: Statement): Promise<number> {
  for (let k = 0; k < statement.inputs.length; k++) {
    try {
      await snarkjs.wtns.calculate(statement.inputs[k], circuit.wasm, { type: 'mem' });
    } catch {
      return k;
    }
  }
  return -1;
}

/** The access words (public signals) the circuit computes for chunk k. */
async function accessSignals(statement: Statement, k: number): Promise<bigint[]> {
  const wtns = { type: 'mem' } as const;
  await snarkjs.wtns.calculate(statement.inputs[k], circuit.wasm, wtns);
  const witness = (await snarkjs.wtns.exportJson(wtns)) as bigint[];
  // Witness 0 is the constant 1, then the public signals.
  const at = 1 + publicLayout(SIZE).access;
  return witness.slice(at, at + SIZE.steps).map(BigInt);
}

describe('the step circuit against the ISS', () => {
  it('costs at most 431 constraints per step (and 2 per chunk), and the development chunk is the largest that fits 2^12 powers of tau', async () => {
    // (430 before receipt format 7: a system step's rs2 in its access word costs one product)
    expect(circuit.constraints).toBeLessThanOrEqual(431 * SIZE.steps + 2);
    expect(ptauPower(circuit)).toBe(12);
    expect(ptauPower(await compileCircuit({ steps: SIZE.steps + 1 }, HOME))).toBe(13);
  }, 120_000);

  it('accepts every chunk of the traces of random programs, exposing their access words (0 for padding)', async () => {
    await fc.assert(
      fc.asyncProperty(program, async (words) => {
        const { trace, image } = run(words);
        checkMemory(trace, image);
        const statement = buildStatement(trace, SIZE);
        expect(await firstRefused(statement)).toBe(-1);
        const last = statement.inputs.length - 1;
        const expected = Array.from({ length: SIZE.steps }, (_, i) => {
          const r = trace[last * SIZE.steps + i];
          return r === undefined ? 0n : packAccess(accessOf(r));
        });
        expect(await accessSignals(statement, last)).toEqual(expected);
      }),
      { numRuns: 12 },
    );
  });

  it('refuses a trace with one field of one record changed', async () => {
    const fields = ['pc', 'rd', 'rdValue', 'memAddr', 'memData', 'memWrite'] as const;
    await fc.assert(
      fc.asyncProperty(program, fc.nat(), fc.constantFrom(...fields), fc.integer({ min: 1, max: 0xffff }), async (words, pick, field, delta) => {
        const { trace, image } = run(words);
        const i = pick % trace.length;
        const r = trace[i]!;
        const changed: TraceRecord =
          field === 'memWrite'
            ? { ...r, memWrite: !r.memWrite }
            : field === 'rd'
              ? { ...r, rd: (r.rd + delta) % 32 === r.rd ? (r.rd + 1) % 32 : (r.rd + delta) % 32 }
              : { ...r, [field]: ((r[field] as number) + delta) >>> 0 };
        const bad = trace.map((x, k) => (k === i ? changed : x));
        let refused: boolean;
        try {
          checkMemory(bad, image);
          refused = (await firstRefused(buildStatement(bad, SIZE))) >= 0;
        } catch (e) {
          refused = ['E_PROOF_REJECTED', 'E_TRACE'].includes((e as { code?: string }).code ?? '');
        }
        expect(refused).toBe(true);
      }),
      { numRuns: 25 },
    );
  });

  it('refuses a load whose data is not the value loaded, with no prover check in the way', async () => {
    const { trace } = run([...li(1, 0x1234), ...li(8, SCRATCH), sType('sw', 8, 1, 0), iType('lw', 2, 8, 0), ...exitWith(1)]);
    const statement = buildStatement(trace, SIZE);
    expect(await firstRefused(statement)).toBe(-1);
    const load = trace.findIndex((r) => r.memMask !== 0 && !r.memWrite);
    const chunk = Math.floor(load / SIZE.steps);
    const input = statement.inputs[chunk]!;
    const data = [...(input.tMemData as string[])];
    data[load % SIZE.steps] = String(0x1235);
    const inputs = statement.inputs.map((x, k) => (k === chunk ? { ...x, tMemData: data } : x));
    expect(await firstRefused({ ...statement, inputs })).toBe(chunk);
  });

  it("leaves a load's size and alignment to the replay: a byte load of more than a byte, a misaligned word load, told consistently, satisfy the circuit and are refused by the replay of their access words", async () => {
    const words = [...li(1, 0x1234), ...li(8, SCRATCH), sType('sw', 8, 1, 0), iType('lbu', 2, 8, 0), iType('lw', 3, 8, 0), ...exitWith(1)];
    const { trace, image } = run(words);
    const lbu = trace.findIndex((r) => r.rd === 2);
    const lw = trace.findIndex((r) => r.rd === 3);
    // lbu reading 0x134 (the byte is 0x34): rd gets it too
    const wide = trace.map((r, k) => (k === lbu ? { ...r, memData: 0x134, rdValue: 0x134 } : r));
    // lw x3, 2(x8) in the image and the trace: rs1 + imm is SCRATCH + 2
    const at = (trace[lw]!.pc - RAM_BASE) / 4;
    const misalignedWord = iType('lw', 3, 8, 2);
    const shifted = new Uint8Array(new Uint32Array(words.map((w, k) => (k === at ? misalignedWord : w))).buffer);
    const misaligned = trace.map((r, k) => (k === lw ? { ...r, insn: misalignedWord, memAddr: SCRATCH + 2, memData: 0, rdValue: 0 } : r));
    for (const [forged, img, reason] of [
      [wide, image, /load of 1 bytes at 0x80000200 reads 0x134, but memory holds 0x34/],
      [misaligned, shifted, /load of 4 bytes at 0x80000202, which is not aligned to its size/],
    ] as const) {
      const statement = buildStatement(forged, SIZE);
      expect(await firstRefused(statement)).toBe(-1);
      const exposed: Access[] = [];
      for (let k = 0; k < statement.inputs.length; k++) exposed.push(...(await accessSignals(statement, k)).filter((v) => v !== 0n).map(unpackAccess));
      expect(exposed).toEqual(accessesOf(forged));
      expect(replayMemory(img, exposed).reason).toMatch(reason);
    }
  });

  describe('the ecall boundary', () => {
    // x8 = SCRATCH; a flag the host sets at the ecall chooses the second segment's path after the restart from reset.
    const words = [
      ...li(8, SCRATCH),
      iType('lw', 3, 8, 0), // the flag
      bType('bne', 3, 0, 28), // set: to the second segment's part
      ...li(1, 5),
      sType('sw', 8, 1, 4),
      iType('addi', 6, 1, 1), // (two steps, so that the ecall is not the last step of a chunk)
      iType('addi', 7, 1, 2),
      ECALL, // yield: the host writes the flag, the core restarts at the reset pc
      iType('addi', 4, 1, 0), // x1 was cleared by the restart: x4 = 0
      iType('lw', 5, 8, 4), // what the first segment stored: 5
      ...exitWith(1),
    ];
    const image = new Uint8Array(new Uint32Array(words).buffer);
    const flag = [[{ addr: SCRATCH, bytes: new Uint8Array([1, 0, 0, 0]) }]];
    let trace: TraceRecord[];
    beforeAll(async () => {
      const segments = segmentsOn('iss', 10_000);
      const core = new ReplayCore(image, segments.source);
      expect(await core.resume([])).toEqual({ ended: 'ecall', pc: expect.any(Number) });
      expect(await core.resume(flag[0]!)).toEqual({ ended: 'exit' });
      trace = segments.trace;
    });

    it('an ecall restarts from reset with every register 0, and memory as the host left it', async () => {
      checkMemory(trace, image, flag);
      const statement = buildStatement(trace, SIZE);
      expect(await firstRefused(statement)).toBe(-1);
      const ecall = trace.findIndex((r) => r.trap);
      expect(trace[ecall + 1]!.pc).toBe(0x80000000);
      expect(statement.states.some((st) => st.pc === 0x80000000 && st.regs.every((r) => r === 0))).toBe(true);
      const signals = await accessSignals(statement, Math.floor(ecall / SIZE.steps));
      expect(signals[ecall % SIZE.steps]! >> 128n).toBe(8n); // its access word is of kind ECALL
      expect(trace.find((r) => r.rd === 4)!.rdValue).toBe(0);
      expect(trace.find((r) => r.rd === 5)!.rdValue).toBe(5);
      expect(() => checkMemory(trace, image, [[]])).toThrow(expect.objectContaining({ code: 'E_PROOF_REJECTED' })); // without the host's write, the flag reads 0
    });

    /** The chunk holding record `i`, with `change` applied to its inputs: refused by the circuit? */
    const refusedWith = async (i: number, change: (input: Record<string, string | string[]>, at: number) => void): Promise<boolean> => {
      const statement = buildStatement(trace, SIZE);
      const chunk = Math.floor(i / SIZE.steps);
      const input = JSON.parse(JSON.stringify(statement.inputs[chunk])) as Record<string, string | string[]>;
      change(input, i % SIZE.steps);
      return (await firstRefused({ ...statement, inputs: [input] })) === 0;
    };
    const set =
      (field: string, value: number) =>
      (input: Record<string, string | string[]>, at: number): void => {
        (input[field] as string[])[at] = String(value >>> 0);
      };

    it('refuses a register kept across the ecall, a return to pc + 4, and ebreak or a CSR access in its place', async () => {
      const ecall = trace.findIndex((r) => r.trap);
      const addi = trace.findIndex((r) => r.rd === 4);
      expect(await refusedWith(addi, set('tRdValue', 5))).toBe(true);
      // the step after the ecall at pc + 4 (in the same chunk: across chunks the states chain, as for any step)
      const after = ecall + 1;
      expect(after % SIZE.steps).not.toBe(0);
      expect(await refusedWith(after, set('tPc', trace[ecall]!.pc + 4))).toBe(true);
      for (const word of [EBREAK, 0x30200073, 0x00102073]) expect(await refusedWith(ecall, set('tInsn', word))).toBe(true);
      expect(await refusedWith(ecall, set('tInsn', ECALL))).toBe(false); // the unchanged chunk is accepted
    });
  });

  describe('CSR instructions', () => {
    // the counters (mcycle, minstret and their aliases and high halves), the trap CSRs, every form
    const words = [
      csr('csrrs', 10, 0xb00, 0), // mcycle
      ...li(6, SCRATCH),
      iType('lw', 1, 6, 0), // (a load: 4 cycles)
      csr('csrrs', 11, 0xc00, 0), // cycle
      csr('csrrs', 12, 0xb02, 0), // minstret
      csr('csrrs', 13, 0xb80, 0), // mcycleh
      ...li(5, 0x80000100),
      csr('csrrw', 14, 0x305, 5), // mtvec ← x5, x14 ← 0
      csr('csrrs', 15, 0x305, 0), // x15 ← mtvec
      csr('csrrwi', 0, 0x340, 7), // mscratch ← 7
      csr('csrrsi', 16, 0x340, 8), // x16 ← 7, mscratch ← 15
      csr('csrrc', 17, 0x340, 5), // x17 ← 15, mscratch ← 15 & ~x5
      csr('csrrs', 18, 0x340, 0),
      csr('csrrw', 0, 0xb00, 0), // mcycle ← 0
      csr('csrrs', 19, 0xb00, 0), // 2: the written value plus 2
      csr('csrrs', 20, 0x300, 0), // mstatus: MPP reads 3
      ...exitWith(1),
    ];
    let trace: TraceRecord[];
    let image: Uint8Array;
    beforeAll(() => {
      ({ trace, image } = run(words));
    });

    it('are proved: the chunks satisfy the circuit, each exposes kind 9 with rs1 and the old value, and the replay agrees with the ISS', async () => {
      checkMemory(trace, image);
      const statement = buildStatement(trace, SIZE);
      expect(await firstRefused(statement)).toBe(-1);
      const values = (rd: number): number => trace.find((r) => r.rd === rd)!.rdValue;
      expect([values(10), values(11), values(12), values(13)]).toEqual([2, 15, 5, 0]); // reads: cycles before + 2; instructions retired before
      expect([values(15), values(16), values(17), values(19), values(20)]).toEqual([0x80000100, 7, 15, 2, 0x1800]);
      const accesses = accessesOf(trace);
      const mtvec = trace.findIndex((r) => r.rd === 14);
      expect(accesses[mtvec]).toMatchObject({ kind: ACCESS_CSR, addr: 0x80000100, data: 0 });
      const chunk = Math.floor(mtvec / SIZE.steps);
      const signals = await accessSignals(statement, chunk);
      expect(signals[mtvec % SIZE.steps]).toBe(packAccess(accesses[mtvec]!));
    });

    it('refuses a wrong CSR value told consistently (rd and the exposed value): the circuit accepts it, the replay of the CSRs does not', async () => {
      const i = trace.findIndex((r) => r.rd === 10);
      const bad = trace.map((r, k) => (k === i ? { ...r, rdValue: r.rdValue + 1 } : r));
      expect(await firstRefused(buildStatement(bad, SIZE))).toBe(-1);
      expect(() => checkMemory(bad, image)).toThrow(expect.objectContaining({ code: 'E_PROOF_REJECTED', message: expect.stringMatching(/CSR 0xb00 holds 0x2/) }));
      // the exposed value alone changed: the circuit (rd is written with it)
      const statement = buildStatement(trace, SIZE);
      const input = JSON.parse(JSON.stringify(statement.inputs[Math.floor(i / SIZE.steps)])) as Record<string, string[]>;
      input.tMemData![i % SIZE.steps] = '3';
      expect(await firstRefused({ ...statement, inputs: [input] })).toBe(0);
    });

    it('refuses, in the replay, a CSR access word on a word that is no CSR instruction, and a CSR instruction that traps', () => {
      const word = (insn: number, addr = 0, data = 0): Access => ({ pc: 0x80000000, insn, kind: ACCESS_CSR, addr, data });
      const imageOf = (insn: number): Uint8Array => new Uint8Array(new Uint32Array([insn]).buffer);
      expect(replayMemory(imageOf(EBREAK), [word(EBREAK)]).reason).toMatch(/no CSR instruction/);
      const unknown = csr('csrrs', 1, 0x7c0, 0);
      expect(replayMemory(imageOf(unknown), [word(unknown)]).reason).toMatch(/traps \(CSR 0x7c0\)/);
      const readOnly = csr('csrrw', 1, 0xc00, 2);
      expect(replayMemory(imageOf(readOnly), [word(readOnly)]).reason).toMatch(/traps/);
    });
  });

  describe('traps and mret', () => {
    // a handler at mtvec counts the causes and tvals, and returns past the trapping instruction
    const HANDLER = 0x80000000 + 13 * 4;
    const words = [
      ...li(5, HANDLER),
      csr('csrrw', 0, 0x305, 5), // mtvec
      EBREAK, // cause 3, mtval = its pc
      0xffffffff, // illegal: cause 2, mtval = the word
      ...li(6, SCRATCH + 1),
      iType('lw', 7, 6, 0), // misaligned: cause 4, mtval = the address
      WFI,
      ...exitWith(1),
      // the handler
      csr('csrrs', 10, 0x342, 0), // mcause
      rType('add', 20, 20, 10),
      csr('csrrs', 11, 0x343, 0), // mtval
      rType('add', 21, 21, 11),
      csr('csrrs', 12, 0x341, 0), // mepc
      iType('addi', 12, 12, 4),
      csr('csrrw', 0, 0x341, 12),
      MRET,
    ];
    let trace: TraceRecord[];
    let image: Uint8Array;
    beforeAll(() => {
      ({ trace, image } = run(words));
    });

    it('are proved: ebreak, an illegal word and a misaligned load enter mtvec with mcause, mtval and mepc set, mret returns', async () => {
      checkMemory(trace, image);
      const statement = buildStatement(trace, SIZE);
      expect(await firstRefused(statement)).toBe(-1);
      const sum = (rd: number): number => trace.filter((r) => r.rd === rd).at(-1)!.rdValue;
      expect(sum(20)).toBe(3 + 2 + 4);
      expect(sum(21)).toBe((0x80000000 + 12 + 0xffffffff + SCRATCH + 1) >>> 0);
      const system = accessesOf(trace).filter((a) => a.kind === ACCESS_SYSTEM);
      expect(system.map((a) => a.data)).toEqual([HANDLER, 0x80000000 + 16, HANDLER, 0x80000000 + 20, HANDLER, 0x80000000 + 32, 0x80000000 + 36]);
    });

    it('refuses a wrong handler address or return (the replay, and the circuit when the next pc differs) and a wrong cause read', async () => {
      const accesses = accessesOf(trace);
      const ebreak = accesses.findIndex((a) => a.kind === ACCESS_SYSTEM);
      const moved = accesses.map((a, i) => (i === ebreak ? { ...a, data: HANDLER + 4 } : a));
      expect(replayMemory(image, moved).reason).toMatch(/goes on at 0x80000038, but the machine goes on at 0x80000034 \(mtvec or mepc\)/);
      const mret = accesses.findIndex((a) => a.insn === MRET);
      const back = accesses.map((a, i) => (i === mret ? { ...a, data: a.data + 4 } : a));
      expect(replayMemory(image, back).reason).toMatch(/the machine goes on at/);
      // the circuit: the step after a system step must be at its data
      const statement = buildStatement(trace, SIZE);
      const chunk = Math.floor(ebreak / SIZE.steps);
      const input = JSON.parse(JSON.stringify(statement.inputs[chunk])) as Record<string, string[]>;
      input.tMemData![ebreak % SIZE.steps] = String(HANDLER + 4);
      expect(await firstRefused({ ...statement, inputs: [input] })).toBe(0);
      // a handler that reads another cause than the trap's
      const cause = trace.findIndex((r) => r.rd === 10);
      const lied = trace.map((r, i) => (i === cause ? { ...r, rdValue: 2 } : r));
      expect(() => checkMemory(lied, image)).toThrow(expect.objectContaining({ message: expect.stringMatching(/CSR 0x342 holds 0x3/) }));
      // a system step on an instruction that does not trap
      const addi = accesses.findIndex((a) => decode(a.insn).op === 'addi');
      const fake = accesses.map((a, i) => (i === addi ? { ...a, kind: ACCESS_SYSTEM, addr: 0, data: a.pc + 4 } : a));
      expect(replayMemory(image, fake).reason).toMatch(/does not trap/);
    });
  });

  describe('jumps that trap: a misaligned target (jal, jalr) and an instruction fetch fault (a jump outside RAM)', () => {
    const { words, HANDLER, END, JAL, JALR } = JUMP_TRAPS;
    let trace: TraceRecord[];
    let image: Uint8Array;
    beforeAll(() => {
      ({ trace, image } = run(words));
    });

    it('are proved as system steps: the chunks satisfy the circuit, the replay executes them as the ISS did', async () => {
      checkMemory(trace, image);
      const statement = buildStatement(trace, SIZE);
      expect(await firstRefused(statement)).toBe(-1);
      const last = (rd: number): number | undefined => trace.filter((r) => r.rd === rd).at(-1)?.rdValue;
      expect(last(20)).toBe(0 + 1 + 0);
      expect(last(21)).toBe((JAL + 6 + 0x1000 + END + 2) >>> 0);
      expect(last(1)).toBeUndefined(); // the trapping jalr wrote no link
      const system = accessesOf(trace).filter((a) => a.kind === ACCESS_SYSTEM && a.insn !== MRET);
      expect(system.map((a) => [a.pc, a.insn, a.addr, a.data])).toEqual([
        [JAL, jal(0, 6), 0, HANDLER],
        [0x1000, 0, 0, HANDLER],
        [JALR, iType('jalr', 1, 7, 0), END + 2, HANDLER],
      ]);
    });

    it('refuses another rs1 for the jalr (its mtval differs from what the handler read), a fetch fault claiming a word, and an ordinary step outside RAM', () => {
      const accesses = accessesOf(trace);
      const jalr = accesses.findIndex((a) => a.kind === ACCESS_SYSTEM && a.pc === JALR);
      const otherRs1 = accesses.map((a, i) => (i === jalr ? { ...a, addr: END + 6 } : a));
      expect(replayMemory(image, otherRs1).reason).toMatch(/CSR 0x343 holds/);
      const fault = accesses.findIndex((a) => a.pc === 0x1000);
      const withWord = accesses.map((a, i) => (i === fault ? { ...a, insn: 0x13 } : a));
      expect(replayMemory(image, withWord).reason).toMatch(/fetched at 0x1000, which is not an aligned word of RAM/);
      const ordinary = accesses.map((a, i) => (i === fault ? { ...a, kind: 0, data: 0 } : a));
      expect(replayMemory(image, ordinary).reason).toMatch(/fetched at 0x1000, which is not an aligned word of RAM/);
    });
  });

  describe('branches that trap: a taken branch to a misaligned target, decided by the rs2 value its system step exposes', () => {
    const { words, HANDLER, BEQ, BNE, BLT, BLTU } = BRANCH_TRAPS;
    let trace: TraceRecord[];
    let image: Uint8Array;
    beforeAll(() => {
      ({ trace, image } = run(words));
    });

    it('are proved as system steps exposing rs1 and rs2; the branches not taken are ordinary steps', async () => {
      checkMemory(trace, image);
      const statement = buildStatement(trace, SIZE);
      expect(await firstRefused(statement)).toBe(-1);
      const last = (rd: number): number | undefined => trace.filter((r) => r.rd === rd).at(-1)?.rdValue;
      expect(last(20)).toBe(0); // cause 0 twice
      expect(last(21)).toBe((BEQ + 6 + BLT + 10) >>> 0);
      const accesses = accessesOf(trace);
      const system = accesses.filter((a) => a.kind === ACCESS_SYSTEM && a.insn !== MRET);
      expect(system.map((a) => [a.pc, a.addr, a.rs2, a.data])).toEqual([
        [BEQ, 0xffffffff, 0xffffffff, HANDLER],
        [BLT, 0xffffffff, 1, HANDLER],
      ]);
      expect(accesses.filter((a) => a.pc === BNE || a.pc === BLTU).map((a) => a.kind)).toEqual([0, 0]);
      // the circuit exposes rs2 (bits 132 on) in the system step's access word, as the packing says
      const blt = accesses.findIndex((a) => a.pc === BLT);
      const signals = await accessSignals(statement, Math.floor(blt / SIZE.steps));
      expect(signals[blt % SIZE.steps]).toBe(packAccess(accesses[blt]!));
      expect(signals[blt % SIZE.steps]! >> 132n).toBe(1n);
    });

    it('refuses, in the replay, a branch not taken claimed trapping, a trapping branch whose rs2 would not take it, and two values for one register', () => {
      const accesses = accessesOf(trace);
      const at = (pc: number): number => accesses.findIndex((a) => a.pc === pc);
      const bne = at(BNE);
      const claimed = accesses.map((a, i) => (i === bne ? { ...a, kind: ACCESS_SYSTEM, addr: 0xffffffff, rs2: 0xffffffff, data: HANDLER } : a));
      expect(replayMemory(image, claimed).reason).toMatch(/does not trap/);
      // rs2 = -2 (not less than -1: blt not taken), 0xffffffff (equal)
      for (const rs2 of [0xfffffffe, 0xffffffff]) {
        const notTaken = accesses.map((a, i) => (i === at(BLT) ? { ...a, rs2 } : a));
        expect(replayMemory(image, notTaken).reason).toMatch(/does not trap/);
      }
      // beq x1, x3 with x3 claimed 5: not equal, not taken
      const otherRs2 = accesses.map((a, i) => (i === at(BEQ) ? { ...a, rs2: 5 } : a));
      expect(replayMemory(image, otherRs2).reason).toMatch(/does not trap/);
      const same = bType('beq', 1, 1, 6);
      const sameImage = new Uint8Array(new Uint32Array(words.map((w, i) => (RAM_BASE + 4 * i === BEQ ? same : w))).buffer);
      const clash = accesses.map((a, i) => (i === at(BEQ) ? { ...a, insn: same, rs2: 5 } : a));
      expect(replayMemory(sameImage, clash).reason).toMatch(/exposes two values for x1/);
    });

    it('an ordinary step for a taken branch to a misaligned target satisfies the circuit (its next pc is the target) and is refused by the replay (the fetch there)', async () => {
      const beq = trace.findIndex((r) => r.pc === BEQ);
      const target = BEQ + 6;
      const { trace: end } = run(exitWith(1));
      const forged = [...trace.slice(0, beq), { ...trace[beq]!, trap: false, cause: 0 }, ...end.map((r, k) => ({ ...r, pc: target + 4 * k }))];
      expect(await firstRefused(buildStatement(forged, SIZE))).toBe(-1);
      expect(() => checkMemory(forged, image)).toThrow(expect.objectContaining({ message: expect.stringMatching(/fetched at 0x80000032, which is not an aligned word of RAM/) }));
    });
  });

  it('refuses what it cannot prove: ebreak retiring, a run that does not end, an image larger than RAM', () => {
    const { trace, image } = run([...li(1, 5), ...exitWith(1)]);
    expect(() => buildStatement([{ ...trace[0]!, insn: EBREAK }, ...trace.slice(1)], SIZE)).toThrow(expect.objectContaining({ code: 'E_UNSUPPORTED' }));
    expect(() => buildStatement(trace.slice(0, -1), SIZE)).toThrow(expect.objectContaining({ code: 'E_TRACE' }));
    expect(() => checkMemory(trace, new Uint8Array(128 * 1024 + 4))).toThrow(expect.objectContaining({ code: 'E_UNSUPPORTED' }));
    expect(imageHash(image)).toMatch(/^[0-9a-f]{64}$/);
  });
});
