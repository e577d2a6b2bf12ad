// Attacks on receipts as a forger would make them, with only the public
// verifying key and a genuine receipt (issue 14): the Groth16 forgery
// A = α, B = β, C = −(IC₀ + Σ xⱼ·ICⱼ) that works against a key with δ = γ,
// a receipt verified under a key it does not name, host writes on a receipt
// with no host protocol, forged UART output, a forged mcycle read, a wrong trap
// handler, return or cause, a jump trap's rs1 or a fetch fault changed, branches that trap (a branch
// not taken claimed trapping, a trap not taken, a wrong handler or cause, another rs2), and every claim
// field of a genuine receipt changed (a property). A program of a few steps, with the test-size keys of
// build/proof/home; one extra setup from the same powers-of-tau.
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { copyFileSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { getCurveFromName, Scalar, type Curve } from 'ffjavascript';
import type { Groth16Proof } from 'snarkjs';
import { compileCircuit, DEV_SIZE, ptauPower, type Circuit } from '../../host/proof/circuit.js';
import { releaseCurve } from '../../host/proof/curve.js';
import { programImage } from '../../host/proof/image.js';
import { printable } from '../../host/printable.js';
import { proveRun, proveTrace } from '../../host/proof/prove.js';
import { decodeReceipt, decodeState, encodeProof, encodeReceipt, encodeState, type Receipt } from '../../host/proof/receipt.js';
import { circuitKeys, devPtau, devPtauPath, readVerificationKey, type Keys } from '../../host/proof/setup.js';
import { chunkSignals, parseVerificationKey, verifyEach, verifyingKeyHash, verifyReceipt, type VerificationKey } from '../../host/proof/verify.js';
import { runCli } from '../../host/cli/program.js';
import { captureIO } from '../helpers/cli-io.js';
import { bType, csr, EBREAK, exitWith, iType, jal, li, lui, MRET, sType } from '../riscv/asm.js';
import { ACCESS_CSR, ACCESS_SYSTEM, decodeAccesses, encodeAccesses, type Access } from '../../host/proof/access.js';
import { UART_BASE } from '../../host/riscv/machine.js';
import { BRANCH_TRAPS, branchTraps, JUMP_TRAPS, run } from './random-programs.js';
import { flipped } from '../helpers/bytes.js';

const HOME = 'build/proof/home';
/** The trap handler of the proved program (its 16th word). */
const HANDLER = 0x80000000 + 15 * 4;
const SIZE = DEV_SIZE;

let circuit: Circuit;
let keys: Keys;
let vk: VerificationKey;
let receipt: Receipt;
let curve: Curve;
let otherHome: string;

beforeAll(async () => {
  circuit = await compileCircuit(SIZE, HOME);
  keys = await circuitKeys(HOME, circuit, devPtauPath(HOME, ptauPower(circuit)));
  vk = parseVerificationKey(readVerificationKey(keys.vkey));
  // prints "A" on the UART (the transmitter is idle at reset), reads mcycle into a1, sets a0 = 42, then
  // takes an ebreak to a handler that reads mcause and returns past it, and ends
  const words = [
    lui(5, UART_BASE),
    ...li(6, 0x41),
    sType('sw', 5, 6, 0),
    csr('csrrs', 11, 0xb00, 0),
    ...li(10, 42),
    ...li(7, HANDLER),
    csr('csrrw', 0, 0x305, 7), // mtvec
    EBREAK,
    ...exitWith(1),
    csr('csrrs', 12, 0x342, 0), // the handler: mcause
    csr('csrrs', 13, 0x341, 0),
    iType('addi', 13, 13, 4),
    csr('csrrw', 0, 0x341, 13), // mepc past the ebreak
    MRET,
  ];
  const ran = run(words);
  receipt = await proveRun({ trace: ran.trace, image: programImage(ran.image), cycles: ran.cycles }, circuit, keys, { workers: 1 });
  curve = await getCurveFromName('bn128');
  otherHome = mkdtempSync(join(tmpdir(), 'cax-forgery-'));
}, 600_000);

afterAll(async () => {
  rmSync(otherHome, { recursive: true, force: true });
  await releaseCurve();
});

function copyOf(r: Receipt): Receipt {
  return decodeReceipt(encodeReceipt(r));
}

const g1 = (c: Curve, p: readonly string[]): Uint8Array => c.G1.fromObject(p.map((s) => BigInt(s)));
const g2 = (c: Curve, p: readonly string[][]): Uint8Array => c.G2.fromObject(p.map((pair) => pair.map((s) => BigInt(s))));
const objectOf = (p: unknown): string[] => (p as bigint[]).map((v) => v.toString());

/** The forger's proof for any public signals from a verifying key alone: A = α, B = β, C = −(IC₀ + Σ xⱼ·ICⱼ). */
function forgedProof(key: VerificationKey, signals: readonly string[]): Groth16Proof {
  let l = g1(curve, key.IC[0]!);
  signals.forEach((x, j) => {
    const scalar = new Uint8Array(32);
    Scalar.toRprLE(scalar, 0, BigInt(x), 32);
    l = curve.G1.add(l, curve.G1.timesScalar(g1(curve, key.IC[j + 1]!), scalar));
  });
  const c = curve.G1.toAffine(curve.G1.neg(l));
  const b = curve.G2.toAffine(g2(curve, key.vk_beta_2));
  const bObject = curve.G2.toObject(b) as bigint[][];
  return {
    pi_a: objectOf(curve.G1.toObject(curve.G1.toAffine(g1(curve, key.vk_alpha_1)))),
    pi_b: bObject.map((pair) => pair.map((v) => v.toString())),
    pi_c: objectOf(curve.G1.toObject(c)),
    protocol: 'groth16',
    curve: 'bn128',
  };
}

/** The genuine receipt made to claim a0 = 1337, each chunk proof replaced by the forger's under `key`. */
function forgedReceipt(key: VerificationKey): Receipt {
  const r = copyOf(receipt);
  const last = r.states.length - 1;
  const final = decodeState(r.states[last]!);
  r.states[last] = encodeState({ pc: final.pc, regs: final.regs.map((v, i) => (i === 10 ? 1337 : v)) });
  r.output = { ...r.output, a0: 1337 };
  r.verifyingKey = verifyingKeyHash(key);
  r.chunks = r.chunks.map((c, k) => ({ ...c, proof: encodeProof(forgedProof(key, chunkSignals(r, k))) }));
  return r;
}

/** The verifying key of a setup with no phase-2 contribution: δ = γ. */
function uncontributed(): VerificationKey {
  return { ...vk, vk_delta_2: vk.vk_gamma_2 };
}

describe('the Groth16 forgery from the verifying key alone', () => {
  it("the keys `cax zk setup` makes have δ ≠ γ, so the forger's proofs do not verify, and the forged receipt is refused", async () => {
    expect(vk.vk_delta_2).not.toEqual(vk.vk_gamma_2);
    const forged = forgedReceipt(vk);
    expect(
      await verifyEach(
        vk,
        forged.chunks.map((_, k) => ({ proof: forgedProof(vk, chunkSignals(forged, k)), publicSignals: chunkSignals(forged, k) })),
      ),
    ).toEqual(forged.chunks.map(() => false));
    expect(await verifyReceipt(forged, vk, { batch: true })).toMatchObject({ ok: false, reason: expect.stringMatching(/the proof of chunk \d+ does not verify/) });
    expect(await verifyReceipt(forged, vk, { batch: false })).toMatchObject({ ok: false });
  });

  it('the forgery works against a key with δ = γ (snarkjs accepts it), and the verifier refuses such a key', async () => {
    const weak = uncontributed();
    const forged = forgedReceipt(weak);
    expect(await verifyEach(weak, [{ proof: forgedProof(weak, chunkSignals(forged, 0)), publicSignals: chunkSignals(forged, 0) }])).toEqual([true]);
    await expect(verifyReceipt(forged, weak)).rejects.toMatchObject({ code: 'E_SETUP', message: expect.stringMatching(/δ = γ/) });
    const generator = { ...vk, vk_delta_2: (curve.G2.toObject(curve.G2.toAffine(curve.G2.g)) as bigint[][]).map((p) => p.map((v) => v.toString())) };
    await expect(verifyReceipt({ ...forged, verifyingKey: verifyingKeyHash(generator) }, generator)).rejects.toMatchObject({ code: 'E_SETUP' });
  });
});

describe('keys and the receipt that names them', () => {
  it('keys made twice from the same powers-of-tau differ; a receipt verified under the other key says which key it names', async () => {
    // The second setup as a ceremony's user makes it: `cax zk setup --ptau FILE` from a prepared powers-of-tau file
    // (here the development one, copied: the same snarkjs format a public ceremony publishes), then `verify-setup`.
    const ceremony = join(otherHome, 'ceremony.ptau');
    copyFileSync(devPtauPath(HOME, ptauPower(circuit)), ceremony);
    symlinkSync(resolve(HOME, 'circuits'), join(otherHome, 'circuits'));
    const cli = async (...args: string[]): Promise<Record<string, unknown>> => {
      const io = captureIO({ env: { CAX_HOME: otherHome }, cwd: otherHome });
      expect(await runCli(['--json', 'zk', ...args, '--steps', String(SIZE.steps), '--ptau', ceremony], io)).toBe(0);
      return JSON.parse(io.stdout.join('')) as Record<string, unknown>;
    };
    await cli('setup');
    const checked = await cli('verify-setup');
    expect((checked.contributions as { name: string }[]).map((c) => c.name)).toEqual(['cax zk setup', 'cax zk setup beacon']);
    const other = parseVerificationKey(readVerificationKey(join(otherHome, 'keys', `${circuit.hash}.vkey.json`)));
    expect(checked.verifyingKey).toBe(verifyingKeyHash(other));
    // A ceremony file too small for the circuit is refused, naming the size it needs.
    const small = await devPtau(join(otherHome, 'small'), 8);
    const io = captureIO({ env: { CAX_HOME: otherHome }, cwd: otherHome });
    rmSync(join(otherHome, 'keys'), { recursive: true });
    expect(await runCli(['zk', 'setup', '--steps', String(SIZE.steps), '--ptau', small], io)).not.toBe(0);
    expect(io.stderr.join('\n')).toMatch(new RegExp(`E_SETUP .*does not fit the circuit \\(2\\^${ptauPower(circuit)} needed\\)`));
    expect(other.vk_delta_2).not.toEqual(vk.vk_delta_2);
    expect(verifyingKeyHash(other)).not.toBe(verifyingKeyHash(vk));
    expect(receipt.verifyingKey).toBe(verifyingKeyHash(vk));
    expect(await verifyReceipt(receipt, other)).toEqual({ ok: false, reason: `the receipt was made for verifying key ${verifyingKeyHash(vk)}, not for the key given (${verifyingKeyHash(other)})` });
    // Relabelled to name the other key, the genuine proofs do not verify under it.
    expect(await verifyReceipt({ ...receipt, verifyingKey: verifyingKeyHash(other) }, other)).toMatchObject({ ok: false, reason: expect.stringMatching(/does not verify/) });
  }, 300_000);
});

describe('claims bound by the verifier', () => {
  it('the genuine receipt verifies', async () => {
    expect(await verifyReceipt(receipt, vk)).toMatchObject({ ok: true, exitCode: 0 });
    expect(receipt.output.a0).toBe(42);
    expect(Buffer.from(receipt.output.uart).toString('latin1')).toBe('A');
  });

  it('a wrong mcycle (the CSR read in the access word changed) is refused by the replay of the CSRs', async () => {
    const k = receipt.chunks.findIndex((c) => decodeAccesses(c.accesses).some((a) => a.kind === ACCESS_CSR));
    const list = decodeAccesses(receipt.chunks[k]!.accesses);
    const at = list.findIndex((a) => a.kind === ACCESS_CSR);
    expect(list[at]!.data).toBe(14); // 4 instructions of 3 cycles before it, plus 2
    for (const data of [13, 15, 0]) {
      const r = copyOf(receipt);
      r.chunks[k]!.accesses = encodeAccesses(list.map((a, i) => (i === at ? { ...a, data } : a)));
      expect(await verifyReceipt(r, vk)).toMatchObject({ ok: false, reason: expect.stringMatching(/CSR 0xb00 holds 0xe/) });
    }
  });

  /** The receipt with the first access word that `pick` selects changed by `change`. */
  const forgedAccess = (pick: (a: Access) => boolean, change: (a: Access) => Access): Receipt => {
    const r = copyOf(receipt);
    const k = r.chunks.findIndex((c) => decodeAccesses(c.accesses).some(pick));
    const list = decodeAccesses(r.chunks[k]!.accesses);
    const at = list.findIndex(pick);
    r.chunks[k]!.accesses = encodeAccesses(list.map((a, i) => (i === at ? change(a) : a)));
    return r;
  };

  it('a wrong trap handler address, a wrong return and a wrong trap cause are refused by the replay of the system steps and CSRs', async () => {
    const trap = (a: Access): boolean => a.kind === ACCESS_SYSTEM && a.insn === EBREAK;
    const ret = (a: Access): boolean => a.kind === ACCESS_SYSTEM && a.insn === MRET;
    const cause = (a: Access): boolean => a.kind === ACCESS_CSR && a.insn === csr('csrrs', 12, 0x342, 0);
    expect(
      await verifyReceipt(
        forgedAccess(trap, (a) => ({ ...a, data: HANDLER + 4 })),
        vk,
      ),
    ).toMatchObject({ ok: false, reason: expect.stringMatching(/the machine goes on at 0x8000003c \(mtvec or mepc\)/) });
    expect(
      await verifyReceipt(
        forgedAccess(ret, (a) => ({ ...a, data: a.data - 4 })),
        vk,
      ),
    ).toMatchObject({ ok: false, reason: expect.stringMatching(/the machine goes on at/) });
    expect(
      await verifyReceipt(
        forgedAccess(cause, (a) => ({ ...a, data: 2 })),
        vk,
      ),
    ).toMatchObject({ ok: false, reason: expect.stringMatching(/CSR 0x342 holds 0x3/) });
  });

  it('cax verify shows the proved UART output (text and --json)', async () => {
    const file = join(otherHome, 'uart.msgpack');
    writeFileSync(file, encodeReceipt(receipt));
    const text = captureIO({ env: { CAX_HOME: resolve(HOME) }, cwd: otherHome });
    expect(await runCli(['verify', file], text)).toBe(0);
    expect(text.stdout.join('\n')).toContain('uart output (1 bytes): "A"');
    const json = captureIO({ env: { CAX_HOME: resolve(HOME) }, cwd: otherHome });
    expect(await runCli(['--json', 'verify', file], json)).toBe(0);
    expect(JSON.parse(json.stdout[0]!)).toMatchObject({ ok: true, output: { a0: 42, exitValue: 1, uart: 'A', uartHex: '41' } });
  }, 120_000);

  it('forged UART output (a byte changed, added or dropped) is refused, naming the UART', async () => {
    const forged = (uart: Uint8Array): Receipt => {
      const r = copyOf(receipt);
      r.output.uart = uart;
      return r;
    };
    for (const uart of [Uint8Array.from([0x42]), Uint8Array.from([0x41, 0x41]), new Uint8Array(0)]) {
      expect(await verifyReceipt(forged(uart), vk)).toMatchObject({ ok: false, reason: expect.stringMatching(/UART output .* is not what the proved run transmits/) });
    }
  });

  it('host writes on a receipt without a TEL claim (no host protocol) are refused', async () => {
    const r = { ...copyOf(receipt), hostWrites: [[{ addr: 0x80000000, bytes: new Uint8Array([0x13, 0, 0, 0]) }]] };
    expect(await verifyReceipt(r, vk)).toMatchObject({ ok: false, reason: expect.stringMatching(/no host protocol/) });
  });

  /** Every claim field of the receipt, each with a way to change it. */
  const mutations: ReadonlyArray<readonly [string, (r: Receipt, n: number) => void]> = [
    [
      'program.hash',
      (r, n) => {
        r.program.hash = (BigInt(`0x${r.program.hash}`) ^ BigInt(n)).toString(16).padStart(64, '0');
      },
    ],
    [
      'program.image',
      (r, n) => {
        r.program.image = flipped(r.program.image, n);
      },
    ],
    [
      'inputHash',
      (r, n) => {
        r.inputHash = (BigInt(`0x${r.inputHash}`) ^ BigInt(n)).toString(16).padStart(64, '0');
      },
    ],
    [
      'output.a0',
      (r, n) => {
        r.output.a0 = (r.output.a0 + n) >>> 0;
      },
    ],
    [
      'output.exitValue',
      (r, n) => {
        r.output.exitValue = (r.output.exitValue + 2 * n) >>> 0;
      },
    ],
    [
      'cycles',
      (r, n) => {
        r.cycles += n;
      },
    ],
    [
      'steps',
      (r, n) => {
        r.steps += n;
      },
    ],
    [
      'verifyingKey',
      (r, n) => {
        r.verifyingKey = (BigInt(`0x${r.verifyingKey}`) ^ BigInt(n)).toString(16).padStart(64, '0');
      },
    ],
    [
      'circuit.steps',
      (r, n) => {
        r.circuit.steps += n;
      },
    ],
    [
      'states',
      (r, n) => {
        const k = n % r.states.length;
        r.states[k] = flipped(r.states[k]!, n);
      },
    ],
    [
      'chunks.steps',
      (r, n) => {
        const c = r.chunks[n % r.chunks.length]!;
        c.steps += 1;
      },
    ],
    [
      'chunks.accesses',
      (r, n) => {
        const c = r.chunks[n % r.chunks.length]!;
        c.accesses = flipped(c.accesses, n);
      },
    ],
    [
      'chunks.proof',
      (r, n) => {
        const c = r.chunks[n % r.chunks.length]!;
        c.proof = flipped(c.proof, n);
      },
    ],
    [
      'output.uart',
      (r, n) => {
        r.output.uart = n % 2 === 0 ? flipped(r.output.uart, n, (n % 255) + 1) : Uint8Array.from([...r.output.uart, n & 0xff]);
      },
    ],
    [
      'uartInput',
      (r, n) => {
        r.uartInput = Uint8Array.from([...r.uartInput, n & 0xff]);
      },
    ],
    [
      'hostWrites',
      (r, n) => {
        r.hostWrites = [[{ addr: 0x80000100 + 4 * (n % 16), bytes: new Uint8Array([n & 0xff]) }]];
      },
    ],
  ];

  it('a genuine receipt with any claim field changed is refused (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...mutations), fc.integer({ min: 1, max: 0xffff }), async ([, mutate], n) => {
        const r = copyOf(receipt);
        mutate(r, n);
        const verdict = await verifyReceipt(r, vk).catch((e: unknown) => ({ ok: false, reason: (e as Error).message }));
        expect(verdict.ok).toBe(false);
      }),
      { numRuns: 40 },
    );
  }, 300_000);
});

describe('jumps that trap, proved (a misaligned jal and jalr, a fetch fault outside RAM)', () => {
  let trapped: Receipt;
  beforeAll(async () => {
    const ran = run(JUMP_TRAPS.words);
    trapped = await proveRun({ trace: ran.trace, image: programImage(ran.image), cycles: ran.cycles }, circuit, keys, { workers: 1 });
  }, 600_000);

  /** The receipt with the access word of the system step at `pc` changed by `change`. */
  const forged = (pc: number, change: (a: Access) => Access): Receipt => {
    const r = copyOf(trapped);
    const pick = (a: Access): boolean => a.kind === ACCESS_SYSTEM && a.pc === pc;
    const k = r.chunks.findIndex((c) => decodeAccesses(c.accesses).some(pick));
    r.chunks[k]!.accesses = encodeAccesses(decodeAccesses(r.chunks[k]!.accesses).map((a) => (pick(a) ? change(a) : a)));
    return r;
  };

  it('the genuine receipt verifies; another rs1 for the jalr, another handler address for the fetch fault, a word claimed at the faulting pc are refused', async () => {
    expect(await verifyReceipt(trapped, vk)).toMatchObject({ ok: true });
    expect(
      await verifyReceipt(
        forged(JUMP_TRAPS.JALR, (a) => ({ ...a, addr: a.addr + 4 })),
        vk,
      ),
    ).toMatchObject({ ok: false, reason: expect.stringMatching(/CSR 0x343 holds/) });
    expect(
      await verifyReceipt(
        forged(0x1000, (a) => ({ ...a, data: a.data + 4 })),
        vk,
      ),
    ).toMatchObject({ ok: false, reason: expect.stringMatching(/the machine goes on at/) });
    expect(
      await verifyReceipt(
        forged(0x1000, (a) => ({ ...a, insn: 0x13 })),
        vk,
      ),
    ).toMatchObject({ ok: false, reason: expect.stringMatching(/fetched at 0x1000, which is not an aligned word of RAM/) });
  });
});

describe('branches that trap, proved (a taken branch to a misaligned target: its system step exposes rs2)', () => {
  const { BEQ, BNE, BLT, HANDLER } = BRANCH_TRAPS;
  let trapped: Receipt;
  let image: Uint8Array;
  beforeAll(async () => {
    const ran = run(BRANCH_TRAPS.words);
    image = ran.image;
    trapped = await proveRun({ trace: ran.trace, image: programImage(image), cycles: ran.cycles }, circuit, keys, { workers: 1 });
  }, 600_000);

  /** The receipt with the access word of the step at `pc` (the first `kind` there) changed by `change`. */
  const forged = (pick: (a: Access) => boolean, change: (a: Access) => Access): Receipt => {
    const r = copyOf(trapped);
    const k = r.chunks.findIndex((c) => decodeAccesses(c.accesses).some(pick));
    const list = decodeAccesses(r.chunks[k]!.accesses);
    const at = list.findIndex(pick);
    r.chunks[k]!.accesses = encodeAccesses(list.map((a, i) => (i === at ? change(a) : a)));
    return r;
  };
  const atPc = (pc: number) => (a: Access) => a.pc === pc;

  it('the genuine receipt verifies: two branches trap into the handler, two are not taken', async () => {
    expect(await verifyReceipt(trapped, vk)).toMatchObject({ ok: true });
    const system = trapped.chunks.flatMap((c) => decodeAccesses(c.accesses)).filter((a) => a.kind === ACCESS_SYSTEM && a.insn !== MRET);
    expect(system.map((a) => [a.pc, a.rs2, a.data])).toEqual([
      [BEQ, 0xffffffff, HANDLER],
      [BLT, 1, HANDLER],
    ]);
  });

  it('a wrong handler address and a wrong cause read for a trapping branch are refused by the replay', async () => {
    expect(
      await verifyReceipt(
        forged(atPc(BEQ), (a) => ({ ...a, data: HANDLER + 4 })),
        vk,
      ),
    ).toMatchObject({ ok: false, reason: expect.stringMatching(/but the machine goes on at/) });
    const cause = (a: Access): boolean => a.kind === ACCESS_CSR && a.insn === csr('csrrs', 10, 0x342, 0);
    expect(
      await verifyReceipt(
        forged(cause, (a) => ({ ...a, data: 2 })),
        vk,
      ),
    ).toMatchObject({ ok: false, reason: expect.stringMatching(/CSR 0x342 holds 0x0/) });
  });

  it("another rs2 is refused: by the replay when it would not take the branch, by the chunk's proof when it still would", async () => {
    expect(
      await verifyReceipt(
        forged(atPc(BLT), (a) => ({ ...a, rs2: 0xfffffffe })),
        vk,
      ),
    ).toMatchObject({ ok: false, reason: expect.stringMatching(/does not trap/) });
    expect(
      await verifyReceipt(
        forged(atPc(BLT), (a) => ({ ...a, rs2: 2 })),
        vk,
      ),
    ).toMatchObject({ ok: false, reason: expect.stringMatching(/the proof of chunk \d+ does not verify/) });
  });

  it('a branch not taken, claimed trapping, re-proved (the circuit accepts it: a system step), is refused by the replay', async () => {
    // the forger's run: a beq (which traps) where the image has the bne, its record given the bne's word
    const bne = bType('bne', 1, 3, 6);
    const theirs = run(branchTraps(bType('beq', 1, 3, 6)));
    const trace = theirs.trace.map((r) => (r.pc === BNE ? { ...r, insn: bne } : r));
    const lie = await proveTrace({ trace, image: programImage(image), cycles: 0 }, circuit, keys, { workers: 1 });
    expect(await verifyReceipt(lie, vk)).toMatchObject({ ok: false, reason: expect.stringMatching(new RegExp(`system step at 0x${BNE.toString(16)} \\(0x${bne.toString(16)}\\) does not trap`)) });
  }, 600_000);

  it('a trapping branch proved as an ordinary step (on to its misaligned target), re-proved, is refused by the replay', async () => {
    const ran = run(BRANCH_TRAPS.words);
    const beq = ran.trace.findIndex((r) => r.pc === BEQ);
    const end = run(exitWith(1)).trace.map((r, k) => ({ ...r, pc: BEQ + 6 + 4 * k }));
    const trace = [...ran.trace.slice(0, beq), { ...ran.trace[beq]!, trap: false, cause: 0 }, ...end];
    const lie = await proveTrace({ trace, image: programImage(image), cycles: 0 }, circuit, keys, { workers: 1 });
    expect(await verifyReceipt(lie, vk)).toMatchObject({ ok: false, reason: expect.stringMatching(/fetched at 0x80000032, which is not an aligned word of RAM/) });
  }, 600_000);
});

describe('bounded proving', () => {
  it('a program that never ends is E_BUDGET at its cycle limit (a clear error, not a crash); a limit past what is proved is E_USAGE', async () => {
    const file = join(otherHome, 'forever.bin');
    writeFileSync(file, new Uint8Array(new Uint32Array([jal(0, 0)]).buffer));
    const io = captureIO({ env: { CAX_HOME: HOME } });
    expect(await runCli(['--json', 'prove', file, '--on', 'iss', '--steps', String(DEV_SIZE.steps), '--max-cycles', '20000'], io)).not.toBe(0);
    expect([...io.stdout, ...io.stderr].join('\n')).toMatch(/E_BUDGET/);
    const over = captureIO({ env: { CAX_HOME: HOME } });
    expect(await runCli(['prove', file, '--on', 'iss', '--max-cycles', '100000000'], over)).not.toBe(0);
    expect(over.stderr.join('\n')).toMatch(/E_USAGE/);
  });
});

describe('output hygiene', () => {
  it('control and bidirectional characters in a receipt string are shown escaped, never passed through', () => {
    expect(printable('Int\r\u001b[2K = 1337 :: Int')).toBe('Int\\x0d\\x1b[2K = 1337 :: Int');
    expect(printable('a\u202eb\u0085c\\x1b')).toBe('a\\u202eb\\x85c\\\\x1b');
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(printable(s)).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u); // eslint-disable-line no-control-regex
      }),
    );
  });
});
