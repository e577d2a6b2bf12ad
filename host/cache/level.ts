// What every level of the result cache (memory, SQLite, Redis) stores and
// answers, the filters of `cax cache ls|evict`, and the eviction rule the
// bounded levels share: among the least recently used entries, the one whose
// recomputation is cheapest for its size goes first.
import type { Hash } from '../store/hash.js';

export const LEVELS = ['memory', 'sqlite', 'redis'] as const;
export type LevelName = (typeof LEVELS)[number];

/** An entry as a level holds it (bytes and digest as written; checked by openEntry on reading). */
export interface StoredEntry {
  readonly key: Hash;
  readonly bytes: Uint8Array;
  readonly digest: Hash;
  readonly definition: Hash;
  readonly identity: Hash;
  readonly size: number;
  /** Compute steps the result saves on a hit. */
  readonly cost: number;
  /** Milliseconds since the epoch. */
  readonly createdAt: number;
  readonly usedAt: number;
  readonly hits: number;
}

/** An entry without its bytes: what listings show. */
export type EntryInfo = Omit<StoredEntry, 'bytes' | 'digest'> & { readonly level: LevelName };

export interface EntryFilter {
  /** A definition hash or prefix. */
  readonly definition?: string;
  /** A backend identity digest or prefix. */
  readonly identity?: string;
  /** Only entries created more than this many ms before `now`. */
  readonly olderThanMs?: number;
  /** Only entries of more than this many bytes. */
  readonly largerThan?: number;
}

/** Size and age limits of a level (absent: unbounded). */
export interface LevelLimits {
  readonly maxEntries?: number;
  readonly maxBytes?: number;
  readonly maxAgeMs?: number;
}

export interface CacheLevel {
  readonly name: LevelName;
  get(key: Hash): Promise<StoredEntry | undefined>;
  /** Stores an entry (an entry already there under that key is kept: same key, same result). */
  put(entry: StoredEntry): Promise<void>;
  list(filter: EntryFilter, now: number): Promise<EntryInfo[]>;
  /** Removes entries by key; how many were there. */
  remove(keys: readonly Hash[]): Promise<number>;
  close(): Promise<void>;
}

/** A level answered without waiting: what `invoke` inside a running interpreter can use. */
export interface SyncCacheLevel extends CacheLevel {
  getSync(key: Hash): StoredEntry | undefined;
  putSync(entry: StoredEntry): void;
  removeSync(keys: readonly Hash[]): number;
}

/** The asynchronous half of a synchronous level: each answer is its synchronous one, already settled. */
export abstract class SyncLevel implements SyncCacheLevel {
  abstract readonly name: LevelName;
  abstract getSync(key: Hash): StoredEntry | undefined;
  abstract putSync(entry: StoredEntry): void;
  abstract removeSync(keys: readonly Hash[]): number;
  abstract list(filter: EntryFilter, now: number): Promise<EntryInfo[]>;
  abstract close(): Promise<void>;

  get(key: Hash): Promise<StoredEntry | undefined> {
    return Promise.resolve(this.getSync(key));
  }

  put(entry: StoredEntry): Promise<void> {
    this.putSync(entry);
    return Promise.resolve();
  }

  remove(keys: readonly Hash[]): Promise<number> {
    return Promise.resolve(this.removeSync(keys));
  }
}

export function matchesFilter(e: Omit<EntryInfo, 'level'>, f: EntryFilter, now: number): boolean {
  if (f.definition !== undefined && !e.definition.startsWith(f.definition)) return false;
  if (f.identity !== undefined && !e.identity.startsWith(f.identity)) return false;
  if (f.olderThanMs !== undefined && now - e.createdAt <= f.olderThanMs) return false;
  if (f.largerThan !== undefined && e.size <= f.largerThan) return false;
  return true;
}

/** How many of the least recently used entries eviction chooses among. */
export const EVICTION_CANDIDATES = 16;

/** Worth keeping: steps saved per byte, discounted by the seconds since the last use. */
export function keepWeight(e: Pick<StoredEntry, 'cost' | 'size' | 'usedAt'>, now: number): number {
  return (e.cost + 1) / Math.max(1, e.size) / (1 + Math.max(0, now - e.usedAt) / 1000);
}

/** The candidate to evict first: the lowest keepWeight. */
export function evictionVictim<T extends Pick<StoredEntry, 'cost' | 'size' | 'usedAt'>>(candidates: readonly T[], now: number): T | undefined {
  let victim: T | undefined;
  for (const c of candidates) if (victim === undefined || keepWeight(c, now) < keepWeight(victim, now)) victim = c;
  return victim;
}
