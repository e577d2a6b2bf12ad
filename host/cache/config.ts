// Where the result cache's configuration comes from: `cache.json` in the
// store directory ($CAX_HOME), parsed by a schema, and CAX_REDIS_URL, which
// overrides its Redis URL. Opening the cache connects the configured levels;
// an unreachable Redis is one warning and the cache runs on the levels below.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { CaxError } from '../errors.js';
import type { ResultEntry } from './entry.js';
import { MemoryLevel, DEFAULT_MEMORY_LIMITS } from './memory.js';
import { RedisLevel } from './redis.js';
import { SqliteLevel, DEFAULT_SQLITE_LIMITS } from './sqlite.js';
import { TieredCache, type EntryOpener } from './tiered.js';

export const CACHE_CONFIG_FILE = 'cache.json';

const count = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const Limits = z.object({ maxEntries: count.optional(), maxBytes: count.optional(), maxAgeMs: count.optional() }).strict();

export const CacheConfigSchema = z
  .object({
    memory: Limits.optional(),
    sqlite: Limits.optional(),
    redis: z
      .object({ url: z.string().regex(/^rediss?:\/\//, 'a redis:// or rediss:// URL'), maxAgeMs: count.optional(), maxEntries: count.optional() })
      .strict()
      .optional(),
    /** Steps a run must cost before `--memo auto` stores its result. */
    minCost: z.number().int().nonnegative().optional(),
  })
  .strict();
export type CacheConfig = z.infer<typeof CacheConfigSchema>;

/** The configuration of the store in `directory`, with CAX_REDIS_URL applied; E_CONFIG for a bad file. */
export function loadCacheConfig(directory: string, env: Readonly<Record<string, string | undefined>>): CacheConfig {
  const file = join(directory, CACHE_CONFIG_FILE);
  let config: CacheConfig = {};
  if (existsSync(file)) {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new CaxError('E_CONFIG', `${file} is not JSON: ${(e as Error).message}`, { details: { file } });
    }
    const parsed = CacheConfigSchema.safeParse(json);
    if (!parsed.success) throw new CaxError('E_CONFIG', `${file}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`, { details: { file } });
    config = parsed.data;
  }
  const url = env.CAX_REDIS_URL;
  if (url !== undefined && url !== '') {
    const parsed = CacheConfigSchema.shape.redis.safeParse({ ...config.redis, url });
    if (!parsed.success) throw new CaxError('E_CONFIG', `CAX_REDIS_URL: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    config = { ...config, redis: parsed.data };
  }
  return config;
}

/** Opens every configured level of the cache of the store in `directory` (entries checked by `open`; default: run results). */
export async function openCache<E = ResultEntry>(directory: string, config: CacheConfig, warn: (message: string) => void, open?: EntryOpener<E>): Promise<TieredCache<E>> {
  let redis: RedisLevel | undefined;
  if (config.redis) {
    try {
      const { url, ...limits } = config.redis;
      redis = await RedisLevel.open(url, limits);
    } catch (e) {
      if (!(e instanceof CaxError)) throw e;
      warn(`result cache: ${e.message}; continuing on the lower levels`);
    }
  }
  return new TieredCache(
    {
      memory: new MemoryLevel({ ...DEFAULT_MEMORY_LIMITS, ...config.memory }),
      sqlite: new SqliteLevel(directory, { ...DEFAULT_SQLITE_LIMITS, ...config.sqlite }, Date.now, warn),
      ...(redis ? { redis } : {}),
    },
    warn,
    open,
  );
}
