// What a farm worker can run, advertised in Redis while it is up (a record
// with an expiry, refreshed by its heartbeat): its backends with their
// identity hashes (the compiler, runtime, firmware and RTL they run on, as
// regress keys them), the queue those identities make, its job slots and the
// tests it is running. `cax farm status` reads these records.
import { hostname } from 'node:os';
import { z } from 'zod';
import { backendIdentity } from '../regress/cache.js';
import { REGRESS_BACKENDS, type RegressBackend } from '../regress/manifest.js';
import { queueName, type Identities } from './connection.js';

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);

export const WorkerRecord = z.object({
  id: z.string(),
  host: z.string(),
  pid: z.number().int(),
  startedAt: z.number(),
  queue: z.string(),
  identities: z.partialRecord(z.enum(REGRESS_BACKENDS), hex64),
  jobs: z.number().int().positive(),
  running: z.array(z.string()),
  served: z.number().int().nonnegative(),
});
export type WorkerRecord = z.infer<typeof WorkerRecord>;

/** The backends a farm worker runs (boards are not on the farm yet). */
export const FARM_BACKENDS: readonly RegressBackend[] = ['interp', 'iss', 'sim'];

/** This machine's identity hash of each farm backend. */
export function localIdentities(): Identities {
  return Object.fromEntries(FARM_BACKENDS.map((b) => [b, backendIdentity(b)]));
}

export function newWorkerRecord(id: string, jobs: number): WorkerRecord {
  const identities = localIdentities();
  return { id, host: hostname(), pid: process.pid, startedAt: Date.now(), queue: queueName(identities), identities, jobs, running: [], served: 0 };
}
