// The JIT's code generator: turns one TEL lambda (a CLam of the machine's
// intermediate code) into the source of a JavaScript function
// `jitted(m, d, env, v1, …, vn)`: the machine, the continuation depth it is
// entered at, the closure's environment and the arguments. Its parameters and
// locals live in JavaScript variables, or, when a closure or an effect
// captures the frame, in a frame array of the interpreter's own layout (e[0]
// the enclosing frame, e[1…] parameters and locals), so closures, effects and
// patterns stay shared with the interpreter. The generated code adds to
// `m.steps` exactly the transitions the CEK machine makes for the same code
// (the cost model is spelled out per node below), and passes every call the
// machine's continuation depth at that point; it checks the budgets only at
// calls, returns and loop back-edges (see tier.ts for why that is exact).
// A self tail call becomes a loop.
import { OP, isSimple, type CClause, type CLam, type Code, type CPat } from '../compile.js';
import { buildTuple } from '../operators.js';
import { Cons, Nil, type Value } from '../values.js';

/** Thrown at generation time: this lambda stays in the interpreter. */
export class NotCompiled extends Error {}

/** Switches for the optimizing passes (all on by default). */
export interface JitPasses {
  /** Int fast paths for + - * / mod, comparisons and `:` (falling back to the generic operator on anything else). */
  readonly intOps: boolean;
  /** A self tail call with exact arity becomes a loop. */
  readonly selfLoop: boolean;
  /** Patterns on constructors compiled inline instead of through the interpreter's matcher. */
  readonly inlinePatterns: boolean;
  /** A call of a known definition jumps to its compiled code without the generic call path (a self call to the function itself). */
  readonly directCalls: boolean;
  /** Parameters and locals in JavaScript variables instead of a frame array when nothing captures the frame. */
  readonly frameLocals: boolean;
  /** Operators on constant Ints and Bools computed at compile time (never one that would fail), and `if` on a constant condition reduced to its branch. */
  readonly constantFold: boolean;
  /** A call of a small known definition (not itself) replaced by its body, in JavaScript variables of its own. */
  readonly inline: boolean;
  /** A `case` of a tuple written in place matches its parts without building the tuple (its cells still counted). */
  readonly knownCase: boolean;
  /** A definition called only with the same Int or Bool, or only with lists of the same shape, in a parameter while interpreted is compiled for that value or shape, behind a guard. */
  readonly specialize: boolean;
}

export const ALL_PASSES: JitPasses = { intOps: true, selfLoop: true, inlinePatterns: true, directCalls: true, frameLocals: true, constantFold: true, inline: true, knownCase: true, specialize: true };

/** The pass names, in a fixed order (the code cache's key). */
export const PASS_NAMES: readonly (keyof JitPasses)[] = ['intOps', 'selfLoop', 'inlinePatterns', 'directCalls', 'frameLocals', 'constantFold', 'inline', 'knownCase', 'specialize'];

/** The most code nodes a definition's body may have to be inlined. */
export const INLINE_NODES = 24;

/** How deep inlined bodies nest (a call inside an inlined body inlined in turn), and the code nodes one compiled function may inline in all. */
export const INLINE_DEPTH = 3;
export const INLINE_BUDGET = 96;

/** The shape a parameter's list is specialized for: always a cons, or always empty. */
export type Shape = 'cons' | 'nil';

export interface Generated {
  /** The body of a factory `(K, R) => jitted`. */
  readonly source: string;
  readonly constants: unknown[];
}

/** Int fast paths: A and B are temporaries holding numbers (tested by the caller unless `any`). */
const INT_OPS: Readonly<Record<string, string>> = {
  '+': '(A + B) | 0',
  '-': '(A - B) | 0',
  '*': 'Math.imul(A, B)',
  '<': 'A < B',
  '>': 'A > B',
  '<=': 'A <= B',
  '>=': 'A >= B',
  '==': 'A === B',
  '/=': 'A !== B',
};

/** Operators folded on constant Int or Bool operands (the interpreter's own functions compute the value). */
const FOLDABLE = new Set(['+', '-', '*', '/', 'mod', '<', '>', '<=', '>=', '==', '/=']);

/**
 * Generates the function for `lam`; `binName` names each operator function (for the Int fast paths and folding).
 * `specialized` maps parameter slots to the value the code is specialized for, `shapes` to the list shape: a guard
 * at entry and at each loop back-edge hands a call with another value or shape to `R.deopt` (the generic code).
 */
export function generate(
  lam: CLam,
  binName: ReadonlyMap<unknown, string>,
  passes: JitPasses = ALL_PASSES,
  specialized: ReadonlyMap<number, Value> = new Map(),
  shapes: ReadonlyMap<number, Shape> = new Map(),
): Generated {
  return new Gen(lam, binName, passes, specialized, shapes).run();
}

/** The shape of a list value, else undefined. */
export function shapeOf(v: Value): Shape | undefined {
  return v instanceof Cons ? 'cons' : v instanceof Nil ? 'nil' : undefined;
}

/** Calls `visit` on `c` and every node below it, with the number of lambda (or do block) frames entered on the way. */
export function walk(c: Code, level: number, visit: (c: Code, level: number) => void): void {
  visit(c, level);
  const sub = (x: Code | null, l = level): void => {
    if (x !== null) walk(x, l, visit);
  };
  switch (c.op) {
    case OP.Const:
    case OP.Local:
    case OP.Global:
    case OP.Hash:
      return;
    case OP.App:
      sub(c.fn);
      c.args.forEach((a) => sub(a));
      return;
    case OP.Lam:
      sub(c.body, level + 1);
      return;
    case OP.If:
      sub(c.cond);
      sub(c.then);
      sub(c.else);
      return;
    case OP.Match:
      sub(c.scrutinee);
      for (const cl of c.clauses) {
        cl.binds.forEach((b) => sub(b.code));
        for (const g of cl.guards) {
          sub(g.cond);
          sub(g.body);
        }
      }
      return;
    case OP.Let:
      c.binds.forEach((b) => sub(b.code));
      sub(c.body);
      return;
    case OP.Bin:
    case OP.And:
    case OP.Or:
    case OP.Seq:
    case OP.Choice:
      sub(c.a);
      sub(c.b);
      return;
    case OP.Unary:
      sub(c.a);
      return;
    case OP.Build:
      c.parts.forEach((p) => sub(p));
      return;
    case OP.Do:
      for (const st of c.stmts) {
        if (st.k === 'let') st.binds.forEach((b) => sub(b.code, level + 1));
        else sub(st.expr, level + 1);
      }
      return;
  }
}

/** The slots a pattern binds. */
function patternSlots(p: CPat, out: Set<number>): void {
  switch (p.k) {
    case 'var':
      out.add(p.slot);
      return;
    case 'cons':
      patternSlots(p.head, out);
      patternSlots(p.tail, out);
      return;
    case 'tuple':
    case 'list':
      p.items.forEach((q) => patternSlots(q, out));
      return;
    default:
      return;
  }
}

/** Whether a closure or effect made in `lam`'s body captures its frame (it then needs a frame array); and the slots always bound where read. */
function frameUse(lam: CLam): { captured: boolean; bound: Set<number>; nodes: number; outer: boolean } {
  const bound = new Set<number>();
  for (let i = 1; i <= lam.arity; i++) bound.add(i);
  let captured = false;
  let outer = false;
  let nodes = 0;
  walk(lam.body, 0, (c, level) => {
    nodes++;
    if (c.op === OP.Local && c.depth >= level) {
      if (level > 0) captured = true;
      else if (c.depth > 0) outer = true;
    }
    if (c.op === OP.Do || c.op === OP.Seq || c.op === OP.Choice) captured = true;
    if (c.op === OP.Match && level === 0) for (const cl of c.clauses) for (const p of cl.patterns) patternSlots(p, bound);
  });
  return { captured, bound, nodes, outer };
}

/** How many code nodes a lambda's body has (its own, those of lambdas inside it included). */
export function bodyNodes(lam: CLam): number {
  let n = 0;
  walk(lam.body, 0, () => n++);
  return n;
}

/** A frame whose slots the generated code reads and writes: the compiled lambda's, or an inlined definition's. */
interface FrameCtx {
  /** Slot n is the variable `${prefix}${n}`; null: the frame array `e`. */
  readonly prefix: string | null;
  readonly bound: ReadonlySet<number>;
}

class Gen {
  private readonly constants: unknown[] = [];
  private readonly lines: string[] = [];
  private tmp = 0;
  private maxDepth = 0;
  private directCaches = 0;
  private inlined = 0;
  /** Code nodes inlined so far (within INLINE_BUDGET). */
  private inlinedNodes = 0;
  /** The definitions whose bodies are being inlined, outermost first (never inlined again inside themselves). */
  private readonly inlining: CLam[] = [];
  /** Locals in JavaScript variables (else in the frame array `e`). */
  private readonly locals: boolean;
  /** The frame being generated for (the lambda's own, or an inlined definition's). */
  private ctx: FrameCtx;
  /** The lambda's own frame. */
  private readonly own: FrameCtx;
  /** JavaScript expressions known (by the guard) to hold a list of a shape: the specialized parameters and their reads. */
  private readonly knownShapes = new Map<string, Shape>();

  constructor(
    private readonly lam: CLam,
    private readonly binName: ReadonlyMap<unknown, string>,
    private readonly passes: JitPasses,
    private readonly specialized: ReadonlyMap<number, Value>,
    private readonly shapes: ReadonlyMap<number, Shape>,
  ) {
    const use = frameUse(lam);
    this.locals = passes.frameLocals && passes.inlinePatterns && !use.captured;
    this.own = { prefix: this.locals ? 'v' : null, bound: use.bound };
    this.ctx = this.own;
    for (const [slot, shape] of shapes) this.knownShapes.set(this.slot(slot), shape);
  }

  /** The value a read of `c` is specialized for, if any (a parameter of the lambda's own frame). */
  private specializedValue(c: Extract<Code, { op: 1 }>): Value | undefined {
    return c.depth === 0 && this.ctx === this.own ? this.specialized.get(c.slot) : undefined;
  }

  /** The guard of a specialized function: a call with other values or shapes goes to the generic code (R.deopt). */
  private emitGuard(params: readonly string[]): void {
    if (this.specialized.size === 0 && this.shapes.size === 0) return;
    const values = [...this.specialized].map(([slot, v]) => `v${slot} !== ${this.literal(v)}`);
    const shapes = [...this.shapes].map(([slot, shape]) => `!(v${slot} instanceof R.${shape === 'cons' ? 'Cons' : 'Nil'})`);
    const test = [...values, ...shapes].join(' || ');
    this.emit(`if (${test}) return R.deopt(m, ${this.k(this.lam)}, d, env, [${params.join(', ')}]);`);
  }

  run(): Generated {
    const inner = this.withLines(() => {
      const v = this.expr(this.lam.body, 0, true);
      this.emitReturn(v);
    });
    const size = this.lam.frame.size;
    const params = Array.from({ length: this.lam.arity }, (_, i) => `v${i + 1}`);
    const frame: string[] = [];
    if (this.locals) {
      if (size > this.lam.arity + 1) frame.push(`let ${Array.from({ length: size - this.lam.arity - 1 }, (_, i) => `v${i + this.lam.arity + 1}`).join(', ')};`);
    } else {
      frame.push(`const e = new Array(${size}); e[0] = env;`);
      params.forEach((p, i) => frame.push(`e[${i + 1}] = ${p};`));
    }
    const caches = Array.from({ length: this.directCaches }, (_, i) => `let D${i} = null;`);
    const guard = this.withLines(() => this.emitGuard(params));
    const source = [
      `const MAXD = ${this.maxDepth};`,
      ...caches,
      `return (function jitted(m, d, env, ${params.join(', ')}) {`,
      ...guard,
      // the deepest function entry, as the interpreter records it at APPLY (Machine.peakDepth)
      'if (d > m.peakDepth) m.peakDepth = d;',
      'let s = 0;',
      'for (;;) {',
      ...frame,
      ...inner,
      '}',
      '});',
    ].join('\n');
    return { source, constants: this.constants };
  }

  private withLines(f: () => void): string[] {
    const saved = this.lines.splice(0);
    f();
    const out = this.lines.splice(0);
    this.lines.push(...saved);
    return out;
  }

  private k(x: unknown): string {
    let i = this.constants.indexOf(x);
    if (i < 0) i = this.constants.push(x) - 1;
    return `K[${i}]`;
  }

  private t(): string {
    return `t${this.tmp++}`;
  }

  private emit(line: string): void {
    this.lines.push(line);
  }

  private step(n: number): void {
    if (n > 0) this.emit(`s += ${n};`);
  }

  private depth(d: number): void {
    if (d > this.maxDepth) this.maxDepth = d;
  }

  /** Flushes the counted steps to the machine and checks the budgets for continuation depth `d` (relative). */
  private flushCheck(): void {
    this.emit('m.steps += s; s = 0;');
    this.emit('if (m.steps > m.budget.steps || ((d + MAXD) << 2) + m.heap > m.budget.memory || m.steps >= m.jitPeriodAt) R.check(m, d + MAXD);');
  }

  private emitReturn(v: string): void {
    this.flushCheck();
    this.emit(`return ${v};`);
  }

  /** Where slot `slot` of the current frame lives. */
  private slot(slot: number): string {
    return this.ctx.prefix === null ? `e[${slot}]` : `${this.ctx.prefix}${slot}`;
  }

  /** The frame a closure made here captures (none when it needs none: the frame lives in variables only when nothing captures it). */
  private frameRef(): string {
    return this.ctx.prefix === null ? 'e' : 'null';
  }

  /** A local variable's value (E_CYCLE when read before it is bound). */
  private local(c: Extract<Code, { op: 1 }>): string {
    const known = this.specializedValue(c);
    if (known !== undefined) return this.literal(known);
    let ref: string;
    if (c.depth === 0) ref = this.slot(c.slot);
    else {
      ref = 'env';
      for (let i = 1; i < c.depth; i++) ref = `${ref}[0]`;
      ref = `${ref}[${c.slot}]`;
    }
    const t = this.t();
    this.emit(`const ${t} = ${ref};`);
    if (c.depth > 0 || !this.ctx.bound.has(c.slot)) this.emit(`if (${t} === undefined) R.defined(${t}, ${this.k(c)});`);
    const shape = c.depth === 0 && this.ctx === this.own ? this.shapes.get(c.slot) : undefined;
    if (shape !== undefined) this.knownShapes.set(t, shape);
    return t;
  }

  /** The value of simple code made of constants alone, when folding is on and it cannot fail; else undefined. */
  private folded(c: Code): Value | undefined {
    if (!this.passes.constantFold) return undefined;
    if (c.op === OP.Local) return this.specializedValue(c);
    if (c.op === OP.Const) return typeof c.value === 'number' || typeof c.value === 'boolean' ? c.value : undefined;
    if (c.op !== OP.Bin || !c.simple || !FOLDABLE.has(this.binName.get(c.fn) ?? '')) return undefined;
    const a = this.folded(c.a);
    const b = this.folded(c.b);
    if (typeof a !== 'number' || typeof b !== 'number') return undefined;
    const name = this.binName.get(c.fn)!;
    if ((name === '/' || name === 'mod') && b === 0) return undefined;
    return c.fn(a, b, c.span, null as never);
  }

  private literal(v: Value): string {
    return typeof v === 'number' || typeof v === 'boolean' ? String(v) : this.k(v);
  }

  /** Simple code, evaluated without machine steps (the interpreter's evalSimple). */
  private simple(c: Code): string {
    const f = this.folded(c);
    if (f !== undefined) return this.literal(f);
    switch (c.op) {
      case OP.Const:
        return this.literal(c.value);
      case OP.Local:
        return this.local(c);
      case OP.Bin: {
        const a = this.simple(c.a);
        const b = this.simple(c.b);
        return this.bin(c, a, b);
      }
      case OP.Unary:
        return `${this.k(c.fn)}(${this.simple(c.a)}, ${this.k(c.span)})`;
      default:
        throw new NotCompiled('not simple');
    }
  }

  private bin(c: Extract<Code, { op: 8 }>, a: string, b: string): string {
    const name = this.binName.get(c.fn);
    const generic = (x: string, y: string): string => `${this.k(c.fn)}(${x}, ${y}, ${this.k(c.span)}, m)`;
    if (!this.passes.intOps || name === undefined) return generic(a, b);
    if (name === ':') {
      this.emit('m.heap += 2;');
      return `new R.Cons(${a}, ${b})`;
    }
    const ta = this.t();
    const tb = this.t();
    this.emit(`const ${ta} = ${a}, ${tb} = ${b};`);
    if (name === '/') return `(typeof ${ta} === 'number' && ${tb} !== 0 ? (${ta} / ${tb}) | 0 : ${generic(ta, tb)})`;
    if (name === 'mod') return `(${tb} !== 0 ? (${ta} % ${tb}) | 0 : ${generic(ta, tb)})`;
    const fast = INT_OPS[name];
    if (fast === undefined) return generic(ta, tb);
    return `(typeof ${ta} === 'number' ? ${fast.replace('A', ta).replace('B', tb)} : ${generic(ta, tb)})`;
  }

  /** Binds a value to a fresh temporary. */
  private bindTmp(expr: string): string {
    const t = this.t();
    this.emit(`const ${t} = ${expr};`);
    return t;
  }

  /**
   * Emits code for `c` at relative continuation depth `d` and returns an expression of its value.
   * Counts S(c): the machine's steps from the EVAL of `c` up to (not including) the RET step that consumes the value.
   * In tail position the result may instead be returned (or the loop continued); the returned expression is then unused.
   */
  private expr(c: Code, d: number, tail: boolean): string {
    this.depth(d);
    switch (c.op) {
      case OP.Const:
      case OP.Local:
        this.step(1);
        return this.bindTmp(this.simple(c));
      case OP.Global:
        this.step(1);
        if (c.cell.fnValue) return `${this.k(c.cell)}.fnValue`;
        // A value definition: 1 step when cached; else the machine's K_CAF frame at d+1, S(code), and its RET step (the nested run's last).
        this.depth(d + 1);
        this.emit('m.steps += s; s = 0;');
        return this.bindTmp(`R.caf(m, ${this.k(c.cell)}, ${this.k(c.span)}, d + ${d + 1})`);
      case OP.Hash: {
        // The machine replaces a hash by its definition's cell (1 step), then evaluates that as a global: its
        // function, or a value definition's value (the K_CAF frame at d+1, as above).
        this.step(1);
        const cell = this.bindTmp(`m.hashCell(${this.k(c.hash)}, ${this.k(c.span)})`);
        this.step(1);
        this.depth(d + 1);
        const r = this.t();
        this.emit(`let ${r};`);
        this.emit(`if (${cell}.fnValue !== null) ${r} = ${cell}.fnValue;`);
        this.emit(`else { m.steps += s; s = 0; ${r} = R.caf(m, ${cell}, ${this.k(c.span)}, d + ${d + 1}); }`);
        return r;
      }
      case OP.Lam:
        this.step(1);
        this.emit('m.heap += 2;');
        return this.bindTmp(`new R.Closure(${this.k(c)}, ${this.frameRef()})`);
      case OP.Do:
        this.step(1);
        this.emit('m.heap += 3;');
        return this.bindTmp(`new R.Eff({ k: 'do', code: ${this.k(c)}, index: 0, env: e }, ${this.k(c.span)})`);
      case OP.Bin: {
        if (c.simple) {
          this.step(1);
          return this.bindTmp(this.simple(c));
        }
        this.step(1);
        let a: string;
        if (isSimple(c.a)) a = this.bindTmp(this.simple(c.a));
        else {
          a = this.expr(c.a, d + 1, false);
          this.step(1);
        }
        const b = this.expr(c.b, d + 1, false);
        this.step(1);
        return this.bindTmp(this.bin(c, a, b));
      }
      case OP.Unary: {
        this.step(1);
        if (c.simple) return this.bindTmp(this.simple(c));
        const a = this.expr(c.a, d + 1, false);
        this.step(1);
        return this.bindTmp(`${this.k(c.fn)}(${a}, ${this.k(c.span)})`);
      }
      case OP.If: {
        this.step(1);
        if (isSimple(c.cond)) {
          const known = this.folded(c.cond);
          if (typeof known === 'boolean') return this.expr(known ? c.then : c.else, d, tail);
        }
        let cond: string;
        if (isSimple(c.cond)) cond = this.simple(c.cond);
        else {
          cond = this.expr(c.cond, d + 1, false);
          this.step(1);
        }
        const r = this.t();
        this.emit(`let ${r};`);
        this.emit(`if (${cond} === true) {`);
        this.emit(`${r} = ${this.expr(c.then, d, tail)};`);
        this.emit('} else {');
        this.emit(`${r} = ${this.expr(c.else, d, tail)};`);
        this.emit('}');
        return r;
      }
      case OP.And:
      case OP.Or: {
        this.step(1);
        const a = this.expr(c.a, d + 1, false);
        this.step(1);
        const r = this.t();
        this.emit(`let ${r} = ${a};`);
        this.emit(`if (${r} === ${c.op === OP.And ? 'true' : 'false'}) {`);
        this.emit(`${r} = ${this.expr(c.b, d, tail)};`);
        this.emit('}');
        return r;
      }
      case OP.Build: {
        this.step(1);
        const parts: string[] = [];
        for (const p of c.parts) {
          parts.push(this.expr(p, d + 1, false));
          this.step(1);
        }
        return this.bindTmp(`${this.k(c.build)}([${parts.join(', ')}], m)`);
      }
      case OP.Seq:
      case OP.Choice: {
        this.step(1);
        const a = this.expr(c.a, d + 1, false);
        this.step(1);
        this.emit('m.heap += 3;');
        const kind = c.op === OP.Seq ? `k: 'seq', first: ${a}, then: { code: ${this.k(c.b)}, env: e }` : `k: 'choice', first: ${a}, orElse: { code: ${this.k(c.b)}, env: e }`;
        return this.bindTmp(`new R.Eff({ ${kind} }, ${this.k(c.span)})`);
      }
      case OP.Let: {
        this.step(1);
        this.binds(c.binds, d);
        this.step(1);
        return this.expr(c.body, d, tail);
      }
      case OP.App:
        return this.app(c, d, tail);
      case OP.Match:
        return this.match(c, d, tail);
    }
  }

  /** The BINDS steps of a let or where: closures at once, each value 1 + S + 1 (its K_BIND frame at depth d+1). */
  private binds(binds: Extract<Code, { op: 7 }>['binds'], d: number): void {
    for (const b of binds) {
      if (b.code.op === OP.Lam) {
        this.emit('m.heap += 2;');
        this.emit(`${this.slot(b.slot)} = new R.Closure(${this.k(b.code)}, ${this.frameRef()});`);
      } else {
        this.step(1);
        const v = this.expr(b.code, d + 1, false);
        this.step(1);
        this.emit(`${this.slot(b.slot)} = ${v};`);
      }
    }
  }

  private app(c: Extract<Code, { op: 3 }>, d: number, tail: boolean): string {
    const fc = c.fn;
    const fast = c.simpleArgs && ((fc.op === OP.Global && fc.cell.fnValue !== null) || fc.op === OP.Local);
    let f: string;
    const args: string[] = [];
    if (fast) {
      this.step(1);
      f = fc.op === OP.Global ? this.bindTmp(`${this.k(fc.cell)}.fnValue`) : this.bindTmp(this.local(fc as Extract<Code, { op: 1 }>));
      for (const a of c.args) args.push(this.bindTmp(this.simple(a)));
    } else {
      this.step(1);
      f = this.expr(fc, d + 1, false);
      this.step(1);
      for (const a of c.args) {
        if (isSimple(a)) args.push(this.bindTmp(this.simple(a)));
        else {
          args.push(this.expr(a, d + 1, false));
          this.step(1);
        }
      }
    }
    const known = fc.op === OP.Global ? fc.cell.fnValue : null;
    const exact = args.length === this.lam.arity;
    // A call of this very lambda (a definition, or a local bound to it) with its arity, in tail position: the machine replaces the frame; so does the loop.
    if (tail && this.passes.selfLoop && exact && (fc.op === OP.Local || known?.lam === this.lam)) {
      this.step(1);
      const sure = known?.lam === this.lam;
      if (!sure) this.emit(`if (${f}.lam === ${this.k(this.lam)}) {`);
      this.flushCheck();
      this.emit(`env = ${f}.env;`);
      args.forEach((a, i) => this.emit(`v${i + 1} = ${a};`));
      this.emitGuard(args.map((_, i) => `v${i + 1}`));
      this.emit('continue;');
      if (sure) return 'undefined';
      this.emit('}');
      this.emit('s -= 1;');
    }
    if (known !== null && known.lam !== this.lam && known.lam.arity === args.length && this.inlinable(known.lam)) return this.inline(known.lam, args, d, tail);
    const span = this.k(c.span);
    const r = this.t();
    const argList = args.map((a) => `, ${a}`).join('');
    if (this.passes.directCalls && known !== null && known.lam.arity === args.length) {
      if (known.lam === this.lam) {
        // A call of this function itself: the APPLY step, then straight in.
        this.emit('m.steps += s + 1; s = 0;');
        this.emit(`const ${r} = jitted(m, d + ${d}, null${argList});`);
      } else {
        // A direct call of a known definition: its compiled code (looked up once it exists), else the interpreter.
        const cache = `D${this.directCaches++}`;
        const cf = this.t();
        this.emit('m.steps += s; s = 0;');
        this.emit(`let ${cf} = ${cache}; if (${cf} === null) ${cf} = ${cache} = R.compiledOf(m, ${this.k(known.lam)});`);
        this.emit(`let ${r}; if (${cf} !== null) { m.steps += 1; ${r} = ${cf}(m, d + ${d}, null${argList}); } else ${r} = R.call(m, ${f}, [${args.join(', ')}], d + ${d}, ${span});`);
      }
    } else {
      const cf = this.t();
      this.emit('m.steps += s; s = 0;');
      this.emit(`const ${cf} = R.compiledClosure(m, ${f}, ${args.length});`);
      this.emit(`let ${r}; if (${cf} !== null) { m.steps += 1; ${r} = ${cf}(m, d + ${d}, ${f}.env${argList}); } else ${r} = R.call(m, ${f}, [${args.join(', ')}], d + ${d}, ${span});`);
    }
    if (tail) this.emitReturn(r);
    return r;
  }

  /**
   * Inlining applies to `lam`: a small definition of the program whose frame can live in variables, not one being
   * inlined already, at most INLINE_DEPTH bodies deep and within the function's INLINE_BUDGET.
   */
  private inlinable(lam: CLam): boolean {
    if (!this.passes.inline || !this.passes.frameLocals || !this.passes.inlinePatterns) return false;
    if (this.inlining.length >= INLINE_DEPTH || this.inlining.includes(lam)) return false;
    const use = frameUse(lam);
    return !use.captured && !use.outer && use.nodes <= INLINE_NODES && this.inlinedNodes + use.nodes <= INLINE_BUDGET;
  }

  /**
   * The body of `lam` in place of its call: the APPLY step (entering at continuation depth d, as the machine records it),
   * then the body at depth d with its parameters and locals in fresh variables.
   */
  private inline(lam: CLam, args: readonly string[], d: number, tail: boolean): string {
    this.step(1);
    this.emit(`if (d + ${d} > m.peakDepth) m.peakDepth = d + ${d};`);
    const prefix = `i${this.inlined++}_`;
    const slots = Array.from({ length: lam.frame.size - 1 }, (_, i) => (i < args.length ? `${prefix}${i + 1} = ${args[i]}` : `${prefix}${i + 1}`));
    this.emit(`let ${slots.join(', ')};`);
    const saved = this.ctx;
    const use = frameUse(lam);
    this.ctx = { prefix, bound: use.bound };
    this.inlinedNodes += use.nodes;
    this.inlining.push(lam);
    try {
      return this.expr(lam.body, d, tail);
    } finally {
      this.inlining.pop();
      this.ctx = saved;
    }
  }

  private match(c: Extract<Code, { op: 6 }>, d: number, tail: boolean): string {
    this.step(1);
    const scruts: string[] = [];
    const sc = c.scrutinee;
    if (sc !== null && this.passes.knownCase && sc.op === OP.Build && sc.build === buildTuple && c.clauses.every((cl) => cl.patterns[0]!.k === 'tuple' || cl.patterns[0]!.k === 'wild')) {
      // The tuple's parts are the scrutinees (its Build steps and cells as the machine's, without the tuple).
      this.depth(d + 1);
      this.step(1);
      const parts: string[] = [];
      for (const p of sc.parts) {
        parts.push(this.expr(p, d + 2, false));
        this.step(1);
      }
      this.emit(`m.heap += ${parts.length + 1};`);
      this.step(1);
      return this.matchClauses(c, d, tail, (cl) => {
        const p = cl.patterns[0]!;
        return p.k === 'tuple' ? p.items.map((q, i) => this.pattern(q, parts[i]!)) : [];
      });
    }
    if (sc !== null) {
      if (isSimple(sc)) scruts.push(this.bindTmp(this.simple(sc)));
      else {
        scruts.push(this.expr(sc, d + 1, false));
        this.step(1);
      }
    }
    return this.matchClauses(c, d, tail, (cl) => cl.patterns.map((p, i) => this.pattern(p, scruts.length > 0 ? scruts[i]! : this.slot(i + 1))));
  }

  /** The clauses of a match, each tried by the conditions `conditions` makes for it. */
  private matchClauses(c: Extract<Code, { op: 6 }>, d: number, tail: boolean, conditions: (cl: CClause) => string[]): string {
    const r = this.t();
    const label = `L${this.tmp++}`;
    this.emit(`let ${r};`);
    this.emit(`${label}: {`);
    c.clauses.forEach((cl, ci) => {
      // The MATCH step that tries this clause (the first try is counted here, a retry after failed guards below).
      if (ci === 0) this.step(1);
      this.clause(cl, conditions(cl), d, tail, r, label);
    });
    this.emit(`R.noMatch(${this.k(c)});`);
    this.emit('}');
    return r;
  }

  private clause(cl: CClause, conds: readonly string[], d: number, tail: boolean, r: string, label: string): void {
    this.emit(`if (${conds.length === 0 ? 'true' : conds.join(' && ')}) {`);
    if (cl.binds.length > 0) {
      this.binds(cl.binds, d);
      this.step(1);
    }
    for (const g of cl.guards) {
      this.step(1);
      if (g.cond === null) {
        this.emit(`${r} = ${this.expr(g.body, d, tail)};`);
        this.emit(`break ${label};`);
        break;
      }
      const cond = this.expr(g.cond, d + 1, false);
      this.step(1);
      this.emit(`if (${cond} === true) {`);
      this.emit(`${r} = ${this.expr(g.body, d, tail)};`);
      this.emit(`break ${label};`);
      this.emit('}');
    }
    // Every guard failed: the GUARDS step that finds none left, then the MATCH step resuming at the next clause.
    this.step(2);
    this.emit('}');
  }

  /** A JS condition testing `v` against `p` and binding its variables (as the interpreter's matchPattern). */
  private pattern(p: CPat, v: string): string {
    if (!this.passes.inlinePatterns) return `R.matchPattern(${this.k(p)}, ${v}, e)`;
    switch (p.k) {
      case 'wild':
        return 'true';
      case 'var':
        return `((${this.slot(p.slot)} = ${v}), true)`;
      case 'lit':
        return typeof p.value === 'number' || typeof p.value === 'boolean' ? `(${v} === ${String(p.value)})` : `(R.compareValues(${v}, ${this.k(p.value)}) === 0)`;
      case 'cons': {
        const shape = this.knownShapes.get(v);
        if (shape === 'nil') return 'false';
        return `(${shape === 'cons' ? '' : `${v} instanceof R.Cons && `}${this.pattern(p.head, `${v}.head`)} && ${this.pattern(p.tail, `${v}.tail`)})`;
      }
      case 'tuple':
        return `(${p.items.map((q, i) => this.pattern(q, `${v}.items[${i}]`)).join(' && ') || 'true'})`;
      case 'list':
        return this.listPattern(p.items, 0, v);
    }
  }

  /** A list pattern's items from `i` on against the list `v`: a cons per item, then the empty list. */
  private listPattern(items: readonly CPat[], i: number, v: string): string {
    // A specialized parameter's shape is known: its test is decided here.
    const shape = this.knownShapes.get(v);
    if (i === items.length) return shape === undefined ? `(${v} instanceof R.Nil)` : String(shape === 'nil');
    if (shape === 'nil') return 'false';
    return `(${shape === 'cons' ? '' : `${v} instanceof R.Cons && `}${this.pattern(items[i]!, `${v}.head`)} && ${this.listPattern(items, i + 1, `${v}.tail`)})`;
  }
}
