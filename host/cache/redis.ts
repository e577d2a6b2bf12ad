// The shared level of the result cache: a Redis server (the Debian
// redis-server, on loopback with a password) reached through ioredis. An
// entry is one hash `cax:result:<key>` (bytes, digest and metadata) written
// in one MULTI, listed in the set `cax:results`; an age limit is the hash's
// expiry, an entry limit evicts by the shared rule (level.ts) among a random
// sample of entries (Redis keeps no recency order). Commands time out quickly and never queue while disconnected, so
// a lost server shows as an error the tiered cache turns into one warning.
import { Redis } from 'ioredis';
import { z } from 'zod';
import { CaxError } from '../errors.js';
import type { Hash } from '../store/hash.js';
import { EVICTION_CANDIDATES, evictionVictim, matchesFilter, type CacheLevel, type EntryFilter, type EntryInfo, type LevelLimits, type StoredEntry } from './level.js';

const PREFIX = 'cax:result:';
const INDEX = 'cax:results';
const META_FIELDS = ['definition', 'identity', 'size', 'cost', 'createdAt', 'usedAt', 'hits'] as const;

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const int = z.coerce.number().int().nonnegative();
const Meta = z.object({ definition: hex64, identity: hex64, size: int, cost: int, createdAt: int, usedAt: int, hits: int });

/** How long a command or a connection attempt may take before the level counts as lost. */
const TIMEOUT_MS = 2000;

export class RedisLevel implements CacheLevel {
  readonly name = 'redis' as const;

  private constructor(
    private readonly client: Redis,
    private readonly limits: LevelLimits,
  ) {}

  /** Connects to `url` (redis://[:password@]host:port[/db]); E_CACHE when it cannot. */
  static async open(url: string, limits: LevelLimits = {}): Promise<RedisLevel> {
    const client = new Redis(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, connectTimeout: TIMEOUT_MS, commandTimeout: TIMEOUT_MS, retryStrategy: () => null });
    // Errors surface on the commands; the client's own error events would otherwise be unhandled.
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.ping();
    } catch (e) {
      client.disconnect();
      throw new CaxError('E_CACHE', `cannot reach Redis at ${redactUrl(url)}: ${(e as Error).message}`);
    }
    return new RedisLevel(client, limits);
  }

  async get(key: Hash): Promise<StoredEntry | undefined> {
    const k = PREFIX + key;
    const [bytes, digest, ...meta] = await this.client.hmgetBuffer(k, 'bytes', 'digest', ...META_FIELDS);
    if (!bytes || !digest) return undefined;
    const parsed = Meta.safeParse(Object.fromEntries(META_FIELDS.map((f, i) => [f, meta[i]?.toString('utf8')])));
    // Unreadable metadata: the bytes still decide (they are checked against the digest); neutral metadata stands in.
    const m = parsed.success ? parsed.data : { definition: '0'.repeat(64), identity: '0'.repeat(64), size: bytes.length, cost: 0, createdAt: 0, usedAt: 0, hits: 0 };
    const now = Date.now();
    await this.client.multi().hset(k, 'usedAt', now).hincrby(k, 'hits', 1).exec();
    return { key, bytes, digest: digest.toString('utf8'), ...m, usedAt: now, hits: m.hits + 1 };
  }

  async put(entry: StoredEntry): Promise<void> {
    const k = PREFIX + entry.key;
    const tx = this.client
      .multi()
      .hset(k, {
        bytes: Buffer.from(entry.bytes),
        digest: entry.digest,
        definition: entry.definition,
        identity: entry.identity,
        size: entry.size,
        cost: entry.cost,
        createdAt: entry.createdAt,
        usedAt: entry.usedAt,
        hits: entry.hits,
      })
      .sadd(INDEX, entry.key);
    if (this.limits.maxAgeMs !== undefined) tx.pexpire(k, this.limits.maxAgeMs);
    await tx.exec();
    if (this.limits.maxEntries !== undefined) await this.evict(this.limits.maxEntries);
  }

  /** Removes entries until at most `max` are left, each the cheapest to recompute of a random sample. */
  private async evict(max: number): Promise<void> {
    const now = Date.now();
    for (let n = await this.client.scard(INDEX); n > max; n--) {
      const sample = await this.client.srandmember(INDEX, EVICTION_CANDIDATES);
      const pipeline = this.client.pipeline();
      for (const key of sample) pipeline.hmget(PREFIX + key, 'cost', 'size', 'usedAt');
      const replies = (await pipeline.exec()) ?? [];
      const candidates = sample.map((key, i) => {
        const [cost, size, usedAt] = ((replies[i]?.[1] ?? []) as (string | null)[]).map((v) => Number(v ?? 0));
        return { key, cost: cost ?? 0, size: size ?? 0, usedAt: usedAt ?? 0 };
      });
      const victim = evictionVictim(candidates, now);
      if (!victim) return;
      await this.remove([victim.key]);
    }
  }

  async list(filter: EntryFilter, now: number): Promise<EntryInfo[]> {
    const keys = (await this.client.smembers(INDEX)).sort();
    const pipeline = this.client.pipeline();
    for (const key of keys) pipeline.hmget(PREFIX + key, ...META_FIELDS);
    const replies = (await pipeline.exec()) ?? [];
    const out: EntryInfo[] = [];
    const gone: string[] = [];
    keys.forEach((key, i) => {
      const values = replies[i]?.[1] as (string | null)[] | undefined;
      const parsed = Meta.safeParse(Object.fromEntries(META_FIELDS.map((f, j) => [f, values?.[j] ?? undefined])));
      if (!parsed.success) gone.push(key);
      else if (matchesFilter({ key, ...parsed.data }, filter, now)) out.push({ key, ...parsed.data, level: this.name });
    });
    // Expired entries leave their key in the index: drop it.
    if (gone.length > 0) await this.client.srem(INDEX, ...gone);
    return out;
  }

  async remove(keys: readonly Hash[]): Promise<number> {
    if (keys.length === 0) return 0;
    const [removed] = ((await this.client
      .multi()
      .del(...keys.map((k) => PREFIX + k))
      .srem(INDEX, ...keys)
      .exec()) ?? []) as [Error | null, number][];
    return removed?.[1] ?? 0;
  }

  async close(): Promise<void> {
    try {
      await this.client.quit();
    } catch {
      this.client.disconnect();
    }
  }
}

/** A Redis URL without its password, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, '//***@');
}
