// The TEL interpreter's entry points: `loadProgram` checks and compiles a
// program once (against the prelude, with a resolver for `@hash`
// references), `runMain` evaluates a named definition applied to arguments
// under a budget and a world, running the result through the scheduler when
// it is an effect. A run returns its value (or the error that ended it), the
// effect log, the final clock, and the steps and memory used.
import { CaxError, type SourceSpan } from '../errors.js';
import type { Decl, Expr, Program } from './ast.js';
import { compileDecls, compileExpression, type Cell, type Code, type Globals } from './compile.js';
import { checkExpression, checkProgramAll, type CheckedProgram, type HashTypes } from './infer.js';
import { DEFAULT_BUDGET, Machine, type Budget, type ProfileHook } from './machine.js';
import { jitTier, markStoredDefinition, type JitMode, type JitOptions, type JitStats } from './jit/tier.js';
import type { CodeCache } from './jit/cache.js';
import { prelude } from './prelude.js';
import { Eff } from './runtime.js';
import { Scheduler, defaultInvoke, failureError, type EffectEntry, type InvokeHook } from './scheduler.js';
import { typeToString, type Scheme, type Type } from './types.js';
import { showValue, type Value } from './values.js';
import { MemoryWorld, type EffectHandlers, type WorldInput } from './world.js';

/** Supplies stored definitions: `@hash` references and what `invoke` runs. */
export interface Resolver {
  /** The stored definition a hash names (its own references are again `@hash`es), or undefined (E_MISSING_HASH). */
  definition(hash: string): Decl | undefined;
  /** Type of a stored definition for the checker. */
  readonly hashTypes?: HashTypes;
  /** How `invoke` runs (child context, grants, denial); default: the call itself, inline. */
  readonly invoke?: InvokeHook;
}

export const NO_RESOLVER: Resolver = { definition: () => undefined };

export interface LoadedProgram {
  readonly program: Program;
  readonly checked: CheckedProgram;
  /** Environment for checking entry expressions: prelude, builtins and the program's definitions. */
  readonly types: ReadonlyMap<string, Scheme>;
  readonly globals: Globals;
  readonly resolver: Resolver;
  /** Compiled `@hash` definitions, by hash. */
  readonly hashCells: Map<string, Cell>;
}

/**
 * Type-checks (throwing the first E_TYPE/E_UNBOUND) and compiles a parsed program; `stored` names the definitions
 * that are stored ones, with their content hashes (the JIT's code cache key).
 */
export function loadProgram(program: Program, resolver: Resolver = NO_RESOLVER, stored: ReadonlyMap<string, string> = new Map()): LoadedProgram {
  const pre = prelude();
  const { checked, errors } = checkProgramAll(program, { globals: pre.types, hashTypes: resolver.hashTypes });
  if (errors.length > 0) throw errors[0]!;
  const cells = compileDecls(program.decls, pre.globals);
  for (const [name, hash] of stored) {
    const cell = cells.get(name);
    if (cell !== undefined) markStoredDefinition(cell, hash);
  }
  const types = new Map<string, Scheme>([...pre.types, ...checked.types]);
  const globals: Globals = { lookup: (n) => cells.get(n) ?? pre.globals.lookup(n) };
  return { program, checked, types, globals, resolver, hashCells: new Map() };
}

export interface RunOptions {
  /** The default world's input; ignored when `handlers` is given. */
  readonly world?: WorldInput;
  /** Effect handlers (a sandbox wrapper, a replay); default: a MemoryWorld over `world`. */
  readonly handlers?: EffectHandlers;
  /** Logical start time (default: world.start, else 0). */
  readonly start?: number;
  readonly budget?: Budget;
  /** Called every PERIOD_STEPS machine steps (e.g. a wall-clock check that throws to stop the run). */
  readonly periodic?: () => void;
  /** The JIT tier (jit/tier.ts): off, auto (compile hot definitions; the default) or eager. */
  readonly jit?: JitMode | JitOptions;
  /** The JIT's code cache (default: the process's; jit/tier.ts persistentCodeCache keeps one beside a store). */
  readonly jitCache?: CodeCache;
  /** Hears the run's machine and scheduler before it starts (the debugger's snapshots and breakpoints, host/debug/). */
  readonly attach?: (machine: Machine, scheduler: Scheduler) => void;
  /** A profiler (host/profile/): attached to the run's machine before it starts; the JIT is then off. */
  readonly profile?: { attach(machine: Machine): ProfileHook };
}

export interface RunResult {
  /** The value, or null when the run ended with an error. */
  readonly value: Value | null;
  /** `show` of the value. */
  readonly shown: string | null;
  /** Type of the evaluated application. */
  readonly type: string;
  readonly error: CaxError | null;
  readonly effects: readonly EffectEntry[];
  readonly clock: number;
  readonly steps: number;
  readonly memory: number;
  /** Latency of every timeline the run touched (needed to replay it). */
  readonly latencies: Readonly<Record<string, number>>;
  /** The default world's balances at the end (absent with custom handlers). */
  readonly balances?: Record<string, Record<string, Record<string, number>>>;
  /** What the JIT tier did (absent with the JIT off): lambdas compiled, left interpreted, and bail-outs to the interpreter. */
  readonly jit?: JitStats;
}

/** The compiled entry `main args…`: its code, the size of its frame, and its type (checked in the program's scope). */
export function compileEntry(loaded: LoadedProgram, main: string, args: readonly Expr[]): { readonly code: Code; readonly frameSize: number; readonly type: string; readonly checked: Type } {
  const span: SourceSpan = { file: loaded.program.file, line: 1, col: 1 };
  if (!loaded.types.has(main)) throw new CaxError('E_UNBOUND', `${main} is not defined`, { span });
  let entry: Expr = { tag: 'Var', name: main, span };
  for (const a of args) entry = { tag: 'App', fn: entry, arg: a, span: a.span };
  const checked = checkExpression(entry, loaded.types, loaded.resolver.hashTypes);
  const { code, frame } = compileExpression(entry, loaded.globals);
  return { code, frameSize: frame.size, type: typeToString(checked), checked };
}

/** Evaluates `main` applied to `args` (parsed expressions, checked in the program's scope). */
export function runMain(loaded: LoadedProgram, main: string, args: readonly Expr[], options: RunOptions = {}): RunResult {
  const { code, frameSize, type } = compileEntry(loaded, main, args);

  const world = options.handlers ? null : new MemoryWorld(options.world ?? {});
  const handlers = options.handlers ?? world!;
  const start = options.start ?? options.world?.start ?? 0;
  const budget = options.budget ?? DEFAULT_BUDGET;
  const machine = new Machine(budget, (hash, at) => compiledHash(loaded, hash, at));
  machine.periodic = options.periodic ?? null;
  const tier = jitTier(options.profile ? 'off' : (options.jit ?? 'auto'), options.jitCache);
  machine.jit = tier;
  if (options.profile) machine.profile = options.profile.attach(machine);
  const scheduler = new Scheduler(machine, handlers, start, loaded.resolver.invoke ?? defaultInvoke);
  options.attach?.(machine, scheduler);

  let value: Value | null = null;
  let error: CaxError | null = null;
  try {
    const v = machine.evaluate(code, machine.newFrame(frameSize, null));
    if (v instanceof Eff) {
      const out = scheduler.run(v, null);
      if ('value' in out) value = out.value;
      else error = failureError(out.failure);
    } else {
      value = v;
    }
  } catch (e) {
    if (!(e instanceof CaxError)) throw e;
    error = e;
  }
  return {
    value,
    shown: value === null ? null : showValue(value),
    type,
    error,
    effects: scheduler.log,
    clock: scheduler.clock,
    steps: machine.steps,
    memory: machine.footprint,
    latencies: scheduler.latencies,
    ...(world ? { balances: world.snapshot() } : {}),
    ...(tier ? { jit: tier.stats() } : {}),
  };
}

/** The compiled code of the stored definition `@hash` (from the resolver, compiled once per loaded program); E_MISSING_HASH when unknown. */
export function compiledHash(loaded: LoadedProgram, hash: string, span: SourceSpan): Cell {
  const have = loaded.hashCells.get(hash);
  if (have) return have;
  const decl = loaded.resolver.definition(hash);
  if (!decl) throw new CaxError('E_MISSING_HASH', `no stored definition @${hash}`, { span });
  const cell = compileDecls([decl], prelude().globals).get(decl.name)!;
  markStoredDefinition(cell, hash);
  loaded.hashCells.set(hash, cell);
  return cell;
}

/** The JSON form of a run for --json and the examples' expected files. */
export function runToJson(r: RunResult): Record<string, unknown> {
  return {
    value: r.shown,
    type: r.type,
    ...(r.error ? { error: r.error.toJSON() } : {}),
    effects: r.effects.map((e) => ({ ...e })),
    clock: r.clock,
    latencies: r.latencies,
    ...(r.balances ? { balances: r.balances } : {}),
  };
}
