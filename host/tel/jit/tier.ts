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
import type { Cell, CLam, CMatch, Code } from '../compile.js';
import { PERIOD_STEPS, budgetError, matchPattern, type JitHook, type Machine } from '../machine.js';
import { PURE_ERROR_MESSAGES } from '../messages.js';
import { BINARY } from '../operators.js';
import { Closure, Eff, type Env } from '../runtime.js';
import { Cons, compareValues, type Value } from '../values.js';
import { ALL_PASSES, NotCompiled, generate, type JitPasses } from './codegen.js';
import { CodeCache } from './cache.js';

/** Bumped whenever generated code changes meaning (keys the code cache). */
export const JIT_VERSION = 2;

export type JitMode = 'off' | 'auto' | 'eager';

/** Calls of a lambda in the interpreter before `auto` compiles it. */
export const AUTO_THRESHOLD = 64;

export interface JitOptions {
  readonly mode: JitMode;
  readonly passes?: Partial<JitPasses>;
}

/** A compiled lambda: `(machine, frame, continuation depth) => value`. */
export type CompiledFn = (m: Machine, e: Env, d: number) => Value;

interface LamJit {
  jitCalls: number;
  jitCode: undefined | { readonly key: string; readonly fn: CompiledFn | null };
}

const BIN_NAMES: ReadonlyMap<unknown, string> = new Map(Object.entries(BINARY).map(([name, fn]) => [fn, name]));

const sharedCache = new CodeCache(4096);

/** What generated code calls. */
export const R = {
  Closure,
  Eff,
  Cons,
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
    if (tier !== null) tier.lastPeriod = Math.floor(m.steps / PERIOD_STEPS);
    return v;
  },
  /** APPLY of `f` to `args` at continuation depth `depth`: compiled code when there is some, else the interpreter (less its final RET step). */
  call(m: Machine, f: Value, args: Value[], depth: number, span: SourceSpan): Value {
    const tier = m.jit as JitTier | null;
    if (tier !== null && f instanceof Closure && f.lam.arity === args.length) {
      const fn = tier.compiled(f.lam);
      if (fn !== null) {
        m.steps += 1;
        const frame: Env = new Array(f.lam.frame.size);
        frame[0] = f.env;
        for (let i = 0; i < args.length; i++) frame[i + 1] = args[i];
        return fn(m, frame, depth);
      }
    }
    R.periodic(m);
    const savedBase = m.depthBase;
    m.depthBase = depth;
    try {
      const v = m.apply(f, args, span);
      // The nested run called the hook itself.
      if (tier !== null) tier.lastPeriod = Math.floor(m.steps / PERIOD_STEPS);
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
}

export class JitTier implements JitHook {
  lastPeriod = -1;
  private readonly key: string;
  private readonly passes: JitPasses;
  private readonly threshold: number;
  /** Lambdas compiled, and those that stay interpreted (for --json and tests). */
  compiledCount = 0;
  rejectedCount = 0;
  bailouts = 0;

  stats(): JitStats {
    return { compiled: this.compiledCount, interpreted: this.rejectedCount, bailouts: this.bailouts };
  }

  constructor(
    options: JitOptions,
    private readonly cache: CodeCache = sharedCache,
  ) {
    this.passes = { ...ALL_PASSES, ...options.passes };
    this.threshold = options.mode === 'eager' ? 0 : AUTO_THRESHOLD;
    this.key = `${JIT_VERSION}:${this.passes.intOps ? 1 : 0}${this.passes.selfLoop ? 1 : 0}${this.passes.inlinePatterns ? 1 : 0}${this.passes.directCalls ? 1 : 0}`;
  }

  /** The compiled function of `lam` once it is hot (compiling it now if it just got hot), else null. */
  compiled(lam: CLam): CompiledFn | null {
    const l = lam as unknown as LamJit;
    const have = l.jitCode;
    if (have !== undefined && have.key === this.key) return have.fn;
    const calls = l.jitCalls + 1;
    l.jitCalls = calls;
    if (calls <= this.threshold) return null;
    let fn: CompiledFn | null = null;
    try {
      const g = generate(lam, BIN_NAMES, this.passes);
      fn = this.cache.instantiate(`${this.key}\n${g.source}`, g.source, g.constants, R) as CompiledFn;
      this.compiledCount++;
    } catch (err) {
      if (!(err instanceof NotCompiled)) throw err;
      this.rejectedCount++;
    }
    l.jitCode = { key: this.key, fn };
    return fn;
  }

  enter(m: Machine, f: Closure, args: Value[], depth: number): Value | undefined {
    const fn = this.compiled(f.lam);
    if (fn === null) return undefined;
    const steps = m.steps;
    const heap = m.heap;
    const peakDepth = m.peakDepth;
    this.lastPeriod = Math.floor(steps / PERIOD_STEPS);
    const cafs = m.cafMark();
    try {
      const frame: Env = new Array(f.lam.frame.size);
      frame[0] = f.env;
      for (let i = 0; i < args.length; i++) frame[i + 1] = args[i];
      return fn(m, frame, depth);
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

/** The tier for a mode, or null for `off`. */
export function jitTier(options: JitOptions | JitMode | undefined): JitTier | null {
  const o: JitOptions = typeof options === 'string' ? { mode: options } : (options ?? { mode: 'off' });
  return o.mode === 'off' ? null : new JitTier(o);
}
