// The executor: runs stored definitions by hash or name. Every invocation
// runs in a child ExecutionContext whose grant is subdivided from its
// caller's (the share the policy sets); `invoke` of a stored definition runs
// it in a nested context of the invoking one, with its own machine and
// budgets, at the caller's logical time, and the caller's clock then moves
// by the time it took. Effects go through the sandbox; usage is reported
// per context; contexts are destroyed on every path, errors included. The
// trace records invocations, returns, effects, denials and errors.
import { CaxError } from '../errors.js';
import type { Decl, Expr } from '../tel/ast.js';
import { compileEntry, compiledHash, loadProgram, type LoadedProgram } from '../tel/interp.js';
import { Machine } from '../tel/machine.js';
import { parseExpression } from '../tel/parser.js';
import { printExpr } from '../tel/printer.js';
import { Closure, Eff, Partial } from '../tel/runtime.js';
import { Scheduler, type EffectEntry, type InvokeHook } from '../tel/scheduler.js';
import { showValue, type Value } from '../tel/values.js';
import { MemoryWorld, type WorldInput } from '../tel/world.js';
import { StaticAllocator } from '../resources/static-allocator.js';
import type { ResourceAllocator, ResourceUsage } from '../resources/allocator.js';
import { ADDITIVE_KINDS, type ResourceRequestInput } from '../resources/vector.js';
import type { Hash } from '../store/hash.js';
import { Loader, type LinkedCode } from '../store/loader.js';
import type { Repository } from '../store/repository.js';
import { storedTypeScheme } from '../store/typing.js';
import { ExecutionContext } from './context.js';
import { OPEN_POLICY, type Policy } from './policy.js';
import { Sandbox } from './sandbox.js';
import { Trace } from './trace.js';

/** Entry programs an executor keeps compiled. */
const PROGRAM_CACHE = 256;

/** Bytes charged per interpreter memory cell. */
export const CELL_BYTES = 8;

/** What a root context gets for a budget the policy leaves open. */
export const DEFAULT_LIMITS = { computeSteps: 1_000_000_000, memoryBytes: 512 * 1024 * 1024, effects: 1_000_000, ioOps: 1_000_000 } as const;

export interface ExecutorOptions {
  readonly repo: Repository;
  readonly loader?: Loader;
  readonly policy?: Policy;
  /** Where root contexts are carved from (default: a StaticAllocator big enough for the policy). */
  readonly allocator?: ResourceAllocator;
  readonly wallClock?: () => number;
}

export interface ExecuteOptions {
  /** Arguments as TEL expressions (checked against the definition's type). */
  readonly args?: readonly string[];
  readonly world?: WorldInput;
  /** The caller's context; default: a root context made from the policy and destroyed afterwards. */
  readonly context?: ExecutionContext;
}

/** Usage of one context of a run. */
export interface ContextReport {
  readonly context: string;
  readonly parent: string | undefined;
  readonly hash: Hash | undefined;
  readonly name: string | undefined;
  readonly consumed: Readonly<Record<string, number>>;
  readonly limits: Readonly<Record<string, number>>;
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
}

/** The internal name a stored definition runs under: closures carry it, so `invoke` knows what it calls. */
const internalName = (hash: Hash): string => `@${hash}`;

function hashOfFunction(fn: Value): Hash | undefined {
  const target = fn instanceof Partial ? fn.fn : fn;
  if (target instanceof Closure && /^@[0-9a-f]{64}$/.test(target.lam.name)) return target.lam.name.slice(1);
  return undefined;
}

function renamed(decl: Decl, name: string): Decl {
  return { ...decl, name, equations: decl.equations.map((e) => ({ ...e, name })) };
}

/** State shared by every context of one run. */
interface Run {
  readonly world: MemoryWorld;
  readonly sandbox: Sandbox;
  readonly trace: Trace;
  readonly effects: EffectEntry[];
  readonly reports: ContextReport[];
}

interface Outcome {
  readonly value: Value | null;
  readonly error: CaxError | null;
  readonly type: string;
  readonly clock: number;
}

export class Executor {
  readonly repo: Repository;
  readonly loader: Loader;
  readonly policy: Policy;
  readonly allocator: ResourceAllocator;
  private readonly wallClock: () => number;
  /** Linked, checked and compiled entry programs by hash: content behind a hash never changes, so they never go stale. */
  private readonly programs = new Map<Hash, LoadedProgram>();

  constructor(options: ExecutorOptions) {
    this.repo = options.repo;
    this.loader = options.loader ?? new Loader(options.repo);
    this.policy = options.policy ?? OPEN_POLICY;
    this.wallClock = options.wallClock ?? Date.now;
    const root = this.rootRequest();
    this.allocator =
      options.allocator ??
      new StaticAllocator({ computeSteps: root.computeSteps * 4, memoryBytes: root.memoryBytes * 4, effects: root.effects * 4, ioOps: root.ioOps * 4 }, { now: this.wallClock });
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
    const run: Run = { world: new MemoryWorld(options.world ?? {}), sandbox: new Sandbox(this.policy, trace, this.wallClock), trace, effects: [], reports: [] };
    const owned = options.context === undefined;
    const parent = options.context ?? this.createContext();
    const name = this.repo.namesOf(hash)[0];
    let outcome: Outcome;
    try {
      const args = (options.args ?? []).map((a, i) => parseExpression(a, `argument ${i + 1}`));
      outcome = this.invokeIn(parent, hash, { exprs: args }, options.world?.start ?? 0, run);
    } finally {
      if (owned) {
        run.reports.unshift(this.report(parent, undefined, undefined, parent.destroy()));
      }
    }
    return {
      hash,
      name,
      value: outcome.value === null ? null : showValue(outcome.value),
      type: outcome.type,
      error: outcome.error,
      effects: [...run.effects].sort((a, b) => a.time - b.time),
      clock: outcome.clock,
      balances: run.world.snapshot(),
      trace,
      contexts: run.reports,
    };
  }

  private report(context: ExecutionContext, hash: Hash | undefined, name: string | undefined, usage: ResourceUsage): ContextReport {
    const pick = (a: Readonly<Record<string, number>>): Record<string, number> => Object.fromEntries(ADDITIVE_KINDS.map((k) => [k, a[k] ?? 0]));
    return { context: context.id, parent: context.parentId, hash, name, consumed: pick(usage.consumed), limits: pick(usage.limits), released: usage.released };
  }

  /** The share of `parent`'s remaining resources a child gets. */
  private childRequest(parent: ExecutionContext): ResourceRequestInput {
    const usage = parent.usage();
    const share = this.policy.invokeShare;
    const request: Record<string, number> = {};
    // No wall-clock request: a child inherits its parent's deadline.
    for (const k of ADDITIVE_KINDS) request[k] = Math.floor(usage.available[k] * share);
    return request;
  }

  /**
   * Runs `hash` in a new child of `parent` starting at logical time `start`;
   * the child is destroyed before this returns or throws.
   */
  private invokeIn(parent: ExecutionContext, hash: Hash, args: { exprs: readonly Expr[] } | { values: readonly Value[] }, start: number, run: Run): Outcome {
    const name = this.repo.namesOf(hash)[0];
    let child: ExecutionContext;
    try {
      run.sandbox.checkWallClock(parent, hash);
      child = parent.createChild(this.childRequest(parent), name ?? `@${hash.slice(0, 12)}`);
    } catch (e) {
      if (!(e instanceof CaxError)) throw e;
      run.trace.record({ kind: 'error', context: parent.id, hash, code: e.code, message: e.message });
      return { value: null, error: e, type: '?', clock: start };
    }
    run.trace.record({ kind: 'invoke', context: child.id, parent: parent.id, hash, name, args: 'exprs' in args ? args.exprs.map(printExpr) : args.values.map(showValue) });
    let outcome: Outcome;
    try {
      outcome = this.runIn(child, hash, args, start, run);
    } catch (e) {
      if (!(e instanceof CaxError)) throw e;
      outcome = { value: null, error: e, type: '?', clock: start };
    } finally {
      run.reports.push(this.report(child, hash, name, child.destroy()));
    }
    if (outcome.error) run.trace.record({ kind: 'error', context: child.id, hash, code: outcome.error.code, message: outcome.error.message });
    else run.trace.record({ kind: 'return', context: child.id, hash, name, value: showValue(outcome.value!), usage: run.reports[run.reports.length - 1]!.consumed });
    return outcome;
  }

  /** Runs `hash` inside `context`: its own machine on the context's remaining budget, the sandboxed world, nested invokes. */
  private runIn(context: ExecutionContext, hash: Hash, args: { exprs: readonly Expr[] } | { values: readonly Value[] }, start: number, run: Run): Outcome {
    const loaded = this.program(hash);
    const main = internalName(hash);

    // The machine stops at whichever is tighter: the context's grant or what the policy leaves the run.
    const available = context.usage().available;
    const policyLeft = run.sandbox.remaining();
    const memoryCells = Math.floor(Math.min(available.memoryBytes, policyLeft.memoryBytes) / CELL_BYTES);
    const steps = Math.min(available.computeSteps, policyLeft.steps);
    const bindingRule = { step: policyLeft.steps <= available.computeSteps, memory: policyLeft.memoryBytes <= available.memoryBytes };
    const machine = new Machine({ steps, memory: memoryCells }, (h, at) => compiledHash(loaded, h, at));
    // The wall clock is checked every PERIOD_STEPS steps, so any loop is stopped by it.
    machine.periodic = () => run.sandbox.checkWallClock(context, hash);
    let charged = { steps: 0, memory: 0 };
    const charge = (): void => {
      const now = { steps: machine.steps, memory: machine.heap };
      const delta = { steps: now.steps - charged.steps, bytes: (now.memory - charged.memory) * CELL_BYTES };
      charged = now;
      run.sandbox.charge(delta.steps, delta.bytes);
      context.consume({ computeSteps: delta.steps, memoryBytes: delta.bytes });
    };
    const invoke: InvokeHook = (call) => {
      const target = hashOfFunction(call.fn);
      run.sandbox.admit('invoke', undefined, undefined, context, hash);
      if (target === undefined) return machine.apply(call.fn, [...call.args]);
      charge();
      const partial = call.fn instanceof Partial ? call.fn.args : [];
      const begun = call.clock;
      const inner = this.invokeIn(context, target, { values: [...partial, ...call.args] }, begun, run);
      if (inner.error) throw inner.error;
      return new Eff({ k: 'after', delay: inner.clock - begun, body: new Eff({ k: 'pure', value: inner.value! }) }, call.span);
    };
    const handlers = run.sandbox.handlers(run.world, context, hash, (kind, timeline, time, out) => {
      run.trace.record({ kind: 'effect', context: context.id, hash, effect: kind, timeline, at: time, detail: out.ok ? String(out.result) : `${out.code} ${out.message}` });
    });
    const scheduler = new Scheduler(machine, handlers, start, invoke);

    let type = '?';
    let value: Value | null = null;
    let error: CaxError | null = null;
    try {
      let fn: Value;
      if ('exprs' in args) {
        const entry = compileEntry(loaded, main, args.exprs);
        type = entry.type;
        fn = machine.evaluate(entry.code, machine.newFrame(entry.frameSize, null));
      } else {
        const { code, frameSize } = compileEntry(loaded, main, []);
        const f = machine.evaluate(code, machine.newFrame(frameSize, null));
        fn = args.values.length === 0 ? f : machine.apply(f, [...args.values]);
        type = this.repo.get(hash).type;
      }
      if (fn instanceof Eff) {
        const out = scheduler.run(fn);
        if ('value' in out) value = out.value;
        else error = run.sandbox.denial(out.failure.message) ?? new CaxError(out.failure.code, out.failure.message, out.failure.span ? { span: out.failure.span } : {});
      } else {
        value = fn;
      }
    } catch (e) {
      if (!(e instanceof CaxError)) throw e;
      error = e;
    }
    run.effects.push(...scheduler.log);
    try {
      charge();
    } catch (e) {
      if (!(e instanceof CaxError)) throw e;
      error ??= e;
    }
    if (error?.code === 'E_BUDGET' && error.details.context === undefined) {
      // Exhausted by this context's own machine: a policy denial when the policy was the tighter bound, else the grant's E_BUDGET.
      const which = error.details.budget === 'memory' ? 'memory' : 'step';
      error = error.details.budget !== undefined && bindingRule[which]
        ? run.sandbox.deny(which === 'step' ? 'budget.steps' : 'budget.memoryBytes', error.message, context, hash)
        : new CaxError('E_BUDGET', `${error.message} in context ${context.id}`, { details: { ...error.details, context: context.id } });
    }
    return { value: error ? null : value, error, type, clock: scheduler.clock };
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
    );
  }
}
