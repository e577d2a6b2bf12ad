// The sandbox policy: which effects and timelines a run may use, its budgets
// (steps, memory, effects, I/O), a logical deadline and a wall-clock timeout.
// Given as JSON (`cax run --policy FILE`) and parsed here with zod.
import { z } from 'zod';
import { CaxError } from '../errors.js';

/** Effect kinds a policy can allow; `return`, `fail` and time waits are always allowed. */
export const EFFECT_KINDS = ['deposit', 'withdraw', 'transfer', 'observe', 'emit', 'invoke', 'now'] as const;
export type EffectKind = (typeof EFFECT_KINDS)[number];

/** Effects that touch the world or the output log: each is one I/O operation. */
export const IO_EFFECTS: ReadonlySet<EffectKind> = new Set(['deposit', 'withdraw', 'transfer', 'observe', 'emit']);

const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

export const PolicySchema = z
  .object({
    /** Allowed effect kinds; absent = all. */
    effects: z.array(z.enum(EFFECT_KINDS)).optional(),
    /** Allowed timelines; absent = all. */
    timelines: z.array(z.string()).optional(),
    budget: z
      .object({
        steps: count.optional(),
        memoryBytes: count.optional(),
        effects: count.optional(),
        ioOps: count.optional(),
      })
      .strict()
      .default({}),
    /** Logical time (ms) after which no effect may happen. */
    deadline: count.optional(),
    /** Wall-clock timeout of the whole run, ms. */
    wallClockMs: count.optional(),
    /** Fraction of the caller's remaining resources each `invoke` gets up front as a fixed child grant; absent: every grant starts empty and grows on demand (GrowingAllocator). */
    invokeShare: z.number().gt(0).lte(1).optional(),
  })
  .strict();

export type Policy = z.output<typeof PolicySchema>;
export type PolicyInput = z.input<typeof PolicySchema>;

/** Everything allowed, no budgets beyond the defaults of the run. */
export const OPEN_POLICY: Policy = PolicySchema.parse({});

/** Parses a policy from JSON text or a value; E_POLICY with each problem on failure. */
export function parsePolicy(input: unknown, source = 'policy'): Policy {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (e) {
      throw new CaxError('E_POLICY', `${source} is not JSON: ${(e as Error).message}`);
    }
  }
  const parsed = PolicySchema.safeParse(value);
  if (!parsed.success) {
    throw new CaxError('E_POLICY', `${source}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}
