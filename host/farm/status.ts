// `cax farm status`: the live workers with their backends, identity hashes
// and boards (and whether each identity is this machine's: a worker whose
// identity differs does not serve this machine's tests), the farm's queues
// with their depths and the workers able to serve each, the running tests.
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { localIdentities, HOST_BACKENDS, WorkerRecord } from './capabilities.js';
import { connectionOptions, FARM_PREFIX, QUEUES_KEY, redact, workerKey } from './connection.js';
import { REGRESS_BACKENDS, type RegressBackend } from '../regress/manifest.js';

export interface FarmStatus {
  readonly url: string;
  readonly workers: readonly (WorkerRecord & { readonly differs: readonly RegressBackend[] })[];
  readonly queues: readonly { name: string; backend: string; identity: string; local: boolean; servedBy: number; waiting: number; active: number; delayed: number }[];
  readonly running: readonly { worker: string; test: string }[];
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
      const parsed = r === null ? undefined : WorkerRecord.safeParse(JSON.parse(r));
      return parsed?.success ? [parsed.data] : [];
    })
    .sort((a, b) => a.id.localeCompare(b.id));
}

export async function farmStatus(url: string): Promise<FarmStatus> {
  const redis = new Redis(url, { ...connectionOptions(url), maxRetriesPerRequest: 1, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    const mine = localIdentities(HOST_BACKENDS);
    const workers = (await liveWorkers(redis)).map((w) => ({ ...w, differs: (Object.keys(w.identities) as RegressBackend[]).filter((b) => mine[b] !== undefined && w.identities[b] !== mine[b]) }));
    const queues = [];
    for (const name of (await redis.smembers(QUEUES_KEY)).sort()) {
      const [backend, identity] = name.split('-') as [string, string];
      if (!(REGRESS_BACKENDS as readonly string[]).includes(backend)) continue;
      const q = new Queue(name, { connection: connectionOptions(url), prefix: FARM_PREFIX });
      try {
        const counts = await q.getJobCounts('waiting', 'active', 'delayed');
        queues.push({
          name,
          backend,
          identity,
          local: mine[backend as RegressBackend] === identity,
          servedBy: workers.filter((w) => w.identities[backend as RegressBackend] === identity).length,
          waiting: counts.waiting ?? 0,
          active: counts.active ?? 0,
          delayed: counts.delayed ?? 0,
        });
      } finally {
        await q.close();
      }
    }
    const running = workers.flatMap((w) => (w.running ? [{ worker: w.id, test: w.running }] : []));
    return { url: redact(url), workers, queues, running };
  } finally {
    redis.disconnect();
  }
}
