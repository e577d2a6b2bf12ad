// Co-processor backends for compiled TEL: the same path for `iss` (the
// firmware in the in-process ISS), `sim` (the Verilator SoC behind its
// pseudo-terminal) and `device` (a serial port): load the image through the
// CoprocessorClient, write the arguments as heap objects, run with a cycle
// budget, answer the runtime's ecalls, read the value back. Traps, budget
// and runtime errors become TEL errors with the span from the source map.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CaxError } from '../errors.js';
import { CoprocessorClient, type EffectCall, type EffectReply } from '../protocol/client.js';
import { IssTransport } from '../protocol/iss-link.js';
import { SerialTransport } from '../protocol/serial.js';
import { SimTransport } from '../protocol/sim-link.js';
import type { Transport } from '../protocol/transport.js';
import { Iss } from '../riscv/iss.js';
import { hashOfValue, showDouble, showValue, type Value } from '../tel/values.js';
import { HeapWriter, readValue, type MemoryReader } from './heap.js';
import { EFFECT, ERROR_CODES, T_ERROR, T_ERROR_SITE_BITS } from './layout.js';
import { spanAt, type Image } from './link.js';

/** The loader firmware the iss backend boots (built by mk/firmware.mk). */
const FIRMWARE_ELF = 'build/firmware/firmware.elf';

export const BACKENDS = ['iss', 'sim', 'device'] as const;
export type BackendName = (typeof BACKENDS)[number];

export interface Coprocessor {
  readonly client: CoprocessorClient;
  /** SHA-256 of the runtime part already loaded in this session (it is loaded once, then only the code). */
  runtimeLoaded?: string;
  close(): Promise<void>;
}

/** Opens a session with the firmware on `backend` (device: the serial port path). */
export async function openCoprocessor(backend: BackendName, device?: string): Promise<Coprocessor> {
  let transport: Transport;
  if (backend === 'iss') {
    const iss = new Iss({ traceAtReset: false, uartDivisor: 8 });
    iss.load(new Uint8Array(readFileSync(FIRMWARE_ELF)));
    transport = new IssTransport(iss);
  } else if (backend === 'sim') {
    transport = await SimTransport.start();
  } else {
    if (!device) throw new CaxError('E_USAGE', 'the device backend needs a serial port (--device PATH)');
    transport = await SerialTransport.open(device);
  }
  const client = await CoprocessorClient.connect(transport);
  return { client, close: () => client.close() };
}

export interface CompiledRunResult {
  /** The value, or null when the run ended with an error. */
  readonly value: Value | null;
  readonly shown: string | null;
  readonly error: CaxError | null;
  /** Co-processor cycles the run used (charged to the compute budget). */
  readonly cycles: number;
  readonly instret: number;
  /** Effects performed (none yet: effects are E_UNSUPPORTED on the co-processor) and the final clock. */
  readonly effects: readonly unknown[];
  readonly clock: number;
}

export interface RunImageOptions {
  /** Cycle budget, enforced on the core. */
  readonly budget: number;
  /** Logical start time (the final clock of a pure run). */
  readonly start?: number;
}

/** Loads `image` and runs it with `args`. */
export async function runImage(cop: Coprocessor, image: Image, args: readonly Value[], options: RunImageOptions): Promise<CompiledRunResult> {
  const { client } = cop;
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
  const heap = new HeapWriter(image.heapStart);
  const argv = heap.vector(args);
  const heapBytes = heap.bytes();
  if (heapBytes.length > 0) await client.writeMemory(image.heapStart, heapBytes);
  const onEffect = async (call: EffectCall): Promise<EffectReply> => {
    if (call.effect === EFFECT.SHOW_DOUBLE) {
      const [lo, hi, buf, room] = call.args as [number, number, number, number];
      const view = new DataView(new ArrayBuffer(8));
      view.setUint32(0, lo, true);
      view.setUint32(4, hi, true);
      const text = Buffer.from(showDouble(view.getFloat64(0, true)), 'utf8');
      if (text.length <= room) await call.client.writeMemory(buf, text);
      return [text.length, 0];
    }
    if (call.effect === EFFECT.HASH_OF) {
      const [tag, val, buf, hp] = call.args as [number, number, number, number];
      const value = readValue({ tag, val }, await memoryReader(call.client, image, hp));
      await call.client.writeMemory(buf, Buffer.from(hashOfValue(value).hex, 'hex'));
      return [0, 0];
    }
    throw new CaxError('E_PROTOCOL', `the compiled program made the unknown ecall ${call.effect}`);
  };
  const r = await client.run({ entry: image.entry, args: [argv, args.length, heap.end, Math.min(options.budget, 0xffffffff)], budget: options.budget, onEffect });
  const clock = options.start ?? 0;
  const base = { cycles: r.cycles, instret: r.instret, effects: [], clock };
  const failed = (error: CaxError): CompiledRunResult => ({ value: null, shown: null, error, ...base });
  if (r.outcome === 'budget') return failed(new CaxError('E_BUDGET', `cycle budget of ${options.budget} exhausted on the co-processor`, { details: { budget: 'cycles', limit: options.budget } }));
  if (r.outcome === 'trapped') {
    const trap = r.trap!;
    return failed(new CaxError('E_TRAP', `the co-processor trapped (cause ${trap.cause}, tval 0x${trap.tval.toString(16)})`, { span: spanAt(image, trap.pc), details: { ...trap } }));
  }
  if (r.outcome !== 'returned') return failed(new CaxError('E_PROTOCOL', `the run ended with ${r.outcome}`));
  if (r.a0 === T_ERROR) {
    const code = r.a1 & ((1 << T_ERROR_SITE_BITS) - 1);
    const site = r.a1 >>> T_ERROR_SITE_BITS;
    const known = ERROR_CODES[code] ?? { code: 'E_INTERNAL', message: `runtime error ${code}` };
    const spanned = known.code !== 'E_BUDGET' ? { span: image.sites[site] } : {};
    return failed(new CaxError(known.code, known.message, spanned));
  }
  const value = await readResult(cop, image, { tag: r.a0, val: r.a1 });
  return { value, shown: showValue(value), error: null, ...base };
}

/** Reads the result: static data from the image, the heap in one transfer. */
async function readResult(cop: Coprocessor, image: Image, root: { tag: number; val: number }): Promise<Value> {
  const hpAddr = image.symbols.get('rt_hp')!;
  const hp = new DataView((await cop.client.readMemory(hpAddr, 4)).buffer).getUint32(0, true);
  return readValue(root, await memoryReader(cop.client, image, hp));
}

/** A reader over the image and a snapshot of the heap up to `hp`. */
async function memoryReader(client: CoprocessorClient, image: Image, hp: number): Promise<MemoryReader> {
  const heap = hp > image.heapStart ? await client.readMemory(image.heapStart, hp - image.heapStart) : new Uint8Array(0);
  const imageEnd = image.base + image.bytes.length;
  const mem = (addr: number, bytes: number): DataView => {
    if (addr >= image.base && addr + bytes <= imageEnd) return new DataView(image.bytes.buffer, image.bytes.byteOffset + addr - image.base, bytes);
    if (addr >= image.heapStart && addr + bytes <= hp) return new DataView(heap.buffer, heap.byteOffset + addr - image.heapStart, bytes);
    throw new CaxError('E_PROTOCOL', `a value points outside the image and heap (0x${addr.toString(16)})`);
  };
  return mem;
}
