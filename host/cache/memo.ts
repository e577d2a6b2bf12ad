// Memoization of runs (docs/cache.md §Memoization): which runs are looked up
// and stored, under which key. `auto` memoizes pure runs, and `invoke`s of
// stored definitions that did no effect and took no logical time, whose cost
// reached a threshold of steps — and stops storing a definition whose stored
// results are never hit; `on` also memoizes effectful runs (their key holds
// the world and start); `off` does neither.
import type { Hash } from '../store/hash.js';
import type { WorldInput } from '../tel/world.js';
import { sealEntry, type ResultEntry } from './entry.js';
import { backendIdentity, identityDigest, resultKey, type KeyPolicy, type ResultArgument, type ResultBackend } from './key.js';
import type { CacheHit, TieredCache } from './tiered.js';

export const MEMO_MODES = ['auto', 'on', 'off'] as const;
export type MemoMode = (typeof MEMO_MODES)[number];

/** Steps a result must cost before it is stored, unless configured. */
export const DEFAULT_MIN_COST = 10_000;
/** What a lookup is charged, in compute steps, to the context that makes it. */
export const LOOKUP_STEPS = 1;
/** A definition with this many stored results and no hit is stored no more (in this process). */
export const FUTILE_STORES = 32;
/** A definition looked up this many times without a hit is looked up only once in PROBE_EVERY runs (in this process). */
export const FUTILE_LOOKUPS = 64;
/** How often a futile definition is still looked up: results other processes store are found all the same. */
export const PROBE_EVERY = 16;

/** What decides a run besides its definition and arguments. */
export interface RunSetting {
  readonly backend: ResultBackend;
  readonly policy: KeyPolicy;
  /** The world and start of an effectful run (absent: a pure run). */
  readonly effectful?: { readonly world: WorldInput; readonly start: number };
}

/** What this process saw of one definition's results. */
interface Seen {
  lookups: number;
  stores: number;
  hits: number;
  /** Runs not looked up since its lookups turned futile. */
  skipped: number;
}

export class Memo {
  private readonly seen = new Map<Hash, Seen>();
  /** identityDigest of each backend's identity (fixed for the process). */
  private readonly digests = new Map<ResultBackend, Hash>();

  constructor(
    readonly cache: TieredCache,
    readonly mode: MemoMode = 'auto',
    readonly minCost = DEFAULT_MIN_COST,
  ) {}

  /** A memo like this one on the same cache with another mode (`cax run --memo`). */
  withMode(mode: MemoMode): Memo {
    return mode === this.mode ? this : new Memo(this.cache, mode, this.minCost);
  }

  /** Whether a run of a definition whose type is `type` is memoized at all. */
  covers(effectful: boolean): boolean {
    return this.mode === 'on' || (this.mode === 'auto' && !effectful);
  }

  key(definition: Hash, args: readonly ResultArgument[], setting: RunSetting): Hash {
    return resultKey({ definition, args, backend: setting.backend, identity: backendIdentity(setting.backend), policy: setting.policy, ...(setting.effectful ? { effectful: setting.effectful } : {}) })
      .key;
  }

  /**
   * Whether a run of `definition` is looked up at all: always, until FUTILE_LOOKUPS lookups found nothing; then one run
   * in PROBE_EVERY (a workload that never repeats pays for its key and lookup only now and then).
   */
  consults(definition: Hash): boolean {
    const s = this.seen.get(definition);
    if (s === undefined || s.hits > 0 || s.lookups < FUTILE_LOOKUPS) return true;
    return ++s.skipped % PROBE_EVERY === 0;
  }

  /** Whether a result that cost `steps` is worth storing. */
  admits(definition: Hash, steps: number): boolean {
    const s = this.seen.get(definition);
    return steps >= this.minCost && !(s !== undefined && s.stores >= FUTILE_STORES && s.hits === 0);
  }

  /** The result of a run of `definition` under `key`, from the levels answering synchronously. */
  lookupSync(definition: Hash, key: Hash): CacheHit | undefined {
    return this.noted(definition, this.cache.lookupSync(key));
  }

  async lookup(definition: Hash, key: Hash): Promise<CacheHit | undefined> {
    return this.noted(definition, await this.cache.lookup(key));
  }

  private noted(definition: Hash, hit: CacheHit | undefined): CacheHit | undefined {
    const s = this.stats(definition);
    s.lookups++;
    if (hit) s.hits++;
    return hit;
  }

  private stats(definition: Hash): Seen {
    let s = this.seen.get(definition);
    if (!s) this.seen.set(definition, (s = { lookups: 0, stores: 0, hits: 0, skipped: 0 }));
    return s;
  }

  /** Stores a result (the entry's identity is filled in from its backend). */
  store(entry: Omit<ResultEntry, 'format' | 'identity'>): void {
    this.stats(entry.definition).stores++;
    const backend = entry.backend as ResultBackend;
    let identity = this.digests.get(backend);
    if (identity === undefined) this.digests.set(backend, (identity = identityDigest(backend, backendIdentity(backend))));
    this.cache.store(sealEntry({ format: 1, ...entry, identity }, Date.now()));
  }
}
