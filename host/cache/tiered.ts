// The result cache as the executor sees it: memory, then SQLite, then Redis,
// read through with promotion to the faster levels on a hit, written to
// every level. Every entry read is verified (entry.ts); a refused one is a
// miss with a warning and is removed from its level. Redis lost at any point
// is one warning and the run goes on with the levels below.
import type { Hash } from '../store/hash.js';
import { openEntry, type ResultEntry } from './entry.js';
import type { CacheLevel, LevelName, StoredEntry, SyncCacheLevel } from './level.js';
import type { MemoryLevel } from './memory.js';
import type { RedisLevel } from './redis.js';
import type { Counters, SqliteLevel } from './sqlite.js';

/** Checks a stored entry and parses its payload, or says why it is refused. */
export type EntryOpener<E> = (key: Hash, stored: StoredEntry) => { entry: E } | { refused: string };

export interface CacheHit<E = ResultEntry> {
  readonly entry: E;
  readonly stored: StoredEntry;
  readonly level: LevelName;
}

export interface TieredLevels {
  readonly memory?: MemoryLevel;
  readonly sqlite?: SqliteLevel;
  readonly redis?: RedisLevel;
}

/** Entries of type E (default: run results), checked by `open` on every read. */
export class TieredCache<E = ResultEntry> {
  readonly memory: MemoryLevel | undefined;
  readonly sqlite: SqliteLevel | undefined;
  private redis: RedisLevel | undefined;
  /** Redis writes under way (awaited by flush). */
  private pending: Promise<void>[] = [];
  /** Counted since the counts were last saved (to the SQLite counters, by close). */
  private delta: Counters = { lookups: 0, hits: 0, stores: 0, refused: 0, savedSteps: 0 };
  /** Counted over this cache's life. */
  readonly counted: Counters = { lookups: 0, hits: 0, stores: 0, refused: 0, savedSteps: 0 };

  private readonly open: EntryOpener<E>;

  constructor(
    levels: TieredLevels,
    private readonly warn: (message: string) => void,
    open?: EntryOpener<E>,
  ) {
    // without an opener the entries are run results (E's default)
    this.open = open ?? (openEntry as unknown as EntryOpener<E>);
    this.memory = levels.memory;
    this.sqlite = levels.sqlite;
    this.redis = levels.redis;
  }

  /** The configured levels, fastest first. */
  levels(): CacheLevel[] {
    return [this.memory, this.sqlite, this.redis].filter((l): l is NonNullable<typeof l> => l !== undefined);
  }

  private syncLevels(): SyncCacheLevel[] {
    return [this.memory, this.sqlite].filter((l): l is NonNullable<typeof l> => l !== undefined);
  }

  private count(what: Partial<Counters>): void {
    for (const [k, v] of Object.entries(what) as [keyof Counters, number][]) {
      this.delta[k] += v;
      this.counted[k] += v;
    }
  }

  /** The stored entry checked; a refused one is removed from its level and reported. */
  private verify(level: CacheLevel, key: Hash, stored: StoredEntry): CacheHit<E> | undefined {
    const opened = this.open(key, stored);
    if ('entry' in opened) return { entry: opened.entry, stored, level: level.name };
    this.count({ refused: 1 });
    this.warn(`result cache: refused the ${level.name} entry ${key.slice(0, 12)} (${opened.refused}); recomputing`);
    if (level.name === 'redis') this.redisCall((r) => r.remove([key]).then(() => undefined));
    else (level as SyncCacheLevel).removeSync([key]);
    return undefined;
  }

  private hit(hit: CacheHit<E>): CacheHit<E> {
    this.count({ hits: 1, savedSteps: hit.stored.cost });
    for (const l of this.syncLevels()) {
      if (l.name === hit.level) break;
      l.putSync(hit.stored);
    }
    return hit;
  }

  /** Looks `key` up in the levels answered without waiting (memory, SQLite). */
  lookupSync(key: Hash): CacheHit<E> | undefined {
    this.count({ lookups: 1 });
    for (const level of this.syncLevels()) {
      const stored = level.getSync(key);
      const hit = stored && this.verify(level, key, stored);
      if (hit) return this.hit(hit);
    }
    return undefined;
  }

  /** Looks `key` up in every level, fastest first; a Redis hit is promoted to memory and SQLite. */
  async lookup(key: Hash): Promise<CacheHit<E> | undefined> {
    const near = this.lookupSync(key);
    if (near || !this.redis) return near;
    const redis = this.redis;
    try {
      const stored = await redis.get(key);
      const hit = stored && this.verify(redis, key, stored);
      return hit ? this.hit(hit) : undefined;
    } catch (e) {
      this.lose(e);
      return undefined;
    }
  }

  /** Writes an entry to every level (Redis in the background until flush). */
  store(entry: StoredEntry): void {
    this.count({ stores: 1 });
    for (const l of this.syncLevels()) l.putSync(entry);
    this.redisCall((r) => r.put(entry));
  }

  private redisCall(work: (r: RedisLevel) => Promise<void>): void {
    const redis = this.redis;
    if (redis) this.pending.push(work(redis).catch((e: unknown) => this.lose(e)));
  }

  /** Redis failed: one warning, and the levels below carry on. */
  private lose(e: unknown): void {
    const redis = this.redis;
    if (!redis) return;
    this.redis = undefined;
    this.warn(`result cache: Redis lost (${e instanceof Error ? e.message : String(e)}); continuing on the lower levels`);
    void redis.close();
  }

  /** Waits for the Redis writes under way. */
  async flush(): Promise<void> {
    const pending = this.pending;
    this.pending = [];
    await Promise.all(pending);
  }

  /** Adds this process's counts since the last call to the counters every process shares (SQLite). */
  private saveCounts(): void {
    if (this.sqlite && Object.values(this.delta).some((v) => v > 0)) this.sqlite.count(this.delta);
    this.delta = { lookups: 0, hits: 0, stores: 0, refused: 0, savedSteps: 0 };
  }

  /** Waits for Redis writes, saves the counts and closes every level. */
  async close(): Promise<void> {
    await this.flush();
    this.saveCounts();
    for (const l of this.levels()) await l.close();
  }
}
