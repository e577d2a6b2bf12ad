// Proofs end to end on a C program run on the ISS (build/proof/mix.elf),
// with the test-size circuit and development keys that mk/proof.mk makes in
// build/proof/home: prove → receipt → verify (one by one and batched, same
// verdicts), and the soundness cases of docs/proofs.md, each rejected when
// proving or when verifying; the memory and fetch cases also by the verifier
// alone, on receipts proved from lying traces with the prover's check bypassed.
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode } from '@msgpack/msgpack';
import { runCli } from '../../host/cli/program.js';
import { decodeAccesses, encodeAccesses, isStore } from '../../host/proof/access.js';
import { compileCircuit, DEV_SIZE, ptauPower, type Circuit } from '../../host/proof/circuit.js';
import { releaseCurve } from '../../host/proof/curve.js';
import { programImage, type ProgramImage } from '../../host/proof/image.js';
import { proveRun, proveTrace, traceOnIss } from '../../host/proof/prove.js';
import { decodeReceipt, decodeState, encodeReceipt, encodeState, outputJson, type Receipt } from '../../host/proof/receipt.js';
import { circuitKeys, devPtau, readVerificationKey, type Keys } from '../../host/proof/setup.js';
import { parseVerificationKey, verifyBatch, verifyEach, verifyReceipt, chunkSignals, type VerificationKey } from '../../host/proof/verify.js';
import { decodeProof } from '../../host/proof/receipt.js';
import { decode } from '../../host/riscv/decode.js';
import { EXIT_ADDR, RAM_BASE } from '../../host/riscv/machine.js';
import type { TraceRecord } from '../../host/trace/record.js';
import { captureIO } from '../helpers/cli-io.js';
import { exitWith, iType, jal, li, sType } from '../riscv/asm.js';
import { run, SCRATCH } from './random-programs.js';
import { flipped } from '../helpers/bytes.js';

const HOME = 'build/proof/home';
const SIZE = DEV_SIZE;
const PROGRAM = 'build/proof/mix.elf';

let circuit: Circuit;
let keys: Keys;
let vk: VerificationKey;
let image: ProgramImage;
let trace: TraceRecord[];
let cycles: number;
let receipt: Receipt;
let dir: string;

/** A deep copy of the receipt with `change` applied. */
function tampered(change: (r: Receipt) => void): Receipt {
  const copy = decodeReceipt(encodeReceipt(receipt));
  change(copy);
  return copy;
}

/** Proves a trace; a doctored one without the run's cycle count, so that the circuit (not the cycle check) is what refuses it. */
function prove(t: readonly TraceRecord[]): Promise<Receipt> {
  return proveRun({ trace: t, image, cycles: t === trace ? cycles : 0 }, circuit, keys, { workers: 2 });
}

beforeAll(async () => {
  circuit = await compileCircuit(SIZE, HOME);
  keys = await circuitKeys(HOME, circuit, await devPtau(HOME, ptauPower(circuit)));
  vk = parseVerificationKey(readVerificationKey(keys.vkey));
  const elf = readFileSync(PROGRAM);
  image = programImage(elf);
  ({ trace, cycles } = traceOnIss(elf, 1_000_000));
  receipt = await prove(trace);
  dir = mkdtempSync(join(tmpdir(), 'cax-proof-'));
}, 900_000);

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await releaseCurve();
});

describe('proving and verifying a run', () => {
  it('proves every chunk and the receipt verifies, batched and one by one', async () => {
    expect(receipt.steps).toBe(trace.length);
    expect(receipt.chunks).toHaveLength(Math.ceil(trace.length / SIZE.steps));
    // The program's result is in a0 at its end (the ISS agrees).
    expect(receipt.output.a0).toBe(decodeState(receipt.states[receipt.states.length - 1]!).regs[10]);
    expect(receipt.output.exitValue).toBe(1);
    expect(await verifyReceipt(receipt, vk, { batch: true })).toMatchObject({ ok: true, exitCode: 0 });
    expect(await verifyReceipt(receipt, vk, { batch: false })).toMatchObject({ ok: true, exitCode: 0 });
    expect(await verifyReceipt(receipt, vk, { programHash: image.hash })).toMatchObject({ ok: true });
    expect((await verifyReceipt(receipt, vk, { programHash: '0'.repeat(64) })).ok).toBe(false);
  });

  it('the run uses every class of the circuit: loads and stores of each size, M, shifts, branches, jumps', () => {
    const ops = new Set(trace.map((r) => decode(r.insn).op));
    for (const op of ['lw', 'lbu', 'lhu', 'sb', 'sh', 'sw', 'mulh', 'mul', 'div', 'remu', 'srai', 'slli', 'sltu', 'blt', 'jal', 'jalr', 'lui', 'auipc', 'add', 'xor']) {
      expect(ops).toContain(op);
    }
    expect(trace.some((r) => decode(r.insn).op.startsWith('b') && trace[trace.indexOf(r) + 1]!.pc !== r.pc + 4)).toBe(true);
  });

  it('batch and one-by-one verification give the same verdicts on good and bad proofs', async () => {
    const proofs = receipt.chunks.map((c, k) => ({ proof: decodeProof(c.proof), publicSignals: chunkSignals(receipt, k) }));
    const bad = proofs.map((p, k) => (k === 3 ? { ...p, publicSignals: p.publicSignals.map((s, i) => (i === 5 ? String(BigInt(s) + 1n) : s)) } : p));
    expect(await verifyBatch(vk, proofs)).toEqual(proofs.map(() => true));
    const each = await verifyEach(vk, bad);
    expect(each).toEqual(bad.map((_, k) => k !== 3));
    expect(await verifyBatch(vk, bad)).toEqual(each);
  });
});

describe('soundness: rejected when proving', () => {
  const rejects = async (t: TraceRecord[]): Promise<void> => {
    await expect(prove(t)).rejects.toMatchObject({ code: 'E_PROOF_REJECTED' });
  };
  const at = (i: number, change: Partial<TraceRecord>): TraceRecord[] => trace.map((r, k) => (k === i ? { ...r, ...change } : r));
  const firstLoad = (): number => trace.findIndex((r) => r.memMask !== 0 && !r.memWrite && r.rd !== 0);

  it('a wrong register value', async () => {
    const i = trace.findIndex((r) => r.rd !== 0);
    await rejects(at(i, { rdValue: (trace[i]!.rdValue + 1) >>> 0 }));
  });

  it('a wrong memory read: data that disagrees with the value loaded (circuit), and a consistent lie (the memory check)', async () => {
    const i = firstLoad();
    await rejects(at(i, { memData: (trace[i]!.memData ^ 1) >>> 0 }));
    const r = trace[i]!;
    await rejects(at(i, { memData: (r.memData ^ 1) >>> 0, rdValue: (r.rdValue ^ 1) >>> 0 }));
  });

  it('a skipped instruction, inside a chunk and at a chunk boundary', async () => {
    await rejects(trace.filter((_, k) => k !== 6));
    await rejects(trace.filter((_, k) => k !== SIZE.steps));
  });

  it('a wrong branch target', async () => {
    const b = trace.findIndex((r, k) => decode(r.insn).op.startsWith('b') && trace[k + 1]!.pc !== r.pc + 4);
    await rejects(at(b + 1, { pc: (trace[b]!.pc + 4) >>> 0 }));
  });
});

describe('soundness: rejected when verifying', () => {
  const rejected = async (r: Receipt): Promise<void> => {
    expect((await verifyReceipt(r, vk, { batch: true })).ok).toBe(false);
    expect((await verifyReceipt(r, vk, { batch: false })).ok).toBe(false);
  };

  it('a swapped, a dropped or a duplicated chunk', async () => {
    await rejected(tampered((r) => ([r.chunks[1], r.chunks[2]] = [r.chunks[2]!, r.chunks[1]!])));
    await rejected(tampered((r) => r.chunks.splice(1, 1)));
    await rejected(
      tampered((r) => {
        r.chunks.splice(1, 1);
        r.states.splice(1, 1);
        r.steps -= SIZE.steps;
      }),
    );
    await rejected(
      tampered((r) => {
        r.chunks.splice(1, 0, r.chunks[1]!);
        r.states.splice(1, 0, r.states[1]!);
        r.steps += SIZE.steps;
      }),
    );
  });

  it('another program hash, or another program with its own hash (its first instruction differs)', async () => {
    await rejected(tampered((r) => (r.program.hash = 'ab'.repeat(32))));
    await rejected(
      tampered((r) => {
        const other = flipped(r.program.image, 0, 0x80);
        r.program = { hash: programImage(other).hash, image: other };
      }),
    );
  });

  it('another output: a0 alone, a0 with the final state, the exit value', async () => {
    await rejected(tampered((r) => (r.output.a0 = (r.output.a0 + 1) >>> 0)));
    await rejected(
      tampered((r) => {
        const last = decodeState(r.states[r.states.length - 1]!);
        const regs = [...last.regs];
        regs[10] = (regs[10]! + 1) >>> 0;
        r.states[r.states.length - 1] = encodeState({ pc: last.pc, regs });
        r.output.a0 = regs[10]!;
      }),
    );
    await rejected(tampered((r) => (r.output.exitValue = 3)));
  });

  it('another cycle count (cycles are proved: the verifier counts them from the proved instructions)', async () => {
    expect(receipt.cycles).toBe(cycles);
    await expect(proveRun({ trace, image, cycles: cycles + 1 }, circuit, keys)).rejects.toMatchObject({ code: 'E_TRACE' });
    await rejected(tampered((r) => (r.cycles += 1)));
    await rejected(tampered((r) => (r.cycles = 0)));
  });

  it('a proof with one byte changed', async () => {
    for (const offset of [0, 31, 64, 130, 200, 255]) {
      await rejected(
        tampered((r) => {
          const p = flipped(r.chunks[2]!.proof, offset);
          r.chunks[2] = { ...r.chunks[2]!, proof: p };
        }),
      );
    }
  });

  it("access words changed: a store's data (the replay or the proof), one cut short or missing (the receipt), and a receipt of format 1", async () => {
    const store = receipt.chunks.findIndex((c) => decodeAccesses(c.accesses).some((a) => isStore(a.kind) && a.addr !== EXIT_ADDR));
    await rejected(
      tampered((r) => {
        const list = decodeAccesses(r.chunks[store]!.accesses);
        const i = list.findIndex((a) => isStore(a.kind));
        list[i] = { ...list[i]!, data: (list[i]!.data ^ 1) >>> 0 };
        r.chunks[store] = { ...r.chunks[store]!, accesses: encodeAccesses(list) };
      }),
    );
    expect(
      (
        await verifyReceipt(
          tampered((r) => (r.chunks[1] = { ...r.chunks[1]!, accesses: r.chunks[1]!.accesses.subarray(0, r.chunks[1]!.accesses.length - 1) })),
          vk,
        )
      ).reason,
    ).toMatch(/chunk 1: malformed access words/);
    expect(
      (
        await verifyReceipt(
          tampered((r) => (r.chunks[1] = { ...r.chunks[1]!, accesses: encodeAccesses(decodeAccesses(r.chunks[1]!.accesses).slice(1)) })),
          vk,
        )
      ).reason,
    ).toMatch(new RegExp(`chunk 1 has ${SIZE.steps - 1} access words for ${SIZE.steps} steps`));
    const old = { ...receipt, format: 'cax-receipt/1', circuit: { ...receipt.circuit, codeWords: 96 }, chunks: receipt.chunks.map((c) => ({ steps: c.steps, proof: c.proof })) };
    expect(() => decodeReceipt(encode(old))).toThrow(expect.objectContaining({ code: 'E_RECEIPT' }));
    // receipts of format 4 (the 761-constraint circuit) and 5 (no UART output) are refused as such
    for (const format of ['cax-receipt/4', 'cax-receipt/5']) {
      const { output, ...rest } = receipt;
      expect(() => decodeReceipt(encode({ ...rest, output: { exitValue: output.exitValue, a0: output.a0 }, format }))).toThrow(
        expect.objectContaining({ code: 'E_RECEIPT', message: expect.stringMatching(new RegExp(`a ${format} receipt, an older format .*prove the run again`)) }),
      );
    }
    // and format 6 (a system step without rs2, no UART input): the same map without uartInput
    const { uartInput, ...six } = receipt;
    expect(uartInput).toEqual(new Uint8Array(0));
    expect(() => decodeReceipt(encode({ ...six, format: 'cax-receipt/6' }))).toThrow(
      expect.objectContaining({ code: 'E_RECEIPT', message: expect.stringMatching(/a cax-receipt\/6 receipt, an older format .*prove the run again/) }),
    );
  });
});

describe("soundness: lying traces proved without the prover's check, refused by the verifier", () => {
  /**
   * Runs `words` on the ISS, changes its trace with `lie`, and proves it with
   * the lower-level proveTrace (no memory check), against `image` (default:
   * the words). The prover's own check refuses the same trace.
   */
  async function provedLie(words: number[], lie: (t: TraceRecord[]) => TraceRecord[], image = new Uint8Array(new Uint32Array(words).buffer)): Promise<Receipt> {
    const t = lie(run(words).trace);
    const program = programImage(image);
    await expect(proveRun({ trace: t, image: program, cycles: 0 }, circuit, keys, { workers: 2 })).rejects.toMatchObject({ code: 'E_PROOF_REJECTED' });
    return proveTrace({ trace: t, image: program, cycles: 0 }, circuit, keys, { workers: 2 });
  }
  const refusedBecause = async (r: Receipt, why: RegExp): Promise<void> => {
    const batched = await verifyReceipt(r, vk, { batch: true });
    expect(batched.ok).toBe(false);
    expect(batched.reason).toMatch(why);
    expect(await verifyReceipt(r, vk, { batch: false })).toEqual(batched);
  };
  /** The same record with a different loaded value, told consistently (data and rd value). */
  const loadLie = (t: TraceRecord[], value: number): TraceRecord[] => {
    const i = t.findIndex((r) => r.memMask !== 0 && !r.memWrite);
    return t.map((r, k) => (k === i ? { ...r, memData: value, rdValue: value } : r));
  };

  it('a wrong memory read told consistently (data and rd value): a load of what was not stored', async () => {
    const words = [...li(1, 0x1234), ...li(8, SCRATCH), sType('sw', 8, 1, 0), iType('lw', 10, 8, 0), ...exitWith(1)];
    const truthful = await proveTrace({ trace: run(words).trace, image: programImage(new Uint8Array(new Uint32Array(words).buffer)), cycles: 0 }, circuit, keys, { workers: 2 });
    expect(await verifyReceipt(truthful, vk)).toMatchObject({ ok: true });
    const r = await provedLie(words, (t) => loadLie(t, 0x1235));
    expect(r.output.a0).toBe(0x1235);
    await refusedBecause(r, /load of 4 bytes at 0x80000200 reads 0x1235, but memory holds 0x1234/);
  });

  it('a load of initial data that differs from the image', async () => {
    const body = (data: number): number[] => [...li(8, data), iType('lw', 10, 8, 0), ...exitWith(1)];
    const words = [...body(RAM_BASE + 4 * (body(0).length + 1)), 0, 0x00c0ffee];
    await refusedBecause(await provedLie(words, (t) => loadLie(t, 0x00c0ffef)), /reads 0xc0ffef, but memory holds 0xc0ffee/);
  });

  it('a wrong instruction word at a pc (the trace executes addi a0, a0, 7 where the image has addi a0, a0, 5)', async () => {
    const words = [...li(10, 5), ...exitWith(1)];
    const other = iType('addi', 10, 10, 7);
    const r = await provedLie(words, (t) => t.map((x, k) => (k === 1 ? { ...x, insn: other, rdValue: 7 } : x)));
    expect(r.output.a0).toBe(7);
    await refusedBecause(r, /instruction at 0x80000004 is 0x550513, not 0x750513/);
  });

  it('a fetch outside the image (the code after a jump is not in the image claimed)', async () => {
    const words = [jal(0, 16), 0, 0, 0, ...li(10, 9), ...exitWith(1)];
    const claimed = new Uint8Array(new Uint32Array(words.slice(0, 4)).buffer);
    await refusedBecause(await provedLie(words, (t) => t, claimed), /instruction at 0x80000010 is 0x0 \(beyond the image\)/);
  });
});

describe('cax prove / cax verify', () => {
  it('prove --trace (a simulation VCD) --image and prove PROGRAM (on the simulation and the ISS) store receipts that verify accepts; a tampered file is refused with E_VERIFY', async () => {
    const vcd = join(dir, 'mix.vcd');
    spawnSync('build/sim/cax-sim', [PROGRAM, '--vcd', vcd], { stdio: 'pipe' });
    const io = captureIO({ env: { CAX_HOME: HOME } });
    expect(await runCli(['--json', 'prove', '--trace', vcd, '--image', PROGRAM, '--steps', String(DEV_SIZE.steps), '--workers', '2'], io)).toBe(0);
    const proved = JSON.parse(io.stdout[0]!) as { receipt: string; path: string; chunks: number };
    expect(proved.chunks).toBe(receipt.chunks.length);
    for (const on of ['sim', 'iss']) {
      const direct = captureIO({ env: { CAX_HOME: HOME } });
      expect(await runCli(['--json', 'prove', PROGRAM, '--on', on, '--steps', String(DEV_SIZE.steps)], direct)).toBe(0);
      expect(JSON.parse(direct.stdout[0]!)).toMatchObject({ chunks: receipt.chunks.length, output: outputJson(receipt.output), exitCode: 0 });
    }
    const ok = captureIO({ env: { CAX_HOME: HOME } });
    expect(await runCli(['verify', proved.receipt, '--program', PROGRAM], ok)).toBe(0);
    expect(ok.stdout[0]).toMatch(/^verified: program [0-9a-f]{64} ran \d+ instructions/);
    const bytes = new Uint8Array(readFileSync(proved.path));
    const bad = decodeReceipt(bytes);
    bad.output.a0 ^= 1;
    writeFileSync(join(dir, 'bad.msgpack'), encodeReceipt(bad));
    const refused = captureIO({ env: { CAX_HOME: HOME } });
    expect(await runCli(['verify', join(dir, 'bad.msgpack'), '--one-by-one'], refused)).toBe(1);
    expect(refused.stderr.join('')).toContain('E_VERIFY');
    const other = decodeReceipt(bytes);
    other.circuit.hash = 'cd'.repeat(32);
    writeFileSync(join(dir, 'other.msgpack'), encodeReceipt(other));
    const otherCircuit = captureIO({ env: { CAX_HOME: HOME } });
    expect(await runCli(['verify', join(dir, 'other.msgpack')], otherCircuit)).toBe(1);
    expect(otherCircuit.stderr.join('')).toContain('E_VERIFY');
    writeFileSync(join(dir, 'junk.msgpack'), new Uint8Array([1, 2, 3]));
    const junk = captureIO({ env: { CAX_HOME: HOME } });
    expect(await runCli(['verify', join(dir, 'junk.msgpack')], junk)).toBe(1);
    expect(junk.stderr.join('')).toContain('E_RECEIPT');
  }, 300_000);

  it('usage errors and a missing setup (proving TEL definitions: test/proof/tel.test.ts)', async () => {
    const usage = captureIO({ env: { CAX_HOME: HOME } });
    expect(await runCli(['prove', '--trace', 'x.trace'], usage)).toBe(2);
    const noKeys = captureIO({ env: { CAX_HOME: HOME } });
    expect(await runCli(['prove', PROGRAM, '--steps', '3'], { ...noKeys, env: { CAX_HOME: join(dir, 'empty') } })).toBe(1);
    expect(noKeys.stderr.join('')).toContain('E_SETUP');
  }, 300_000);
});
