// Resource amounts: the five kinds a grant covers, and arithmetic on them.
// Four are additive budgets (carved from a parent, summed over children);
// the wall-clock limit is a ceiling (children run during their parent's
// time, so each child gets at most what remains of it).
import { z } from 'zod';

export const ADDITIVE_KINDS = ['memoryBytes', 'computeSteps', 'ioOps', 'effects'] as const;
export type AdditiveKind = (typeof ADDITIVE_KINDS)[number];

/** Amounts of every additive kind; compute steps are deterministic (interpreter steps or co-processor cycles). */
export type Amounts = Readonly<Record<AdditiveKind, number>>;

const amount = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** What a caller asks for: additive amounts (missing = 0) and an optional wall-clock limit in ms. */
export const ResourceRequestSchema = z
  .object({
    memoryBytes: amount.default(0),
    computeSteps: amount.default(0),
    ioOps: amount.default(0),
    effects: amount.default(0),
    wallClockMs: amount.optional(),
  })
  .strict();
export type ResourceRequest = z.output<typeof ResourceRequestSchema>;
export type ResourceRequestInput = z.input<typeof ResourceRequestSchema>;

export const ZERO: Amounts = { memoryBytes: 0, computeSteps: 0, ioOps: 0, effects: 0 };

export function amountsOf(partial: Partial<Record<AdditiveKind, number>>): Amounts {
  return { ...ZERO, ...partial };
}

export function add(a: Amounts, b: Amounts): Amounts {
  return { memoryBytes: a.memoryBytes + b.memoryBytes, computeSteps: a.computeSteps + b.computeSteps, ioOps: a.ioOps + b.ioOps, effects: a.effects + b.effects };
}

export function sub(a: Amounts, b: Amounts): Amounts {
  return { memoryBytes: a.memoryBytes - b.memoryBytes, computeSteps: a.computeSteps - b.computeSteps, ioOps: a.ioOps - b.ioOps, effects: a.effects - b.effects };
}

/** The first kind where `need` exceeds `have`, or undefined when all fit. */
export function firstShortfall(have: Amounts, need: Amounts): AdditiveKind | undefined {
  return ADDITIVE_KINDS.find((k) => need[k] > have[k]);
}
