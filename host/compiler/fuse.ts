// List pipelines fused into one loop (CodegenOptions.fuse, docs/compiler.md
// "Pipelines fused"): `foldl f z (map g (filter p … SOURCE))` of the
// prelude's own foldl, map and filter, over `range a b` or any other list, is
// rewritten (TEL AST → TEL AST, before code generation) into a local loop
// that counts through the range (or walks the list) and applies the stages
// to each element on the way, building no intermediate list. Lambdas and
// operator sections of one use are applied by substitution (beta reduction;
// an argument that is neither a variable nor total and pure is bound by a
// `let` first, so it is still evaluated once, when the call would have
// evaluated it).
//
// What the strict pipeline does that the loop must keep: its values are
// evaluated z, then a and b (or the list), as the calls evaluate their
// arguments, and the function values f, g, p cannot fail (lambdas, operator
// sections, local variables that are no recursive box, top-level functions:
// anything else is not fused). The loop then calls the stages element by
// element instead of stage by stage; that order differs, but only between
// calls of different stages, and at most one stage may do anything but
// compute a value (a stage whose body is not *safe* — total, pure, no call —
// may fail, loop or run out of budget): the calls of that one stage are the
// same, in the same order, so the first failure is the same one.
import type { SourceSpan } from '../errors.js';
import type { BinaryOp, Decl, Expr, Pattern, TypeExpr } from '../tel/ast.js';
import { applicationSpine } from './spine.js';

/** What the pass asks of the code generator about the call site's scope. */
export interface FuseContext {
  /** The prelude function (`foldl`, `map`, `filter`, `range`) a call's head names there, if it is one of them. */
  readonly preludeFn: (head: Expr) => string | undefined;
  /** Whether reading the variable cannot fail: a local that is no recursive box, or a top-level function. */
  readonly plainVar: (name: string) => boolean;
  /** Whether `e` is known to be an Int (so the accumulator is one). */
  readonly knownInt: (e: Expr) => boolean;
  /** A number no other fused loop of the image uses (for its names). */
  readonly fresh: () => number;
}

type Stage = { readonly kind: 'map' | 'filter'; readonly fn: Expr };

/** Operators whose section `(op)` applies like the operator itself (both operands evaluated, no other effect). */
const SECTION_OPS: ReadonlySet<BinaryOp> = new Set<BinaryOp>(['+', '-', '*', '/', 'mod', '==', '/=', '<', '>', '<=', '>=', '&&', '||', ':', '++']);

/** Whether `e` binds no names (substitution into it needs no renaming). */
function binderFree(e: Expr): boolean {
  switch (e.tag) {
    case 'Lit':
    case 'Var':
    case 'HashRef':
    case 'OpRef':
      return true;
    case 'App':
      return binderFree(e.fn) && binderFree(e.arg);
    case 'BinOp':
      return binderFree(e.left) && binderFree(e.right);
    case 'If':
      return binderFree(e.cond) && binderFree(e.then) && binderFree(e.else);
    case 'Neg':
      return binderFree(e.expr);
    case 'Duration':
      return binderFree(e.amount);
    case 'Tuple':
    case 'List':
      return e.items.every(binderFree);
    default:
      return false;
  }
}

/** `e` (binder-free) with the variables named in `map` replaced. */
function substitute(e: Expr, map: ReadonlyMap<string, Expr>): Expr {
  switch (e.tag) {
    case 'Var':
      return map.get(e.name) ?? e;
    case 'App':
      return { ...e, fn: substitute(e.fn, map), arg: substitute(e.arg, map) };
    case 'BinOp':
      return { ...e, left: substitute(e.left, map), right: substitute(e.right, map) };
    case 'If':
      return { ...e, cond: substitute(e.cond, map), then: substitute(e.then, map), else: substitute(e.else, map) };
    case 'Neg':
      return { ...e, expr: substitute(e.expr, map) };
    case 'Duration':
      return { ...e, amount: substitute(e.amount, map) };
    case 'Tuple':
    case 'List':
      return { ...e, items: e.items.map((x) => substitute(x, map)) };
    default:
      return e;
  }
}

/** How often the variable `name` occurs in the binder-free `e`. */
function occurrences(e: Expr, name: string): number {
  switch (e.tag) {
    case 'Var':
      return e.name === name ? 1 : 0;
    case 'App':
      return occurrences(e.fn, name) + occurrences(e.arg, name);
    case 'BinOp':
      return occurrences(e.left, name) + occurrences(e.right, name);
    case 'If':
      return occurrences(e.cond, name) + occurrences(e.then, name) + occurrences(e.else, name);
    case 'Neg':
      return occurrences(e.expr, name);
    case 'Duration':
      return occurrences(e.amount, name);
    case 'Tuple':
    case 'List':
      return e.items.reduce((n, x) => n + occurrences(x, name), 0);
    default:
      return 0;
  }
}

const isIntLiteral = (e: Expr): boolean => e.tag === 'Lit' && e.lit.kind === 'int';

class Fuser {
  private temps = 0;
  constructor(
    private readonly cx: FuseContext,
    private readonly n: number,
    private readonly span: SourceSpan,
  ) {}

  /** `%BASE.N`: no TEL source can spell it, and no other fused loop's names (nested ones included) are the same. */
  name(base: string): string {
    return `%${base}.${this.n}`;
  }
  v(name: string): Expr {
    return { tag: 'Var', name, span: this.span };
  }
  app(fn: Expr, args: readonly Expr[]): Expr {
    return args.reduce<Expr>((f, arg) => ({ tag: 'App', fn: f, arg, span: this.span }), fn);
  }
  pvar(name: string): Pattern {
    return { tag: 'PVar', name, span: this.span };
  }
  /** `let name = value in body` (`int`: the value is an Int, declared so for the code generator). */
  let(name: string, value: Expr, body: Expr, int = false): Expr {
    const signature = int ? { constraints: [], type: this.intType(), span: this.span } : null;
    const decl: Decl = { name, signature, equations: [{ name, params: [], rhs: { tag: 'Plain', expr: value }, where: [], span: this.span }], span: this.span };
    return { tag: 'Let', decls: [decl], body, span: this.span };
  }
  intType(): TypeExpr {
    return { tag: 'TCon', name: 'Int', args: [], span: this.span };
  }

  /**
   * Whether `e` is total and pure and calls nothing (`bound`: variables that hold values): literals, plain
   * variables, `+ - *`, negation, `/` and `mod` by a literal other than 0, comparisons with an Int literal (flat
   * Ints: a structural comparison of deep values can run out of stack), `&&`, `||`, cons and `if` of such.
   */
  safe(e: Expr, bound: ReadonlySet<string>): boolean {
    switch (e.tag) {
      case 'Lit':
        return true;
      case 'Var':
        return bound.has(e.name) || e.name.startsWith('%') || this.cx.plainVar(e.name);
      case 'Neg':
        return this.safe(e.expr, bound);
      case 'If':
        return this.safe(e.cond, bound) && this.safe(e.then, bound) && this.safe(e.else, bound);
      case 'BinOp': {
        const operands = this.safe(e.left, bound) && this.safe(e.right, bound);
        if (['+', '-', '*', '&&', '||', ':'].includes(e.op)) return operands;
        if (e.op === '/' || e.op === 'mod') return operands && isIntLiteral(e.right) && (e.right as { lit: { value: number } }).lit.value !== 0;
        if (['==', '/=', '<', '>', '<=', '>='].includes(e.op)) return operands && (isIntLiteral(e.left) || isIntLiteral(e.right));
        return false;
      }
      default:
        return false;
    }
  }

  /** A function value the loop can apply: a lambda of `arity` variables with a binder-free body, an operator section, a plain variable. */
  applicable(fn: Expr, arity: number): boolean {
    if (fn.tag === 'Lam') return fn.params.length === arity && fn.params.every((p) => p.tag === 'PVar' || p.tag === 'PWild') && binderFree(fn.body);
    if (fn.tag === 'OpRef') return arity === 2 && SECTION_OPS.has(fn.op);
    return fn.tag === 'Var' && this.cx.plainVar(fn.name);
  }

  /** Whether applying `fn` (applicable) is safe: a lambda or section whose body is. */
  safeFn(fn: Expr): boolean {
    if (fn.tag === 'OpRef') return this.safe({ tag: 'BinOp', op: fn.op, left: this.v('%x'), right: this.v('%y'), span: this.span }, new Set());
    if (fn.tag !== 'Lam') return false;
    const params = new Set(fn.params.flatMap((p) => (p.tag === 'PVar' ? [p.name] : [])));
    return this.safe(fn.body, params);
  }

  /** `fn args` with a lambda or section substituted (an argument not a variable, and not safe or used more than once, bound by a let first). */
  apply(fn: Expr, args: readonly Expr[]): Expr {
    if (fn.tag === 'OpRef') {
      const [x, y] = [this.name(`x${this.temps}`), this.name(`y${this.temps++}`)];
      return this.apply({ tag: 'Lam', params: [this.pvar(x), this.pvar(y)], body: { tag: 'BinOp', op: fn.op, left: this.v(x), right: this.v(y), span: fn.span }, span: fn.span }, args);
    }
    if (fn.tag !== 'Lam') return this.app(fn, args);
    const map = new Map<string, Expr>();
    const lets: { name: string; value: Expr }[] = [];
    fn.params.forEach((p, i) => {
      const arg = args[i]!;
      const name = p.tag === 'PVar' ? p.name : undefined;
      if (this.safe(arg, new Set()) && (name === undefined || arg.tag === 'Var' || occurrences(fn.body, name) <= 1)) {
        if (name !== undefined) map.set(name, arg);
        return;
      }
      const t = this.name(`t${this.temps++}`);
      lets.push({ name: t, value: arg });
      if (name !== undefined) map.set(name, this.v(t));
    });
    return lets.reduceRight((body, { name, value }) => this.let(name, value, body), substitute(fn.body, map));
  }

  /** The stages applied to the element `v` and the accumulator `acc`, each path ending in `next` of the new accumulator. */
  step(stages: readonly Stage[], f: Expr, v: Expr, acc: Expr, next: (acc: Expr) => Expr): Expr {
    const [stage, ...rest] = stages;
    if (!stage) return next(this.apply(f, [acc, v]));
    const applied = this.apply(stage.fn, [v]);
    if (stage.kind === 'filter') return { tag: 'If', cond: applied, then: this.step(rest, f, v, acc, next), else: next(acc), span: this.span };
    if (this.safe(applied, new Set()) && (applied.tag === 'Var' || rest.length === 0)) return this.step(rest, f, applied, acc, next);
    const y = this.name(`t${this.temps++}`);
    return this.let(y, applied, this.step(rest, f, this.v(y), acc, next));
  }
}

/**
 * `foldl f z (map g (filter p … SOURCE))` (a call `e` of the prelude's foldl over at least one map or filter, or over
 * `range a b`) as one loop; undefined when `e` is no such call or cannot be fused exactly.
 */
export function fusePipeline(e: Expr, cx: FuseContext): Expr | undefined {
  const spine = applicationSpine(e);
  if (!spine || spine.args.length !== 3 || cx.preludeFn(spine.head) !== 'foldl') return undefined;
  const [f, z, list] = spine.args as [Expr, Expr, Expr];
  const stages: Stage[] = [];
  let source = list;
  for (;;) {
    const s = applicationSpine(source);
    const kind = s?.args.length === 2 ? cx.preludeFn(s.head) : undefined;
    if (s === undefined || (kind !== 'map' && kind !== 'filter')) break;
    stages.unshift({ kind, fn: s.args[0]! });
    source = s.args[1]!;
  }
  const rs = applicationSpine(source);
  const range = rs?.args.length === 2 && cx.preludeFn(rs.head) === 'range' ? rs.args : undefined;
  if (range === undefined && stages.length === 0) return undefined;
  const fx = new Fuser(cx, cx.fresh(), e.span);
  if (!fx.applicable(f, 2) || !stages.every((s) => fx.applicable(s.fn, 1))) return undefined;
  if ([f, ...stages.map((s) => s.fn)].filter((fn) => !fx.safeFn(fn)).length > 1) return undefined;

  const accInt = cx.knownInt(z);
  const [zn, go, acc] = [fx.name('z'), fx.name('go'), fx.name('acc')];
  const accType: TypeExpr = accInt ? fx.intType() : { tag: 'TVar', name: 'a', span: e.span };
  const fnType = (params: readonly TypeExpr[]): TypeExpr => params.reduceRight<TypeExpr>((to, from) => ({ tag: 'TFun', from, to, span: e.span }), accType);
  const loop = (params: readonly TypeExpr[], equations: readonly { params: readonly Pattern[]; body: Expr }[], start: Expr): Expr => {
    const decl: Decl = {
      name: go,
      signature: { constraints: [], type: fnType(params), span: e.span },
      equations: equations.map((eq) => ({ name: go, params: eq.params, rhs: { tag: 'Plain', expr: eq.body }, where: [], span: e.span })),
      span: e.span,
    };
    return { tag: 'Let', decls: [decl], body: start, span: e.span };
  };

  if (range !== undefined) {
    // go acc i hi = … each path: if i == hi then acc' else go acc' (i + 1) hi; entered when a <= b
    const [an, bn, i, hi] = [fx.name('a'), fx.name('b'), fx.name('i'), fx.name('hi')];
    const next = (x: Expr): Expr => ({
      tag: 'If',
      cond: { tag: 'BinOp', op: '==', left: fx.v(i), right: fx.v(hi), span: e.span },
      then: x,
      else: fx.app(fx.v(go), [x, { tag: 'BinOp', op: '+', left: fx.v(i), right: { tag: 'Lit', lit: { kind: 'int', value: 1 }, span: e.span }, span: e.span }, fx.v(hi)]),
      span: e.span,
    });
    const body = fx.step(stages, f, fx.v(i), fx.v(acc), next);
    const start: Expr = {
      tag: 'If',
      cond: { tag: 'BinOp', op: '>', left: fx.v(an), right: fx.v(bn), span: e.span },
      then: fx.v(zn),
      else: fx.app(fx.v(go), [fx.v(zn), fx.v(an), fx.v(bn)]),
      span: e.span,
    };
    const int = fx.intType();
    return fx.let(zn, z, fx.let(an, range[0]!, fx.let(bn, range[1]!, loop([accType, int, int], [{ params: [fx.pvar(acc), fx.pvar(i), fx.pvar(hi)], body }], start), true), true), accInt);
  }
  // go acc [] = acc; go acc (v : vs) = … each path: go acc' vs
  const [ln, vn, vs] = [fx.name('l'), fx.name('v'), fx.name('vs')];
  const cons: Pattern = { tag: 'PCons', head: fx.pvar(vn), tail: fx.pvar(vs), span: e.span };
  const body = fx.step(stages, f, fx.v(vn), fx.v(acc), (x) => fx.app(fx.v(go), [x, fx.v(vs)]));
  const equations = [
    { params: [fx.pvar(acc), { tag: 'PList', items: [], span: e.span } as Pattern], body: fx.v(acc) },
    { params: [fx.pvar(acc), cons], body },
  ];
  const listType: TypeExpr = { tag: 'TList', elem: { tag: 'TVar', name: 'e', span: e.span }, span: e.span };
  return fx.let(zn, z, fx.let(ln, source, loop([accType, listType], equations, fx.app(fx.v(go), [fx.v(zn), fx.v(ln)]))), accInt);
}
