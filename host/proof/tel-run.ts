// A proved TEL run across its ecalls (docs/proofs.md "The ecall boundary").
// The proving image's stub yields to the host with an ecall whenever main
// returns an effect or a continuation returns; the host then runs the effect
// with the interpreter's scheduler (the same as `cax run --backend iss`),
// writes what the scheduler asks for next into memory (a continuation and its
// arguments, or `finish`), and the core restarts from reset. One driver does
// this for both sides: the prover's core runs each segment on the simulation
// or the ISS; the verifier's core replays the receipt's proved access words.
// Both keep memory by replaying the access words, so the prover's host writes
// are exactly the ones the verifier derives again from the claimed effect log.
import { CaxError, unsupported } from '../errors.js';
import { runCompiledEffect, type ApplyOnCore } from '../coprocessor/effects.js';
import { CoprocessorOpaque, HeapWriter, readValue, type MemoryReader, type Word2 } from '../coprocessor/heap.js';
import { runtimeError, TAG, T_ERROR } from '../compiler/layout.js';
import { PROVE_HEADER } from './tel-image.js';
import { RAM_BASE } from '../riscv/machine.js';
import type { EffectEntry } from '../tel/scheduler.js';
import { showValue } from '../tel/values.js';
import type { EffectHandlers } from '../tel/world.js';
import { ACCESS_ECALL, MemoryReplay, type Access, type HostWrite } from './access.js';

/** How a segment of the run ended: at the yielding ecall (pc), or at the program's end. */
export type SegmentEnd = { readonly ended: 'ecall'; readonly pc: number } | { readonly ended: 'exit' };

/** Where a segment's access words come from: the run so far is in `memory`; the next segment's words, its ecall last if it yields. */
export type SegmentSource = (memory: Uint8Array) => Promise<readonly Access[]>;

/**
 * The core as the driver sees it: memory replayed from the image over the
 * access words of each segment, an ecall held back until the host answers it.
 */
export class ReplayCore {
  private readonly replay: MemoryReplay;
  private pending: Access | undefined;

  constructor(
    image: Uint8Array,
    private readonly next: SegmentSource,
  ) {
    this.replay = new MemoryReplay(image);
  }

  get memory(): Uint8Array {
    return this.replay.memory.bytes;
  }

  /** A word of memory now. */
  word(addr: number): number {
    return this.replay.memory.read(addr, 4);
  }

  /** Answers the pending ecall with `writes` (none before the first segment) and runs the next segment. */
  async resume(writes: readonly HostWrite[]): Promise<SegmentEnd> {
    if (this.pending !== undefined) this.check(this.replay.step(this.pending, writes));
    const accesses = await this.next(this.replay.memory.bytes);
    let pending: Access | undefined;
    accesses.forEach((a, i) => {
      if (a.kind === ACCESS_ECALL) {
        if (i !== accesses.length - 1) throw new CaxError('E_PROOF_REJECTED', 'a segment goes on after its ecall');
        pending = a;
      } else this.check(this.replay.step(a));
    });
    this.pending = pending;
    if (pending !== undefined) return { ended: 'ecall', pc: pending.pc };
    if (this.replay.exitValue === undefined) throw new CaxError('E_PROOF_REJECTED', 'the run stops without an ecall or the store to EXIT');
    return { ended: 'exit' };
  }

  private check(reason: string | undefined): void {
    if (reason !== undefined) throw new CaxError('E_PROOF_REJECTED', `step ${this.replay.steps}: ${reason}`, { details: { step: this.replay.steps } });
  }
}

/** What a TEL run gave: a value or a TEL error, as TEL shows it. */
export type TelOutput = { readonly kind: 'value'; readonly shown: string } | { readonly kind: 'error'; readonly code: string; readonly message: string; readonly shown: string };

export interface TelDrive {
  readonly output: TelOutput;
  /** The scheduler's effect log, logical end time and timeline latencies (empty, start and {} without effects). */
  readonly effects: readonly EffectEntry[];
  readonly clock: number;
  readonly latencies: Readonly<Record<string, number>>;
  /** The host's writes at each ecall, in order. */
  readonly hostWrites: readonly (readonly HostWrite[])[];
}

/** A reader over `bytes` placed at `base`; a read outside them is E_OUTPUT. */
export function memoryReader(base: number, bytes: Uint8Array): MemoryReader {
  return (addr, n) => {
    if (addr < base || addr + n > base + bytes.length) throw new CaxError('E_OUTPUT', `a value points outside memory (0x${(addr >>> 0).toString(16)}, ${n} bytes)`);
    return new DataView(bytes.buffer, bytes.byteOffset + addr - base, n);
  };
}

/** The output a first-order result word denotes (a function or effect is E_UNSUPPORTED). */
function outputOf(w: Word2, mem: MemoryReader): TelOutput {
  if (w.tag >>> 0 === T_ERROR) {
    const { code, message } = runtimeError(w.val);
    return { kind: 'error', code, message, shown: `error ${code}` };
  }
  const value = readValue(w, mem);
  if (value instanceof CoprocessorOpaque) throw unsupported(`a proved result that is ${value.opaque === 'function' ? 'a function' : 'an effect'}`);
  return { kind: 'value', shown: showValue(value) };
}

function words(list: readonly number[]): Uint8Array {
  const out = new Uint8Array(4 * list.length);
  const view = new DataView(out.buffer);
  list.forEach((w, i) => view.setUint32(4 * i, w >>> 0, true));
  return out;
}

/**
 * Drives a proving image's run through its segments: the first from the
 * image, then one per continuation the scheduler applies, then `finish`.
 * `handlers` answer the world effects (the prover's world, or the verifier's
 * replay of the claimed log).
 */
export async function driveTel(core: ReplayCore, handlers: EffectHandlers, start: number): Promise<TelDrive> {
  const argsAt = RAM_BASE + PROVE_HEADER.args;
  const resultAt = RAM_BASE + PROVE_HEADER.result;
  const heapPointerAt = core.word(RAM_BASE + PROVE_HEADER.heapPointer);
  const yieldPc = core.word(RAM_BASE + PROVE_HEADER.yieldPc);
  const hostWrites: HostWrite[][] = [];
  const result = (): Word2 => ({ tag: core.word(resultAt), val: core.word(resultAt + 4) });
  // A copy: the scheduler may read a value after the core ran on.
  const snapshot = (): MemoryReader => memoryReader(RAM_BASE, core.memory.slice());
  const yielded = (end: SegmentEnd): void => {
    if (end.ended !== 'ecall') throw new CaxError('E_PROOF_REJECTED', 'the program ended where it should yield to the host');
    // The runtime makes no ecall of its own (show of a Double and hashOf run on the core): any other is not a run of the image.
    if (end.pc !== yieldPc) throw new CaxError('E_PROOF_REJECTED', `an ecall at pc 0x${end.pc.toString(16)}, not the proving stub's yield`);
  };

  const first = await core.resume([]);
  if (first.ended === 'exit') return { output: outputOf(result(), snapshot()), effects: [], clock: start, latencies: {}, hostWrites };
  yielded(first);
  const main = result();
  if (main.tag !== TAG.EFFECT) throw new CaxError('E_PROOF_REJECTED', 'main yielded to the host without an effect');
  // A fault of the run itself (not a TEL error) must not become the program's error: the scheduler turns every CaxError into one.
  let fault: unknown;
  const resume = async (writes: readonly HostWrite[]): Promise<void> => {
    try {
      yielded(await core.resume(writes));
    } catch (e) {
      fault = e;
      throw e;
    }
  };
  const apply: ApplyOnCore = async (fn, args) => {
    const heap = new HeapWriter(core.word(heapPointerAt));
    const argv = heap.vector(args);
    const control: HostWrite = { addr: argsAt, bytes: words([argv, args.length, heap.end, fn.tag, fn.val, 0]) };
    const writes: HostWrite[] = heap.end > heap.base ? [{ addr: heap.base, bytes: heap.bytes() }, control] : [control];
    hostWrites.push(writes);
    await resume(writes);
    const w = result();
    if (w.tag >>> 0 === T_ERROR) {
      const e = runtimeError(w.val);
      return { error: new CaxError(e.code, e.message) };
    }
    return { result: w, mem: snapshot() };
  };
  const run = await runCompiledEffect(main, snapshot(), apply, { handlers, owner: null, start, definitionAt: () => undefined });
  if (fault !== undefined) throw fault;
  const finish: HostWrite[] = [{ addr: RAM_BASE + PROVE_HEADER.finish, bytes: words([1]) }];
  hostWrites.push(finish);
  if ((await core.resume(finish)).ended !== 'exit') throw new CaxError('E_PROOF_REJECTED', 'the program did not end after finish');
  let output: TelOutput;
  if (run.error) output = { kind: 'error', code: run.error.code, message: run.error.message, shown: `error ${run.error.code}` };
  else if (run.value instanceof CoprocessorOpaque) throw unsupported(`a proved result that is ${run.value.opaque === 'function' ? 'a function' : 'an effect'}`);
  else output = { kind: 'value', shown: showValue(run.value!) };
  return { output, effects: run.effects, clock: run.clock, latencies: run.latencies, hostWrites };
}
