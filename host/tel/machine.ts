// The TEL evaluator: a CEK-style machine over compiled code with an explicit
// continuation stack, so TEL recursion never uses the JavaScript stack — a
// tail call replaces the current frame (a ten-million-iteration loop runs in
// constant space) and deep non-tail recursion grows only the machine's stack,
// which the memory budget bounds (E_BUDGET). Every transition counts one
// step; allocations count cells; both are deterministic.
import { CaxError, budgetExhausted, type SourceSpan } from '../errors.js';
import { OP, isSimple, mk, type CBind, type Cell, type CLam, type CLet, type CMatch, type Code, type CPat, type FrameInfo } from './compile.js';
import { Closure, Eff, Partial, Prim, type Env } from './runtime.js';
import { Cons, Nil, Tuple, UNIT_VALUE, compareValues, type Value } from './values.js';
import { PURE_ERROR_MESSAGES } from './messages.js';

export interface Budget {
  /** Machine transitions allowed (evaluation and effect steps together). */
  readonly steps: number;
  /**
   * Cells allowed: every cons, tuple, closure, partial application, effect and 8 bytes of text allocated
   * (counted when allocated, never released), plus 4 per pending continuation (the depth of non-tail recursion);
   * `Machine.footprint` reports the same with the deepest depth a function was entered at.
   */
  readonly memory: number;
}

export const DEFAULT_BUDGET: Budget = { steps: 2_000_000_000, memory: 16_000_000 };

/** Continuation kinds. */
const K_APP = 0,
  K_REST = 1,
  K_IF = 2,
  K_SCRUT = 3,
  K_GUARD = 4,
  K_BIND = 5,
  K_BIN_A = 6,
  K_BIN_B = 7,
  K_AND = 8,
  K_OR = 9,
  K_UNARY = 10,
  K_BUILD = 11,
  K_SEQ = 12,
  K_CHOICE = 13,
  K_CAF = 14;

/** One continuation frame; a single shape keeps the machine's property accesses monomorphic. */
class Frame {
  constructor(
    public k: number,
    public c: unknown,
    public e: Env,
    public x: unknown,
    public y: unknown,
    public i: number,
  ) {}
}

/** What a K_BIND frame continues with once the bindings are done. */
type AfterBinds = { readonly body: Code } | { readonly match: CMatch; readonly scruts: Value[] | null; readonly clause: number };

/**
 * A profiler's view of the machine (host/profile/collect.ts): told when a run starts and ends, when a closure or a
 * value definition is entered at continuation depth `depth`, when a continuation frame is popped, and when the
 * scheduler or an effect runner ticks. `steps` is the machine's step count at that moment. Profiling runs with the
 * JIT off (compiled code makes the same steps but enters no closures through APPLY).
 */
export interface ProfileHook {
  runStart(code: Code | null, steps: number): void;
  runEnd(steps: number): void;
  enter(what: CLamKey, args: Value[] | null, depth: number, steps: number): void;
  popped(depth: number, steps: number): void;
  tick(steps: number): void;
}

/** What a profile frame is entered for: a lambda, or a value definition's cell. */
export type CLamKey = Extract<Code, { op: 4 }> | Cell;

/** The JIT tier's entry (jit/tier.ts): a closure's value for `args` at continuation depth `depth`, or undefined to interpret the call. */
export interface JitHook {
  enter(m: Machine, f: Closure, args: Value[], depth: number): Value | undefined;
}

const EVAL = 0,
  RET = 1,
  APPLY = 2,
  MATCH = 3,
  GUARDS = 4,
  BINDS = 5;

export function budgetError(what: 'step' | 'memory', limit: number): CaxError {
  return budgetExhausted(`${what} budget of ${limit} exhausted`, { budget: what, limit });
}

/** How many steps pass between two calls of a machine's periodic hook (a power of two). */
export const PERIOD_STEPS = 1024;
const PERIOD_MASK = PERIOD_STEPS - 1;

export class Machine {
  steps = 0;
  heap = 0;
  /** The deepest continuation depth at which a function was entered (a closure applied to all its arguments), in either tier. */
  peakDepth = 0;
  /** Called every PERIOD_STEPS steps (e.g. a wall-clock check, which stops the run by throwing); null costs one comparison. */
  periodic: (() => void) | null = null;
  /** The JIT tier, or null to interpret everything. */
  jit: JitHook | null = null;
  /** The step count from which compiled code calls the periodic hook next (kept by jit/tier.ts). */
  jitPeriodAt = Infinity;
  /**
   * Hears every interpreted call of a closure with all its arguments, at continuation depth `depth`, with the frame
   * it runs in and the environment its value returns into (the innermost pending continuation's, else the one this
   * evaluation started in; null for a run that started with an application)
   * (the debugger, host/debug/); null costs one comparison.
   */
  onCall: ((lam: CLam, args: readonly Value[], depth: number, frame: Env, site: Env | null) => void) | null = null;
  /** Hears every frame a `do` block makes, with what its slots are (the debugger); null: none. */
  onFrame: ((frame: Env, info: FrameInfo) => void) | null = null;
  /** The profiler, or null (one comparison per call and per popped frame). */
  profile: ProfileHook | null = null;
  /** Continuation frames below this run's own (a run started from compiled code), for the memory budget. */
  depthBase = 0;
  private readonly cafs = new Map<Cell, Value>();
  private readonly evaluating = new Set<Cell>();

  constructor(
    /** Limits on `steps` and `heap` (absolute counts); the executor moves them when another context's code runs. */
    public budget: Budget,
    /** Resolves `@hash` to a compiled cell (the store's resolver behind it; the JIT's code calls it too). */
    readonly hashCell: (hash: string, span: SourceSpan) => Cell,
  ) {}

  allocate(cells: number): void {
    this.heap += cells;
  }

  /** What the run has used at most, in cells: everything allocated plus 4 per continuation at the deepest function entry. */
  get footprint(): number {
    return this.heap + (this.peakDepth << 2);
  }

  /** Adds effect-runner steps to the same budget. */
  tick(): void {
    if (++this.steps > this.budget.steps) throw budgetError('step', this.budget.steps);
    if ((this.steps & PERIOD_MASK) === 0 && this.periodic !== null) this.periodic();
    if (this.profile !== null) this.profile.tick(this.steps);
  }

  newFrame(size: number, parent: Env | null): Env {
    const f: Env = new Array(size);
    f[0] = parent;
    return f;
  }

  /** The frame of a `do` block (the scheduler starts the block in it). */
  doFrame(info: FrameInfo, parent: Env | null): Env {
    const f = this.newFrame(info.size, parent);
    if (this.onFrame !== null) this.onFrame(f, info);
    return f;
  }

  evaluate(code: Code, env: Env): Value {
    return this.run(code, env, null, null);
  }

  apply(fn: Value, args: Value[], span?: SourceSpan): Value {
    return this.run(null, null, fn, args, span);
  }

  /**
   * A value definition's value for compiled code: the cached one, or evaluated now in a nested run whose
   * continuation depth starts at `depth` (where the machine's K_CAF frame would be).
   */
  cafValue(cell: Cell, span: SourceSpan, depth: number): Value {
    const cached = this.cafs.get(cell);
    if (cached !== undefined) return cached;
    if (this.evaluating.has(cell)) throw cafCycle(span);
    this.evaluating.add(cell);
    const savedBase = this.depthBase;
    this.depthBase = depth;
    try {
      const v = this.run(cell.code!, this.newFrame(cell.frame.size, null), null, null);
      this.cafs.set(cell, v);
      return v;
    } finally {
      this.depthBase = savedBase;
      this.evaluating.delete(cell);
    }
  }

  /** How many CAF values are cached (the JIT's rollback point). */
  cafMark(): number {
    return this.cafs.size;
  }

  /** Forgets the CAF values cached after `mark`. */
  cafRestore(mark: number): void {
    let i = 0;
    for (const cell of [...this.cafs.keys()]) if (i++ >= mark) this.cafs.delete(cell);
  }

  /** Evaluates local bindings into `frame` (a `let` statement of a do block). */
  bind(binds: readonly CBind[], frame: Env): void {
    const code: CLet = mk<CLet>({ op: OP.Let, binds, body: mk({ op: OP.Const, value: UNIT_VALUE }) });
    this.run(code, frame, null, null);
  }

  private run(code: Code | null, env: Env | null, fn: Value | null, fargs: Value[] | null, span?: SourceSpan): Value {
    const stack: Frame[] = [];
    const base = this.depthBase;
    const maxSteps = this.budget.steps;
    const maxMemory = this.budget.memory;
    let steps = this.steps;
    let c = code as Code;
    let e = env as Env;
    let v: Value = UNIT_VALUE;
    let mode = code ? EVAL : APPLY;
    let af = fn as Value;
    let aa = fargs as Value[];
    let aspan: SourceSpan | undefined = span;
    // MATCH / GUARDS / BINDS state
    let mm: CMatch = null as unknown as CMatch;
    let ms: Value[] | null = null;
    let mci = 0;
    let mgi = 0;
    let binds: readonly CBind[] = [];
    let bi = 0;
    let after: AfterBinds = null as unknown as AfterBinds;
    const prof = this.profile;
    if (prof !== null) prof.runStart(code, steps);
    try {
      for (;;) {
        if (++steps > maxSteps) throw budgetError('step', maxSteps);
        if ((steps & PERIOD_MASK) === 0 && this.periodic !== null) {
          this.steps = steps;
          this.periodic();
        }
        if (((stack.length + base) << 2) + this.heap > maxMemory) throw budgetError('memory', maxMemory);
        switch (mode) {
          case EVAL:
            switch (c.op) {
              case OP.Const:
                v = c.value;
                mode = RET;
                break;
              case OP.Local:
                v = local(c, e);
                mode = RET;
                break;
              case OP.Global: {
                const cell = c.cell;
                if (cell.fnValue) {
                  v = cell.fnValue;
                  mode = RET;
                  break;
                }
                const cached = this.cafs.get(cell);
                if (cached !== undefined) {
                  v = cached;
                  mode = RET;
                  break;
                }
                if (this.evaluating.has(cell)) throw cafCycle(c.span);
                this.evaluating.add(cell);
                stack.push(new Frame(K_CAF, cell, e, null, null, 0));
                if (prof !== null) prof.enter(cell, null, stack.length, steps);
                e = this.newFrame(cell.frame.size, null);
                c = cell.code!;
                break;
              }
              case OP.Hash:
                c = mk({ op: OP.Global, cell: this.hashCell(c.hash, c.span), span: c.span });
                break;
              case OP.App: {
                // Fast path: a known function applied to simple arguments.
                const fc = c.fn;
                const known = fc.op === OP.Global ? fc.cell.fnValue : fc.op === OP.Local ? (local(fc, e) as Value) : null;
                if (known && c.simpleArgs) {
                  const args = c.args;
                  aa = new Array(args.length);
                  for (let i = 0; i < args.length; i++) aa[i] = evalSimple(args[i]!, e, this);
                  af = known;
                  aspan = c.span;
                  mode = APPLY;
                } else {
                  stack.push(new Frame(K_APP, c, e, null, null, -1));
                  c = fc;
                }
                break;
              }
              case OP.Lam:
                this.heap += 2;
                v = new Closure(c, e);
                mode = RET;
                break;
              case OP.If:
                if (isSimple(c.cond)) c = evalSimple(c.cond, e, this) === true ? c.then : c.else;
                else {
                  stack.push(new Frame(K_IF, c, e, null, null, 0));
                  c = c.cond;
                }
                break;
              case OP.Match:
                if (c.scrutinee && isSimple(c.scrutinee)) {
                  mm = c;
                  ms = [evalSimple(c.scrutinee, e, this)];
                  mci = 0;
                  mode = MATCH;
                } else if (c.scrutinee) {
                  stack.push(new Frame(K_SCRUT, c, e, null, null, 0));
                  c = c.scrutinee;
                } else {
                  mm = c;
                  ms = null;
                  mci = 0;
                  mode = MATCH;
                }
                break;
              case OP.Let:
                binds = c.binds;
                bi = 0;
                after = { body: c.body };
                mode = BINDS;
                break;
              case OP.Bin:
                if (c.simple) {
                  v = evalSimple(c, e, this);
                  mode = RET;
                } else if (isSimple(c.a)) {
                  stack.push(new Frame(K_BIN_B, c, e, evalSimple(c.a, e, this), null, 0));
                  c = c.b;
                } else {
                  stack.push(new Frame(K_BIN_A, c, e, null, null, 0));
                  c = c.a;
                }
                break;
              case OP.And:
                stack.push(new Frame(K_AND, c, e, null, null, 0));
                c = c.a;
                break;
              case OP.Or:
                stack.push(new Frame(K_OR, c, e, null, null, 0));
                c = c.a;
                break;
              case OP.Unary:
                if (c.simple) {
                  v = evalSimple(c, e, this);
                  mode = RET;
                } else {
                  stack.push(new Frame(K_UNARY, c, e, null, null, 0));
                  c = c.a;
                }
                break;
              case OP.Build:
                if (c.parts.length === 0) {
                  v = c.build([], this);
                  mode = RET;
                } else {
                  stack.push(new Frame(K_BUILD, c, e, [], null, 0));
                  c = c.parts[0]!;
                }
                break;
              case OP.Seq:
                stack.push(new Frame(K_SEQ, c, e, null, null, 0));
                c = c.a;
                break;
              case OP.Choice:
                stack.push(new Frame(K_CHOICE, c, e, null, null, 0));
                c = c.a;
                break;
              case OP.Do:
                this.heap += 3;
                v = new Eff({ k: 'do', code: c, index: 0, env: e }, c.span);
                mode = RET;
                break;
            }
            break;

          case RET: {
            if (stack.length === 0) return v;
            const k = stack.pop()!;
            if (prof !== null) prof.popped(stack.length, steps);
            switch (k.k) {
              case K_APP: {
                const app = k.c as Extract<Code, { op: 3 }>;
                if (k.i === -1) {
                  k.x = v;
                  k.y = new Array(app.args.length);
                } else {
                  (k.y as Value[])[k.i] = v;
                }
                k.i++;
                while (k.i < app.args.length && isSimple(app.args[k.i]!)) {
                  (k.y as Value[])[k.i] = evalSimple(app.args[k.i]!, k.e, this);
                  k.i++;
                }
                if (k.i < app.args.length) {
                  stack.push(k);
                  c = app.args[k.i]!;
                  e = k.e;
                  mode = EVAL;
                } else {
                  af = k.x as Value;
                  aa = k.y as Value[];
                  aspan = app.span;
                  mode = APPLY;
                }
                break;
              }
              case K_REST:
                af = v;
                aa = k.x as Value[];
                mode = APPLY;
                break;
              case K_IF: {
                const ifc = k.c as Extract<Code, { op: 5 }>;
                c = v === true ? ifc.then : ifc.else;
                e = k.e;
                mode = EVAL;
                break;
              }
              case K_SCRUT:
                mm = k.c as CMatch;
                ms = [v];
                mci = 0;
                e = k.e;
                mode = MATCH;
                break;
              case K_GUARD:
                mm = k.c as CMatch;
                ms = k.x as Value[] | null;
                mci = k.i;
                mgi = k.y as number;
                e = k.e;
                if (v === true) {
                  c = mm.clauses[mci]!.guards[mgi]!.body;
                  mode = EVAL;
                } else {
                  mgi++;
                  mode = GUARDS;
                }
                break;
              case K_BIND:
                binds = k.c as readonly CBind[];
                bi = k.i;
                e = k.e;
                after = k.x as AfterBinds;
                e[binds[bi]!.slot] = v;
                bi++;
                mode = BINDS;
                break;
              case K_BIN_A:
                k.k = K_BIN_B;
                k.x = v;
                stack.push(k);
                c = (k.c as Extract<Code, { op: 8 }>).b;
                e = k.e;
                mode = EVAL;
                break;
              case K_BIN_B: {
                const bin = k.c as Extract<Code, { op: 8 }>;
                v = bin.fn(k.x as Value, v, bin.span, this);
                break;
              }
              case K_AND:
                if (v === true) {
                  c = (k.c as Extract<Code, { op: 9 }>).b;
                  e = k.e;
                  mode = EVAL;
                }
                break;
              case K_OR:
                if (v === false) {
                  c = (k.c as Extract<Code, { op: 10 }>).b;
                  e = k.e;
                  mode = EVAL;
                }
                break;
              case K_UNARY: {
                const u = k.c as Extract<Code, { op: 11 }>;
                v = u.fn(v, u.span);
                break;
              }
              case K_BUILD: {
                const b = k.c as Extract<Code, { op: 12 }>;
                const vals = k.x as Value[];
                vals.push(v);
                k.i++;
                if (k.i < b.parts.length) {
                  stack.push(k);
                  c = b.parts[k.i]!;
                  e = k.e;
                  mode = EVAL;
                } else {
                  v = b.build(vals, this);
                }
                break;
              }
              case K_SEQ: {
                this.heap += 3;
                const s = k.c as Extract<Code, { op: 13 }>;
                v = new Eff({ k: 'seq', first: v as Eff, then: { code: s.b, env: k.e } }, s.span);
                break;
              }
              case K_CHOICE: {
                this.heap += 3;
                const s = k.c as Extract<Code, { op: 14 }>;
                v = new Eff({ k: 'choice', first: v as Eff, orElse: { code: s.b, env: k.e } }, s.span);
                break;
              }
              case K_CAF: {
                const cell = k.c as Cell;
                this.evaluating.delete(cell);
                this.cafs.set(cell, v);
                e = k.e;
                break;
              }
            }
            break;
          }

          case APPLY: {
            const f = af;
            if (f instanceof Closure) {
              const lam = f.lam;
              const n = lam.arity;
              if (aa.length === n) {
                if (stack.length + base > this.peakDepth) this.peakDepth = stack.length + base;
                if (this.jit !== null) {
                  this.steps = steps;
                  const jv = this.jit.enter(this, f, aa, stack.length + base);
                  if (jv !== undefined) {
                    steps = this.steps;
                    v = jv;
                    mode = RET;
                    break;
                  }
                }
                if (prof !== null) prof.enter(lam, aa, stack.length, steps);
                const size = lam.frame.size;
                const frame: Env = new Array(size);
                frame[0] = f.env;
                for (let i = 0; i < n; i++) frame[i + 1] = aa[i];
                if (this.onCall !== null) {
                  this.steps = steps;
                  this.onCall(lam, aa, stack.length + base, frame, stack.length > 0 ? stack[stack.length - 1]!.e : env);
                }
                c = lam.body;
                e = frame;
                mode = EVAL;
              } else if (aa.length < n) {
                this.heap += aa.length + 2;
                v = new Partial(f, aa);
                mode = RET;
              } else {
                stack.push(new Frame(K_REST, null, e, aa.slice(n), null, 0));
                aa = aa.slice(0, n);
              }
            } else if (f instanceof Prim) {
              const n = f.arity;
              if (aa.length === n) {
                v = f.fn(aa, this, aspan);
                mode = RET;
              } else if (aa.length < n) {
                this.heap += aa.length + 2;
                v = new Partial(f, aa);
                mode = RET;
              } else {
                stack.push(new Frame(K_REST, null, e, aa.slice(n), null, 0));
                aa = aa.slice(0, n);
              }
            } else if (f instanceof Partial) {
              af = f.fn;
              aa = [...f.args, ...aa];
            } else {
              throw new CaxError('E_INTERNAL', 'applied a value that is not a function', { span: aspan });
            }
            break;
          }

          case MATCH: {
            // Try clauses of mm from mci against the scrutinees (or the frame's parameters).
            const clauses = mm.clauses;
            let matched = false;
            while (mci < clauses.length) {
              const cl = clauses[mci]!;
              let ok = true;
              for (let i = 0; i < cl.patterns.length && ok; i++) ok = matchPattern(cl.patterns[i]!, (ms ? ms[i] : e[i + 1]) as Value, e);
              if (ok) {
                matched = true;
                break;
              }
              mci++;
            }
            if (!matched) throw new CaxError('E_MATCH', PURE_ERROR_MESSAGES.E_MATCH, { span: mm.span });
            const cl = clauses[mci]!;
            mgi = 0;
            if (cl.binds.length > 0) {
              binds = cl.binds;
              bi = 0;
              after = { match: mm, scruts: ms, clause: mci };
              mode = BINDS;
            } else {
              mode = GUARDS;
            }
            break;
          }

          case GUARDS: {
            const guards = mm.clauses[mci]!.guards;
            if (mgi >= guards.length) {
              mci++;
              mode = MATCH;
              break;
            }
            const g = guards[mgi]!;
            if (g.cond === null) {
              c = g.body;
              mode = EVAL;
            } else {
              stack.push(new Frame(K_GUARD, mm, e, ms, mgi, mci));
              c = g.cond;
              mode = EVAL;
            }
            break;
          }

          case BINDS: {
            while (bi < binds.length && binds[bi]!.code.op === OP.Lam) {
              const b = binds[bi]!;
              this.heap += 2;
              e[b.slot] = new Closure(b.code as Extract<Code, { op: 4 }>, e);
              bi++;
            }
            if (bi < binds.length) {
              stack.push(new Frame(K_BIND, binds, e, after, null, bi));
              c = binds[bi]!.code;
              mode = EVAL;
            } else if ('body' in after) {
              c = after.body;
              mode = EVAL;
            } else {
              mm = after.match;
              ms = after.scruts;
              mci = after.clause;
              mgi = 0;
              mode = GUARDS;
            }
            break;
          }
        }
      }
    } catch (err) {
      for (const cell of this.evaluating) this.evaluating.delete(cell);
      throw err;
    } finally {
      this.steps = steps;
      if (prof !== null) prof.runEnd(steps);
    }
  }
}

function cafCycle(span: SourceSpan): CaxError {
  return new CaxError('E_CYCLE', PURE_ERROR_MESSAGES.E_CYCLE, { span });
}

function local(c: Extract<Code, { op: 1 }>, e: Env): Value {
  let f = e;
  for (let d = c.depth; d > 0; d--) f = f[0] as Env;
  const x = f[c.slot];
  if (x === undefined) throw new CaxError('E_CYCLE', PURE_ERROR_MESSAGES.E_CYCLE, { span: c.span });
  return x as Value;
}

/** Evaluates simple code (constants, locals, operators on them) directly; its depth is bounded by the parser's nesting cap. */
function evalSimple(c: Code, e: Env, m: Machine): Value {
  switch (c.op) {
    case OP.Const:
      return c.value;
    case OP.Local:
      return local(c, e);
    case OP.Bin:
      return c.fn(evalSimple(c.a, e, m), evalSimple(c.b, e, m), c.span, m);
    case OP.Unary:
      return c.fn(evalSimple(c.a, e, m), c.span);
    default:
      throw new CaxError('E_INTERNAL', 'not simple code');
  }
}

/** Matches `v` against `p`, writing bound variables into `frame`. */
export function matchPattern(p: CPat, v: Value, frame: Env): boolean {
  switch (p.k) {
    case 'wild':
      return true;
    case 'var':
      frame[p.slot] = v;
      return true;
    case 'lit':
      return typeof v === 'number' ? v === p.value : compareValues(v, p.value) === 0;
    case 'tuple': {
      const t = v as Tuple;
      for (let i = 0; i < p.items.length; i++) if (!matchPattern(p.items[i]!, t.items[i]!, frame)) return false;
      return true;
    }
    case 'list': {
      let l = v;
      for (const item of p.items) {
        if (!(l instanceof Cons)) return false;
        if (!matchPattern(item, l.head, frame)) return false;
        l = l.tail;
      }
      return l instanceof Nil;
    }
    case 'cons':
      return v instanceof Cons && matchPattern(p.head, v.head, frame) && matchPattern(p.tail, v.tail, frame);
  }
}
