// The in-process level of the result cache: a Map in recency order (least
// recently used first), bounded in entries, bytes and age; eviction takes
// the cheapest-to-recompute of the least recently used (level.ts).
import type { Hash } from '../store/hash.js';
import { EVICTION_CANDIDATES, evictionVictim, matchesFilter, type EntryFilter, type EntryInfo, type LevelLimits, type StoredEntry, SyncLevel } from './level.js';

export const DEFAULT_MEMORY_LIMITS: LevelLimits = { maxEntries: 10_000, maxBytes: 64 * 1024 * 1024 };

export class MemoryLevel extends SyncLevel {
  readonly name = 'memory' as const;
  private readonly entries = new Map<Hash, StoredEntry>();
  private bytes = 0;

  constructor(
    private readonly limits: LevelLimits = DEFAULT_MEMORY_LIMITS,
    private readonly now: () => number = Date.now,
  ) {
    super();
  }

  getSync(key: Hash): StoredEntry | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    this.entries.delete(key);
    if (this.limits.maxAgeMs !== undefined && this.now() - e.createdAt > this.limits.maxAgeMs) {
      this.bytes -= e.size;
      return undefined;
    }
    const used = { ...e, usedAt: this.now(), hits: e.hits + 1 };
    this.entries.set(key, used);
    return used;
  }

  putSync(entry: StoredEntry): void {
    if (this.entries.has(entry.key)) return;
    if (this.limits.maxBytes !== undefined && entry.size > this.limits.maxBytes) return;
    this.entries.set(entry.key, entry);
    this.bytes += entry.size;
    this.evict();
  }

  removeSync(keys: readonly Hash[]): number {
    let n = 0;
    for (const k of keys) {
      const e = this.entries.get(k);
      if (!e) continue;
      this.entries.delete(k);
      this.bytes -= e.size;
      n++;
    }
    return n;
  }

  get size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  private evict(): void {
    const { maxEntries = Infinity, maxBytes = Infinity } = this.limits;
    while (this.entries.size > maxEntries || this.bytes > maxBytes) {
      const candidates: StoredEntry[] = [];
      for (const e of this.entries.values()) {
        candidates.push(e);
        if (candidates.length === EVICTION_CANDIDATES) break;
      }
      this.removeSync([evictionVictim(candidates, this.now())!.key]);
    }
  }

  list(filter: EntryFilter, now: number): Promise<EntryInfo[]> {
    return Promise.resolve([...this.entries.values()].filter((e) => matchesFilter(e, filter, now)).map(({ bytes: _b, digest: _d, ...info }) => ({ ...info, level: this.name })));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
