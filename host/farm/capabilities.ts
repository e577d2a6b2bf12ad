// What a farm worker can run, advertised in Redis while it is up (a record
// with an expiry, refreshed by its heartbeat): its backends with their
// identity hashes (the compiler, runtime, firmware and RTL they run on, as
// regress keys them), the queue those identities make, its job slots, the
// tests it is running, and its boards (port, identity, present or absent).
// `cax farm status` reads these records.
import { hostname } from 'node:os';
import { z } from 'zod';
import { backendIdentity } from '../regress/cache.js';
import { REGRESS_BACKENDS, type RegressBackend } from '../regress/manifest.js';
import { queueName, type Identities } from './connection.js';

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);

/** A board of a worker: its port, whether it answers, its identity as `cax device info` reads it, the test it runs. */
export const BoardRecord = z.object({
  port: z.string(),
  /** The line rate its sessions ask for at HELLO (`cax farm worker --baud`); absent: the board's 115200. */
  baud: z.number().int().optional(),
  state: z.enum(['present', 'absent']),
  info: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  /** Why it is absent. */
  problem: z.string().optional(),
  running: z.string().optional(),
});
export type BoardRecord = z.infer<typeof BoardRecord>;

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
  /** The queue of board tests it listens on (with boards only). */
  boardQueue: z.string().optional(),
  boards: z.array(BoardRecord),
});
export type WorkerRecord = z.infer<typeof WorkerRecord>;

/** The backends every farm worker runs (`device` too, on the workers with boards). */
export const FARM_BACKENDS: readonly RegressBackend[] = ['interp', 'iss', 'sim'];

/** The identity of the `device` backend on the farm (the board is the farm's, so no port in it), and its queue. */
export function boardIdentities(): Identities {
  return { device: backendIdentity('device') };
}

/** This machine's identity hash of each farm backend. */
export function localIdentities(): Identities {
  return Object.fromEntries(FARM_BACKENDS.map((b) => [b, backendIdentity(b)]));
}

export const isBoardQueue = (name: string): boolean => name.startsWith('boards-');

/** Whether worker `w` serves queue `name` now: the tests' queue of its identities, or the board tests' with a board present. */
export const serves = (w: WorkerRecord, name: string): boolean => w.queue === name || (w.boardQueue === name && w.boards.some((b) => b.state === 'present'));

export function newWorkerRecord(id: string, jobs: number, boards: readonly BoardRecord[]): WorkerRecord {
  const identities = localIdentities();
  const board = boards.length === 0 ? {} : { identities: { ...identities, ...boardIdentities() }, boardQueue: queueName(boardIdentities(), 'boards') };
  return { id, host: hostname(), pid: process.pid, startedAt: Date.now(), queue: queueName(identities), identities, jobs, running: [], served: 0, boards: [...boards], ...board };
}
