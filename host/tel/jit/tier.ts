// The JIT tier: counts how often the interpreter applies each lambda, compiles
// a hot one (codegen.ts) to a JavaScript function, and runs it in place of
// the interpreter's APPLY. Compiled code counts steps exactly as the machine
// does but checks the budgets only at calls, returns and loop back-edges,
// with a continuation depth that never underestimates the machine's. Since
// steps and memory only grow, a check that passes there proves every step in
// between passed too; when a check (or anything else: an error, a JavaScript
// stack overflow) fails, the tier restores steps, heap, peak depth and the CAF cache to
// where the call began and lets the interpreter run the call instead, which
// then fails (or not) at exactly its own step. After such a bail-out the
// machine runs on without the JIT.
import { CaxError, type SourceSpan } from '../../errors.js';
import { OP, type Cell, type CLam, type CMatch, type Code } from '../compile.js';
import { PERIOD_STEPS, budgetError, matchPattern, type JitHook, type Machine } from '../machine.js';
import { PURE_ERROR_MESSAGES } from '../messages.js';
import { BINARY } from '../operators.js';
import { Closure, Eff, type Env } from '../runtime.js';
import { Cons, Nil, compareValues, type Value } from '../values.js';
import { ALL_PASSES, NotCompiled, PASS_NAMES, bodyNodes, generate, shapeOf, walk, type JitPasses, type Shape } from './codegen.js';
import { CodeCache } from './cache.js';
import { DiskCodeStore } from './disk-cache.js';

/** Bumped whenever generated code changes meaning (keys the code cache). */
export const JIT_VERSION = 5;

/**
 * The code cache's key of a generated function: the JIT's version, the passes, the content hash of the stored
 * definition the lambda is part of ('-' for a program not in the store), and the generated source itself — the
 * identity of the entry (a lambda of a definition compiled specialized, or with other passes, is another source).
 */
export function codeKey(passes: string, definition: string, source: string): string {
  return `jit ${JIT_VERSION} passes ${passes} definition ${definition === '' ? '-' : definition}\n${source}`;
}

/** Marks every lambda of a stored definition's compiled code with the definition's content hash (its code cache key). */
export function markStoredDefinition(cell: Cell, hash: string): void {
  const code = cell.fnValue?.lam ?? cell.code;
  if (code === null) return;
  walk(code, 0, (c) => {
    if (c.op === OP.Lam) (c as unknown as LamJit).jitDefinition = hash;
  });
}

export type JitMode = 'off' | 'auto' | 'eager';

/**
 * `auto` compiles a lambda once its interpreted calls times the code nodes of its body pass this: a body of 16
 * nodes after 64 calls, a larger one sooner, a smaller one later (the threshold adapts to the work per call),
 * between AUTO_MIN_CALLS and AUTO_MAX_CALLS calls.
 */
export const AUTO_WORK = 1024;
export const AUTO_MIN_CALLS = 4;
export const AUTO_MAX_CALLS = 256;

/** Interpreted calls, all with the same Int or Bool (or a list of the same shape) in a parameter, before the lambda is compiled specialized for it. */
export const SPECIALIZE_MIN = 16;

/** The interpreted calls profiled: the last ones before the lambda gets hot (a cold lambda costs no profiling). */
export const PROFILE_CALLS = 32;

export interface JitOptions {
  readonly mode: JitMode;
  readonly passes?: Partial<JitPasses>;
}

/** A compiled lambda: `(machine, continuation depth, the closure's environment, arguments…) => value`. */
export type CompiledFn = (m: Machine, d: number, env: Env | null, ...args: Value[]) => Value;

interface LamJit {
  jitCalls: number;
  jitCode: undefined | { readonly key: string; readonly fn: CompiledFn | null; readonly specialized: boolean };
  jitArgs: ArgProfile | undefined;
  jitHot: number;
  jitDefinition: string;
}

/** What the interpreted calls of a lambda passed: per parameter the one Int or Bool every call passed, and the one list shape, else undefined. */
interface ArgProfile {
  calls: number;
  readonly values: (Value | undefined)[];
  readonly shapes: (Shape | undefined)[];
  /** A guard failed: this lambda is not specialized again. */
  off: boolean;
}

const BIN_NAMES: ReadonlyMap<unknown, string> = new Map(Object.entries(BINARY).map(([name, fn]) => [fn, name]));

/** Generated sources a code cache keeps in memory. */
const CACHE_ENTRIES = 4096;

const sharedCache = new CodeCache(CACHE_ENTRIES);

/** What generated code calls. */
export const R = {
  Closure,
  Eff,
  Cons,
  Nil,
  compareValues,
  matchPattern,
  defined(x: unknown, c: Extract<Code, { op: 1 }>): Value {
    if (x === undefined) throw new CaxError('E_CYCLE', PURE_ERROR_MESSAGES.E_CYCLE, { span: c.span });
    return x as Value;
  },
  noMatch(c: CMatch): never {
    throw new CaxError('E_MATCH', PURE_ERROR_MESSAGES.E_MATCH, { span: c.span });
  },
  /** Budgets at continuation depth `depth`, and the periodic hook once per PERIOD_STEPS steps. */
  check(m: Machine, depth: number): void {
    if (m.steps > m.budget.steps) throw budgetError('step', m.budget.steps);
    if ((depth << 2) + m.heap > m.budget.memory) throw budgetError('memory', m.budget.memory);
    R.periodic(m);
  },
  /** Calls the periodic hook once for each multiple of PERIOD_STEPS passed since the last call (as many calls as the interpreter makes). */
  periodic(m: Machine): void {
    const tier = m.jit as JitTier | null;
    if (m.periodic === null || tier === null) return;
    const period = Math.floor(m.steps / PERIOD_STEPS);
    while (tier.lastPeriod < period) {
      tier.lastPeriod++;
      m.periodic();
    }
    tier.periodsTo(m, period);
  },
  /** The compiled code of `lam` when the JIT is on and it is (or just got) hot, else null. */
  compiledOf(m: Machine, lam: CLam): CompiledFn | null {
    const tier = m.jit as JitTier | null;
    return tier === null ? null : tier.compiled(lam);
  },
  /** A value definition's value (Machine.cafValue), keeping the periodic hook's count. */
  caf(m: Machine, cell: Cell, span: SourceSpan, depth: number): Value {
    R.periodic(m);
    const v = m.cafValue(cell, span, depth);
    const tier = m.jit as JitTier | null;
    if (tier !== null) tier.periodsTo(m, Math.floor(m.steps / PERIOD_STEPS));
    return v;
  },
  /** The compiled code of closure `f` when it takes exactly `arity` arguments and the JIT has (or just made) some, else null. */
  compiledClosure(m: Machine, f: Value, arity: number): CompiledFn | null {
    const tier = m.jit as JitTier | null;
    return tier !== null && f instanceof Closure && f.lam.arity === arity ? tier.compiled(f.lam) : null;
  },
  /**
   * A specialized function's guard failed for `args` (its APPLY step already counted): the lambda goes back to its
   * generic compiled code, which runs the call; the interpreter runs it when the JIT is off by now.
   */
  deopt(m: Machine, lam: CLam, depth: number, env: Env | null, args: Value[]): Value {
    const tier = m.jit as JitTier | null;
    const fn = tier === null ? null : tier.despecialize(lam);
    if (fn !== null) return fn(m, depth, env, ...args);
    m.steps -= 1;
    return R.call(m, new Closure(lam, env as Env), args, depth);
  },
  /** APPLY of `f` to `args` at continuation depth `depth` in the interpreter (a nested run, less its final RET step). */
  call(m: Machine, f: Value, args: Value[], depth: number, span?: SourceSpan): Value {
    const tier = m.jit as JitTier | null;
    R.periodic(m);
    const savedBase = m.depthBase;
    m.depthBase = depth;
    try {
      const v = m.apply(f, args, span);
      // The nested run called the hook itself.
      if (tier !== null) tier.periodsTo(m, Math.floor(m.steps / PERIOD_STEPS));
      m.steps -= 1;
      return v;
    } finally {
      m.depthBase = savedBase;
    }
  },
};

export interface JitStats {
  readonly compiled: number;
  readonly interpreted: number;
  readonly bailouts: number;
  /** Lambdas compiled specialized for a parameter's value, and specializations dropped after a guard failed. */
  readonly specialized: number;
  readonly deopts: number;
}

export class JitTier implements JitHook {
  lastPeriod = -1;
  /** Which tier compiled a lambda's code (the JIT version and the passes). */
  private readonly key: string;
  private readonly passBits: string;
  private readonly passes: JitPasses;
  private readonly eager: boolean;
  /** Lambdas compiled, and those that stay interpreted (for --json and tests). */
  compiledCount = 0;
  rejectedCount = 0;
  bailouts = 0;
  specializedCount = 0;
  deopts = 0;

  /** The periodic hook has been called for every period up to `period`: compiled code calls it next at the start of the one after. */
  periodsTo(m: Machine, period: number): void {
    this.lastPeriod = period;
    m.jitPeriodAt = m.periodic === null ? Infinity : (period + 1) * PERIOD_STEPS;
  }

  stats(): JitStats {
    return { compiled: this.compiledCount, interpreted: this.rejectedCount, bailouts: this.bailouts, specialized: this.specializedCount, deopts: this.deopts };
  }

  constructor(
    options: JitOptions,
    private readonly cache: CodeCache = sharedCache,
  ) {
    this.passes = { ...ALL_PASSES, ...options.passes };
    this.eager = options.mode === 'eager';
    this.passBits = PASS_NAMES.map((p) => (this.passes[p] ? 1 : 0)).join('');
    this.key = `${JIT_VERSION}:${this.passBits}`;
  }

  /** The compiled function of `lam` once it is hot (compiling it now if it just got hot), else null. */
  compiled(lam: CLam): CompiledFn | null {
    const l = lam as unknown as LamJit;
    const have = l.jitCode;
    if (have !== undefined && have.key === this.key) return have.fn;
    const calls = l.jitCalls + 1;
    l.jitCalls = calls;
    if (calls <= this.threshold(l, lam)) return null;
    let fn: CompiledFn | null = null;
    const { values, shapes } = this.specialization(l);
    const specialized = values.size + shapes.size > 0;
    try {
      const g = generate(lam, BIN_NAMES, this.passes, values, shapes);
      fn = this.cache.instantiate(codeKey(this.passBits, l.jitDefinition, g.source), g.source, g.constants, R, l.jitDefinition) as CompiledFn;
      this.compiledCount++;
      if (specialized) this.specializedCount++;
    } catch (err) {
      if (!(err instanceof NotCompiled)) throw err;
      this.rejectedCount++;
    }
    l.jitCode = { key: this.key, fn, specialized };
    return fn;
  }

  /** The interpreted calls of `lam` before it is compiled: none in `eager`; in `auto` by the size of its body (AUTO_WORK). */
  private threshold(l: LamJit, lam: CLam): number {
    if (this.eager) return 0;
    if (l.jitHot === 0) l.jitHot = Math.min(AUTO_MAX_CALLS, Math.max(AUTO_MIN_CALLS, Math.round(AUTO_WORK / bodyNodes(lam))));
    return l.jitHot;
  }

  /** The parameter values and list shapes to specialize a lambda for (by slot): those its profile saw in every one of enough calls. */
  private specialization(l: LamJit): { values: Map<number, Value>; shapes: Map<number, Shape> } {
    const values = new Map<number, Value>();
    const shapes = new Map<number, Shape>();
    const p = l.jitArgs;
    if (!this.passes.specialize || p === undefined || p.off || p.calls < SPECIALIZE_MIN) return { values, shapes };
    p.values.forEach((v, i) => {
      if (v !== undefined) values.set(i + 1, v);
    });
    p.shapes.forEach((shape, i) => {
      if (shape !== undefined) shapes.set(i + 1, shape);
    });
    return { values, shapes };
  }

  /** Records the arguments of an interpreted call of `lam` (while it is not compiled yet). */
  private profile(lam: CLam, args: readonly Value[]): void {
    const l = lam as unknown as LamJit;
    const p = l.jitArgs;
    if (p === undefined) {
      l.jitArgs = { calls: 1, values: args.map((a) => (typeof a === 'number' || typeof a === 'boolean' ? a : undefined)), shapes: args.map(shapeOf), off: false };
      return;
    }
    p.calls++;
    for (let i = 0; i < p.values.length; i++) {
      if (p.values[i] !== args[i]) p.values[i] = undefined;
      if (p.shapes[i] !== undefined && p.shapes[i] !== shapeOf(args[i]!)) p.shapes[i] = undefined;
    }
  }

  /** Drops the specialized code of `lam` after a guard failed; its generic compiled code, or null. */
  despecialize(lam: CLam): CompiledFn | null {
    const l = lam as unknown as LamJit;
    if (l.jitArgs !== undefined) l.jitArgs.off = true;
    if (l.jitCode !== undefined && l.jitCode.specialized) {
      l.jitCode = undefined;
      this.deopts++;
    }
    return this.compiled(lam);
  }

  enter(m: Machine, f: Closure, args: Value[], depth: number): Value | undefined {
    const l = f.lam as unknown as LamJit;
    if (this.passes.specialize && l.jitCalls >= this.threshold(l, f.lam) - PROFILE_CALLS && (l.jitCode === undefined || l.jitCode.key !== this.key)) this.profile(f.lam, args);
    const fn = this.compiled(f.lam);
    if (fn === null) return undefined;
    const steps = m.steps;
    const heap = m.heap;
    const peakDepth = m.peakDepth;
    this.periodsTo(m, Math.floor(steps / PERIOD_STEPS));
    const cafs = m.cafMark();
    try {
      return fn(m, depth, f.env, ...args);
    } catch {
      // Whatever stopped the compiled code, the interpreter redoes the call from here exactly.
      m.steps = steps;
      m.heap = heap;
      m.peakDepth = peakDepth;
      m.cafRestore(cafs);
      this.bailouts++;
      m.jit = null;
      return undefined;
    }
  }
}

/** The tier for a mode, or null for `off`; its code cache is `cache` (default: the process's). */
export function jitTier(options: JitOptions | JitMode | undefined, cache: CodeCache = sharedCache): JitTier | null {
  const o: JitOptions = typeof options === 'string' ? { mode: options } : (options ?? { mode: 'off' });
  return o.mode === 'off' ? null : new JitTier(o, cache);
}

/** The directory of the persistent code cache, beside a store's SQLite file. */
export const JIT_CACHE_DIR = 'jit-cache';

const persistentCaches = new Map<string, CodeCache>();

/** The code cache kept in `directory` across processes (one per directory in a process). */
export function persistentCodeCache(directory: string): CodeCache {
  let cache = persistentCaches.get(directory);
  if (cache === undefined) {
    cache = new CodeCache(CACHE_ENTRIES, new DiskCodeStore(directory, JIT_VERSION));
    persistentCaches.set(directory, cache);
  }
  return cache;
}
