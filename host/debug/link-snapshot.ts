// Snapshots of co-processor runs over the serial protocol (docs/debugging.md): the
// executor's runs on `sim` and `device` (and on `iss` behind its UART), where
// the host reaches the core only through the firmware (docs/protocol.md).
// At an effect boundary the program has returned to the firmware (the
// scheduler runs the effect on the host between runs on the core), and the
// next RUN starts it with fresh registers (firmware/soc/start.S), so what
// carries the run on is the program's memory: the image with the runtime's
// data (the allocator's state block, rt_hp), the heap up to its high-water
// mark, the collector's bitmaps and mark stack as far as the heap reached, and
// the stack. The snapshot reads those pages with READ (4 KiB each, named by
// their SHA-256, each content stored once; a page of the image that still
// holds the image's bytes is left out: a restore has the image) and holds,
// besides, the host's
// conversation with the core up to the boundary: every LOAD, WRITE, READ and
// RUN with what the device answered. Restoring answers that conversation from
// the snapshot — the host's scheduler, whose continuations are JS closures
// over heap addresses, is rebuilt without running the core — and at the
// boundary writes the pages back into the fresh device (WRITE), which then
// goes on live: the core does not run again what it ran before the boundary.
// A request that is not the recorded one (another image, program or
// argument) is a BoundaryMismatch (E_SNAPSHOT).
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { BACKENDS, openTransport, type BackendName, type Coprocessor } from '../coprocessor/backend.js';
import type { Image } from '../compiler/link.js';
import { STACK_BYTES } from '../compiler/layout.js';
import { CoprocessorClient, type CallOptions, type DeviceInfo, type LoadResult, type RunOptions, type RunResult } from '../protocol/client.js';
import { OUTCOMES } from '../protocol/messages.js';
import type { Transport } from '../protocol/transport.js';
import { PAGE_BYTES } from './core-snapshot.js';
import { BoundaryMismatch } from './world-calls.js';

const HEX64 = /^[0-9a-f]{64}$/;
const u32 = z.number().int().min(0).max(0xffffffff);

/**
 * The runtime's allocator state block (`struct alloc_state`, firmware/tel-runtime/gc.c; offsets in tel.h): rt_hp is
 * its word at ALLOC_HP; the bitmaps' bases less a granule's offset (ALLOC_STARTS_AT, ALLOC_USED_AT); the floor.
 */
const ALLOC = { hp: 40, startsAt: 44, usedAt: 48, bitmapBase: 72, bytes: 76 } as const;
/** Heap the collector clears bitmap words ahead of rt_hp (gc.c CLEAR_AHEAD) plus one bitmap word's span. */
const BITMAP_AHEAD = 4096 + 256;
/** The mark stack after the three bitmaps (gc.c: 8 × MARK_STACK + 8 bytes). */
const MARK_STACK_BYTES = 8 * 128 + 8;

/** One request of the host to the core before the boundary, with the device's answer. */
const LinkCallSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('load'), addr: u32, size: u32, sha256: z.string().regex(HEX64) }).strict(),
  z.object({ op: z.literal('write'), addr: u32, size: u32, sha256: z.string().regex(HEX64) }).strict(),
  z.object({ op: z.literal('read'), addr: u32, data: z.instanceof(Uint8Array) }).strict(),
  z
    .object({
      op: z.literal('run'),
      entry: u32,
      args: z.array(u32).max(8),
      budget: z.number().int().min(0),
      result: z
        .object({
          outcome: z.enum(OUTCOMES),
          a0: u32,
          a1: u32,
          cycles: z.number().int().min(0),
          instret: z.number().int().min(0),
          trap: z.object({ cause: u32, pc: u32, tval: u32 }).strict().optional(),
          effects: z.number().int().min(0),
        })
        .strict(),
    })
    .strict(),
]);

export type LinkCall = z.infer<typeof LinkCallSchema>;

/** A run's core over the link at a boundary (part of executor snapshots, context-snapshot.ts). */
export const LinkStateSchema = z
  .object({
    backend: z.enum(BACKENDS),
    /** SHA-256 of the image the run loaded. */
    image: z.string().regex(HEX64),
    /** The host's requests to the core before the boundary, answered. */
    calls: z.array(LinkCallSchema),
    /** The program's memory at the boundary, ascending by address: every page the run's state is in (but the image's pages that hold the image's bytes), and its SHA-256. */
    pages: z.array(z.object({ address: u32, sha256: z.string().regex(HEX64) }).strict()),
    /** Page bytes by their SHA-256 (each content once). */
    contents: z.record(z.string().regex(HEX64), z.instanceof(Uint8Array)),
  })
  .strict();

export type LinkState = z.infer<typeof LinkStateSchema>;

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

type Read = (addr: number, length: number) => Promise<Uint8Array>;

/**
 * Where the run's state is at a boundary, as address ranges: the image (runtime data included), the heap up to rt_hp,
 * the collector's three bitmaps as far as the heap has reached them, its mark stack, and the stack.
 */
async function stateRanges(read: Read, image: Image, info: DeviceInfo): Promise<[number, number][]> {
  const ramEnd = info.ramBase + info.ramBytes;
  const block = new DataView((await read(image.symbols.get('rt_hp')! - ALLOC.hp, ALLOC.bytes)).buffer);
  const at = (offset: number): number => block.getUint32(offset, true);
  const hp = at(ALLOC.hp);
  const ranges: [number, number][] = [
    [image.base, image.heapStart],
    [image.heapStart, Math.max(image.heapStart, hp)],
    [ramEnd - STACK_BYTES, ramEnd],
  ];
  const startsAt = at(ALLOC.startsAt);
  const span = at(ALLOC.usedAt) - startsAt;
  // no bitmaps: the heap was too small for them (gc.c rt_heap_init)
  if (span <= 0) return ranges;
  const bitmapBase = at(ALLOC.bitmapBase);
  const from = bitmapBase >>> 6;
  const to = (((Math.min(hp + BITMAP_AHEAD, ramEnd) >>> 6) & ~3) >>> 0) + 4;
  for (let i = 0; i < 3; i++) ranges.push([startsAt + i * span + from, startsAt + i * span + to]);
  const markStack = startsAt + 3 * span + from;
  ranges.push([markStack, Math.min(markStack + MARK_STACK_BYTES, ramEnd - STACK_BYTES)]);
  return ranges;
}

/** The image's bytes in the page at `address` (zeros past its end). */
export function imagePage(image: Image, address: number): Uint8Array {
  const page = new Uint8Array(PAGE_BYTES);
  const from = Math.max(0, address - image.base);
  const to = Math.min(image.bytes.length, address + PAGE_BYTES - image.base);
  if (from < to) page.set(image.bytes.subarray(from, to), from - (address - image.base));
  return page;
}

/** The addresses of the pages the image spans (the last may hold the heap's start too). */
function imagePages(image: Image): number[] {
  const pages: number[] = [];
  for (let p = Math.floor(image.base / PAGE_BYTES); p * PAGE_BYTES < image.heapStart; p++) pages.push((p * PAGE_BYTES) >>> 0);
  return pages;
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/** The pages covering `ranges`, read from the device (consecutive pages in one read); those of the image that hold the image's bytes are left out. */
async function readPages(read: Read, ranges: readonly (readonly [number, number])[], image: Image): Promise<Pick<LinkState, 'pages' | 'contents'>> {
  const inImage = new Set(imagePages(image));
  const wanted = new Set<number>();
  for (const [lo, hi] of ranges) for (let p = Math.floor(lo / PAGE_BYTES); p * PAGE_BYTES < hi; p++) wanted.add(p);
  const sorted = [...wanted].sort((a, b) => a - b);
  const pages: LinkState['pages'] = [];
  const contents: LinkState['contents'] = {};
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    const bytes = await read(sorted[i]! * PAGE_BYTES, (j - i + 1) * PAGE_BYTES);
    for (let k = 0; k <= j - i; k++) {
      const page = bytes.slice(k * PAGE_BYTES, (k + 1) * PAGE_BYTES);
      const address = (sorted[i + k]! * PAGE_BYTES) >>> 0;
      if (inImage.has(address) && sameBytes(page, imagePage(image, address))) continue;
      const hash = sha256(page);
      contents[hash] = page;
      pages.push({ address, sha256: hash });
    }
    i = j + 1;
  }
  return { pages, contents };
}

/** A session that records the host's requests and the device's answers, and captures the core at boundaries. */
class RecordingClient extends CoprocessorClient {
  readonly calls: LinkCall[] = [];
  image: Image | undefined;
  /** Inside a run: an effect handler's reads and writes are the core's business, not replayed (their bytes are in the pages). */
  private running = 0;
  private waiting: { readonly at: number; resolve(s: LinkState): void; reject(e: unknown): void }[] = [];

  constructor(
    transport: Transport,
    private readonly backend: BackendName,
  ) {
    super(transport);
  }

  /** The core at the boundary now: its pages are read before the next request can change them (or at close). */
  boundary(): Promise<LinkState> {
    const at = this.calls.length;
    return new Promise((resolve, reject) => this.waiting.push({ at, resolve, reject }));
  }

  /** Captures the core for the boundaries waiting. */
  async settle(): Promise<void> {
    if (this.waiting.length === 0) return;
    const waiting = this.waiting;
    this.waiting = [];
    try {
      const image = this.image!;
      const read: Read = (addr, length) => super.readMemory(addr, length);
      const memory = await readPages(read, await stateRanges(read, image, this.info), image);
      for (const w of waiting) w.resolve({ backend: this.backend, image: sha256(image.bytes), calls: this.calls.slice(0, w.at), ...memory });
    } catch (e) {
      for (const w of waiting) w.reject(e);
      throw e;
    }
  }

  private note(call: LinkCall): void {
    if (this.running === 0) this.calls.push(call);
  }

  override async load(image: Uint8Array, options: CallOptions & { addr?: number; onProgress?: (bytes: number) => void } = {}): Promise<LoadResult> {
    await this.settle();
    const r = await super.load(image, options);
    this.note({ op: 'load', addr: r.addr, size: r.size, sha256: r.sha256 });
    return r;
  }

  override async readMemory(addr: number, length: number, options: CallOptions = {}): Promise<Uint8Array> {
    await this.settle();
    const data = await super.readMemory(addr, length, options);
    this.note({ op: 'read', addr, data: data.slice() });
    return data;
  }

  override async writeMemory(addr: number, data: Uint8Array, options: CallOptions = {}): Promise<void> {
    await this.settle();
    await super.writeMemory(addr, data, options);
    this.note({ op: 'write', addr, size: data.length, sha256: sha256(data) });
  }

  override async run(options: RunOptions): Promise<RunResult> {
    await this.settle();
    this.running++;
    let r: RunResult;
    try {
      r = await super.run(options);
    } finally {
      this.running--;
    }
    const { trap, ...rest } = r;
    this.note({ op: 'run', entry: options.entry, args: [...(options.args ?? [])], budget: options.budget, result: { ...rest, ...(trap ? { trap: { ...trap } } : {}) } });
    return r;
  }
}

/** A session that answers the recorded requests from a snapshot until its boundary, then writes its pages back and goes on live. */
class ReplayingClient extends CoprocessorClient {
  private replayed = 0;
  private boundaryReached = false;
  private woken = false;

  constructor(
    transport: Transport,
    private readonly link: LinkState,
    private readonly image: Image,
  ) {
    super(transport);
  }

  /** The boundary: every recorded request must have been made; the next request writes the pages back first. */
  boundary(): void {
    if (this.replayed !== this.link.calls.length) {
      throw new BoundaryMismatch(`the replay made ${this.replayed} requests to the core before the boundary, the snapshot has ${this.link.calls.length}`);
    }
    this.boundaryReached = true;
  }

  /**
   * Whether requests go to the device now (after the boundary, once the pages are written back: the snapshot's, and
   * the image's where the snapshot has none). A fresh simulation or ISS starts with its RAM zeroed (cax-sim's model is
   * built with --x-initial 0), so their pages of zeros are not written; a board's RAM holds what ran before, so there
   * every page is.
   */
  private async live(): Promise<boolean> {
    if (!this.boundaryReached) return false;
    if (!this.woken) {
      this.woken = true;
      const bytes = new Map<number, Uint8Array>(this.link.pages.map((p) => [p.address, this.link.contents[p.sha256]!]));
      for (const address of imagePages(this.image)) if (!bytes.has(address)) bytes.set(address, imagePage(this.image, address));
      const zeroed = this.link.backend !== 'device';
      const pages = [...bytes].filter(([, b]) => !zeroed || b.some((x) => x !== 0)).sort(([a], [b]) => a - b);
      for (let i = 0; i < pages.length;) {
        let j = i;
        while (j + 1 < pages.length && pages[j + 1]![0] === pages[j]![0] + PAGE_BYTES) j++;
        const run = new Uint8Array((j - i + 1) * PAGE_BYTES);
        for (let k = i; k <= j; k++) run.set(pages[k]![1], (k - i) * PAGE_BYTES);
        await super.writeMemory(pages[i]![0], run);
        i = j + 1;
      }
    }
    return true;
  }

  private expect<K extends LinkCall['op']>(op: K, what: string, same: (c: Extract<LinkCall, { op: K }>) => boolean): Extract<LinkCall, { op: K }> {
    const n = this.replayed++;
    const c = this.link.calls[n];
    if (!c || c.op !== op || !same(c as Extract<LinkCall, { op: K }>)) {
      throw new BoundaryMismatch(`the replay's request ${n} to the core (${what}) is not the snapshot's (${c ? JSON.stringify({ ...c, ...('data' in c ? { data: c.data.length } : {}) }) : 'none'})`);
    }
    return c as Extract<LinkCall, { op: K }>;
  }

  override async load(image: Uint8Array, options: CallOptions & { addr?: number; onProgress?: (bytes: number) => void } = {}): Promise<LoadResult> {
    if (await this.live()) return super.load(image, options);
    const addr = options.addr ?? this.info.programBase;
    const hash = sha256(image);
    this.expect('load', `load ${image.length} bytes at 0x${addr.toString(16)}`, (c) => c.addr === addr && c.size === image.length && c.sha256 === hash);
    return { addr, size: image.length, sha256: hash };
  }

  override async readMemory(addr: number, length: number, options: CallOptions = {}): Promise<Uint8Array> {
    if (await this.live()) return super.readMemory(addr, length, options);
    return this.expect('read', `read ${length} bytes at 0x${addr.toString(16)}`, (c) => c.addr === addr && c.data.length === length).data.slice();
  }

  override async writeMemory(addr: number, data: Uint8Array, options: CallOptions = {}): Promise<void> {
    if (await this.live()) return super.writeMemory(addr, data, options);
    const hash = sha256(data);
    this.expect('write', `write ${data.length} bytes at 0x${addr.toString(16)}`, (c) => c.addr === addr && c.size === data.length && c.sha256 === hash);
  }

  override async run(options: RunOptions): Promise<RunResult> {
    if (await this.live()) return super.run(options);
    const args = [...(options.args ?? [])];
    const c = this.expect(
      'run',
      `run 0x${options.entry.toString(16)} (${args.join(', ')})`,
      (r) => r.entry === options.entry && r.budget === options.budget && JSON.stringify(r.args) === JSON.stringify(args),
    );
    return { ...c.result };
  }
}

/** Opens `backend`'s link and says hello with `client` made over it (closing the link when hello fails). */
async function connect<C extends CoprocessorClient>(backend: BackendName, device: string | undefined, make: (t: Transport) => C): Promise<C> {
  const client = make(await openTransport(backend, device));
  try {
    await client.hello();
  } catch (e) {
    await client.close();
    throw e;
  }
  return client;
}

/** A run's core over the link: the co-processor the executor runs the image on, and its state at a boundary. */
export interface LinkRecorder {
  coprocessor(image: Image): Promise<Coprocessor>;
  /** The core at the boundary now (read before the core changes). */
  capture(): Promise<LinkState>;
}

/** Records a run on `backend` (`device`: its serial port). */
export function recordLink(backend: BackendName, device?: string): LinkRecorder {
  let client: RecordingClient | undefined;
  return {
    coprocessor: async (image) => {
      const c = (client = await connect(backend, device, (t) => new RecordingClient(t, backend)));
      c.image = image;
      return {
        client: c,
        close: async () => {
          try {
            await c.settle();
          } finally {
            await c.close();
          }
        },
      };
    },
    capture: () => {
      if (!client) return Promise.reject(new BoundaryMismatch('an effect boundary before the core ran'));
      return client.boundary();
    },
  };
}

/** A run restored from `link` on a fresh device of its backend (`device`: the serial port of a device backend). */
export interface LinkReplayer {
  coprocessor(image: Image): Promise<Coprocessor>;
  /** The boundary is reached: the recorded requests must all have been made; the device goes on from the snapshot's pages. */
  boundary(): void;
}

export function replayLink(link: LinkState, device?: string): LinkReplayer {
  let client: ReplayingClient | undefined;
  return {
    coprocessor: async (image) => {
      const hash = sha256(image.bytes);
      if (hash !== link.image) throw new BoundaryMismatch(`the run compiles image ${hash.slice(0, 12)}…, the snapshot is of image ${link.image.slice(0, 12)}…`);
      const c = (client = await connect(link.backend, device, (t) => new ReplayingClient(t, link, image)));
      return { client: c, close: () => c.close() };
    },
    boundary: () => {
      if (!client) throw new BoundaryMismatch('an effect boundary before the core ran');
      client.boundary();
    },
  };
}
