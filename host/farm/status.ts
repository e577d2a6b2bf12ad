// `cax farm status`: the live workers with their backends, identity hashes,
// job slots and running tests (and where their identities differ from this
// machine's: such a worker listens on another queue and does not serve this
// machine's tests), their boards (port, identity, present or absent, the test
// on each), and the farm's queues with their depths and the workers able to
// serve each (a board queue: the workers with a board present).
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { boardIdentities, FARM_BACKENDS, localIdentities, serves, WorkerRecord } from './capabilities.js';
import { connectionOptions, connectOnce, FARM_PREFIX, QUEUES_KEY, queueName, redact, workerKey, type Identities } from './connection.js';
import { REGRESS_BACKENDS, type RegressBackend } from '../regress/manifest.js';

const QueueIdentities = z.partialRecord(z.enum(REGRESS_BACKENDS), z.string());

export interface FarmStatus {
  readonly url: string;
  /** This machine's queue: where its `cax regress --farm` sends its tests (its board tests: to `boardQueue`). */
  readonly queue: string;
  readonly boardQueue: string;
  readonly workers: readonly (WorkerRecord & { readonly servesThisMachine: boolean; readonly differs: readonly RegressBackend[] })[];
  readonly queues: readonly { name: string; identities: Identities; local: boolean; servedBy: number; waiting: number; active: number; delayed: number }[];
  readonly running: readonly { worker: string; test: string }[];
}

/** The value of a JSON text, or undefined when it is not JSON (a record someone else wrote). */
function jsonOf(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The records of the workers up now (a malformed record is left out). */
export async function liveWorkers(redis: Redis): Promise<WorkerRecord[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', workerKey('*'), 'COUNT', 100);
    keys.push(...found);
    cursor = next;
  } while (cursor !== '0');
  const raw = keys.length === 0 ? [] : await redis.mget(keys);
  return raw
    .flatMap((r) => {
      const parsed = r === null ? undefined : WorkerRecord.safeParse(jsonOf(r));
      return parsed?.success ? [parsed.data] : [];
    })
    .sort((a, b) => a.id.localeCompare(b.id));
}

/** How many jobs of `queue` wait, run and are delayed. */
async function depths(url: string, name: string): Promise<{ waiting: number; active: number; delayed: number }> {
  const q = new Queue(name, { connection: { ...connectionOptions(url), maxRetriesPerRequest: 1 }, prefix: FARM_PREFIX });
  q.on('error', () => undefined);
  try {
    const counts = await q.getJobCounts('waiting', 'active', 'delayed');
    return { waiting: counts.waiting ?? 0, active: counts.active ?? 0, delayed: counts.delayed ?? 0 };
  } finally {
    await q.close();
  }
}

export async function farmStatus(url: string): Promise<FarmStatus> {
  const redis = await connectOnce(url, 'E_FARM_WORKER');
  try {
    const mine = localIdentities();
    const queue = queueName(mine);
    const boardQueue = queueName(boardIdentities(), 'boards');
    const workers = (await liveWorkers(redis)).map((w) => ({
      ...w,
      servesThisMachine: w.queue === queue,
      differs: [...FARM_BACKENDS, ...(w.boardQueue === undefined ? [] : (['device'] as const))].filter((b) => w.identities[b] !== { ...mine, ...boardIdentities() }[b]),
    }));
    const known = await redis.hgetall(QUEUES_KEY);
    const queues = [];
    for (const [name, raw] of Object.entries(known).sort(([a], [b]) => a.localeCompare(b))) {
      const identities = QueueIdentities.safeParse(jsonOf(raw));
      if (!identities.success) continue;
      queues.push({ name, identities: identities.data, local: name === queue || name === boardQueue, servedBy: workers.filter((w) => serves(w, name)).length, ...(await depths(url, name)) });
    }
    const running = workers.flatMap((w) => w.running.map((test) => ({ worker: w.id, test })));
    return { url: redact(url), queue, boardQueue, workers, queues, running };
  } finally {
    redis.disconnect();
  }
}
