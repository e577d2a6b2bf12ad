// Runs effect values in logical time (sections 5 and 6): a discrete-event
// scheduler over fibers. A fiber steps through an effect until it must wait
// (a timeline effect takes that timeline's latency and touches the world
// when it completes; `after`/`at` wait); `<|>` and `race` fork two child
// fibers. Events are ordered by (time, kind, fiber position in the fork
// tree), so ties go left first and every run is deterministic. `<|` keeps an
// undo scope and rolls the failed branch's world effects back (the clock is
// not rolled back); `within` arms a timer at its deadline that cuts the
// branch off: effects that would complete later never happen. Each fiber
// has an owner (opaque here: the executor's context); an `invoke` hook may
// return an Invocation, whose body then runs in the same fiber — same clock,
// interleaving and rollback — under the invocation's owner until it returns,
// fails or is cut off, and `onOwner` hears every change of the running owner.
// A `bind` node's host continuation may answer with a promise (compiled TEL
// asks the co-processor): `runAsync` then waits for it before anything else
// happens, so the schedule is the one a synchronous answer would give; while
// it waits, `performInline` may run an `emit` or `now` the answer would start
// with, in the waiting fiber (the co-processor goes on in the same run).
import { CaxError, type ErrorCode, type SourceSpan } from '../errors.js';
import type { CDo } from './compile.js';
import { budgetError, matchPattern, type Machine } from './machine.js';
import { Eff, isThunk, type EffectNode, type Env, type Thunk } from './runtime.js';
import { ShowTooLong, Tuple, UNIT_VALUE, showValueWithin, type Value } from './values.js';
import { CLOCK_MAX, effectArgs, type BalanceChange, type EffectHandlers, type ObserveRequest, type Outcome } from './world.js';
import type { LedgerRequest } from './runtime.js';
import { PURE_ERROR_MESSAGES } from './messages.js';

/** One entry of a run's effect log. */
export interface EffectEntry {
  /** Logical time the effect was issued. */
  readonly start: number;
  /** Logical time it completed (when it touched the world). */
  readonly time: number;
  readonly timeline: string | null;
  readonly kind: 'deposit' | 'withdraw' | 'transfer' | 'observe' | 'emit';
  readonly args: readonly (string | number)[];
  readonly result: string | number | null;
  readonly error?: { readonly code: ErrorCode; readonly message: string };
  /** Set when a `<|` rolled this world effect back. */
  rolledBack?: boolean;
}

export interface Failure {
  readonly code: ErrorCode;
  readonly message: string;
  readonly span?: SourceSpan;
  /** The error this failure is, when a handler or the invoke hook raised one (a denial with its rule and context); absent for `fail` and the scheduler's own failures. */
  readonly error?: CaxError;
}

type Resume = { readonly eff: Eff } | { readonly value: Value } | { readonly failure: Failure };

/**
 * What a `<|` would roll back: the world effects of its branch. A branch that succeeds inside an outer `<|`
 * hands its scope to the outer one in O(1) (`merged`), so a long log never copies entries from scope to scope.
 */
class UndoScope {
  readonly undo: BalanceChange[] = [];
  readonly entries: EffectEntry[] = [];
  readonly merged: UndoScope[] = [];
  constructor(readonly parent: UndoScope | null) {}

  /** This scope and every scope merged into it, iteratively. */
  all(): UndoScope[] {
    const out: UndoScope[] = [];
    const stack: UndoScope[] = [this];
    while (stack.length > 0) {
      const s = stack.pop()!;
      out.push(s);
      for (const m of s.merged) stack.push(m);
    }
    return out;
  }
}

interface Within<O> {
  readonly deadline: number;
  readonly limit: number;
  readonly owner: Fiber<O>;
  done: boolean;
  readonly span: SourceSpan | undefined;
}

type EFrame<O> =
  | { readonly k: 'seq'; readonly then: Thunk | Eff }
  | { readonly k: 'choice'; readonly orElse: Thunk | Eff; readonly scope: UndoScope; readonly saved: UndoScope | null }
  | { readonly k: 'within'; readonly w: Within<O> }
  | { readonly k: 'do'; readonly code: CDo; readonly index: number; readonly env: Env }
  | { readonly k: 'bind'; readonly next: (value: Value) => Eff | Promise<Eff> }
  | { readonly k: 'owner'; readonly inv: Invocation<O>; readonly saved: O };

interface Join<O> {
  readonly race: boolean;
  readonly parent: Fiber<O>;
  readonly token: number;
  readonly results: (Resume | null)[];
  readonly children: Fiber<O>[];
}

class Fiber<O> {
  readonly stack: EFrame<O>[] = [];
  token = 0;
  cancelled = false;
  children: Fiber<O>[] = [];
  constructor(
    readonly path: string,
    public scope: UndoScope | null,
    readonly join: Join<O> | null,
    readonly side: number,
    /** Who the fiber runs for now (an invocation's owner inside its body). */
    public owner: O,
  ) {}
}

interface Event<O> {
  readonly time: number;
  /** 0: fiber events; 1: deadlines, which fire after everything else at the same time. */
  readonly cls: number;
  readonly path: string;
  readonly seq: number;
  readonly fiber: Fiber<O> | null;
  readonly token: number;
  readonly action: (() => Resume) | null;
  readonly within: Within<O> | null;
}

function before<O>(a: Event<O>, b: Event<O>): boolean {
  if (a.time !== b.time) return a.time < b.time;
  if (a.cls !== b.cls) return a.cls < b.cls;
  if (a.path !== b.path) return a.path < b.path;
  return a.seq < b.seq;
}

/** Binary min-heap of events. */
class EventQueue<O> {
  private readonly items: Event<O>[] = [];
  push(e: Event<O>): void {
    const h = this.items;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }
  pop(): Event<O> | undefined {
    const h = this.items;
    if (h.length === 0) return undefined;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l]!, h[m]!)) m = l;
        if (r < h.length && before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

/** How an invocation ended: with its value, with a failure, or cut off (`race`, `within`, a failing `<|>` sibling). */
export type InvocationEnd = { readonly value: Value } | { readonly failure: Failure } | { readonly cancelled: true };

/** An `invoke` run in the caller's fiber under its own owner: `body` gives the effect (evaluated under `owner`), `leave` is called exactly once when it ends. */
export class Invocation<O = unknown> {
  constructor(
    readonly owner: O,
    readonly body: () => Value,
    readonly leave: (end: InvocationEnd) => void,
  ) {}
}

/** An `invoke F ARGS` as its hook sees it. */
export interface InvokeCall<O> {
  readonly fn: Value;
  readonly args: readonly Value[];
  readonly span: SourceSpan | undefined;
  /** The scheduler's logical clock when the invoke starts. */
  readonly clock: number;
  /** The owner of the invoking fiber. */
  readonly owner: O;
}

/** How `invoke F ARGS` is run: return the effect to run in place of the call, or an Invocation (or throw a CaxError to fail it, e.g. E_DENIED). */
export type InvokeHook<O = unknown> = (call: InvokeCall<O>, m: Machine) => Value | Invocation<O>;

/** The failure a failed outcome stands for, keeping the handler's error (its identity) when it raised one. */
function failureOf(out: Extract<Outcome, { ok: false }>, span?: SourceSpan): Failure {
  return { code: out.code, message: out.message, ...(span ? { span } : {}), ...(out.error ? { error: out.error } : {}) };
}

/** The error a failure that ended a run stands for: the error it carries (a denial keeps its rule and context), else one made from its code and message (`fail`). */
export function failureError(f: Failure): CaxError {
  return f.error ?? new CaxError(f.code, f.message, f.span ? { span: f.span } : {});
}

/** `invoke` as a plain call, for any owner. */
export function defaultInvoke<O>({ fn, args }: InvokeCall<O>, m: Machine): Value {
  return m.apply(fn, [...args]);
}

export class Scheduler<O = unknown> {
  clock: number;
  readonly log: EffectEntry[] = [];
  readonly latencies: Record<string, number> = {};
  private readonly queue = new EventQueue<O>();
  private seq = 0;
  private outcome: Resume | null = null;
  private running: O | null = null;
  /** A fiber waiting for a bind continuation's promise (runAsync resumes it before any other event). */
  private suspended: { readonly fiber: Fiber<O>; readonly next: Promise<Eff> } | null = null;
  /** An effect performInline ran for the suspended fiber failed: the fiber resumes with this failure, not the answer. */
  private inlineFailure: Failure | null = null;
  /** Called whenever the owner whose code runs changes (before any of the new owner's steps or effects). */
  onOwner: ((owner: O) => void) | null = null;

  constructor(
    private readonly m: Machine,
    private readonly handlers: EffectHandlers,
    start: number,
    private readonly invoke: InvokeHook<O> = defaultInvoke,
  ) {
    if (!Number.isInteger(start) || start < 0 || start > CLOCK_MAX) throw new CaxError('E_CLOCK', `the start time ${start} is outside the clock's range 0..${CLOCK_MAX}`);
    this.clock = start;
  }

  /** Runs `eff` to its end; returns its value or its uncaught failure. Errors of pure code (E_MATCH, E_BUDGET …) are thrown. */
  run(eff: Eff, owner: O): { value: Value } | { failure: Failure } {
    this.begin(eff, owner);
    for (;;) {
      if (this.suspended) throw new CaxError('E_INTERNAL', 'a bind continuation answered with a promise: run this effect with runAsync');
      if (this.outcome !== null) return this.outcome as { value: Value } | { failure: Failure };
      this.step();
    }
  }

  /** `run` for effects whose bind continuations may answer with promises: each is awaited before the schedule goes on. */
  async runAsync(eff: Eff, owner: O): Promise<{ value: Value } | { failure: Failure }> {
    this.begin(eff, owner);
    for (;;) {
      while (this.suspended) {
        const { fiber, next } = this.suspended;
        const answer = await next; // performInline may run meanwhile
        this.suspended = null;
        const failure = this.inlineFailure;
        this.inlineFailure = null;
        this.drive(fiber, failure ? { failure } : { eff: answer });
      }
      if (this.outcome !== null) return this.outcome as { value: Value } | { failure: Failure };
      this.step();
    }
  }

  /**
   * While runAsync waits for a bind continuation's answer: runs `eff`, an `emit` or `now` that the answer would begin
   * with (`eff >>= k`), in the waiting fiber, as drive() would once the answer came — nothing else can happen in
   * between: the same clock, owner, handler call and log entry — and returns the value that k is to be applied to,
   * which the caller does itself (compiled TEL: on the co-processor, in the same run). Null when it failed: the fiber
   * then resumes with that failure, whatever the answer is. The scheduler's machine is not ticked for it.
   */
  performInline(eff: Eff): Value | null {
    const waiting = this.suspended;
    const node = eff.node;
    if (!waiting || this.inlineFailure) throw new CaxError('E_INTERNAL', 'an effect performed inline while no continuation is awaited');
    if (node.k !== 'emit' && node.k !== 'now') throw new CaxError('E_INTERNAL', `a ${node.k} effect cannot be performed inline`);
    this.activate(waiting.fiber.owner);
    const r = this.primitive(node, eff.span);
    if ('failure' in r) {
      this.inlineFailure = r.failure;
      return null;
    }
    return r.value;
  }

  private begin(eff: Eff, owner: O): void {
    const root = new Fiber<O>('', null, null, 0, owner);
    this.running = owner;
    this.drive(root, { eff });
  }

  /** Handles the next event. */
  private step(): void {
    const ev = this.queue.pop();
    if (!ev) throw new CaxError('E_INTERNAL', 'the scheduler ran out of events before the run ended');
    this.m.tick();
    this.clock = ev.time;
    if (ev.within) {
      this.expire(ev.within);
      return;
    }
    const f = ev.fiber!;
    if (f.cancelled || ev.token !== f.token) return;
    this.activate(f.owner);
    this.drive(f, ev.action!());
  }

  /** `show` of an emitted value, charged to the memory budget like any text (8 characters a cell); past what it has left, E_BUDGET. */
  private shown(v: Value): string {
    const m = this.m;
    try {
      const text = showValueWithin(v, Math.max(0, m.budget.memory - m.heap) * 8);
      m.allocate(text.length >> 3);
      return text;
    } catch (e) {
      if (e instanceof ShowTooLong) throw budgetError('memory', m.budget.memory);
      throw e;
    }
  }

  /** The owner whose code runs now. */
  get owner(): O | null {
    return this.running;
  }

  private activate(owner: O): void {
    if (owner === this.running) return;
    this.running = owner;
    if (this.onOwner) this.onOwner(owner);
  }

  /** Resumes `fiber` with `action` at logical `time`; a time past the clock's range is E_CLOCK (fatal). */
  private schedule(time: number, fiber: Fiber<O>, action: () => Resume): void {
    if (time > CLOCK_MAX) throw new CaxError('E_CLOCK', `the clock would pass ${CLOCK_MAX} (at ${time})`);
    fiber.token++;
    this.queue.push({ time, cls: 0, path: fiber.path, seq: this.seq++, fiber, token: fiber.token, action, within: null });
  }

  private latency(timeline: string): number {
    const l = this.handlers.latency(timeline);
    this.latencies[timeline] = l;
    return l;
  }

  /** Calls a handler; a CaxError it throws (other than a failed replay) becomes a failed outcome. */
  private check(call: () => Outcome): Outcome {
    try {
      return call();
    } catch (e) {
      if (!(e instanceof CaxError) || e.code === 'E_REPLAY') throw e;
      return { ok: false, code: e.code, message: e.message, error: e };
    }
  }

  /** A world effect completes: ask the handler, log it, remember how to undo it. */
  private perform(f: Fiber<O>, kind: EffectEntry['kind'], req: LedgerRequest | ObserveRequest, start: number): Resume {
    const out = this.check(() => (kind === 'observe' ? this.handlers.observe(req as ObserveRequest, this.clock) : this.handlers[kind as 'deposit'](req as LedgerRequest, this.clock)));
    const entry: EffectEntry = out.ok
      ? { start, time: this.clock, timeline: req.timeline, kind, args: effectArgs(kind, req), result: out.result }
      : { start, time: this.clock, timeline: req.timeline, kind, args: effectArgs(kind, req), result: null, error: { code: out.code, message: out.message } };
    this.log.push(entry);
    if (!out.ok) return { failure: failureOf(out) };
    if (f.scope) {
      if (out.undo) for (const change of out.undo) f.scope.undo.push(change);
      f.scope.entries.push(entry);
    }
    return { value: out.result };
  }

  /** `now` or `emit`, which complete at once: the handler asked, an emit logged. */
  private primitive(node: Extract<EffectNode, { k: 'now' | 'emit' }>, span: SourceSpan | undefined): { value: Value } | { failure: Failure } {
    if (node.k === 'now') {
      const out = this.handlers.now ? this.check(() => this.handlers.now!(this.clock)) : null;
      return out && !out.ok ? { failure: failureOf(out, span) } : { value: this.clock };
    }
    const text = this.shown(node.value);
    const out = this.handlers.emit ? this.check(() => this.handlers.emit!(text, this.clock)) : null;
    const entry: EffectEntry = { start: this.clock, time: this.clock, timeline: null, kind: 'emit', args: [text], result: null };
    if (out && !out.ok) {
      this.log.push({ ...entry, error: { code: out.code, message: out.message } });
      return { failure: failureOf(out, span) };
    }
    this.log.push(entry);
    return { value: UNIT_VALUE };
  }

  /** Steps fiber `f` from `start` until it waits or ends. */
  private drive(f: Fiber<O>, start: Resume): void {
    const m = this.m;
    let r = start;
    this.activate(f.owner);
    for (;;) {
      m.tick();
      if ('eff' in r) {
        const eff = r.eff;
        const node = eff.node;
        switch (node.k) {
          case 'pure':
            r = { value: node.value };
            break;
          case 'fail':
            r = { failure: { code: 'E_FAIL', message: node.message, span: eff.span } };
            break;
          case 'now':
          case 'emit':
            r = this.primitive(node, eff.span);
            break;
          case 'ledger': {
            const req = node.request;
            const t0 = this.clock;
            this.schedule(t0 + this.latency(req.timeline), f, () => this.perform(f, req.kind, req, t0));
            return;
          }
          case 'observe': {
            const t0 = this.clock;
            const req: ObserveRequest = { key: node.key, timeline: node.timeline };
            this.schedule(t0 + this.latency(node.timeline), f, () => this.perform(f, 'observe', req, t0));
            return;
          }
          case 'seq':
            f.stack.push({ k: 'seq', then: node.then });
            r = { eff: node.first };
            break;
          case 'bind':
            f.stack.push({ k: 'bind', next: node.next });
            r = { eff: node.first };
            break;
          case 'choice': {
            const scope = new UndoScope(f.scope);
            f.stack.push({ k: 'choice', orElse: node.orElse, scope, saved: f.scope });
            f.scope = scope;
            r = { eff: node.first };
            break;
          }
          case 'par':
          case 'race':
            this.fork(f, node.k === 'race', node.left, node.right);
            return;
          case 'after': {
            const body = node.body;
            this.schedule(this.clock + Math.max(0, node.delay), f, () => ({ eff: body }));
            return;
          }
          case 'at': {
            const body = node.body;
            this.schedule(Math.max(this.clock, node.time), f, () => ({ eff: body }));
            return;
          }
          case 'within': {
            const w: Within<O> = { deadline: this.clock + Math.max(0, node.limit), limit: node.limit, owner: f, done: false, span: eff.span };
            f.stack.push({ k: 'within', w });
            // a deadline past the clock's range never fires: the body fails with E_CLOCK before it could
            if (w.deadline <= CLOCK_MAX) this.queue.push({ time: w.deadline, cls: 1, path: f.path, seq: this.seq++, fiber: null, token: 0, action: null, within: w });
            r = { eff: node.body };
            break;
          }
          case 'do': {
            // Starting the block makes its frame; later statements run in it.
            const env = node.index === 0 ? m.doFrame(node.code.frame, node.env) : node.env;
            const stmt = node.code.stmts[node.index]!;
            if (stmt.k === 'let') {
              m.bind(stmt.binds, env);
              r = { eff: new Eff({ k: 'do', code: node.code, index: node.index + 1, env }, eff.span) };
              break;
            }
            const next = m.evaluate(stmt.expr, env) as Eff;
            if (node.index < node.code.stmts.length - 1) f.stack.push({ k: 'do', code: node.code, index: node.index, env });
            r = { eff: next };
            break;
          }
          case 'invoke':
            try {
              const how = this.invoke({ fn: node.fn, args: node.args, span: node.span, clock: this.clock, owner: f.owner }, m);
              if (how instanceof Invocation) {
                f.stack.push({ k: 'owner', inv: how, saved: f.owner });
                f.owner = how.owner;
                this.activate(how.owner);
                r = { eff: how.body() as Eff };
              } else {
                r = { eff: how as Eff };
              }
            } catch (e) {
              if (!(e instanceof CaxError) || e.code === 'E_BUDGET') throw e;
              r = { failure: { code: e.code, message: e.message, span: e.span ?? node.span, error: e } };
            }
            break;
        }
        continue;
      }
      const frame = f.stack.pop();
      if (!frame) {
        this.finish(f, r);
        return;
      }
      if ('value' in r) {
        switch (frame.k) {
          case 'seq':
            r = { eff: (isThunk(frame.then) ? m.evaluate(frame.then.code, frame.then.env) : frame.then) as Eff };
            break;
          case 'bind': {
            const next = frame.next(r.value);
            if (next instanceof Promise) {
              this.suspended = { fiber: f, next };
              return;
            }
            r = { eff: next };
            break;
          }
          case 'choice':
            f.scope = frame.saved;
            if (frame.saved) frame.saved.merged.push(frame.scope);
            break;
          case 'within':
            frame.w.done = true;
            break;
          case 'owner':
            this.leave(f, frame, r);
            break;
          case 'do': {
            const stmt = frame.code.stmts[frame.index]!;
            if (stmt.k === 'bind' && !matchPattern(stmt.pattern, r.value, frame.env)) {
              throw new CaxError('E_MATCH', PURE_ERROR_MESSAGES.E_MATCH, { span: stmt.span });
            }
            r = { eff: new Eff({ k: 'do', code: frame.code, index: frame.index + 1, env: frame.env }) };
            break;
          }
        }
      } else if (frame.k === 'choice') {
        this.rollback(frame.scope);
        f.scope = frame.saved;
        r = { eff: (isThunk(frame.orElse) ? m.evaluate(frame.orElse.code, frame.orElse.env) : frame.orElse) as Eff };
      } else if (frame.k === 'within') {
        frame.w.done = true;
      } else if (frame.k === 'owner') {
        this.leave(f, frame, r);
      }
    }
  }

  /** Fiber `f` leaves an invocation: its caller's owner runs again, then the invocation hears how it ended. */
  private leave(f: Fiber<O>, frame: Extract<EFrame<O>, { k: 'owner' }>, end: InvocationEnd): void {
    f.owner = frame.saved;
    this.activate(f.owner);
    frame.inv.leave(end);
  }

  /** Rolls a failed branch's world effects back, all or nothing; when that is impossible, E_ROLLBACK (fatal) and the world is as it was. */
  private rollback(scope: UndoScope): void {
    const scopes = scope.all();
    const undo: BalanceChange[] = [];
    for (const s of scopes) for (const change of s.undo) undo.push(change);
    if (undo.length > 0 && this.handlers.rollback) {
      const out = this.handlers.rollback(undo);
      if (!out.ok) throw new CaxError(out.code, out.message);
    }
    for (const s of scopes) for (const e of s.entries) e.rolledBack = true;
  }

  private fork(parent: Fiber<O>, race: boolean, left: Eff, right: Eff): void {
    parent.token++;
    const join: Join<O> = { race, parent, token: parent.token, results: [null, null], children: [] };
    const l = new Fiber<O>(`${parent.path}0`, parent.scope, join, 0, parent.owner);
    const r = new Fiber<O>(`${parent.path}1`, parent.scope, join, 1, parent.owner);
    join.children.push(l, r);
    parent.children = [l, r];
    this.schedule(this.clock, l, () => ({ eff: left }));
    this.schedule(this.clock, r, () => ({ eff: right }));
  }

  private finish(f: Fiber<O>, r: Resume): void {
    const join = f.join;
    if (!join) {
      this.outcome = r;
      return;
    }
    if (join.parent.cancelled || join.parent.token !== join.token) return;
    const sibling = join.children[1 - f.side]!;
    if (join.race || 'failure' in r) {
      this.cancel(sibling);
      this.resumeParent(join, r);
      return;
    }
    join.results[f.side] = r;
    const [a, b] = join.results;
    if (a && b && 'value' in a && 'value' in b) this.resumeParent(join, { value: new Tuple([a.value, b.value]) });
  }

  private resumeParent(join: Join<O>, r: Resume): void {
    join.parent.children = [];
    this.schedule(this.clock, join.parent, () => r);
  }

  private cancel(f: Fiber<O>): void {
    const stack = [f];
    const cut: Fiber<O>[] = [];
    while (stack.length > 0) {
      const x = stack.pop()!;
      x.cancelled = true;
      x.token++;
      cut.push(x);
      for (const child of x.children) stack.push(child);
    }
    // Invocations cut off end innermost first: descendants before ancestors, the top of a stack first.
    for (let i = cut.length - 1; i >= 0; i--) {
      const x = cut[i]!;
      for (let j = x.stack.length - 1; j >= 0; j--) {
        const frame = x.stack[j]!;
        if (frame.k === 'owner') frame.inv.leave({ cancelled: true });
      }
    }
  }

  /** A `within` deadline passed with its body still running: cut it off and fail the `within` with E_TIMEOUT. */
  private expire(w: Within<O>): void {
    const f = w.owner;
    if (w.done || f.cancelled) return;
    for (const c of f.children) this.cancel(c);
    f.children = [];
    f.token++;
    for (;;) {
      const frame = f.stack.pop()!;
      if (frame.k === 'owner') {
        this.leave(f, frame, { cancelled: true });
      } else if (frame.k === 'choice') {
        this.rollback(frame.scope);
        f.scope = frame.saved;
      } else if (frame.k === 'within') {
        frame.w.done = true;
        if (frame.w === w) break;
      }
    }
    this.drive(f, { failure: { code: 'E_TIMEOUT', message: `deadline of ${w.limit} ms passed`, span: w.span } });
  }
}
