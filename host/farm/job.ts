// A farm job: data and hashes only, never a command line. The test's spec has
// every file it reads replaced by a content reference (content.ts); the worker
// turns the references back into paths of checked local copies. The job names
// the test key (with the attempt, its id in the queue, so identical tests in
// flight are one job) and the backend identity it must run on.
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Outcome } from '../regress/execute.js';
import { REGRESS_BACKENDS } from '../regress/manifest.js';
import type { MatrixTest } from '../regress/matrix.js';
import type { TestSpec } from '../regress/suite.js';
import { ContentRef, fetchVerified, uploadFile } from './content.js';
import { storeClosure, uploadClosure } from './stored.js';

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const Expect = z.object({ value: z.string().optional(), effects: z.array(z.unknown()).optional(), clock: z.number().optional(), error: z.string().optional() }).strict();

const PackedSpec = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('tel'), file: ContentRef, main: z.string(), args: z.array(z.string()), world: ContentRef.optional(), start: z.number().int().optional(), expect: Expect }).strict(),
  z
    .object({
      kind: z.literal('elf'),
      file: ContentRef,
      args: z.array(z.number().int()),
      maxCycles: z.number().int().positive(),
      expect: z.object({ a0: z.number().optional(), exitCode: z.number().optional(), trap: z.number().optional() }).strict(),
    })
    .strict(),
  z.object({ kind: z.literal('generated'), source: z.string(), world: z.unknown().optional() }).strict(),
  z
    .object({
      kind: z.literal('stored'),
      hash: hex64,
      /** The definition's closure, a blob per group, dependencies first (stored.ts). */
      closure: z.array(ContentRef).min(1),
      /** The submitter's store folder (never read: messages name it instead of the worker's). */
      store: z.string(),
      args: z.array(z.string()),
      world: ContentRef.optional(),
      start: z.number().int().optional(),
      expect: Expect,
    })
    .strict(),
]);
type PackedSpec = z.infer<typeof PackedSpec>;

export const FarmJob = z
  .object({
    /** `suite/entry@backend` of the submitter that enqueued it first. */
    test: z.string(),
    key: hex64,
    backend: z.enum(REGRESS_BACKENDS),
    identity: hex64,
    timeoutMs: z.number().int().positive(),
    spec: PackedSpec,
  })
  .strict();
export type FarmJob = z.infer<typeof FarmJob>;

/** The error outcome of a job not run (or not run to the end) by a farm worker. */
export const errorOutcome = (code: string, message: string, durationMs = 0): Outcome => ({ status: 'error', expected: {}, actual: {}, code, message, cycles: null, durationMs });

/** The job of `test` (its files, and a stored definition's closure, uploaded by hash). */
export async function packJob(redis: Redis, test: MatrixTest, key: { key: string; backend: string }, uploaded: Set<string>): Promise<FarmJob> {
  const spec = test.test.spec;
  let packed: PackedSpec;
  if (spec.kind === 'stored') {
    const { world, ...rest } = spec;
    const closure = await uploadClosure(redis, spec.store, spec.hash, uploaded);
    packed = { ...rest, args: [...rest.args], kind: 'stored', closure, ...(world === undefined ? {} : { world: await uploadFile(redis, world, uploaded) }) };
  } else if (spec.kind === 'tel') {
    const { file, world, ...rest } = spec;
    packed = { ...rest, args: [...rest.args], kind: 'tel', file: await uploadFile(redis, file, uploaded), ...(world === undefined ? {} : { world: await uploadFile(redis, world, uploaded) }) };
  } else if (spec.kind === 'elf') packed = { ...spec, args: [...spec.args], file: await uploadFile(redis, spec.file, uploaded) };
  else packed = { ...spec };
  return { test: test.id, key: key.key, backend: test.backend, identity: key.backend, timeoutMs: test.test.timeoutMs, spec: packed };
}

/** A job's spec on this machine: its content fetched, checked and on local paths, with the submitter's path of each. */
export interface UnpackedSpec {
  readonly spec: TestSpec;
  /** [local path, the submitter's path] of each file. */
  readonly origins: readonly (readonly [string, string])[];
}

/** The world of a TEL or stored test fetched and checked: the spec's `world` field and its origin, or nothing. */
async function fetchWorld(redis: Redis, world: ContentRef | undefined, folder: string): Promise<{ fields: { world?: string }; origins: (readonly [string, string])[] }> {
  if (world === undefined) return { fields: {}, origins: [] };
  const path = await fetchVerified(redis, world, folder);
  return { fields: { world: path }, origins: [[path, world.origin]] };
}

/** The spec of `job` with its content fetched, checked and on local paths under `folder` (E_FARM_CONTENT when it cannot be). */
export async function unpackSpec(redis: Redis, job: FarmJob, folder: string): Promise<UnpackedSpec> {
  const spec = job.spec;
  if (spec.kind === 'generated') return { spec, origins: [] };
  if (spec.kind === 'stored') {
    const { closure, world, ...rest } = spec;
    const store = await storeClosure(redis, closure, folder);
    const fetched = await fetchWorld(redis, world, folder);
    return { spec: { ...rest, store, ...fetched.fields }, origins: [[store, spec.store], ...fetched.origins] };
  }
  const file = await fetchVerified(redis, spec.file, folder);
  if (spec.kind === 'elf') return { spec: { ...spec, file }, origins: [[file, spec.file.origin]] };
  const { world, ...rest } = spec;
  const fetched = await fetchWorld(redis, world, folder);
  return { spec: { ...rest, file, ...fetched.fields }, origins: [[file, spec.file.origin], ...fetched.origins] };
}

/** The content references of `job` (the files its test reads). */
export function contentOf(job: FarmJob): ContentRef[] {
  const spec = job.spec;
  if (spec.kind === 'generated') return [];
  if (spec.kind === 'stored') return [...spec.closure, ...(spec.world === undefined ? [] : [spec.world])];
  return spec.kind === 'tel' && spec.world !== undefined ? [spec.file, spec.world] : [spec.file];
}
