// The world effects act on. The interpreter talks to it only through
// EffectHandlers (one handler per effect kind, plus the latency of each
// timeline), so a sandbox can wrap it (deny, count, budget) and a replay can
// stand in for it. Here: the default in-memory deterministic world given as
// JSON (validated with zod), and the replay handlers that answer from a
// recorded effect log without any world.
import { z } from 'zod';
import { CaxError, type ErrorCode } from '../errors.js';
import type { LedgerRequest } from './runtime.js';

const int32 = z.number().int().min(-2147483648).max(2147483647);

/** The logical clock's range (tel-language.md section 6): 0 to 2^31 - 1. */
export const CLOCK_MAX = 2147483647;
const clockTime = z.number().int().min(0).max(CLOCK_MAX);

/** A fact: a constant, or a series of [from time, value] pairs strictly increasing in time (the latest at or before the clock applies). */
const FactSchema = z.union([
  int32,
  z
    .array(z.tuple([clockTime, int32]))
    .min(1)
    .refine((series) => series.every(([from], i) => i === 0 || from > series[i - 1]![0]), { message: 'a fact series must be strictly increasing in time' }),
]);

export const WorldSchema = z
  .object({
    /** Logical start time in milliseconds (default 0; `--start` overrides). */
    start: clockTime.optional(),
    /** Latency of each timeline in logical milliseconds; unlisted timelines take 1000. */
    latency: z.record(z.string(), int32.min(0)).optional(),
    /** balances[timeline][account][asset] */
    balances: z.record(z.string(), z.record(z.string(), z.record(z.string(), int32))).optional(),
    /** facts[timeline][key] */
    facts: z.record(z.string(), z.record(z.string(), FactSchema)).optional(),
  })
  .strict();

export type WorldInput = z.infer<typeof WorldSchema>;

export const DEFAULT_LATENCY = 1000;

export function parseWorld(json: unknown, source = 'world'): WorldInput {
  const r = WorldSchema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new CaxError('E_WORLD', `${source}: ${issue.path.join('.') || '(top)'}: ${issue.message}`, { details: { issues: r.error.issues.length } });
  }
  return r.data;
}

/** A change of one balance: what a rollback applies to undo a ledger effect. */
export interface BalanceChange {
  readonly timeline: string;
  readonly account: string;
  readonly asset: string;
  readonly delta: number;
}

export type Outcome =
  | { readonly ok: true; readonly result: string | number; readonly undo?: readonly BalanceChange[] }
  /** `error`: the error a handler raised, when there is one (a sandbox's denial with its rule): failures keep their identity, never matched by message. */
  | { readonly ok: false; readonly code: ErrorCode; readonly message: string; readonly error?: CaxError };

export interface ObserveRequest {
  readonly key: string;
  readonly timeline: string;
}

/** How effects reach the world; each handler is called at the moment the effect completes (logical `time`). */
export interface EffectHandlers {
  latency(timeline: string): number;
  deposit(req: LedgerRequest, time: number): Outcome;
  withdraw(req: LedgerRequest, time: number): Outcome;
  transfer(req: LedgerRequest, time: number): Outcome;
  observe(req: ObserveRequest, time: number): Outcome;
  /** Checks an `emit` of `text` as it happens (a sandbox's hook; absent: always allowed). The interpreter logs it. */
  emit?(text: string, time: number): Outcome;
  /** Checks a `now` as it happens (absent: always allowed); a success's result is ignored, the value is the clock. */
  now?(time: number): Outcome;
  /** Applies every change of a rollback, all or nothing (absent: the world has nothing to undo, as in a replay); a failure changes nothing. */
  rollback?(changes: readonly BalanceChange[]): Outcome;
}

const failure = (code: ErrorCode, message: string): Outcome => ({ ok: false, code, message });

/** The changes that undo a successful ledger effect (what a `<|` rollback applies): money back out of `to`, back into `from`. */
export function ledgerUndo(req: LedgerRequest): BalanceChange[] {
  const undo: BalanceChange[] = [];
  if (req.kind !== 'withdraw') undo.push({ timeline: req.timeline, account: req.to!, asset: req.asset, delta: -req.amount });
  if (req.kind !== 'deposit') undo.push({ timeline: req.timeline, account: req.from!, asset: req.asset, delta: req.amount });
  return undo;
}

/** The default world: balances, facts and latencies in memory. */
export class MemoryWorld implements EffectHandlers {
  private readonly balances = new Map<string, Map<string, Map<string, number>>>();
  private readonly receipts = new Map<string, number>();

  constructor(private readonly input: WorldInput) {
    for (const [tl, accounts] of Object.entries(input.balances ?? {})) {
      for (const [acc, assets] of Object.entries(accounts)) for (const [asset, n] of Object.entries(assets)) this.set(tl, acc, asset, n);
    }
  }

  private get(tl: string, acc: string, asset: string): number {
    return this.balances.get(tl)?.get(acc)?.get(asset) ?? 0;
  }

  private set(tl: string, acc: string, asset: string, n: number): void {
    let a = this.balances.get(tl);
    if (!a) this.balances.set(tl, (a = new Map()));
    let s = a.get(acc);
    if (!s) a.set(acc, (s = new Map()));
    s.set(asset, n);
  }

  /** Adds `delta`; fails when the balance would be negative or leave the Int range. */
  private adjust(tl: string, acc: string, asset: string, delta: number): Outcome | null {
    const now = this.get(tl, acc, asset);
    const next = now + delta;
    if (next < 0) return failure('E_BALANCE', `balance of ${acc} on ${tl} is ${now} ${asset}, short of ${-delta}`);
    if (next > 2147483647) return failure('E_OVERFLOW', `balance of ${acc} on ${tl} would exceed the Int range`);
    this.set(tl, acc, asset, next);
    return null;
  }

  private receipt(tl: string): string {
    const n = (this.receipts.get(tl) ?? 0) + 1;
    this.receipts.set(tl, n);
    return `${tl}:${n}`;
  }

  latency(timeline: string): number {
    return this.input.latency?.[timeline] ?? DEFAULT_LATENCY;
  }

  deposit(req: LedgerRequest, _time?: number): Outcome {
    if (req.amount < 0) return failure('E_AMOUNT', `negative amount ${req.amount}`);
    const bad = this.adjust(req.timeline, req.to!, req.asset, req.amount);
    if (bad) return bad;
    return { ok: true, result: this.receipt(req.timeline), undo: ledgerUndo(req) };
  }

  withdraw(req: LedgerRequest, _time?: number): Outcome {
    if (req.amount < 0) return failure('E_AMOUNT', `negative amount ${req.amount}`);
    const bad = this.adjust(req.timeline, req.from!, req.asset, -req.amount);
    if (bad) return bad;
    return { ok: true, result: this.receipt(req.timeline), undo: ledgerUndo(req) };
  }

  transfer(req: LedgerRequest, _time?: number): Outcome {
    if (req.amount < 0) return failure('E_AMOUNT', `negative amount ${req.amount}`);
    const short = this.adjust(req.timeline, req.from!, req.asset, -req.amount);
    if (short) return short;
    const over = this.adjust(req.timeline, req.to!, req.asset, req.amount);
    if (over) {
      this.adjust(req.timeline, req.from!, req.asset, req.amount);
      return over;
    }
    return { ok: true, result: this.receipt(req.timeline), undo: ledgerUndo(req) };
  }

  /** Applies the changes all or nothing: when a balance would leave 0..2^31-1 (a concurrent branch moved the funds on), E_ROLLBACK and nothing changes. */
  rollback(changes: readonly BalanceChange[]): Outcome {
    const totals = new Map<string, BalanceChange>();
    for (const c of changes) {
      const key = JSON.stringify([c.timeline, c.account, c.asset]);
      const sum = totals.get(key);
      totals.set(key, { ...c, delta: (sum?.delta ?? 0) + c.delta });
    }
    for (const c of totals.values()) {
      const now = this.get(c.timeline, c.account, c.asset);
      const next = now + c.delta;
      if (next < 0 || next > 2147483647) {
        return failure('E_ROLLBACK', `cannot roll back: the balance of ${c.account} on ${c.timeline} is ${now} ${c.asset} and would become ${next} (a concurrent branch moved the funds on)`);
      }
    }
    for (const c of totals.values()) this.set(c.timeline, c.account, c.asset, this.get(c.timeline, c.account, c.asset) + c.delta);
    return { ok: true, result: changes.length };
  }

  observe(req: ObserveRequest, time: number): Outcome {
    const fact = this.input.facts?.[req.timeline]?.[req.key];
    if (fact === undefined) return failure('E_NO_FACT', `no fact ${req.key} on ${req.timeline}`);
    if (typeof fact === 'number') return { ok: true, result: fact };
    let value: number | undefined;
    for (const [from, v] of fact) if (from <= time) value = v;
    if (value === undefined) return failure('E_NO_FACT', `fact ${req.key} on ${req.timeline} has no value yet at ${time}`);
    return { ok: true, result: value };
  }

  /** How many receipts each timeline has issued (the next receipt's number minus one): with the balances, the world's whole mutable state. */
  receiptCounts(): Record<string, number> {
    return Object.fromEntries([...this.receipts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  /** Replaces the mutable state (balances and receipt counters) with a saved one: a snapshot's world restored. */
  restoreState(balances: Record<string, Record<string, Record<string, number>>>, receipts: Record<string, number>): void {
    this.balances.clear();
    for (const [tl, accounts] of Object.entries(balances)) {
      for (const [acc, assets] of Object.entries(accounts)) for (const [asset, n] of Object.entries(assets)) this.set(tl, acc, asset, n);
    }
    this.receipts.clear();
    for (const [tl, n] of Object.entries(receipts)) this.receipts.set(tl, n);
  }

  /** The balances now, in the input's nested shape (zero balances kept). */
  snapshot(): Record<string, Record<string, Record<string, number>>> {
    const out: Record<string, Record<string, Record<string, number>>> = {};
    for (const tl of [...this.balances.keys()].sort()) {
      const accounts = this.balances.get(tl)!;
      out[tl] = {};
      for (const acc of [...accounts.keys()].sort()) {
        const assets = accounts.get(acc)!;
        out[tl][acc] = Object.fromEntries([...assets.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
      }
    }
    return out;
  }
}

/** One world effect as logged: enough to replay it. */
export interface LoggedEffect {
  readonly kind: string;
  readonly timeline: string | null;
  readonly args: readonly (string | number)[];
  readonly result: string | number | null;
  readonly error?: { readonly code: ErrorCode; readonly message: string };
}

/** Argument list of a world effect in log order (deposit: amount, asset, to; withdraw: amount, asset, from; transfer: amount, asset, from, to; observe: key). */
export function effectArgs(kind: string, req: LedgerRequest | ObserveRequest): (string | number)[] {
  if (kind === 'observe') return [(req as ObserveRequest).key];
  const l = req as LedgerRequest;
  if (kind === 'deposit') return [l.amount, l.asset, l.to!];
  if (kind === 'withdraw') return [l.amount, l.asset, l.from!];
  return [l.amount, l.asset, l.from!, l.to!];
}

/** Handlers that answer every world effect from a recorded log, in order; a divergence is E_REPLAY. */
export function replayHandlers(log: readonly LoggedEffect[], latencies: Readonly<Record<string, number>>): EffectHandlers {
  const world = log.filter((e) => e.kind !== 'emit');
  let next = 0;
  const answer = (kind: string, req: LedgerRequest | ObserveRequest): Outcome => {
    const entry = world[next++];
    const args = effectArgs(kind, req);
    if (!entry || entry.kind !== kind || entry.timeline !== req.timeline || JSON.stringify(entry.args) !== JSON.stringify(args)) {
      throw new CaxError('E_REPLAY', `replay diverged at world effect ${next}: the run asked for ${kind} ${JSON.stringify(args)} on ${req.timeline}`);
    }
    if (entry.error) return failure(entry.error.code, entry.error.message);
    return { ok: true, result: entry.result! };
  };
  return {
    latency: (tl) => {
      const l = latencies[tl];
      if (l === undefined) throw new CaxError('E_REPLAY', `the log has no latency for timeline ${tl}`);
      return l;
    },
    deposit: (req) => answer('deposit', req),
    withdraw: (req) => answer('withdraw', req),
    transfer: (req) => answer('transfer', req),
    observe: (req) => answer('observe', req),
  };
}
