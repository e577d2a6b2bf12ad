// The world as a list of calls, for snapshots restored by replay
// (context-snapshot.ts, core-snapshot.ts): every call that reaches the world
// (ledger effects, observations, rollbacks) recorded with the answer the
// world gave, and a world that answers its first calls from such a record —
// checking each request against it — and the rest itself once the replay is
// live. A difference is a BoundaryMismatch, which passes through the
// scheduler and the executor (they catch only CaxError).
import { z } from 'zod';
import { ErrorCodeSchema } from '../errors.js';
import type { BalanceChange, EffectHandlers, MemoryWorld, ObserveRequest, Outcome } from '../tel/world.js';
import type { LedgerRequest } from '../tel/runtime.js';

const OutcomeSchema = z.union([
  z
    .object({ ok: z.literal(true), result: z.union([z.string(), z.number()]), undo: z.array(z.object({ timeline: z.string(), account: z.string(), asset: z.string(), delta: z.number() })).optional() })
    .strict(),
  z.object({ ok: z.literal(false), code: ErrorCodeSchema, message: z.string() }).strict(),
]);

/** One call the world answered: its kind, its request (as JSON) and the world's answer. */
export const WorldCallSchema = z.object({ kind: z.enum(['deposit', 'withdraw', 'transfer', 'observe', 'rollback']), request: z.string(), outcome: OutcomeSchema }).strict();

export type WorldCall = z.infer<typeof WorldCallSchema>;

/** A replay that is not where its snapshot says. */
export class BoundaryMismatch extends Error {}

function plainOutcome(out: Outcome): WorldCall['outcome'] {
  return out.ok ? { ok: true, result: out.result, ...(out.undo ? { undo: out.undo.map((c) => ({ ...c })) } : {}) } : { ok: false, code: out.code, message: out.message };
}

/** `world`, with every call appended to `calls`. */
export function recordingWorld(world: MemoryWorld, calls: WorldCall[]): EffectHandlers {
  const call = (kind: WorldCall['kind'], request: unknown, out: Outcome): Outcome => (calls.push({ kind, request: JSON.stringify(request), outcome: plainOutcome(out) }), out);
  return {
    latency: (tl) => world.latency(tl),
    deposit: (req, t) => call('deposit', req, world.deposit(req, t)),
    withdraw: (req, t) => call('withdraw', req, world.withdraw(req, t)),
    transfer: (req, t) => call('transfer', req, world.transfer(req, t)),
    observe: (req, t) => call('observe', req, world.observe(req, t)),
    rollback: (changes) => call('rollback', changes, world.rollback(changes)),
  };
}

/** The world's first calls answered from `calls`, the rest by `world` once `live` is set. */
export class ReplayedWorld {
  /** How many recorded calls have been answered. */
  replayed = 0;
  live = false;

  constructor(
    readonly world: MemoryWorld,
    private readonly calls: readonly WorldCall[],
  ) {}

  private answer(kind: WorldCall['kind'], request: unknown, live: () => Outcome): Outcome {
    if (this.live) return live();
    const recorded = this.calls[this.replayed++];
    if (!recorded || recorded.kind !== kind || recorded.request !== JSON.stringify(request)) {
      throw new BoundaryMismatch(`the replay asked the world for ${kind} ${JSON.stringify(request)}, the snapshot has ${recorded ? recorded.kind : 'nothing more'}`);
    }
    return recorded.outcome;
  }

  handlers(): EffectHandlers {
    const w = this.world;
    return {
      latency: (tl) => w.latency(tl),
      deposit: (req: LedgerRequest, t) => this.answer('deposit', req, () => w.deposit(req, t)),
      withdraw: (req: LedgerRequest, t) => this.answer('withdraw', req, () => w.withdraw(req, t)),
      transfer: (req: LedgerRequest, t) => this.answer('transfer', req, () => w.transfer(req, t)),
      observe: (req: ObserveRequest, t) => this.answer('observe', req, () => w.observe(req, t)),
      rollback: (changes: readonly BalanceChange[]) => this.answer('rollback', changes, () => w.rollback(changes)),
    };
  }
}
