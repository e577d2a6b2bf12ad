// A cached result as stored at every level (docs/cache.md §Entries): the
// outcome of a run (or any JSON payload, e.g. a `cax regress` outcome) as
// JSON bytes, and the SHA-256 of those bytes. Reading an entry checks its
// digest, its schema and that it names the key it is read under, so a
// damaged or forged entry is refused (a miss), never returned.
import { z } from 'zod';
import { ErrorCodeSchema } from '../errors.js';
import { sha256, type Hash } from '../store/hash.js';
import type { StoredEntry } from './level.js';

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const count = z.number().int().nonnegative();

const EffectEntrySchema = z
  .object({
    start: count,
    time: count,
    timeline: z.string().nullable(),
    kind: z.enum(['deposit', 'withdraw', 'transfer', 'observe', 'emit']),
    args: z.array(z.union([z.string(), z.number()])),
    result: z.union([z.string(), z.number()]).nullable(),
    error: z.object({ code: ErrorCodeSchema, message: z.string() }).strict().optional(),
    rolledBack: z.boolean().optional(),
  })
  .strict();

/** What a run costs by resource kind (the root context's consumption). */
export const CostSchema = z.object({ computeSteps: count, memoryBytes: count, effects: count, ioOps: count }).strict();
export type Cost = z.infer<typeof CostSchema>;

export const ResultEntrySchema = z
  .object({
    format: z.literal(1),
    key: hex64,
    definition: hex64,
    backend: z.string(),
    /** identityDigest of the backend and its identity. */
    identity: hex64,
    /** `show` of the value. */
    value: z.string(),
    /** The value's canonical bytes in hex, when it is first-order (what a hit of `invoke` returns). */
    encoded: z
      .string()
      .regex(/^([0-9a-f]{2})*$/)
      .nullable(),
    type: z.string(),
    effects: z.array(EffectEntrySchema),
    clock: count,
    balances: z.record(z.string(), z.record(z.string(), z.record(z.string(), z.number()))),
    cost: CostSchema,
  })
  .strict();
export type ResultEntry = z.infer<typeof ResultEntrySchema>;

/** What the levels filter on besides the key. */
export interface EntryMeta {
  readonly definition: Hash;
  readonly identity: Hash;
  /** What a hit saves (compute steps for runs). */
  readonly cost: number;
}

/** Any JSON payload naming its `key`, ready to store: its bytes, their digest and the metadata. */
export function sealJson<T extends { readonly key: Hash }>(payload: T, meta: EntryMeta, now: number): StoredEntry {
  const bytes = Buffer.from(JSON.stringify(payload), 'utf8');
  return { key: payload.key, bytes, digest: sha256(bytes), ...meta, size: bytes.length, createdAt: now, usedAt: now, hits: 0 };
}

/** The payload stored under `key` if its bytes match their digest, parse by `schema` and name `key`; else why it is refused. */
export function openJson<T extends { readonly key: string }>(key: Hash, stored: StoredEntry, schema: z.ZodType<T>): { entry: T } | { refused: string } {
  if (sha256(stored.bytes) !== stored.digest) return { refused: 'its bytes do not match their digest' };
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(stored.bytes).toString('utf8'));
  } catch {
    return { refused: 'it is not JSON' };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) return { refused: `it is not a cache entry (${parsed.error.issues[0]?.path.join('.') ?? ''}: ${parsed.error.issues[0]?.message ?? ''})` };
  if (parsed.data.key !== key) return { refused: `it is the result of another key (${parsed.data.key.slice(0, 12)})` };
  return { entry: parsed.data };
}

/** A run's result ready to store. */
export function sealEntry(entry: ResultEntry, now: number): StoredEntry {
  return sealJson(entry, { definition: entry.definition, identity: entry.identity, cost: entry.cost.computeSteps }, now);
}

/** The run result stored under `key`, or why it is refused. */
export function openEntry(key: Hash, stored: StoredEntry): { entry: ResultEntry } | { refused: string } {
  return openJson(key, stored, ResultEntrySchema);
}
