// Co-processor backends for compiled TEL: the same path for `iss` (the
// firmware in the in-process ISS), `sim` (the Verilator SoC behind its
// pseudo-terminal) and `device` (a serial port): load the image through the
// CoprocessorClient, write the arguments as heap objects, run with a cycle
// budget, answer the runtime's ecalls, read the value back. Traps, budget
// and runtime errors become TEL errors with the span from the source map.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { artefactPath } from '../artefacts.js';
import { CaxError, budgetExhausted } from '../errors.js';
import { CoprocessorClient, type EffectCall, type EffectReply } from '../protocol/client.js';
import { IssTransport } from '../protocol/iss-link.js';
import { SerialTransport } from '../protocol/serial.js';
import { SimTransport } from '../protocol/sim-link.js';
import type { Transport } from '../protocol/transport.js';
import { Iss } from '../riscv/iss.js';
import type { EffectEntry } from '../tel/scheduler.js';
import { showValue, type Value } from '../tel/values.js';
import { MemoryWorld, type WorldInput } from '../tel/world.js';
import { HeapWriter, readValue, type MemoryReader, type Word2 } from './heap.js';
import { runCompiledEffect, type ApplyOnCore, type EffectRunOptions, type PerformOnCore } from './effects.js';
import { EFFECT, ERR, runtimeError, STACK_BYTES, TAG, T_ERROR } from '../compiler/layout.js';
import { spanAt, type Image } from '../compiler/link.js';
import { heapReader } from './remote-heap.js';

/** The least heap an image is run with: below it the run is refused (E_BUDGET) instead of loaded. */
const MIN_HEAP_BYTES = 4096;

export const BACKENDS = ['iss', 'sim', 'device'] as const;
export type BackendName = (typeof BACKENDS)[number];

export interface Coprocessor {
  readonly client: CoprocessorClient;
  /** SHA-256 of the runtime part already loaded in this session (it is loaded once, then only the code). */
  runtimeLoaded?: string;
  close(): Promise<void>;
}

/**
 * Opens a session with the firmware on `backend` (device: the serial port path, opened at 115200 baud; `baud`: the rate
 * HELLO asks the board to switch to, as `cax device --baud` does); the ISS has `ramBytes` of RAM (default: the simulated
 * SoC's; BOARD_RAM_BYTES plays the board).
 */
export async function openCoprocessor(backend: BackendName, device?: string, options: { readonly ramBytes?: number; readonly baud?: number } = {}): Promise<Coprocessor> {
  if (options.baud !== undefined && backend !== 'device') throw new CaxError('E_USAGE', `a line rate (--baud) is for the device backend, not ${backend}`);
  const client = await CoprocessorClient.connect(await openTransport(backend, device, options), options.baud === undefined ? {} : { baud: options.baud });
  return { client, close: () => client.close() };
}

/** The link to the firmware on `backend`, before any hello (openCoprocessor; snapshots of runs over the link, host/debug/link-snapshot.ts). */
export async function openTransport(backend: BackendName, device?: string, options: { readonly ramBytes?: number } = {}): Promise<Transport> {
  if (backend === 'iss') {
    const iss = new Iss({ traceAtReset: false, uartDivisor: 8, ...(options.ramBytes === undefined ? {} : { ramBytes: options.ramBytes }) });
    iss.load(new Uint8Array(readFileSync(artefactPath('firmware'))));
    return new IssTransport(iss);
  }
  if (backend === 'sim') return SimTransport.start();
  if (!device) throw new CaxError('E_USAGE', 'the device backend needs a serial port (--port PATH)');
  return SerialTransport.open(device);
}

export interface CompiledRunResult {
  /** The value, or null when the run ended with an error. */
  readonly value: Value | null;
  readonly shown: string | null;
  readonly error: CaxError | null;
  /** Co-processor cycles the run used, continuations included (charged to the compute budget). */
  readonly cycles: number;
  readonly instret: number;
  /** The co-processor heap's high-water mark in bytes (the runtime's rt_hp above the image's heap start), continuations included. */
  readonly heapBytes: number;
  /** The effect log and final clock of the interpreter's scheduler and world. */
  readonly effects: readonly EffectEntry[];
  readonly clock: number;
  readonly latencies: Readonly<Record<string, number>>;
}

export interface RunImageOptions<O = unknown> {
  /** Cycle budget for the whole run, enforced on the core. */
  readonly budget: number;
  /** Whether the collector may make a collection minor (default true; firmware/tel-runtime/gc.c, docs/compiler.md "Minor collections"): false marks everything from the roots at every collection. */
  readonly minorCollections?: boolean;
  /** The most bytes the runtime's heap may span (default: all the RAM between the image and the stack): a smaller device, or a collector made to work. */
  readonly heapBytes?: number;
  /** The cycles the next run on the core may use, if tighter than what is left of `budget` (the executor: the acting context's grant). */
  readonly limit?: () => number;
  /** Hears the cycles of each run on the core as it ends (the executor charges the acting context). */
  readonly onCycles?: (cycles: number) => void;
  /** Hears the heap's high-water mark in bytes after each run on the core (the executor charges it as memory; a CaxError it throws ends the run). */
  readonly onHeap?: (heapBytes: number) => void;
  /** Logical start time (default: world.start, else 0). */
  readonly start?: number;
  /** The default world's input. */
  readonly world?: WorldInput;
  /** How long one run on the core may go without an ecall before the link gives up and restarts the device (default: the client's). */
  readonly timeoutMs?: number;
  /** Effect handlers instead of the default world (the executor's sandbox), with its `invoke` hook and owners. */
  readonly effects?: Omit<EffectRunOptions<O>, 'start' | 'definitionAt'>;
  /** False: every effect result goes back to the host as it is (rt_settle does nothing), whatever the image says — a snapshot over the link needs every effect boundary between two runs on the core. */
  readonly settle?: boolean;
}

/** Loads `image` and runs it with `args`; an effect result is run by the interpreter's scheduler. */
export async function runImage<O = unknown>(cop: Coprocessor, image: Image, args: readonly Value[], options: RunImageOptions<O>): Promise<CompiledRunResult> {
  const { client } = cop;
  // the image, a minimal heap and the runtime's stack must fit the RAM the device reports (else the load fails late with E_ADDRESS)
  const ramEnd = client.info.ramBase + client.info.ramBytes;
  const needed = image.heapStart + MIN_HEAP_BYTES + STACK_BYTES;
  if (needed > ramEnd) {
    throw budgetExhausted(
      `the compiled image (${image.heapStart - image.base} bytes) with a ${MIN_HEAP_BYTES}-byte heap and a ${STACK_BYTES}-byte stack does not fit the co-processor's ${ramEnd - image.base} bytes of RAM from the program base`,
      { budget: 'ram', limit: ramEnd - image.base },
    );
  }
  const rtEntry = image.symbols.get('rt_entry')! - image.base;
  const runtimePart = image.bytes.slice(0, image.codeStart - image.base);
  runtimePart.fill(0, rtEntry, rtEntry + 4); // the entry word is written per run, below
  const runtimeHash = createHash('sha256').update(runtimePart).digest('hex');
  if (cop.runtimeLoaded !== runtimeHash) {
    await client.load(runtimePart, { addr: image.base });
    cop.runtimeLoaded = runtimeHash;
  }
  await client.load(image.bytes.subarray(image.codeStart - image.base), { addr: image.codeStart });
  await client.writeMemory(image.base + rtEntry, image.bytes.subarray(rtEntry, rtEntry + 4));
  // the heap's cap (0: the whole free RAM) is a word of the runtime, read when main starts
  const cap = new Uint8Array(4);
  new DataView(cap.buffer).setUint32(0, options.heapBytes ?? 0, true);
  await client.writeMemory(image.symbols.get('rt_heap_cap')!, cap);
  // whether collections may be minor: a word of the runtime, written per run (the runtime's bytes stay loaded)
  const minor = new Uint8Array(4);
  new DataView(minor.buffer).setUint32(0, options.minorCollections === false ? 0 : 1, true);
  await client.writeMemory(image.symbols.get('rt_gc_minor')!, minor);
  // what rt_settle does with a run's effect result: the image's tel$$settle word (CodegenOptions.settleEffects)
  const settleAt = image.symbols.get('tel$$settle')! - image.base;
  await client.writeMemory(image.symbols.get('rt_settle_mode')!, options.settle === false ? new Uint8Array(4) : image.bytes.subarray(settleAt, settleAt + 4));

  const start = options.start ?? options.world?.start ?? 0;
  let cycles = 0;
  let instret = 0;
  let hp = image.heapStart;
  /** The run on the core now: how the effects rt_settle asks for are performed (none in a run of main), its cycles charged so far, an error to end it with. */
  let onCoreNow: { readonly perform: PerformOnCore | undefined; charged: number; error: unknown } = { perform: undefined, charged: 0, error: undefined };
  // show of a Double and hashOf are computed on the core; the one ecall compiled code makes is rt_settle's perform
  const onEffect = async (call: EffectCall): Promise<EffectReply> => {
    if (call.effect === EFFECT.PERFORM) {
      const [kind, tag, val, top, now] = call.args as [number, number, number, number, number];
      // no fiber waits for main's result yet, and nothing more after an error: the effect goes back as a tree
      if (!onCoreNow.perform || onCoreNow.error !== undefined) return [0, 0];
      try {
        // the cycles and the heap up to here are charged before the effect, as after a run that returned it
        const ran = onCoreNow.charged + ((now - onCoreNow.charged) >>> 0);
        options.onCycles?.(ran - onCoreNow.charged);
        onCoreNow.charged = ran;
        options.onHeap?.(top - image.heapStart);
        const emitted = { tag, val }; // an Int, as a rule: nothing to read from the heap
        const value = onCoreNow.perform(kind, readValue(emitted, await heapReader(call.client, image, top, emitted)));
        if (value === null) return [0, 0];
        const answer = new HeapWriter(0).value(value);
        if (answer.tag !== TAG.INT && answer.tag !== TAG.UNIT) throw new CaxError('E_INTERNAL', `an effect performed for the co-processor answered a value with tag ${answer.tag}`);
        return [1, answer.val];
      } catch (e) {
        onCoreNow.error = e;
        return [0, 0];
      }
    }
    throw new CaxError('E_PROTOCOL', `the compiled program made the unknown ecall ${call.effect}`);
  };
  /** One run on the core: main (fn undefined) or a continuation applied to `callArgs`, its effects performed through `perform`; the result or the error. */
  const runOnCore = async (callArgs: readonly Value[], fn?: Word2, perform?: PerformOnCore): Promise<{ result: Word2; mem: MemoryReader } | { error: CaxError }> => {
    const heap = new HeapWriter(hp);
    const argv = heap.vector(callArgs);
    const heapBytes = heap.bytes();
    if (heapBytes.length > 0) await client.writeMemory(hp, heapBytes);
    const left = Math.max(0, Math.min(options.budget - cycles, options.limit?.() ?? Infinity));
    onCoreNow = { perform, charged: 0, error: undefined };
    const r = await client
      .run({
        entry: image.entry,
        args: [argv, callArgs.length, heap.end, Math.min(left, 0xffffffff), fn?.tag ?? 0, fn?.val ?? 0],
        budget: left,
        onEffect,
        ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
      })
      .catch((e: unknown) => {
        // The link may have restarted the device: the runtime is loaded again by the next run.
        cop.runtimeLoaded = undefined;
        throw e;
      });
    cycles += r.cycles;
    instret += r.instret;
    options.onCycles?.(r.cycles - onCoreNow.charged);
    if (onCoreNow.error !== undefined) throw onCoreNow.error;
    if (r.outcome === 'budget') return { error: budgetExhausted(`cycle budget exhausted on the co-processor (${left} cycles left for this run)`, { budget: 'cycles', limit: left }) };
    if (r.outcome === 'trapped') {
      const trap = r.trap!;
      return { error: new CaxError('E_TRAP', `the co-processor trapped (cause ${trap.cause}, tval 0x${trap.tval.toString(16)})`, { span: spanAt(image, trap.pc), details: { ...trap } }) };
    }
    if (r.outcome !== 'returned') return { error: new CaxError('E_PROTOCOL', `the run ended with ${r.outcome}`) };
    if (r.a0 === T_ERROR) {
      const known = runtimeError(r.a1);
      if (known.errorCode === ERR.CYCLES) return { error: budgetExhausted(known.message, { budget: 'cycles', limit: left }) };
      return { error: new CaxError(known.code, known.message, known.code !== 'E_BUDGET' && known.code !== 'E_UNSUPPORTED' ? { span: image.sites[known.site] } : {}) };
    }
    hp = new DataView((await client.readMemory(image.symbols.get('rt_hp')!, 4)).buffer).getUint32(0, true);
    options.onHeap?.(hp - image.heapStart);
    const result = { tag: r.a0, val: r.a1 };
    return { result, mem: await heapReader(client, image, hp, result) };
  };

  const done = (value: Value | null, error: CaxError | null, effects: readonly EffectEntry[] = [], clock = start, latencies: Readonly<Record<string, number>> = {}): CompiledRunResult => ({
    value,
    shown: value === null ? null : showValue(value),
    error,
    cycles,
    instret,
    heapBytes: hp - image.heapStart,
    effects,
    clock,
    latencies,
  });
  const main = await runOnCore(args);
  if ('error' in main) return done(null, main.error);
  if (main.result.tag !== TAG.EFFECT) return done(readValue(main.result, main.mem), null);
  const onCore: ApplyOnCore = (fn, fnArgs, perform) => runOnCore(fnArgs, fn, perform);
  const definitionAt = storedDefinitions(image);
  const run = options.effects
    ? await runCompiledEffect(main.result, main.mem, onCore, { ...options.effects, start, definitionAt })
    : await runCompiledEffect(main.result, main.mem, onCore, { handlers: new MemoryWorld(options.world ?? {}), owner: null, start, definitionAt });
  return done(run.value, run.error, run.effects, run.clock, run.latencies);
}

/** The stored definitions compiled into `image` by the address of their code (labels `tel$@HASH`). */
function storedDefinitions(image: Image): (code: number) => string | undefined {
  const byAddress = new Map<number, string>();
  for (const [label, addr] of image.symbols) {
    const m = /^tel\$@([0-9a-f]{64})$/.exec(label);
    if (m) byAddress.set(addr, m[1]!);
  }
  return (code) => byAddress.get(code);
}
