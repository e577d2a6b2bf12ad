// Where the farm lives in Redis: the URL of the server (redis://[user:password@]host:port,
// checked at the boundary), the BullMQ connection options (a worker blocks on
// its queue, so commands wait through a reconnect instead of failing), and the
// names of the farm's queues and keys. A queue serves one backend identity:
// a worker listens only on the queues of the identities it has, so a test
// never reaches a worker that could not reproduce it.
import { z } from 'zod';
import { CaxError } from '../errors.js';
import type { RegressBackend } from '../regress/manifest.js';

/** The BullMQ prefix of every queue; the farm's own keys start with it too. */
export const FARM_PREFIX = 'cax-farm';
/** Set of the queue names submitters have used (for `cax farm status`). */
export const QUEUES_KEY = `${FARM_PREFIX}:queues`;
export const workerKey = (id: string): string => `${FARM_PREFIX}:worker:${id}`;
export const resultKey = (testKey: string): string => `${FARM_PREFIX}:result:${testKey}`;
export const contentKey = (hash: string): string => `${FARM_PREFIX}:content:${hash}`;

/** The queue of the tests on `backend` whose backend identity is `identity`. */
export const queueName = (backend: RegressBackend, identity: string): string => `${backend}-${identity}`;

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
export const redact = (url: string): string => url.replace(/\/\/([^@/]*)@/, '//***@');

/** BullMQ's connection: retries forever with a short back-off, so a restarted Redis is rejoined. */
export function connectionOptions(url: string): { url: string; maxRetriesPerRequest: null; retryStrategy: (times: number) => number } {
  return { url, maxRetriesPerRequest: null, retryStrategy: (times) => Math.min(100 * times, 1000) };
}
