// Where the farm lives in Redis: the URL of the server (redis://[user:password@]host:port,
// checked at the boundary), the BullMQ connection options (commands wait
// through a reconnect instead of failing, so a restarted Redis is rejoined),
// and the names of the farm's queue and keys. A queue serves one set of
// backend identities (the hashes of the compiler, runtime, firmware and RTL
// each backend runs on): a worker listens only on the queue of its own, so a
// test never reaches a worker that could not reproduce it. Tests on a board
// have a queue of their own, which only workers with boards listen on.
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { CaxError } from '../errors.js';
import type { RegressBackend } from '../regress/manifest.js';

/** The BullMQ prefix of the queues; the farm's own keys start with it too. */
export const FARM_PREFIX = 'cax-farm';
/** Hash of the queues submitters have used: name → their identities as JSON (for `cax farm status`). */
export const QUEUES_KEY = `${FARM_PREFIX}:queues`;
export const workerKey = (id: string): string => `${FARM_PREFIX}:worker:${id}`;
export const resultKey = (jobId: string): string => `${FARM_PREFIX}:result:${jobId}`;
export const contentKey = (hash: string): string => `${FARM_PREFIX}:content:${hash}`;

export type Identities = Partial<Record<RegressBackend, string>>;

/** The queue of the tests that need exactly these backend identities (`boards-…`: the tests on a board, `device`'s identity). */
export function queueName(identities: Identities, kind: 'tests' | 'boards' = 'tests'): string {
  const canonical = JSON.stringify(Object.entries(identities).sort(([a], [b]) => a.localeCompare(b)));
  return `${kind}-${createHash('sha256').update(canonical).digest('hex').slice(0, 32)}`;
}

const FarmUrl = z
  .string()
  .url()
  .refine((u) => /^rediss?:$/.test(new URL(u).protocol), 'a redis:// or rediss:// URL');

/** The farm's Redis URL, checked (E_USAGE when it is not one). */
export function parseFarmUrl(url: string): string {
  const parsed = FarmUrl.safeParse(url);
  if (!parsed.success) throw new CaxError('E_USAGE', `--farm/--redis: ${parsed.error.issues[0]?.message ?? 'not a URL'}: ${redact(url)}`);
  return parsed.data;
}

/** The URL without its password (for messages and status). */
export const redact = (url: string): string => url.replace(/\/\/([^@/]*)@/, (_, auth: string) => `//${auth.includes(':') ? `${auth.split(':')[0]}:***` : '***'}@`);

/** BullMQ's and the farm's connections: retry forever with a short back-off, so a restarted Redis is rejoined. */
export function connectionOptions(url: string): { url: string; maxRetriesPerRequest: null; retryStrategy: (times: number) => number } {
  return { url, maxRetriesPerRequest: null, retryStrategy: (times) => Math.min(100 * times, 1000) };
}

/**
 * A connection for one-shot use that fails at once instead of retrying: an
 * unreachable server or a refused password is `code` with Redis's reason.
 */
export async function connectOnce(url: string, code: 'E_FARM_WORKER' | 'E_CACHE'): Promise<Redis> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: () => null, connectTimeout: 5000, lazyConnect: true });
  let reason = '';
  redis.on('error', (e: Error) => (reason ||= e.message));
  try {
    await redis.connect();
    await redis.ping();
    return redis;
  } catch (e) {
    redis.disconnect();
    throw new CaxError(code, `the farm's Redis at ${redact(url)} cannot be used: ${reason || (e instanceof Error ? e.message : String(e))}`);
  }
}

/** `promise`, or undefined once `ms` have passed (for what may wait on a Redis that is gone). */
export const within = <T>(promise: Promise<T>, ms: number): Promise<T | undefined> => Promise.race([promise, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ms).unref())]);
