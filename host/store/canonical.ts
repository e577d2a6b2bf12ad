// The canonical encoding (docs/hashing.md): a small self-describing tagged
// tree of nodes, literals, positional locals (de Bruijn indices), references
// by hash and references into the definition's own group. Encoding is a
// bijection between trees and bytes; the hash of a group is SHA-256 of its
// bytes. Names, comments, layout and spans never reach this level.
import { CaxError } from '../errors.js';
import { HASH_HEX_LENGTH, memberHash, sha256, type Hash } from './hash.js';

export type CItem =
  | { readonly k: 'node'; readonly tag: string; readonly items: readonly CItem[] }
  | { readonly k: 'int'; readonly v: bigint }
  | { readonly k: 'double'; readonly v: number }
  | { readonly k: 'text'; readonly v: string }
  | { readonly k: 'bool'; readonly v: boolean }
  | { readonly k: 'local'; readonly index: number }
  | { readonly k: 'ref'; readonly hash: Hash }
  | { readonly k: 'self'; readonly index: number }
  | { readonly k: 'list'; readonly items: readonly CItem[] }
  | { readonly k: 'binder' }
  | { readonly k: 'builtin'; readonly name: string }
  | { readonly k: 'none' };

/** Byte tags of the items, fixed forever (docs/hashing.md). */
export const TAG = {
  node: 0x01,
  int: 0x02,
  double: 0x03,
  text: 0x04,
  bool: 0x05,
  local: 0x06,
  ref: 0x07,
  self: 0x08,
  list: 0x09,
  binder: 0x0a,
  builtin: 0x0b,
  none: 0x0c,
  /** Only while ordering a group: a reference into the group, target not yet placed. */
  selfPending: 0x0d,
} as const;

/** First bytes of every group encoding: "cax" and format version 1. */
export const GROUP_MAGIC = Uint8Array.of(0x63, 0x61, 0x78, 0x01);

class Writer {
  private buf = new Uint8Array(256);
  private at = 0;
  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.at + n));
    bigger.set(this.buf.subarray(0, this.at));
    this.buf = bigger;
  }
  byte(b: number): void {
    this.room(1);
    this.buf[this.at++] = b & 0xff;
  }
  bytes(bs: Uint8Array): void {
    this.room(bs.length);
    this.buf.set(bs, this.at);
    this.at += bs.length;
  }
  uvar(n: number | bigint): void {
    if (typeof n === 'number' && Number.isInteger(n) && n >= 0 && n < 0x80000000) {
      let v = n;
      while (v >= 0x80) {
        this.byte((v & 0x7f) | 0x80);
        v >>>= 7;
      }
      this.byte(v);
      return;
    }
    let v = BigInt(n);
    if (v < 0n) throw new CaxError('E_INTERNAL', `negative unsigned ${v}`);
    do {
      const low = Number(v & 0x7fn);
      v >>= 7n;
      this.byte(v === 0n ? low : low | 0x80);
    } while (v !== 0n);
  }
  /** Zig-zag then LEB128. */
  svar(n: bigint): void {
    this.uvar(n >= 0n ? n << 1n : (-n << 1n) - 1n);
  }
  text(s: string): void {
    const utf8 = Buffer.from(s, 'utf8');
    this.uvar(utf8.length);
    this.bytes(utf8);
  }
  done(): Uint8Array {
    return this.buf.slice(0, this.at);
  }
}

/** How self references are written: final positions, or pending classes while ordering. */
type SelfMode = { readonly kind: 'final' } | { readonly kind: 'pending'; readonly owner: number; readonly classOf: (index: number) => number };

function writeItem(w: Writer, item: CItem, mode: SelfMode): void {
  switch (item.k) {
    case 'node':
      w.byte(TAG.node);
      w.text(item.tag);
      w.uvar(item.items.length);
      for (const i of item.items) writeItem(w, i, mode);
      return;
    case 'int':
      w.byte(TAG.int);
      w.svar(item.v);
      return;
    case 'double': {
      w.byte(TAG.double);
      const b = Buffer.alloc(8);
      b.writeDoubleBE(Number.isNaN(item.v) ? Number.NaN : item.v);
      w.bytes(b);
      return;
    }
    case 'text':
      w.byte(TAG.text);
      w.text(item.v);
      return;
    case 'bool':
      w.byte(TAG.bool);
      w.byte(item.v ? 1 : 0);
      return;
    case 'local':
      w.byte(TAG.local);
      w.uvar(item.index);
      return;
    case 'ref':
      w.byte(TAG.ref);
      w.bytes(Buffer.from(item.hash, 'hex'));
      return;
    case 'self':
      if (mode.kind === 'final') {
        w.byte(TAG.self);
        w.uvar(item.index);
      } else {
        // 0 = the member itself, else 1 + the rank class of the target.
        w.byte(TAG.selfPending);
        w.uvar(item.index === mode.owner ? 0 : 1 + mode.classOf(item.index));
      }
      return;
    case 'list':
      w.byte(TAG.list);
      w.uvar(item.items.length);
      for (const i of item.items) writeItem(w, i, mode);
      return;
    case 'binder':
      w.byte(TAG.binder);
      return;
    case 'builtin':
      w.byte(TAG.builtin);
      w.text(item.name);
      return;
    case 'none':
      w.byte(TAG.none);
      return;
  }
}

/** The bytes of one item (final self references). */
export function encodeItem(item: CItem): Uint8Array {
  const w = new Writer();
  writeItem(w, item, { kind: 'final' });
  return w.done();
}

/** The bytes of a group whose members are already in canonical order. */
export function encodeGroup(members: readonly CItem[]): Uint8Array {
  if (members.length === 0) throw new CaxError('E_INTERNAL', 'empty group');
  const w = new Writer();
  w.bytes(GROUP_MAGIC);
  w.uvar(members.length);
  for (const m of members) writeItem(w, m, { kind: 'final' });
  return w.done();
}

function keyOf(item: CItem, owner: number, classOf: (i: number) => number): string {
  const w = new Writer();
  writeItem(w, item, { kind: 'pending', owner, classOf });
  return Buffer.from(w.done()).toString('hex');
}

/** Ranks keys: equal keys share a rank, ranks follow the sorted order of the keys. */
function rank(keys: readonly string[]): number[] {
  const sorted = [...new Set(keys)].sort();
  const index = new Map(sorted.map((k, i) => [k, i]));
  return keys.map((k) => index.get(k)!);
}

/** For each member, the indices of the members referring to it (once per reference). */
function referrers(members: readonly CItem[]): number[][] {
  const into: number[][] = members.map(() => []);
  const walk = (item: CItem, owner: number): void => {
    if (item.k === 'self') into[item.index]?.push(owner);
    else if (item.k === 'node' || item.k === 'list') for (const i of item.items) walk(i, owner);
  };
  members.forEach((m, i) => walk(m, i));
  return into;
}

/**
 * Splits rank classes until stable: a member's key is its class, its bytes
 * with group references written as the target's class, and the sorted
 * classes of the members referring to it.
 */
function refine(members: readonly CItem[], incoming: readonly number[][], start: readonly number[]): number[] {
  let classes = [...start];
  for (;;) {
    const next = rank(
      members.map((m, i) => {
        const from = incoming[i]!.map((j) => classes[j]!).sort((a, b) => a - b);
        return `${String(classes[i]).padStart(8, '0')}:${keyOf(m, i, (j) => classes[j]!)}:${from.join(',')}`;
      }),
    );
    if (new Set(next).size === new Set(classes).size) return next;
    classes = next;
  }
}

/**
 * The canonical order of a group's members, independent of their names and
 * source order (docs/hashing.md §Groups): members are ranked by their bytes
 * with references into the group written as the rank of the target and the
 * ranks of the members referring to them, refined until stable; while two members still tie, the first of the lowest tied
 * class is set apart and the ranks refined again.
 * Returns `order` with order[position] = source index.
 */
export function canonicalOrder(members: readonly CItem[]): number[] {
  const incoming = referrers(members);
  let classes = refine(
    members,
    incoming,
    members.map(() => 0),
  );
  for (;;) {
    const counts = new Map<number, number>();
    for (const c of classes) counts.set(c, (counts.get(c) ?? 0) + 1);
    const tied = [...counts].filter(([, n]) => n > 1).map(([c]) => c);
    if (tied.length === 0) break;
    const lowest = Math.min(...tied);
    const chosen = classes.indexOf(lowest);
    classes = refine(
      members,
      incoming,
      classes.map((c, i) => 2 * c + (c === lowest && i !== chosen ? 1 : 0)),
    );
  }
  return [...Array(members.length).keys()].sort((a, b) => classes[a]! - classes[b]!);
}

/** Rewrites self references with `map` (source index → canonical position). */
export function renumberSelf(item: CItem, map: (index: number) => number): CItem {
  switch (item.k) {
    case 'self':
      return { k: 'self', index: map(item.index) };
    case 'node':
      return { ...item, items: item.items.map((i) => renumberSelf(i, map)) };
    case 'list':
      return { ...item, items: item.items.map((i) => renumberSelf(i, map)) };
    default:
      return item;
  }
}

/** Rewrites references to other definitions with `map` (for bringing a definition onto new dependency hashes). */
export function replaceRefs(item: CItem, map: (hash: Hash) => Hash): CItem {
  switch (item.k) {
    case 'ref':
      return { k: 'ref', hash: map(item.hash) };
    case 'node':
      return { ...item, items: item.items.map((i) => replaceRefs(i, map)) };
    case 'list':
      return { ...item, items: item.items.map((i) => replaceRefs(i, map)) };
    default:
      return item;
  }
}

/** The distinct hashes an item refers to, in first-occurrence order. */
export function refsOf(item: CItem, into: Set<Hash> = new Set()): Set<Hash> {
  if (item.k === 'ref') into.add(item.hash);
  else if (item.k === 'node' || item.k === 'list') for (const i of item.items) refsOf(i, into);
  return into;
}

export interface HashedGroup {
  readonly hash: Hash;
  readonly bytes: Uint8Array;
  /** Members in canonical order. */
  readonly members: readonly CItem[];
  readonly memberHashes: readonly Hash[];
  /** order[position] = index the member had in the input. */
  readonly order: readonly number[];
}

/** Orders, encodes and hashes a group whose self references use input indices. */
export function hashGroup(members: readonly CItem[]): HashedGroup {
  const order = members.length === 1 ? [0] : canonicalOrder(members);
  const position = new Array<number>(members.length);
  order.forEach((src, pos) => (position[src] = pos));
  const placed = order.map((src) => renumberSelf(members[src]!, (i) => position[i]!));
  const bytes = encodeGroup(placed);
  const hash = sha256(bytes);
  return { hash, bytes, members: placed, memberHashes: placed.map((_, i) => memberHash(hash, i, placed.length)), order };
}

class Reader {
  private at = 0;
  constructor(private readonly buf: Uint8Array) {}
  fail(what: string): never {
    throw new CaxError('E_CORRUPT', `canonical bytes: ${what} at offset ${this.at}`);
  }
  byte(): number {
    if (this.at >= this.buf.length) this.fail('unexpected end');
    return this.buf[this.at++]!;
  }
  take(n: number): Uint8Array {
    if (this.at + n > this.buf.length) this.fail('unexpected end');
    const out = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }
  uvarBig(): bigint {
    let v = 0n;
    let shift = 0n;
    for (;;) {
      const b = this.byte();
      if (b === 0 && shift > 0n) this.fail('non-minimal varint');
      v |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return v;
      shift += 7n;
      if (shift > 70n) this.fail('varint too long');
    }
  }
  uvar(): number {
    const v = this.uvarBig();
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) this.fail('count too large');
    return Number(v);
  }
  text(): string {
    const n = this.uvar();
    const bytes = this.take(n);
    const s = Buffer.from(bytes).toString('utf8');
    if (!Buffer.from(s, 'utf8').equals(Buffer.from(bytes))) this.fail('invalid UTF-8');
    return s;
  }
  get done(): boolean {
    return this.at === this.buf.length;
  }
}

function readItem(r: Reader, depth: number): CItem {
  if (depth > 10_000) r.fail('nesting too deep');
  const tag = r.byte();
  switch (tag) {
    case TAG.node: {
      const t = r.text();
      const n = r.uvar();
      const items: CItem[] = [];
      for (let i = 0; i < n; i++) items.push(readItem(r, depth + 1));
      return { k: 'node', tag: t, items };
    }
    case TAG.int: {
      const z = r.uvarBig();
      return { k: 'int', v: (z & 1n) === 0n ? z >> 1n : -((z + 1n) >> 1n) };
    }
    case TAG.double:
      return { k: 'double', v: Buffer.from(r.take(8)).readDoubleBE(0) };
    case TAG.text:
      return { k: 'text', v: r.text() };
    case TAG.bool: {
      const b = r.byte();
      if (b > 1) r.fail('bad bool');
      return { k: 'bool', v: b === 1 };
    }
    case TAG.local:
      return { k: 'local', index: r.uvar() };
    case TAG.ref:
      return { k: 'ref', hash: Buffer.from(r.take(HASH_HEX_LENGTH / 2)).toString('hex') };
    case TAG.self:
      return { k: 'self', index: r.uvar() };
    case TAG.list: {
      const n = r.uvar();
      const items: CItem[] = [];
      for (let i = 0; i < n; i++) items.push(readItem(r, depth + 1));
      return { k: 'list', items };
    }
    case TAG.binder:
      return { k: 'binder' };
    case TAG.builtin:
      return { k: 'builtin', name: r.text() };
    case TAG.none:
      return { k: 'none' };
    default:
      return r.fail(`unknown tag 0x${tag.toString(16)}`);
  }
}

/** Decodes group bytes back to its members; E_CORRUPT on anything malformed. */
export function decodeGroup(bytes: Uint8Array): CItem[] {
  const r = new Reader(bytes);
  const magic = r.take(GROUP_MAGIC.length);
  if (!Buffer.from(magic).equals(Buffer.from(GROUP_MAGIC))) r.fail('not a cax group');
  const n = r.uvar();
  if (n === 0) r.fail('empty group');
  const members: CItem[] = [];
  for (let i = 0; i < n; i++) members.push(readItem(r, 0));
  if (!r.done) r.fail('trailing bytes');
  for (const m of members) checkSelf(m, n, r);
  return members;
}

function checkSelf(item: CItem, size: number, r: Reader): void {
  if (item.k === 'self' && item.index >= size) r.fail(`reference to member ${item.index} of a group of ${size}`);
  if (item.k === 'node' || item.k === 'list') for (const i of item.items) checkSelf(i, size, r);
}
