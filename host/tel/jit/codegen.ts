// The JIT's code generator: turns one TEL lambda (a CLam of the machine's
// intermediate code) into the source of a JavaScript function
// `(m, e, d) => Value` over the interpreter's own frame layout (e[0] the
// enclosing frame, e[1…] parameters and locals), so closures, effects and
// patterns stay shared with the interpreter. The generated code adds to
// `m.steps` exactly the transitions the CEK machine makes for the same code
// (the cost model is spelled out per node below), and passes every call the
// machine's continuation depth at that point; it checks the budgets only at
// calls, returns and loop back-edges (see tier.ts for why that is exact).
// A self tail call becomes a loop. Code it does not handle (`@hash`
// references) makes the lambda stay interpreted.
import { OP, isSimple, type CClause, type CLam, type Code, type CPat } from '../compile.js';

/** Thrown at generation time: this lambda stays in the interpreter. */
export class NotCompiled extends Error {}

/** Switches for the optimizing passes (all on by default). */
export interface JitPasses {
  /** Int fast paths for + - * and comparisons (falling back to the generic operator on anything else). */
  readonly intOps: boolean;
  /** A self tail call with exact arity becomes a loop. */
  readonly selfLoop: boolean;
  /** Patterns on constructors compiled inline instead of through the interpreter's matcher. */
  readonly inlinePatterns: boolean;
  /** A call of a known definition jumps to its compiled code without the generic call path. */
  readonly directCalls: boolean;
}

export const ALL_PASSES: JitPasses = { intOps: true, selfLoop: true, inlinePatterns: true, directCalls: true };

export interface Generated {
  readonly source: string;
  readonly constants: unknown[];
}

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

/** Generates the function for `lam`; `binName` names each operator function (for the Int fast paths). */
export function generate(lam: CLam, binName: ReadonlyMap<unknown, string>, passes: JitPasses = ALL_PASSES): Generated {
  return new Gen(lam, binName, passes).run();
}

class Gen {
  private readonly constants: unknown[] = [];
  private readonly lines: string[] = [];
  private tmp = 0;
  private maxDepth = 0;

  constructor(
    private readonly lam: CLam,
    private readonly binName: ReadonlyMap<unknown, string>,
    private readonly passes: JitPasses,
  ) {}

  run(): Generated {
    const body = this.lam.body;
    const inner = this.withLines(() => {
      const v = this.expr(body, 0, true);
      this.emitReturn(v);
    });
    const source = [
      // the deepest function entry, as the interpreter records it at APPLY (Machine.peakDepth)
      'if (d > m.peakDepth) m.peakDepth = d;',
      'let s = 0;',
      'for (;;) {',
      ...inner,
      '}',
    ].join('\n');
    const head = `const MAXD = ${this.maxDepth};\n`;
    return { source: head + source, constants: this.constants };
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
    this.emit('if (m.steps > m.budget.steps || ((d + MAXD) << 2) + m.heap > m.budget.memory || m.periodic !== null) R.check(m, d + MAXD);');
  }

  private emitReturn(v: string): void {
    this.flushCheck();
    this.emit(`return ${v};`);
  }

  /** A local variable's value (E_CYCLE when read before it is bound). */
  private local(c: Extract<Code, { op: 1 }>): string {
    let f = 'e';
    for (let i = 0; i < c.depth; i++) f = `${f}[0]`;
    const t = this.t();
    this.emit(`const ${t} = ${f}[${c.slot}];`);
    this.emit(`if (${t} === undefined) R.defined(${t}, ${this.k(c)});`);
    return t;
  }

  /** Simple code, evaluated without machine steps (the interpreter's evalSimple). */
  private simple(c: Code): string {
    switch (c.op) {
      case OP.Const:
        return typeof c.value === 'number' || typeof c.value === 'boolean' ? String(c.value) : this.k(c.value);
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
    if (this.passes.intOps && name !== undefined && INT_OPS[name] !== undefined) {
      const ta = this.t();
      const tb = this.t();
      this.emit(`const ${ta} = ${a}, ${tb} = ${b};`);
      const fast = INT_OPS[name]!.replace('A', ta).replace('B', tb);
      return `(typeof ${ta} === 'number' ? ${fast} : ${generic(ta, tb)})`;
    }
    return generic(a, b);
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
      case OP.Hash:
        throw new NotCompiled('a hash reference');
      case OP.Lam:
        this.step(1);
        this.emit('m.heap += 2;');
        return this.bindTmp(`new R.Closure(${this.k(c)}, e)`);
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
        this.emit(`e[${b.slot}] = new R.Closure(${this.k(b.code)}, e);`);
      } else {
        this.step(1);
        const v = this.expr(b.code, d + 1, false);
        this.step(1);
        this.emit(`e[${b.slot}] = ${v};`);
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
    // A call of this very lambda (a definition, or a local bound to it) with its arity, in tail position: the machine replaces the frame; so does the loop.
    const maybeSelf = fc.op === OP.Local || (fc.op === OP.Global && fc.cell.fnValue !== null && fc.cell.fnValue.lam === this.lam);
    if (tail && this.passes.selfLoop && maybeSelf && args.length === this.lam.arity) {
      this.step(1);
      this.emit(`if (${f}.lam === ${this.k(this.lam)}) {`);
      this.flushCheck();
      this.emit(`const nf = new Array(${this.lam.frame.size}); nf[0] = ${f}.env;`);
      args.forEach((a, i) => this.emit(`nf[${i + 1}] = ${a};`));
      this.emit('e = nf;');
      this.emit('continue;');
      this.emit('}');
      this.emit('s -= 1;');
    }
    this.emit('m.steps += s; s = 0;');
    let r: string;
    const known = fc.op === OP.Global ? fc.cell.fnValue : null;
    if (this.passes.directCalls && known !== null && known.lam.arity === args.length) {
      // A direct call of a known definition: its compiled code straight away, with the frame built here.
      const cf = this.bindTmp(`R.compiledOf(m, ${f}.lam)`);
      r = this.t();
      this.emit(`let ${r};`);
      this.emit(`if (${cf} !== null) {`);
      this.emit(`const fr = new Array(${known.lam.frame.size}); fr[0] = ${f}.env;`);
      args.forEach((a, i) => this.emit(`fr[${i + 1}] = ${a};`));
      this.emit(`m.steps += 1; ${r} = ${cf}(m, fr, d + ${d});`);
      this.emit(`} else ${r} = R.call(m, ${f}, [${args.join(', ')}], d + ${d}, ${this.k(c.span)});`);
    } else r = this.bindTmp(`R.call(m, ${f}, [${args.join(', ')}], d + ${d}, ${this.k(c.span)})`);
    if (tail) this.emitReturn(r);
    return r;
  }

  private match(c: Extract<Code, { op: 6 }>, d: number, tail: boolean): string {
    this.step(1);
    const scruts: string[] = [];
    if (c.scrutinee !== null) {
      if (isSimple(c.scrutinee)) scruts.push(this.bindTmp(this.simple(c.scrutinee)));
      else {
        scruts.push(this.expr(c.scrutinee, d + 1, false));
        this.step(1);
      }
    }
    const r = this.t();
    const label = `L${this.tmp++}`;
    this.emit(`let ${r};`);
    this.emit(`${label}: {`);
    c.clauses.forEach((cl, ci) => {
      // The MATCH step that tries this clause (the first try is counted here, a retry after failed guards below).
      if (ci === 0) this.step(1);
      this.clause(cl, scruts, d, tail, r, label);
    });
    this.emit(`R.noMatch(${this.k(c)});`);
    this.emit('}');
    return r;
  }

  private clause(cl: CClause, scruts: readonly string[], d: number, tail: boolean, r: string, label: string): void {
    const conds = cl.patterns.map((p, i) => this.pattern(p, scruts.length > 0 ? scruts[i]! : `e[${i + 1}]`));
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

  /** A JS condition testing `v` against `p` and binding its variables into the frame (as the interpreter's matchPattern). */
  private pattern(p: CPat, v: string): string {
    if (!this.passes.inlinePatterns) return `R.matchPattern(${this.k(p)}, ${v}, e)`;
    switch (p.k) {
      case 'wild':
        return 'true';
      case 'var':
        return `((e[${p.slot}] = ${v}), true)`;
      case 'lit':
        return typeof p.value === 'number' || typeof p.value === 'boolean' ? `(${v} === ${String(p.value)})` : `(R.compareValues(${v}, ${this.k(p.value)}) === 0)`;
      case 'cons':
        return `(${v} instanceof R.Cons && ${this.pattern(p.head, `${v}.head`)} && ${this.pattern(p.tail, `${v}.tail`)})`;
      case 'tuple':
        return `(${p.items.map((q, i) => this.pattern(q, `${v}.items[${i}]`)).join(' && ') || 'true'})`;
      case 'list':
        return `R.matchPattern(${this.k(p)}, ${v}, e)`;
    }
  }
}
