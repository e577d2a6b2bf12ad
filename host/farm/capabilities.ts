// What a farm worker can run, advertised in Redis while it is up (a record
// with an expiry, refreshed by its heartbeat): its backends with their
// identity hashes (the compiler, runtime, firmware and RTL they run on, as
// regress keys them), the boards attached with their state, the test it is
// running. `cax farm status` reads these records.
import { hostname } from 'node:os';
import { z } from 'zod';
import { backendIdentity } from '../regress/cache.js';
import { REGRESS_BACKENDS, type RegressBackend } from '../regress/manifest.js';

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);

export const Board = z.object({ port: z.string(), state: z.enum(['free', 'busy', 'absent']) });
export type Board = z.infer<typeof Board>;

export const WorkerRecord = z.object({
  id: z.string(),
  host: z.string(),
  pid: z.number().int(),
  startedAt: z.number(),
  identities: z.partialRecord(z.enum(REGRESS_BACKENDS), hex64),
  boards: z.array(Board),
  running: z.string().nullable(),
  served: z.number().int().nonnegative(),
});
export type WorkerRecord = z.infer<typeof WorkerRecord>;

/** The backends a worker runs without a board. */
export const HOST_BACKENDS: readonly RegressBackend[] = ['interp', 'iss', 'sim'];

/** This machine's identity hash of each backend it can run. */
export function localIdentities(backends: readonly RegressBackend[]): Partial<Record<RegressBackend, string>> {
  return Object.fromEntries(backends.map((b) => [b, backendIdentity(b)]));
}

export function newWorkerRecord(id: string, backends: readonly RegressBackend[], boards: readonly string[]): WorkerRecord {
  return { id, host: hostname(), pid: process.pid, startedAt: Date.now(), identities: localIdentities(backends), boards: boards.map((port) => ({ port, state: 'free' })), running: null, served: 0 };
}
