// The executor: runs stored definitions by hash or name. Every invocation
// runs in a child ExecutionContext whose grant is subdivided from its
// caller's (the share the policy sets). A run has one interpreter machine
// and one scheduler; `invoke` of a stored definition opens a nested context
// of the invoking one and runs the invoked code in the caller's fiber, so
// its time, interleaving and rollback are the reference semantics, while
// its steps, memory and effects are charged to (and bounded by) its own
// context. Effects go through the sandbox; usage is reported per context;
// contexts are destroyed on every path — return, failure, cut off by
// `race`/`within`, errors. The trace records invocations, returns, effects,
// denials and errors. On a co-processor backend (`backend`), the definition
// is compiled (host/compiler/) and its effects run through the same sandbox,
// world, scheduler and trace; its cycles are charged as compute steps to the
// context whose code runs. With a Memo (host/cache/), results are looked up
// in and stored to the result cache: a whole run by its result key, and on
// the interpreter each `invoke` that did no effect; a hit is a `memo` event
// in the trace and charges only the lookup.
import { dirname, join } from 'node:path';
import { CaxError, budgetExhausted, budgetOf } from '../errors.js';
import { LOOKUP_STEPS, type Memo, type MemoMode } from '../cache/memo.js';
import type { CacheHit } from '../cache/tiered.js';
import { decodeValue } from '../cache/value.js';
import { openCoprocessor, runImage, type BackendName, type Coprocessor } from '../coprocessor/backend.js';
import type { Image } from '../compiler/link.js';
import { CoreFunction } from '../coprocessor/effects.js';
import { compileStored } from '../coprocessor/stored.js';
import type { ImageRebuilt } from '../coprocessor/cache.js';
import { checkResultType } from '../coprocessor/result-type.js';
import { prune } from '../tel/types.js';
import type { Decl, Expr } from '../tel/ast.js';
import { compileEntry, compiledHash, loadProgram, type LoadedProgram } from '../tel/interp.js';
import { JIT_CACHE_DIR, jitTier, persistentCodeCache, type JitMode } from '../tel/jit/tier.js';
import { Machine, type ProfileHook } from '../tel/machine.js';
import { parseExpression } from '../tel/parser.js';
import { printExpr } from '../tel/printer.js';
import { Closure, Eff, Partial } from '../tel/runtime.js';
import { Invocation, Scheduler, failureError, type EffectEntry, type InvokeHook } from '../tel/scheduler.js';
import { canonicalBytes, showValue, type Value } from '../tel/values.js';
import { MemoryWorld, type EffectHandlers, type WorldInput } from '../tel/world.js';
import { GrowingAllocator } from '../resources/growing-allocator.js';
import { StaticAllocator } from '../resources/static-allocator.js';
import type { ResourceAllocator, ResourceUsage } from '../resources/allocator.js';
import { ADDITIVE_KINDS, ZERO, add, type Amounts, type ResourceRequestInput } from '../resources/vector.js';
import type { Hash } from '../store/hash.js';
import { Loader, type LinkedCode } from '../store/loader.js';
import type { Repository } from '../store/repository.js';
import { storedTypeScheme } from '../store/typing.js';
import { ExecutionContext } from './context.js';
import { OPEN_POLICY, type Policy } from './policy.js';
import { Sandbox, type SandboxCounters } from './sandbox.js';
import { Trace, type TraceEvent } from './trace.js';

/** Entry programs an executor keeps compiled. */
const PROGRAM_CACHE = 256;

/**
 * Bytes charged per interpreter memory cell: what a cell really costs the host (a cons, 2 cells, is a 40-byte
 * V8 object plus its share of the frames and garbage around it; a pending continuation, 4 cells, is a frame
 * object and its environment, about 190 bytes), measured against the process's resident memory by
 * bench/tel.bench.ts ("memory charged against resident memory"): the charge stays within 2× of the real use.
 */
export const CELL_BYTES = 48;

/** What a root context gets for a budget the policy leaves open. */
export const DEFAULT_LIMITS = { computeSteps: 1_000_000_000, memoryBytes: 512 * 1024 * 1024, effects: 1_000_000, ioOps: 1_000_000 } as const;

export interface ExecutorOptions {
  readonly repo: Repository;
  readonly loader?: Loader;
  readonly policy?: Policy;
  /** Where root contexts are carved from (default: a StaticAllocator big enough for the policy). */
  readonly allocator?: ResourceAllocator;
  readonly wallClock?: () => number;
  /** Memoization of runs through the result cache (docs/cache.md); absent: none. */
  readonly memo?: Memo;
}

export interface ExecuteOptions {
  /** Arguments as TEL expressions (checked against the definition's type). */
  readonly args?: readonly string[];
  readonly world?: WorldInput;
  /** The caller's context; default: a root context made from the policy and destroyed afterwards. */
  readonly context?: ExecutionContext;
  /** Run compiled on a co-processor backend instead of the interpreter (docs/compiler.md). */
  readonly backend?: CoprocessorBackend;
  /** The interpreter's JIT tier (docs/jit.md); default auto. */
  readonly jit?: JitMode;
  /** A profiler of an interpreted run (`cax profile`, docs/profiling.md); the JIT is then off. */
  readonly profile?: ExecutionProfiler;
  /** Overrides the memo's mode for this run. */
  readonly memo?: MemoMode;
  /** Looks into a run as it goes (context-tree snapshots, host/debug/context-snapshot.ts; on the interpreter or a co-processor backend); the memo is then off. */
  readonly probe?: ExecutionProbe;
}

/** A run's state at one moment, as a probe reads it: the scheduler's, the machine's, the context tree's and the sandbox's. */
export interface ProbeState {
  readonly clock: number;
  readonly log: readonly EffectEntry[];
  /**
   * On the interpreter: machine steps and memory cells so far (those since the last owner switch are not charged to
   * a context yet). On a co-processor: the cycles run on the core and the bytes of its heap charged so far.
   */
  readonly steps: number;
  readonly memory: number;
  /** The open invocations' contexts, outermost first, with their usage now. */
  readonly open: readonly ContextReport[];
  /** The contexts closed so far, in the order they closed. */
  readonly closed: readonly ContextReport[];
  /** The context whose code runs. */
  readonly active: string;
  readonly sandbox: SandboxCounters;
  readonly trace: readonly TraceEvent[];
}

/**
 * What looks into a run: it may stand in for the world under the sandbox, wrap the handlers the scheduler sees, hear
 * contexts close, and (on the iss backend) open the co-processor the compiled image runs on.
 */
export interface ExecutionProbe {
  world?(world: MemoryWorld): EffectHandlers;
  handlers?(handlers: EffectHandlers, state: () => ProbeState): EffectHandlers;
  closed?(report: ContextReport): void;
  coprocessor?(image: Image): Promise<Coprocessor>;
}

/** One open context's use and grant (compute in steps, memory in bytes), as a profile samples them. */
export interface ContextUse {
  readonly context: string;
  readonly label: string;
  readonly used: { readonly computeSteps: number; readonly memoryBytes: number };
  readonly limits: { readonly computeSteps: number; readonly memoryBytes: number };
}

/** What a profiler of an interpreted run gets: the machine (with the program it runs), and the effect handlers to watch. */
export interface ExecutionProfiler {
  attach(machine: Machine, loaded: LoadedProgram): ProfileHook;
  /** Wraps the run's effect handlers; `contexts` tells every open context's use and grant at the moment it is called. */
  wrap(handlers: EffectHandlers, contexts: () => readonly ContextUse[]): EffectHandlers;
}

export interface CoprocessorBackend {
  readonly name: BackendName;
  /** Serial port of the device backend. */
  readonly device?: string;
  /** The device backend's line rate, asked for at HELLO (default: the board's 115200). */
  readonly baud?: number;
  /** How long one run on the core may go without an ecall (default: the client's watchdog). */
  readonly timeoutMs?: number;
}

/** What a run on a co-processor backend adds to its result. */
export interface CoprocessorUsage {
  readonly backend: BackendName;
  /** Cycles on the core (charged as compute steps) and instructions retired. */
  readonly cycles: number;
  readonly instret: number;
  /** The core's heap high-water mark in bytes (charged as memory). */
  readonly heapBytes: number;
  /** The image's cache key, and whether it came from the cache next to the repository. */
  readonly imageKey: string;
  readonly cached: boolean;
  /** Why the cached image file was not used and the image was rebuilt (unreadable, tampered, malformed), if it was. */
  readonly rebuiltImage?: ImageRebuilt;
}

/** Usage of one context of a run. */
export interface ContextReport {
  readonly context: string;
  readonly parent: string | undefined;
  readonly hash: Hash | undefined;
  readonly name: string | undefined;
  readonly consumed: Amounts;
  readonly limits: Amounts;
  readonly released: boolean;
}

export interface ExecutionResult {
  readonly hash: Hash;
  readonly name: string | undefined;
  /** `show` of the value, or null when the run failed. */
  readonly value: string | null;
  readonly type: string;
  readonly error: CaxError | null;
  /** Effects of every context, in logical-time order. */
  readonly effects: readonly EffectEntry[];
  readonly clock: number;
  /** The default world's balances at the end. */
  readonly balances: Record<string, Record<string, Record<string, number>>>;
  readonly trace: Trace;
  readonly contexts: readonly ContextReport[];
  /** Set when the run was on a co-processor backend. */
  readonly coprocessor?: CoprocessorUsage;
  /** Set when the run was memoized: its result key, and for a hit the level and the steps it saved. */
  readonly memo?: { readonly key: string; readonly hit: boolean; readonly level?: string; readonly saved?: number };
}

/** The internal name a stored definition runs under: closures carry it, so `invoke` knows what it calls. */
const internalName = (hash: Hash): string => `@${hash}`;

/** The canonical bytes of a first-order value in hex (what a memoized `invoke` returns on a hit); null for functions and effects. */
function encodedValue(v: Value): string | null {
  try {
    return canonicalBytes(v).toString('hex');
  } catch (e) {
    if (e instanceof CaxError && e.code === 'E_UNSUPPORTED') return null;
    throw e;
  }
}

/** Whether the trace has an effect or a denial from event `seq` on. */
function effectSince(trace: Trace, seq: number): boolean {
  const events = trace.events;
  for (let i = seq; i < events.length; i++) if (events[i]!.kind === 'effect' || events[i]!.kind === 'denied') return true;
  return false;
}

function hashOfFunction(fn: Value): Hash | undefined {
  const target = fn instanceof Partial ? fn.fn : fn;
  if (target instanceof Closure && /^@[0-9a-f]{64}$/.test(target.lam.name)) return target.lam.name.slice(1);
  return undefined;
}

function renamed(decl: Decl, name: string): Decl {
  return { ...decl, name, equations: decl.equations.map((e) => ({ ...e, name })) };
}

/** One open invocation: the definition it runs and the child context it runs in. */
interface Actor {
  readonly context: ExecutionContext;
  readonly hash: Hash;
  readonly name: string | undefined;
}

/** How an invocation cut off by `race`, `within` or a failing sibling ends in the trace. */
const cutOff = (): CaxError => new CaxError('E_CANCELLED', 'cut off before it ended (race, within, or a failing sibling branch)');

/** State shared by every context of one run. */
interface Run {
  readonly world: MemoryWorld;
  readonly sandbox: Sandbox;
  readonly trace: Trace;
  readonly effects: EffectEntry[];
  readonly reports: ContextReport[];
  readonly jit: JitMode;
  readonly profiler: ExecutionProfiler | undefined;
  /** Memoization of the run's `invoke`s (interpreter only). */
  readonly memo: Memo | undefined;
  readonly probe: ExecutionProbe | undefined;
}

interface Outcome {
  readonly value: Value | null;
  readonly error: CaxError | null;
  readonly type: string;
  readonly clock: number;
  readonly coprocessor?: CoprocessorUsage;
}

export class Executor {
  readonly repo: Repository;
  readonly loader: Loader;
  readonly policy: Policy;
  readonly allocator: ResourceAllocator;
  private readonly wallClock: () => number;
  private readonly memo: Memo | undefined;
  /** Stored type schemes by hash (what memoization asks of a definition; content behind a hash never changes). */
  private readonly types = new Map<Hash, string>();
  /** Linked, checked and compiled entry programs by hash: content behind a hash never changes, so they never go stale. */
  private readonly programs = new Map<Hash, LoadedProgram>();

  constructor(options: ExecutorOptions) {
    this.repo = options.repo;
    this.loader = options.loader ?? new Loader(options.repo);
    this.policy = options.policy ?? OPEN_POLICY;
    this.wallClock = options.wallClock ?? Date.now;
    this.memo = options.memo;
    const root = this.rootRequest();
    const capacity = { computeSteps: root.computeSteps * 4, memoryBytes: root.memoryBytes * 4, effects: root.effects * 4, ioOps: root.ioOps * 4 };
    // Without an `invokeShare`, invocations' grants grow on demand from their caller's, so concurrent invokes share what it has left.
    this.allocator = options.allocator ?? (this.policy.invokeShare === undefined ? new GrowingAllocator(capacity, { now: this.wallClock }) : new StaticAllocator(capacity, { now: this.wallClock }));
  }

  /** The grant a root context gets: the policy's budgets, defaults for the rest. */
  rootRequest(): Required<Omit<ResourceRequestInput, 'wallClockMs'>> & { wallClockMs?: number } {
    const b = this.policy.budget;
    return {
      computeSteps: b.steps ?? DEFAULT_LIMITS.computeSteps,
      memoryBytes: b.memoryBytes ?? DEFAULT_LIMITS.memoryBytes,
      effects: b.effects ?? DEFAULT_LIMITS.effects,
      ioOps: b.ioOps ?? DEFAULT_LIMITS.ioOps,
      ...(this.policy.wallClockMs !== undefined ? { wallClockMs: this.policy.wallClockMs } : {}),
    };
  }

  /** A root context on a grant from the executor's allocator. */
  createContext(request: ResourceRequestInput = this.rootRequest(), label = 'root'): ExecutionContext {
    return ExecutionContext.root(this.allocator, request, label);
  }

  /** Destroys a context and its subtree, returning its final usage. */
  destroyContext(context: ExecutionContext): ResourceUsage {
    return context.destroy();
  }

  /** Runs the definition a name has now (looked up in the store at this moment). */
  async executeByName(name: string, options: ExecuteOptions = {}): Promise<ExecutionResult> {
    const hash = this.repo.lookupName(name);
    if (hash === undefined) throw new CaxError('E_NOT_FOUND', `no definition named ${name} in the store`, { details: { name } });
    return this.executeByHash(hash, options);
  }

  /** Runs a stored definition applied to `args` in a child of `options.context` (or of a fresh root). */
  async executeByHash(hash: Hash, options: ExecuteOptions = {}): Promise<ExecutionResult> {
    const trace = new Trace();
    const memo = options.memo === undefined ? this.memo : this.memo?.withMode(options.memo);
    // a profiled run is measured, not answered from the cache
    // on sim and device the probe reaches the core only through the link it opens itself (host/debug/link-snapshot.ts)
    if (options.probe && options.backend && options.backend.name !== 'iss' && !options.probe.coprocessor)
      throw new CaxError('E_UNSUPPORTED', `a probe of a run on the ${options.backend.name} backend must open the co-processor it follows (docs/debugging.md)`);
    const memoized = options.backend || options.profile || options.probe || memo?.mode === 'off' ? undefined : memo;
    const run: Run = {
      world: new MemoryWorld(options.world ?? {}),
      sandbox: new Sandbox(this.policy, trace, this.wallClock),
      trace,
      effects: [],
      reports: [],
      jit: options.jit ?? 'auto',
      profiler: options.profile,
      memo: memoized,
      probe: options.probe,
    };
    const owned = options.context === undefined;
    const parent = options.context ?? this.createContext();
    const name = this.repo.namesOf(hash)[0];
    const start = options.world?.start ?? 0;
    let outcome: Outcome | undefined;
    let key: Hash | undefined;
    let hit: CacheHit | undefined;
    let effectful = false;
    try {
      const texts = options.args ?? [];
      const args = texts.map((a, i) => parseExpression(a, `argument ${i + 1}`));
      // (a hash not in the store is not memoized: the run reports it)
      const stored = memo !== undefined && memo.mode !== 'off' && this.repo.has(hash);
      effectful = stored && /\bEffect\b/.test(this.storedType(hash));
      if (stored && memo.covers(effectful) && memo.consults(hash)) {
        const setting = { backend: options.backend?.name ?? 'interp', policy: this.policy, ...(effectful ? { effectful: { world: options.world ?? {}, start } } : {}) } as const;
        key = memo.key(
          hash,
          args.map((a) => ({ expr: printExpr(a) })),
          setting,
        );
        hit = await memo.lookup(hash, key);
      }
      if (hit) {
        try {
          parent.consume({ computeSteps: LOOKUP_STEPS });
        } catch (e) {
          // not even the lookup fits the caller's grant: the run fails as it would have
          if (!(e instanceof CaxError)) throw e;
          hit = undefined;
          outcome = { value: null, error: e, type: '?', clock: start };
        }
      }
      if (hit) {
        trace.record({ kind: 'memo', context: parent.id, hash, name, key: key!, level: hit.level, value: hit.entry.value, saved: hit.entry.cost.computeSteps });
      } else {
        outcome ??= await this.invokeEntry(parent, hash, args, texts, start, run, options.backend);
      }
    } finally {
      if (owned) {
        run.reports.unshift(this.report(parent, undefined, undefined, parent.destroy()));
      }
    }
    if (hit) {
      const e = hit.entry;
      await memo!.cache.flush();
      // A pure run's clock and world are this run's: its key leaves them out.
      const world = effectful ? { clock: e.clock, balances: e.balances } : { clock: start, balances: run.world.snapshot() };
      return {
        hash,
        name,
        value: e.value,
        type: e.type,
        error: null,
        effects: e.effects,
        ...world,
        trace,
        contexts: run.reports,
        memo: { key: key!, hit: true, level: hit.level, saved: e.cost.computeSteps },
      };
    }
    const done = outcome!;
    const effects = [...run.effects].sort((a, b) => a.time - b.time);
    const balances = run.world.snapshot();
    if (memo && key !== undefined) {
      const cost = this.runCost(run.reports);
      if (done.value !== null && done.error === null && memo.admits(hash, cost.computeSteps)) {
        memo.store({
          key,
          definition: hash,
          backend: options.backend?.name ?? 'interp',
          value: showValue(done.value),
          encoded: encodedValue(done.value),
          type: done.type,
          effects: effects.map((e) => ({ ...e, args: [...e.args] })),
          clock: done.clock,
          balances,
          cost,
        });
      }
      await memo.cache.flush();
    } else if (memo) {
      await memo.cache.flush();
    }
    return {
      hash,
      name,
      value: done.value === null ? null : showValue(done.value),
      type: done.type,
      error: done.error,
      effects,
      clock: done.clock,
      balances,
      trace,
      contexts: run.reports,
      ...(done.coprocessor ? { coprocessor: done.coprocessor } : {}),
      ...(key !== undefined ? { memo: { key, hit: false } } : {}),
    };
  }

  /** What a run cost: the consumption of its outermost contexts (a context's includes its children's). */
  private runCost(reports: readonly ContextReport[]): Amounts {
    const ids = new Set(reports.map((r) => r.context));
    const outer = reports.filter((r) => r.parent === undefined || !ids.has(r.parent));
    return outer.reduce((total, r) => add(total, r.consumed), ZERO);
  }

  private report(context: ExecutionContext, hash: Hash | undefined, name: string | undefined, usage: ResourceUsage): ContextReport {
    return { context: context.id, parent: context.parentId, hash, name, consumed: { ...usage.consumed }, limits: { ...usage.limits }, released: usage.released };
  }

  /** What a child gets up front: nothing when grants grow on demand (no `invokeShare`), else that share of `parent`'s remaining resources (all of it with a fixed allocator). */
  private childRequest(parent: ExecutionContext): ResourceRequestInput {
    const usage = parent.usage();
    const share = this.policy.invokeShare ?? (this.allocator instanceof GrowingAllocator ? 0 : 1);
    const request: Record<string, number> = {};
    // No wall-clock request: a child inherits its parent's deadline.
    for (const k of ADDITIVE_KINDS) request[k] = Math.floor(usage.available[k] * share);
    return request;
  }

  /** Opens an invocation of `hash` from `parent`: a new child context (after a wall-clock check), recorded in the trace; a refusal is recorded and thrown. */
  private open(parent: ExecutionContext, hash: Hash, args: readonly string[], run: Run): Actor {
    const name = this.repo.namesOf(hash)[0];
    let context: ExecutionContext;
    try {
      run.sandbox.checkWallClock(parent, hash);
      context = parent.createChild(this.childRequest(parent), name ?? `@${hash.slice(0, 12)}`);
    } catch (e) {
      if (e instanceof CaxError) run.trace.record({ kind: 'error', context: parent.id, hash, code: e.code, message: e.message });
      throw e;
    }
    run.trace.record({ kind: 'invoke', context: context.id, parent: parent.id, hash, name, args });
    return { context, hash, name };
  }

  /** Closes an invocation: destroys its context (reporting its usage) and records how it ended. */
  private close(actor: Actor, end: { readonly value: Value } | { readonly error: CaxError }, run: Run): void {
    const report = this.report(actor.context, actor.hash, actor.name, actor.context.destroy());
    run.reports.push(report);
    if ('error' in end) run.trace.record({ kind: 'error', context: actor.context.id, hash: actor.hash, code: end.error.code, message: end.error.message });
    else run.trace.record({ kind: 'return', context: actor.context.id, hash: actor.hash, name: actor.name, value: showValue(end.value), usage: report.consumed });
    run.probe?.closed?.(report);
  }

  /**
   * Runs the entry `hash` applied to `args` (`texts`: as given) in a new child
   * of `parent` starting at logical time `start`: on the interpreter, or
   * compiled on a co-processor `backend`. A refused invocation is an outcome with its error.
   */
  private async invokeEntry(parent: ExecutionContext, hash: Hash, args: readonly Expr[], texts: readonly string[], start: number, run: Run, backend: CoprocessorBackend | undefined): Promise<Outcome> {
    let actor: Actor;
    try {
      actor = this.open(parent, hash, args.map(printExpr), run);
    } catch (e) {
      if (!(e instanceof CaxError)) throw e;
      return { value: null, error: e, type: '?', clock: start };
    }
    return backend ? this.runOnCoprocessor(actor, args, texts, start, run, backend) : this.runIn(actor, args, start, run);
  }

  /** Records every effect the sandboxed world sees in the trace, under the acting context. */
  private recordEffects(run: Run, active: () => Actor): Parameters<Sandbox['handlers']>[2] {
    return (kind, timeline, time, out) => {
      const a = active();
      run.trace.record({ kind: 'effect', context: a.context.id, hash: a.hash, effect: kind, timeline, at: time, detail: out.ok ? String(out.result) : `${out.code} ${out.message}` });
    };
  }

  /**
   * Runs the entry invocation compiled on a co-processor: the arguments are checked by the TEL front end, the
   * image comes from the image cache, effects go through the sandbox (policy rules, denials in the trace) and the
   * interpreter's scheduler, and each run on the core is bounded by, and charged to, the acting context's compute
   * grant and the policy's steps. Every context opened here is closed before this returns.
   */
  private async runOnCoprocessor(entry: Actor, args: readonly Expr[], texts: readonly string[], start: number, run: Run, backend: CoprocessorBackend): Promise<Outcome> {
    const open: Actor[] = [entry];
    let active = entry;
    let type = '?';
    let value: Value | null = null;
    let error: CaxError | null = null;
    let clock = start;
    let coprocessor: CoprocessorUsage | undefined;
    let scheduler: Scheduler<Actor> | undefined;
    let cycles = 0;
    // Whether the policy (rather than the acting context's grant) bounded the last run on the core.
    let binding = false;
    const limit = (): number => {
      const available = active.context.usage().available.computeSteps;
      const policyLeft = run.sandbox.remaining().steps;
      binding = policyLeft <= available;
      return Math.max(0, Math.min(available, policyLeft));
    };
    const charge = (ran: number): void => {
      cycles += ran;
      run.sandbox.charge(ran, 0);
      active.context.consume({ computeSteps: Math.min(ran, active.context.usage().available.computeSteps) });
    };
    // The core's heap is memory: its growth is charged to the acting context and the run as it is seen, after each run on the core.
    let heapCharged = 0;
    const chargeHeap = (heapBytes: number): void => {
      const grown = heapBytes - heapCharged;
      if (grown <= 0) return;
      heapCharged = heapBytes;
      run.sandbox.charge(0, grown);
      const available = active.context.usage().available.memoryBytes;
      active.context.consume({ memoryBytes: Math.min(grown, available) });
      if (run.sandbox.remaining().memoryBytes < 0) {
        throw run.sandbox.deny('budget.memoryBytes', 'memory budget exhausted', active.context, active.hash);
      }
      // the interpreter's words: the same message on every backend (the heap's size is in the details)
      if (grown > available) throw budgetExhausted(`memory budget exhausted in context ${active.context.id}`, { budget: 'memory', context: active.context.id, heapBytes });
    };
    try {
      const entryType = compileEntry(this.program(entry.hash), internalName(entry.hash), args);
      type = entryType.type;
      const compiled = compileStored(this.repo, entry.hash, texts);
      const sandboxed = run.sandbox.handlers(
        run.probe?.world?.(run.world) ?? run.world,
        () => active,
        this.recordEffects(run, () => active),
      );
      const handlers = run.probe?.handlers?.(sandboxed, () => this.probeState(run, open, active, scheduler, { steps: cycles, memory: heapCharged }, start)) ?? sandboxed;
      // `invoke` of a stored definition: a child context as on the interpreter path, its body run on the co-processor.
      const invoke: InvokeHook<Actor> = (call) => {
        const caller = call.owner;
        run.sandbox.admit('invoke', undefined, undefined, caller.context, caller.hash);
        const fn = call.fn;
        if (!(fn instanceof CoreFunction)) throw new CaxError('E_INTERNAL', 'invoke of a function that is not on the co-processor');
        if (fn.hash === undefined) return fn.applied(call.args);
        const actor = this.open(caller.context, fn.hash, [...fn.partial, ...call.args].map(showValue), run);
        open.push(actor);
        return new Invocation(
          actor,
          () => fn.applied(call.args),
          (end) => {
            open.splice(open.indexOf(actor), 1);
            this.close(actor, 'value' in end ? end : { error: 'failure' in end ? failureError(end.failure) : cutOff() }, run);
          },
        );
      };
      const cop = run.probe?.coprocessor ? await run.probe.coprocessor(compiled.image) : await openCoprocessor(backend.name, backend.device, backend.baud === undefined ? {} : { baud: backend.baud });
      try {
        const r = await runImage(cop, compiled.image, [], {
          budget: Number.MAX_SAFE_INTEGER,
          start,
          limit,
          onCycles: charge,
          onHeap: chargeHeap,
          // a pure stretch on the core makes no ecall the sandbox could check: the link's watchdog stops it at the wall-clock limit
          ...((backend.timeoutMs ?? this.policy.wallClockMs) ? { timeoutMs: backend.timeoutMs ?? this.policy.wallClockMs } : {}),
          effects: { handlers, invoke, owner: entry, onOwner: (owner) => (active = owner), attach: (s) => (scheduler = s) },
          // every effect result back to the host between two runs on the core (none settled on the core): snapshots
          // read the core between runs, and a snapshot's run must be charged as the plain run it stands for (docs/debugging.md)
          settle: false,
        });
        for (const entry of r.effects) run.effects.push(entry);
        ({ value, error, clock } = r);
        if (value !== null) {
          // what the device answered must be a value of the result's type (an effect's: of what it yields)
          const checked = prune(entryType.checked);
          const answered = value;
          value = null;
          checkResultType(answered, checked.tag === 'con' && checked.name === 'Effect' ? checked.args[0]! : checked);
          value = answered;
        }
        coprocessor = {
          backend: backend.name,
          cycles: r.cycles,
          instret: r.instret,
          heapBytes: r.heapBytes,
          imageKey: compiled.imageKey,
          cached: compiled.cached,
          ...(compiled.rebuilt ? { rebuiltImage: compiled.rebuilt } : {}),
        };
      } finally {
        await cop.close();
      }
      const outOfCycles = budgetOf(error);
      if (outOfCycles?.budget === 'cycles') {
        // Out of cycles while `active` ran: a policy denial when the policy was the tighter bound, else that context's E_BUDGET.
        error = binding
          ? run.sandbox.deny('budget.steps', 'step budget exhausted', active.context, active.hash)
          : budgetExhausted(`step budget exhausted in context ${active.context.id}`, { ...outOfCycles, context: active.context.id });
      }
    } catch (e) {
      if (!(e instanceof CaxError)) throw e;
      error = e;
    }
    try {
      // stopped because the wall-clock limit passed (the watchdog above): the policy's denial
      if (error && this.policy.wallClockMs !== undefined) run.sandbox.checkWallClock(active.context, active.hash);
    } catch (e) {
      if (!(e instanceof CaxError)) throw e;
      error = e;
    } finally {
      const end = error ? { error } : { value: value! };
      while (open.length > 0) this.close(open.pop()!, end, run);
    }
    return { value: error ? null : value, error, type, clock, ...(coprocessor ? { coprocessor } : {}) };
  }

  /**
   * Runs the entry invocation on one machine and one scheduler over the
   * sandboxed world. A nested `invoke` of a stored definition opens a child
   * context and runs as an Invocation in the caller's fiber (the reference
   * semantics: same clock, interleaving and rollback); the scheduler tells
   * which invocation's code runs, and its steps, memory and effects are
   * charged to that context, whose grant bounds the machine meanwhile.
   * Every context opened here is closed before this returns, errors included.
   */
  private runIn(entry: Actor, args: readonly Expr[], start: number, run: Run): Outcome {
    const open: Actor[] = [entry];
    let scheduler: Scheduler<Actor> | undefined;
    let type = '?';
    let value: Value | null = null;
    let error: CaxError | null = null;
    try {
      const loaded = this.program(entry.hash);
      let active = entry;
      // The machine stops at whichever is tighter: the running context's grant or what the policy leaves the run.
      let binding = { step: false, memory: false };
      const machine: Machine = new Machine({ steps: 0, memory: 0 }, (h, at) => compiledHash(loaded, h, at));
      const limit = (a: Actor): void => {
        const available = a.context.usage().available;
        const policyLeft = run.sandbox.remaining();
        binding = { step: policyLeft.steps <= available.computeSteps, memory: policyLeft.memoryBytes <= available.memoryBytes };
        machine.budget = {
          steps: machine.steps + Math.min(available.computeSteps, policyLeft.steps),
          memory: machine.footprint + Math.floor(Math.min(available.memoryBytes, policyLeft.memoryBytes) / CELL_BYTES),
        };
      };
      limit(entry);
      // The wall clock is checked every PERIOD_STEPS steps, so any loop is stopped by it.
      machine.periodic = () => run.sandbox.checkWallClock(active.context, active.hash);
      // compiled code is kept beside the store, for later processes
      machine.jit = run.profiler ? null : jitTier(run.jit, persistentCodeCache(join(dirname(this.repo.file), JIT_CACHE_DIR)));
      if (run.profiler) machine.profile = run.profiler.attach(machine, loaded);
      let charged = { steps: 0, memory: 0 };
      const charge = (): void => {
        const now = { steps: machine.steps, memory: machine.footprint };
        const delta = { steps: now.steps - charged.steps, bytes: (now.memory - charged.memory) * CELL_BYTES };
        // Nothing ran since the last charge (for instance: the running context was just cut off and closed).
        if (delta.steps === 0 && delta.bytes === 0) return;
        charged = now;
        run.sandbox.charge(delta.steps, delta.bytes);
        active.context.consume({ computeSteps: delta.steps, memoryBytes: delta.bytes });
      };
      const invoke: InvokeHook<Actor> = (call) => {
        const caller = call.owner;
        run.sandbox.admit('invoke', undefined, undefined, caller.context, caller.hash);
        const target = hashOfFunction(call.fn);
        if (target === undefined) return machine.apply(call.fn, [...call.args]);
        charge();
        const partial = call.fn instanceof Partial ? call.fn.args : [];
        const key = run.memo && this.invokeKey(run.memo, target, [...partial, ...call.args]);
        const hit = key === undefined ? undefined : run.memo!.lookupSync(target, key);
        if (hit && hit.entry.encoded !== null) {
          run.sandbox.charge(LOOKUP_STEPS, 0);
          caller.context.consume({ computeSteps: LOOKUP_STEPS });
          run.trace.record({
            kind: 'memo',
            context: caller.context.id,
            hash: target,
            name: this.repo.namesOf(target)[0],
            key: key!,
            level: hit.level,
            value: hit.entry.value,
            saved: hit.entry.cost.computeSteps,
          });
          return new Eff({ k: 'pure', value: decodeValue(Buffer.from(hit.entry.encoded, 'hex')) });
        }
        const actor = this.open(caller.context, target, [...partial, ...call.args].map(showValue), run);
        open.push(actor);
        const before = { steps: machine.steps, seq: run.trace.events.length, clock: call.clock };
        return new Invocation(
          actor,
          () => machine.apply(call.fn, [...call.args]),
          (end) => {
            // What it ran since the last charge is its own, charged while its context is still open.
            if (actor === active) charge();
            open.splice(open.indexOf(actor), 1);
            this.close(actor, 'value' in end ? end : { error: 'failure' in end ? failureError(end.failure) : cutOff() }, run);
            // The closed context's unused grant went back to its parent: the running context may have more now.
            limit(active);
            // Stored only when it did no effect (its own or a concurrent one) and took no logical time: its value is a function of its arguments.
            if (key !== undefined && 'value' in end && scheduler?.clock === before.clock && !effectSince(run.trace, before.seq)) {
              const encoded = encodedValue(end.value);
              const steps = machine.steps - before.steps;
              if (encoded !== null && run.memo!.admits(target, steps)) {
                run.memo!.store({
                  key,
                  definition: target,
                  backend: 'interp',
                  value: showValue(end.value),
                  encoded,
                  type: this.storedType(target),
                  effects: [],
                  clock: 0,
                  balances: {},
                  cost: { computeSteps: steps, memoryBytes: 0, effects: 0, ioOps: 0 },
                });
              }
            }
          },
        );
      };
      const sandboxed = run.sandbox.handlers(
        run.probe?.world?.(run.world) ?? run.world,
        () => active,
        this.recordEffects(run, () => active),
      );
      // A profile samples every open context; the running one (and its ancestors) with the steps not charged yet.
      const contextUses = (): ContextUse[] => {
        const pending = { computeSteps: machine.steps - charged.steps, memoryBytes: (machine.heap - charged.memory) * CELL_BYTES };
        const running = new Set<string>();
        for (let id: string | undefined = active.context.id; id !== undefined; id = open.find((a) => a.context.id === id)?.context.parentId) running.add(id);
        return open.map((a) => {
          const u = a.context.usage();
          const add = running.has(a.context.id) ? pending : { computeSteps: 0, memoryBytes: 0 };
          return {
            context: a.context.id,
            label: a.name ?? `@${a.hash.slice(0, 12)}`,
            used: { computeSteps: u.consumed.computeSteps + add.computeSteps, memoryBytes: u.consumed.memoryBytes + add.memoryBytes },
            limits: { computeSteps: u.limits.computeSteps, memoryBytes: u.limits.memoryBytes },
          };
        });
      };
      const profiled = run.profiler ? run.profiler.wrap(sandboxed, contextUses) : sandboxed;
      const handlers: EffectHandlers =
        run.probe?.handlers?.(profiled, (): ProbeState => this.probeState(run, open, active, scheduler, { steps: machine.steps, memory: machine.footprint }, start)) ?? profiled;
      const sched = new Scheduler<Actor>(machine, handlers, start, invoke);
      scheduler = sched;
      sched.onOwner = (owner) => {
        charge();
        active = owner;
        limit(active);
      };
      try {
        const code = compileEntry(loaded, internalName(entry.hash), args);
        type = code.type;
        const fn = machine.evaluate(code.code, machine.newFrame(code.frameSize, null));
        if (fn instanceof Eff) {
          const out = sched.run(fn, entry);
          if ('value' in out) value = out.value;
          else error = failureError(out.failure);
        } else {
          value = fn;
        }
      } catch (e) {
        if (!(e instanceof CaxError)) throw e;
        error = e;
      }
      try {
        charge();
      } catch (e) {
        if (!(e instanceof CaxError)) throw e;
        error ??= e;
      }
      const exhausted = budgetOf(error);
      if (error?.code === 'E_BUDGET' && exhausted?.context === undefined) {
        // Exhausted by the machine while `active` ran: a policy denial when the policy was the tighter bound, else that context's E_BUDGET.
        const which = exhausted?.budget === 'memory' ? 'memory' : 'step';
        const message = `${which} budget exhausted`;
        error =
          exhausted !== undefined && binding[which]
            ? run.sandbox.deny(which === 'step' ? 'budget.steps' : 'budget.memoryBytes', message, active.context, active.hash)
            : budgetExhausted(`${message} in context ${active.context.id}`, { ...(exhausted ?? { budget: which }), context: active.context.id });
      }
    } catch (e) {
      if (!(e instanceof CaxError)) throw e;
      error = e;
    } finally {
      if (scheduler) for (const entry of scheduler.log) run.effects.push(entry);
      // Innermost first; on success only the entry is still open; an exception passing through (a probe stopping the run) cuts them off.
      const end = error ? { error } : value !== null ? { value } : { error: cutOff() };
      while (open.length > 0) this.close(open.pop()!, end, run);
    }
    return { value: error ? null : value, error, type, clock: scheduler?.clock ?? start };
  }

  /** What a probe reads of a run now: `usage` is the machine's steps and cells, or the core's cycles and heap bytes. */
  private probeState(run: Run, open: readonly Actor[], active: Actor, scheduler: Scheduler<Actor> | undefined, usage: { readonly steps: number; readonly memory: number }, start: number): ProbeState {
    return {
      clock: scheduler?.clock ?? start,
      log: scheduler?.log ?? [],
      ...usage,
      open: open.map((a) => this.report(a.context, a.hash, a.name, a.context.usage())),
      closed: [...run.reports],
      active: active.context.id,
      sandbox: run.sandbox.counters(),
      trace: run.trace.events,
    };
  }

  private storedType(hash: Hash): string {
    let type = this.types.get(hash);
    if (type === undefined) this.types.set(hash, (type = this.repo.get(hash).type));
    return type;
  }

  /** The result key of an `invoke` of `target` with `args` (undefined when an argument is a function or an effect, or memoization does not consult `target` now). */
  private invokeKey(memo: Memo, target: Hash, args: readonly Value[]): Hash | undefined {
    if (!memo.consults(target)) return undefined;
    const encoded = args.map(encodedValue);
    if (encoded.some((e) => e === null)) return undefined;
    return memo.key(
      target,
      encoded.map((e) => ({ value: Buffer.from(e!, 'hex') })),
      { backend: 'interp', policy: this.policy },
    );
  }

  /** The program that runs `hash`, from the cache (bounded to PROGRAM_CACHE entries, oldest dropped first). */
  private program(hash: Hash): LoadedProgram {
    const cached = this.programs.get(hash);
    if (cached) return cached;
    const linked = this.loader.link(hash);
    const entry = this.load(linked);
    this.programs.set(hash, entry);
    if (this.programs.size > PROGRAM_CACHE) this.programs.delete(this.programs.keys().next().value!);
    return entry;
  }

  /** Type-checks and compiles the entry definition; `@hash` references resolve within the linked closure. */
  private load(linked: LinkedCode): LoadedProgram {
    const root = linked.root;
    const decls = new Map([...linked.definitions].map(([h, d]) => [h, renamed(d.decl, internalName(h))]));
    return loadProgram(
      { file: `@${root.hash.slice(0, 12)}`, decls: [decls.get(root.hash)!] },
      {
        definition: (h) => decls.get(h) ?? (this.repo.has(h) ? renamed(this.loader.load(h).decl, internalName(h)) : undefined),
        hashTypes: (h) => storedTypeScheme(this.repo, h),
      },
      new Map([[internalName(root.hash), root.hash]]),
    );
  }
}
