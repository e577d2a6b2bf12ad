// Proving a run end to end (docs/proofs.md): a trace and the program image
// → the memory check → statement → chunk proofs (worker pool) → checks that
// the proved states chain → receipt with the proved access words. Also runs
// an ELF on the simulation or the ISS to get its trace.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CaxError, unsupported } from '../errors.js';
import { Iss } from '../riscv/iss.js';
import { runSim } from '../sim/simulator.js';
import type { TraceRecord } from '../trace/record.js';
import { accessesOf, cyclesOf, encodeAccesses, isEcallRecord, PROOF_RAM_BYTES, replayMemory, unpackAccess, type HostWrite } from './access.js';
import { publicLayout, type Circuit } from './circuit.js';
import type { ProgramImage } from './image.js';
import { proveChunks } from './prover.js';
import { encodeProof, encodeState, RECEIPT_FORMAT, type Receipt } from './receipt.js';
import { readVerificationKey, type Keys } from './setup.js';
import { buildStatement, checkMemory, type State } from './statement.js';
import type { SegmentSource } from './tel-run.js';
import { loadTrace, readTrace } from '../trace/read.js';
import { parseVerificationKey, verifyingKeyHash } from './verify.js';

export interface ProveRun {
  readonly trace: readonly TraceRecord[];
  readonly image: ProgramImage;
  /** Clocks the run reported (0 when unknown, as for a trace file); the receipt's cycles come from the cycle model, which must agree. */
  readonly cycles: number;
  /** The bytes of the program's input (a TEL run: its arguments' canonical encodings); the receipt's inputHash is their SHA-256. */
  readonly input?: Uint8Array;
  /** What the host wrote at each ecall, in order (default: nothing at each). */
  readonly hostWrites?: readonly (readonly HostWrite[])[];
  /** The bytes the host sent on the UART from cycle 0 (default: none); the receipt's uartInput. */
  readonly uartInput?: Uint8Array;
}

/** The run's host writes, one entry per ecall of its trace. */
function hostWritesOf(run: ProveRun): readonly (readonly HostWrite[])[] {
  return run.hostWrites ?? run.trace.filter(isEcallRecord).map(() => []);
}

/** The version of an installed package (its package.json, found above its main file). */
function version(pkg: string): string {
  let dir = dirname(createRequire(import.meta.url).resolve(pkg));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  const json = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: string };
  return json.version ?? 'unknown';
}

export function versions(): Receipt['versions'] {
  return { cax: '0.1.0', snarkjs: version('snarkjs'), circom2: version('circom2') };
}

function stateOf(signals: readonly string[], pc: number, regs: number): State {
  return { pc: Number(signals[pc]), regs: Array.from({ length: 32 }, (_, i) => Number(signals[regs + i])) };
}

export interface ProveRunOptions {
  /** Worker threads (default: one per core). */
  readonly workers?: number;
  /** Proves the chunks elsewhere (`cax prove --farm`: the farm's workers) instead of the local worker threads. */
  readonly prover?: typeof proveChunks;
  readonly onChunk?: () => void;
  readonly onStart?: (chunks: number) => void;
}

/** The default cycle limit of a proved run, and the most that is proved (its trace is held in memory, ~150 bytes a cycle). */
export const DEFAULT_PROVED_CYCLES = 1_000_000;
export const MAX_PROVED_CYCLES = 4_000_000;

/** The key files proving needs. */
export type KeyFiles = Pick<Keys, 'zkey' | 'vkey'>;

/** Proves a run: the prover's memory check first (E_PROOF_REJECTED early), then proveTrace. */
export async function proveRun(run: ProveRun, circuit: Circuit, keys: KeyFiles, options: ProveRunOptions = {}): Promise<Receipt> {
  checkMemory(run.trace, run.image.bytes, hostWritesOf(run), run.uartInput);
  const model = cyclesOf(accessesOf(run.trace));
  if (run.cycles !== 0 && run.cycles !== model) {
    throw new CaxError('E_TRACE', `the run reported ${run.cycles} cycles, its trace takes ${model} by the cycle model (docs/soc.md)`);
  }
  return proveTrace(run, circuit, keys, options);
}

/**
 * Proves a trace as it is, without the prover's memory check: the receipt of
 * a trace that fetches or loads what memory does not hold is made, and the
 * verifier must refuse it (the soundness tests use this).
 */
export async function proveTrace(run: ProveRun, circuit: Circuit, keys: KeyFiles, options: ProveRunOptions = {}): Promise<Receipt> {
  const statement = buildStatement(run.trace, circuit.size);
  options.onStart?.(statement.inputs.length);
  const proofs = await (options.prover ?? proveChunks)(statement.inputs, { wasm: circuit.wasm, zkey: keys.zkey, workers: options.workers, onProgress: options.onChunk });
  const layout = publicLayout(circuit.size);
  // The states the proofs establish; each chunk must start where the previous one ended.
  const states: State[] = [stateOf(proofs[0]!.publicSignals, layout.pcIn, layout.regsIn)];
  proofs.forEach((p, k) => {
    const after = stateOf(p.publicSignals, layout.pcOut, layout.regsOut);
    const next = proofs[k + 1];
    if (next !== undefined) {
      const start = stateOf(next.publicSignals, layout.pcIn, layout.regsIn);
      if (start.pc !== after.pc || start.regs.some((r, i) => r !== after.regs[i])) {
        throw new CaxError(
          'E_PROOF_REJECTED',
          `chunk ${k + 1} does not start where chunk ${k} ends (pc 0x${start.pc.toString(16)} after 0x${after.pc.toString(16)}): a skipped or inserted instruction at the boundary`,
          { details: { chunk: k + 1 } },
        );
      }
    }
    states.push(after);
  });
  const last = proofs[proofs.length - 1]!.publicSignals;
  if (last[layout.exited] !== '1') throw new CaxError('E_PROOF_REJECTED', 'the last chunk does not end the program');
  const final = states[states.length - 1]!;
  const chunkAccesses = proofs.map((p) => {
    const steps = Number(p.publicSignals[layout.steps]);
    return p.publicSignals.slice(layout.access, layout.access + steps).map((v) => unpackAccess(BigInt(v)));
  });
  // the exit value is the data of the last step, the proved end (the store to EXIT); the UART output what the
  // proved accesses transmit (the verifier replays them the same way)
  const accesses = chunkAccesses.flat();
  const uartInput = run.uartInput ?? new Uint8Array(0);
  const uart = replayMemory(run.image.bytes, accesses, hostWritesOf(run), uartInput).uart;
  return {
    format: RECEIPT_FORMAT,
    program: { hash: run.image.hash, image: run.image.bytes },
    inputHash: createHash('sha256')
      .update(run.input ?? new Uint8Array(0))
      .digest('hex'),
    hostWrites: hostWritesOf(run).map((list) => list.map((w) => ({ addr: w.addr >>> 0, bytes: w.bytes }))),
    output: { exitValue: accesses[accesses.length - 1]!.data, a0: final.regs[10]!, uart },
    uartInput,
    cycles: cyclesOf(chunkAccesses.flat()),
    steps: statement.steps,
    verifyingKey: verifyingKeyHash(parseVerificationKey(readVerificationKey(keys.vkey))),
    circuit: { hash: circuit.hash, steps: circuit.size.steps, constraints: circuit.constraints },
    versions: versions(),
    states: states.map(encodeState),
    chunks: proofs.map((p, k) => ({ steps: chunkAccesses[k]!.length, proof: encodeProof(p.proof), accesses: encodeAccesses(chunkAccesses[k]!) })),
  };
}

/** A run that trapped (with mtvec 0 it then never ends): an ecall outside a TEL proving run, or an instruction the circuit has not. */
function trapped(r: TraceRecord): CaxError {
  return unsupported(
    `proving a run that traps (cause ${r.cause} at pc 0x${(r.pc >>> 0).toString(16)}: ${r.cause === 11 ? 'an ecall the host has no answer for (only TEL proving runs yield to the host)' : 'an instruction the step circuit has not'})`,
  );
}

/** How a traced run ended: the program's end (a store to EXIT), or an ecall where it yields to the host (with `yieldAtEcall`). */
export interface TracedRun {
  readonly trace: TraceRecord[];
  readonly cycles: number;
  readonly ended: 'exit' | 'ecall';
}

export interface TraceRunOptions {
  /** The program is a raw image at 0x80000000 (not an ELF). */
  readonly raw?: boolean;
  /** End the run at an ecall (docs/proofs.md "The ecall boundary") instead of trapping. */
  readonly yieldAtEcall?: boolean;
  /** Bytes the host sends on the UART at cycle 0 (the ISS only: they reach the receive FIFO one frame apart). */
  readonly uartInput?: Uint8Array;
}

/** Runs a program (a file) on the Verilator simulation with a text trace, to its end or (yieldAtEcall) its first ecall. */
export async function traceOnSim(program: string, maxCycles: number, options: TraceRunOptions = {}): Promise<TracedRun> {
  const dir = mkdtempSync(join(tmpdir(), 'cax-prove-'));
  try {
    const file = join(dir, 'run.trace');
    const { summary } = await runSim({ program, trace: file, maxCycles, raw: options.raw === true, stopOnEcall: options.yieldAtEcall === true });
    if (summary.end === 'limit' || summary.end === 'stopped') {
      for await (const r of readTrace(file)) if (r.trap) throw trapped(r);
      throw new CaxError('E_BUDGET', `the program did not end within ${maxCycles} cycles on the simulation`);
    }
    return { trace: await loadTrace(file), cycles: summary.cycles, ended: summary.end === 'ecall' ? 'ecall' : 'exit' };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs a program (ELF or raw image) on the ISS from reset with tracing on, to its end (EXIT or tohost) or (yieldAtEcall) its first ecall. */
export function traceOnIss(program: Uint8Array, maxCycles: number, options: Omit<TraceRunOptions, 'raw'> = {}): TracedRun {
  // the machine the proofs model: the board's RAM (access.ts PROOF_RAM_BYTES)
  const iss = new Iss({ ramBytes: PROOF_RAM_BYTES, syscalls: options.yieldAtEcall === true ? 'yield' : 'none' });
  const trace: TraceRecord[] = [];
  iss.load(program);
  if (options.uartInput !== undefined) iss.uart.receive(options.uartInput);
  iss.setTraceSink((r) => trace.push(r));
  const result = iss.run({ maxCycles });
  if (result.ended === 'cycle-limit') {
    const trap = trace.find((r) => r.trap);
    throw trap ? trapped(trap) : new CaxError('E_BUDGET', `the program did not end within ${maxCycles} cycles`);
  }
  return { trace, cycles: result.cycles, ended: result.ended === 'ecall' ? 'ecall' : 'exit' };
}

/** Memory up to its last non-zero byte: the raw image a segment starts from. */
function trimmed(memory: Uint8Array): Uint8Array {
  let end = memory.length;
  while (end > 0 && memory[end - 1] === 0) end--;
  return memory.subarray(0, Math.max(end, 4));
}

/**
 * Runs a proving image segment by segment (host/proof/tel-run.ts) on the
 * simulation or the ISS: each segment from reset with memory as the previous
 * one and the host left it, to its yielding ecall or the program's end,
 * within `maxCycles` for the whole run. Collects the whole trace.
 */
export function segmentsOn(on: 'sim' | 'iss', maxCycles: number): { readonly source: SegmentSource; readonly trace: TraceRecord[]; cycles(): number } {
  const trace: TraceRecord[] = [];
  let cycles = 0;
  const source: SegmentSource = async (memory) => {
    const left = maxCycles - cycles;
    if (left <= 0) throw new CaxError('E_BUDGET', `the program did not end within ${maxCycles} cycles`);
    let run: TracedRun;
    if (on === 'iss') run = traceOnIss(trimmed(memory), left, { yieldAtEcall: true });
    else {
      const dir = mkdtempSync(join(tmpdir(), 'cax-segment-'));
      try {
        const file = join(dir, 'memory.bin');
        writeFileSync(file, trimmed(memory));
        run = await traceOnSim(file, left, { raw: true, yieldAtEcall: true });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    cycles += run.cycles;
    trace.push(...run.trace);
    return accessesOf(run.trace);
  };
  return { source, trace, cycles: () => cycles };
}
