// The sandbox: enforces a policy (policy.ts) on one run. Effects reach the
// world only through the handlers it wraps, so every effect is checked as it
// happens — kind, timeline, the run's effect and I/O budgets, the logical
// deadline, the wall-clock timeout — and charged to the acting context's
// grant. `emit` and `now`, which the interpreter runs itself, pass the same
// checks through the handlers' `emit`/`now` hooks on every occurrence. Each
// denial is an E_DENIED error naming the rule, recorded in the trace.
import { CaxError } from '../errors.js';
import type { ExecutionContext } from './context.js';
import { IO_EFFECTS, type EffectKind, type Policy } from './policy.js';
import type { Trace } from './trace.js';
import type { EffectHandlers, ObserveRequest, Outcome } from '../tel/world.js';
import type { LedgerRequest } from '../tel/runtime.js';

/** Rules a denial can name. */
export type Rule = 'effects' | 'timelines' | 'budget.steps' | 'budget.memoryBytes' | 'budget.effects' | 'budget.ioOps' | 'deadline' | 'wallClockMs';

/** A run's use of the policy's budgets: effects and I/O operations admitted, interpreter steps and memory bytes charged. */
export interface SandboxCounters {
  readonly effects: number;
  readonly ioOps: number;
  readonly steps: number;
  readonly memoryBytes: number;
}

export class Sandbox {
  private effects = 0;
  private ioOps = 0;
  /** Interpreter steps and memory (bytes) used so far by every context of the run. */
  private steps = 0;
  private memoryBytes = 0;
  private readonly started: number;

  constructor(
    readonly policy: Policy,
    private readonly trace: Trace,
    private readonly wallClock: () => number = Date.now,
  ) {
    this.started = wallClock();
  }

  /** Records the denial in the trace and returns the error to throw or report. */
  deny(rule: Rule, message: string, context: ExecutionContext, hash: string | undefined): CaxError {
    this.trace.record({ kind: 'denied', context: context.id, hash, rule, message });
    return new CaxError('E_DENIED', `${message} (rule ${rule})`, { details: { rule, context: context.id, ...(hash ? { hash } : {}) } });
  }

  /** E_DENIED when the wall-clock timeout has passed. */
  checkWallClock(context: ExecutionContext, hash: string | undefined): void {
    const limit = this.policy.wallClockMs;
    if (limit !== undefined && this.wallClock() - this.started > limit) throw this.deny('wallClockMs', `wall-clock timeout of ${limit} ms passed`, context, hash);
  }

  /**
   * Admits one effect of `kind` (on `timeline`, completing at logical `time`):
   * checks every rule, counts it against the run's budgets and charges the
   * context's grant (E_BUDGET when the grant is exhausted).
   */
  admit(kind: EffectKind, timeline: string | undefined, time: number | undefined, context: ExecutionContext, hash: string | undefined): void {
    const p = this.policy;
    this.checkWallClock(context, hash);
    if (p.effects !== undefined && !p.effects.includes(kind)) throw this.deny('effects', `effect ${kind} is not allowed`, context, hash);
    if (timeline !== undefined && p.timelines !== undefined && !p.timelines.includes(timeline)) throw this.deny('timelines', `timeline ${timeline} is not allowed`, context, hash);
    if (time !== undefined && p.deadline !== undefined && time > p.deadline) throw this.deny('deadline', `${kind} at logical time ${time} is past the deadline ${p.deadline}`, context, hash);
    const io = IO_EFFECTS.has(kind) ? 1 : 0;
    if (p.budget.effects !== undefined && this.effects + 1 > p.budget.effects) throw this.deny('budget.effects', `effect budget of ${p.budget.effects} exhausted`, context, hash);
    if (io && p.budget.ioOps !== undefined && this.ioOps + 1 > p.budget.ioOps) throw this.deny('budget.ioOps', `I/O budget of ${p.budget.ioOps} exhausted`, context, hash);
    context.consume({ effects: 1, ioOps: io });
    this.effects++;
    this.ioOps += io;
  }

  /** The world as seen from the acting context (`actor()` when the effect happens): every effect admitted first; a refusal fails the effect with its code. */
  handlers(
    world: EffectHandlers,
    actor: () => { readonly context: ExecutionContext; readonly hash: string | undefined },
    onEffect: (kind: EffectKind, timeline: string | undefined, time: number, outcome: Outcome) => void,
  ): EffectHandlers {
    const guarded =
      <R extends LedgerRequest | ObserveRequest>(kind: EffectKind, act: (req: R, time: number) => Outcome) =>
      (req: R, time: number): Outcome => {
        let outcome: Outcome;
        try {
          const { context, hash } = actor();
          this.admit(kind, req.timeline, time, context, hash);
          outcome = act(req, time);
        } catch (e) {
          if (!(e instanceof CaxError)) throw e;
          outcome = { ok: false, code: e.code, message: e.message, error: e };
        }
        onEffect(kind, req.timeline, time, outcome);
        return outcome;
      };
    return {
      latency: (timeline) => world.latency(timeline),
      deposit: guarded<LedgerRequest>('deposit', (r, t) => world.deposit(r, t)),
      withdraw: guarded<LedgerRequest>('withdraw', (r, t) => world.withdraw(r, t)),
      transfer: guarded<LedgerRequest>('transfer', (r, t) => world.transfer(r, t)),
      observe: guarded<ObserveRequest>('observe', (r, t) => world.observe(r, t)),
      emit: (text, time) => this.internal('emit', text, time, actor(), onEffect),
      now: (time) => this.internal('now', String(time), time, actor(), onEffect),
      ...(world.rollback ? { rollback: world.rollback.bind(world) } : {}),
    };
  }

  /** An effect the interpreter runs itself (`emit`, `now`): admitted like the others, then reported with `result` as its detail. */
  private internal(
    kind: 'emit' | 'now',
    result: string,
    time: number,
    { context, hash }: { readonly context: ExecutionContext; readonly hash: string | undefined },
    onEffect: (kind: EffectKind, timeline: undefined, time: number, outcome: Outcome) => void,
  ): Outcome {
    let outcome: Outcome;
    try {
      this.admit(kind, undefined, time, context, hash);
      outcome = { ok: true, result };
    } catch (e) {
      if (!(e instanceof CaxError)) throw e;
      outcome = { ok: false, code: e.code, message: e.message, error: e };
    }
    onEffect(kind, undefined, time, outcome);
    return outcome;
  }

  /** What the policy still allows the whole run: steps and memory bytes (Infinity when unlimited). */
  remaining(): { steps: number; memoryBytes: number } {
    const b = this.policy.budget;
    return { steps: b.steps === undefined ? Infinity : b.steps - this.steps, memoryBytes: b.memoryBytes === undefined ? Infinity : b.memoryBytes - this.memoryBytes };
  }

  /** What the run has used of the policy's budgets so far. */
  counters(): SandboxCounters {
    return { effects: this.effects, ioOps: this.ioOps, steps: this.steps, memoryBytes: this.memoryBytes };
  }

  /** Counts steps and memory a context's machine used against the run's budgets. */
  charge(steps: number, memoryBytes: number): void {
    this.steps += steps;
    this.memoryBytes += memoryBytes;
  }
}
