// Shared by the result-cache tests: a store in a temporary directory with
// TEL source added, executors over it memoizing through a result cache on
// that store (memory and SQLite levels, Redis when given a URL), and the
// warnings the cache printed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openCache, type CacheConfig } from '../../host/cache/config.js';
import { Memo, type MemoMode } from '../../host/cache/memo.js';
import type { TieredCache } from '../../host/cache/tiered.js';
import { Executor } from '../../host/execution/executor.js';
import { parsePolicy, type PolicyInput } from '../../host/execution/policy.js';
import { addProgram } from '../../host/store/add.js';
import { Repository } from '../../host/store/repository.js';
import { addContext, ensurePrelude } from '../../host/store/tel-env.js';
import { parseProgram } from '../../host/tel/parser.js';

export interface MemoStore {
  readonly dir: string;
  readonly repo: Repository;
  readonly warnings: string[];
  /** A cache over the store (a new memory level each time); closed by dispose. */
  cache(config?: CacheConfig): Promise<TieredCache>;
  executor(cache: TieredCache | undefined, options?: { mode?: MemoMode; minCost?: number; policy?: PolicyInput }): Executor;
  hash(name: string): string;
  dispose(): Promise<void>;
}

/** The next turn of the event loop, by which the SQLite level has committed what it was given (it writes in batches). */
export const committed = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export function memoStore(source: string): MemoStore {
  const dir = mkdtempSync(join(tmpdir(), 'cax-cache-'));
  const repo = Repository.open(dir);
  const ctx = addContext(repo);
  ensurePrelude(ctx);
  addProgram(ctx, parseProgram(source, 'test.tel'));
  const warnings: string[] = [];
  const caches: TieredCache[] = [];
  return {
    dir,
    repo,
    warnings,
    async cache(config = {}) {
      const c = await openCache(dir, config, (m) => warnings.push(m));
      caches.push(c);
      return c;
    },
    executor: (cache, options = {}) => new Executor({ repo, policy: parsePolicy(options.policy ?? {}), ...(cache ? { memo: new Memo(cache, options.mode ?? 'auto', options.minCost ?? 0) } : {}) }),
    hash: (name) => repo.lookupName(name)!,
    async dispose() {
      for (const c of caches) await c.close();
      repo.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
