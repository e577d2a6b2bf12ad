// `cax regress`'s reused results in the project's result cache (host/cache/,
// docs/cache.md): memory, the SQLite level of a directory and, when
// configured (CAX_REDIS_URL or the directory's cache.json), Redis shared by
// machines. Each passing outcome is stored under its test key with the
// test's entry hash and backend identity as metadata, and checked (digest,
// schema, key) on every read like any cached result.
import { z } from 'zod';
import { loadCacheConfig, openCache } from '../cache/config.js';
import { openJson, sealJson } from '../cache/entry.js';
import type { TieredCache } from '../cache/tiered.js';
import type { Outcome } from './execute.js';
import { StoredOutcome, type ResultCache, type TestKey } from './cache.js';

const OutcomeEntry = z.object({ key: z.string().regex(/^[0-9a-f]{64}$/), outcome: StoredOutcome }).strict();
type OutcomeEntry = z.infer<typeof OutcomeEntry>;

export class TieredResultCache implements ResultCache {
  private constructor(private readonly cache: TieredCache<OutcomeEntry>) {}

  /** The cache of `directory` (created); warnings (a refused entry, Redis unreachable or lost) go to `warn`. */
  static async open(directory: string, env: Readonly<Record<string, string | undefined>>, warn: (message: string) => void): Promise<TieredResultCache> {
    return new TieredResultCache(await openCache(directory, loadCacheConfig(directory, env), warn, (key, stored) => openJson(key, stored, OutcomeEntry)));
  }

  async get(key: TestKey): Promise<Outcome | undefined> {
    return (await this.cache.lookup(key.key))?.entry.outcome as Outcome | undefined;
  }

  put(key: TestKey, outcome: Outcome): void {
    this.cache.store(sealJson({ key: key.key, outcome }, { definition: key.entry, identity: key.backend, cost: Math.round(outcome.durationMs) }, Date.now()));
  }

  /** Waits for the writes and closes the cache. */
  async save(): Promise<void> {
    await this.cache.close();
  }
}
