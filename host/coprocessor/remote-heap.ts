// Reading values back from the co-processor's heap: only the pages the value
// reaches are fetched, not the whole heap up to the high-water mark. Over the
// simulated serial line a read costs about 50 ms per 1 KiB, and with the
// collector a long effect loop keeps the heap near its size (~56 KiB): a whole
// read after every continuation would cost seconds. The value graph is walked
// breadth-first from the root; each level fetches the pages it lacks (runs of
// consecutive pages in one read), then decoding (heap.ts readValue, the
// effects decoder) reads synchronously from what was fetched. Pages are
// small (256 bytes): an effect's value usually spans a few objects, and every
// byte read costs the firmware ~100 cycles (CRC, COBS, the UART) — with 2 KiB
// pages the effect loop of 200 binds moved 165 M cycles over the line on the
// ISS, with 256-byte pages 47 M.
import { CaxError } from '../errors.js';
import type { CoprocessorClient } from '../protocol/client.js';
import type { MemoryReader, Word2 } from './heap.js';
import { TAG } from '../compiler/layout.js';
import type { Image } from '../compiler/link.js';

/** Bytes per fetched page. */
const PAGE = 256;
/** A heap this small is read in one go. */
const WHOLE = 4 * PAGE;

/** A reader over the image and the heap objects reachable from `root` (heap bytes below `hp`). */
export async function heapReader(client: CoprocessorClient, image: Image, hp: number, root: Word2): Promise<MemoryReader> {
  const base = image.heapStart;
  const ramEnd = client.info.ramBase + client.info.ramBytes;
  if (hp < base || hp > ramEnd)
    throw new CaxError('E_PROTOCOL', `the device reports a heap top 0x${hp.toString(16)} outside its heap (0x${base.toString(16)}..0x${ramEnd.toString(16)})`, { details: { hp } });
  const imageEnd = image.base + image.bytes.length;
  const pages = new Map<number, Uint8Array>();
  const inImage = (addr: number, bytes: number): boolean => addr >= image.base && addr + bytes <= imageEnd;
  const inHeap = (addr: number, bytes: number): boolean => addr >= base && addr + bytes <= hp;

  /** Fetches the pages covering `ranges` that are not here yet. */
  const ensure = async (ranges: readonly (readonly [number, number])[]): Promise<void> => {
    const missing = new Set<number>();
    for (const [addr, bytes] of ranges) {
      if (!inHeap(addr, bytes)) continue;
      for (let p = Math.floor((addr - base) / PAGE); p <= Math.floor((addr + bytes - 1 - base) / PAGE); p++) if (!pages.has(p)) missing.add(p);
    }
    const sorted = [...missing].sort((a, b) => a - b);
    for (let i = 0; i < sorted.length;) {
      let j = i;
      while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
      const from = base + sorted[i]! * PAGE;
      const to = Math.min(hp, base + (sorted[j]! + 1) * PAGE);
      const bytes = await client.readMemory(from, to - from);
      for (let p = sorted[i]!; p <= sorted[j]!; p++) pages.set(p, bytes.subarray((p - sorted[i]!) * PAGE, Math.min(bytes.length, (p - sorted[i]! + 1) * PAGE)));
      i = j + 1;
    }
  };

  const mem: MemoryReader = (addr, bytes) => {
    if (inImage(addr, bytes)) return new DataView(image.bytes.buffer, image.bytes.byteOffset + addr - image.base, bytes);
    if (!inHeap(addr, bytes)) throw new CaxError('E_PROTOCOL', `a value points outside the image and heap (0x${addr.toString(16)})`);
    const first = Math.floor((addr - base) / PAGE);
    const offset = addr - base - first * PAGE;
    const page = pages.get(first);
    if (page && offset + bytes <= page.length) return new DataView(page.buffer, page.byteOffset + offset, bytes);
    const out = new Uint8Array(bytes);
    for (let i = 0; i < bytes;) {
      const p = Math.floor((addr + i - base) / PAGE);
      const chunk = pages.get(p);
      if (!chunk) throw new CaxError('E_INTERNAL', `heap page at 0x${(base + p * PAGE).toString(16)} was not fetched`);
      const at = addr + i - base - p * PAGE;
      const n = Math.min(bytes - i, chunk.length - at);
      out.set(chunk.subarray(at, at + n), i);
      i += n;
    }
    return new DataView(out.buffer);
  };

  if (hp - base <= WHOLE) {
    await ensure([[base, hp - base]]);
    return mem;
  }
  const word = (addr: number): Word2 => {
    const v = mem(addr, 8);
    return { tag: v.getUint32(0, true), val: v.getUint32(4, true) };
  };
  const words = (addr: number, n: number): Word2[] => Array.from({ length: n }, (_, i) => word(addr + 8 * i));
  /** Bytes of the fixed part of an object: enough to know its whole size. */
  const HEAD: Readonly<Record<number, number>> = { [TAG.DOUBLE]: 8, [TAG.TEXT]: 4, [TAG.HASH]: 32, [TAG.CONS]: 16, [TAG.TUPLE]: 4, [TAG.CLOSURE]: 4, [TAG.PAP]: 8, [TAG.EFFECT]: 8 };
  const size = (w: Word2): number => {
    const count = (at: number): number => mem(w.val + at, 4).getUint32(0, true);
    switch (w.tag) {
      case TAG.TEXT:
        return 4 + count(0);
      case TAG.TUPLE:
        return 4 + 8 * count(0);
      case TAG.PAP:
      case TAG.EFFECT:
        return 8 + 8 * count(4);
      default:
        return HEAD[w.tag]!;
    }
  };
  /** What decoding reads further: list cells, tuple items, effect values, a partial application's closure and arguments (not a closure's captures). */
  const children = (w: Word2): Word2[] => {
    switch (w.tag) {
      case TAG.CONS:
        return words(w.val, 2);
      case TAG.TUPLE:
        return words(w.val + 4, mem(w.val, 4).getUint32(0, true));
      case TAG.EFFECT:
        return words(w.val + 8, mem(w.val + 4, 4).getUint32(0, true));
      case TAG.PAP:
        return [{ tag: TAG.CLOSURE, val: mem(w.val, 4).getUint32(0, true) }, ...words(w.val + 8, mem(w.val + 4, 4).getUint32(0, true))];
      default:
        return [];
    }
  };
  const seen = new Set<number>();
  let frontier = [root];
  while (frontier.length > 0) {
    const objects = frontier.filter((w) => HEAD[w.tag] !== undefined && inHeap(w.val, HEAD[w.tag]!) && !seen.has(w.val));
    for (const w of objects) seen.add(w.val);
    await ensure(objects.map((w) => [w.val, HEAD[w.tag]!] as const));
    await ensure(objects.map((w) => [w.val, size(w)] as const));
    frontier = objects.flatMap(children);
  }
  return mem;
}
