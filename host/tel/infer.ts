// TEL type inference (section 3): Hindley–Milner with let-polymorphism over
// binding groups (strongly connected components of the dependency graph, so
// a definition is polymorphic wherever it is not mutually recursive), rigid
// checking of signatures, class bits for the overloaded operators. Errors are
// E_TYPE (with both types) and E_UNBOUND, each with its source span; a
// definition whose type is larger than MAX_TYPE_SIZE, or a check that needs
// more work than its allowance (types.ts, TypeMeter), is E_TYPE_SIZE.
import { CaxError, type SourceSpan } from '../errors.js';
import type { BinaryOp, Decl, Equation, Expr, Literal, Pattern, Program, Stmt, TypeScheme } from './ast.js';
import { bindingGroups } from './deps.js';
import {
  BOOL,
  CAT,
  DOUBLE,
  INT,
  MAX_TYPE_SIZE,
  Mismatch,
  NUM,
  ORD,
  TEXT,
  UNIT,
  effect,
  fn,
  freshVar,
  generalize,
  instantiate,
  listOf,
  metered,
  monoScheme,
  prune,
  require,
  schemeFromSignature,
  schemeToString,
  tupleOf,
  typeSize,
  typeToString,
  unify,
  type Scheme,
  type Type,
  type TypeMeter,
} from './types.js';

/** Looks up the stored type of an `@hash` reference; undefined when the hash is unknown. */
export type HashTypes = (hash: string) => TypeScheme | undefined;

export interface CheckOptions {
  /** Types of `@hash` references (the store supplies them); without it every `@hash` is E_MISSING_HASH. */
  readonly hashTypes?: HashTypes;
  /** The environment the program sees (default: the prelude and primitives). */
  readonly globals?: ReadonlyMap<string, Scheme>;
  /** Filled with the scheme of every binder (parameters, pattern variables, let/where/do binders and definitions), by binderKey (the debugger's locals, host/debug/record.ts). */
  readonly binders?: Map<string, Scheme>;
  /** Filled with the type each use of a polymorphic binder was instantiated at, by its scheme (the compiler's Ints of let-polymorphic local functions used at one type, host/compiler/inferred-ints.ts). */
  readonly instances?: Map<Scheme, Type[]>;
}

/** The key of a binder of `name` declared at `span` in CheckOptions.binders. */
export function binderKey(name: string, span: SourceSpan): string {
  return `${span.file}:${span.line}:${span.col}:${name}`;
}

export interface CheckedProgram {
  /** Every top-level definition's scheme, e.g. `map: (a -> b) -> [a] -> [b]`. */
  readonly types: ReadonlyMap<string, Scheme>;
  /** The same, printed in signature syntax. */
  readonly signatures: ReadonlyMap<string, string>;
  /** Binding groups in dependency order (mutually recursive definitions share a group). */
  readonly groups: readonly (readonly string[])[];
}

/** Scoped environment: a chain of maps. */
class Env {
  private readonly vars = new Map<string, Scheme>();
  constructor(private readonly parent: Env | ReadonlyMap<string, Scheme> | null) {}
  get(name: string): Scheme | undefined {
    const own = this.vars.get(name);
    if (own) return own;
    let env = this.parent;
    while (env instanceof Env) {
      const found = env.vars.get(name);
      if (found) return found;
      env = env.parent;
    }
    return env?.get(name);
  }
  set(name: string, s: Scheme): void {
    this.vars.set(name, s);
  }
}

/** Type-checks a program; throws its first error. */
export function checkProgram(program: Program, options: CheckOptions = {}): CheckedProgram {
  const { checked, errors } = checkProgramAll(program, options);
  if (errors.length > 0) throw errors[0]!;
  return checked;
}

/** Type-checks a program, reporting an error for every failing binding group. */
export function checkProgramAll(program: Program, options: CheckOptions = {}): { checked: CheckedProgram; errors: CaxError[] } {
  return metered((meter) => {
    const inf = new Inferencer(options.hashTypes, meter, options.binders, options.instances);
    const env = new Env(options.globals ?? null);
    const errors: CaxError[] = [];
    const groups = bindingGroups(program.decls);
    const types = new Map<string, Scheme>();
    let exhausted = false;
    for (const group of groups) {
      // past the work allowance (E_TYPE_SIZE) the rest is not checked: it would only report the same again
      let ok = !exhausted;
      if (ok) {
        try {
          inf.group(group, env, 0);
        } catch (e) {
          if (!(e instanceof CaxError)) throw e;
          errors.push(e);
          exhausted = e.code === 'E_TYPE_SIZE' && meter.used > meter.limit;
          ok = false;
        }
      }
      if (!ok) for (const d of group) env.set(d.name, poisoned());
      for (const d of group) types.set(d.name, env.get(d.name)!);
    }
    const signatures = new Map<string, string>();
    for (const [k, v] of types) signatures.set(k, schemeToString(v));
    return { checked: { types, signatures, groups: groups.map((g) => g.map((d) => d.name)) }, errors };
  });
}

/** The type of a definition that failed to check: anything, so that its uses do not report again. */
function poisoned(): Scheme {
  const v = freshVar(1);
  return { vars: [v], type: v };
}

/** Type-checks one expression in an environment (CLI arguments, the entry application). */
export function checkExpression(expr: Expr, globals: ReadonlyMap<string, Scheme>, hashTypes?: HashTypes): Type {
  return metered((meter) => {
    const inf = new Inferencer(hashTypes, meter);
    const t = inf.expr(expr, new Env(globals), 0);
    checkSize(t, 'the expression', expr.span);
    return t;
  });
}

/** E_TYPE_SIZE when the type `t` of `what` is larger than MAX_TYPE_SIZE. */
function checkSize(t: Type, what: string, span: SourceSpan): void {
  if (typeSize(t) > MAX_TYPE_SIZE) {
    throw new CaxError('E_TYPE_SIZE', `the type of ${what} has more than ${MAX_TYPE_SIZE} parts`, { span, details: { limit: MAX_TYPE_SIZE } });
  }
}

const typeError = (span: SourceSpan, message: string, details: Record<string, unknown> = {}): CaxError => new CaxError('E_TYPE', message, { span, details });

class Inferencer {
  constructor(
    private readonly hashTypes: HashTypes | undefined,
    private readonly meter: TypeMeter,
    private readonly binders?: Map<string, Scheme>,
    private readonly instances?: Map<Scheme, Type[]>,
  ) {}

  /** Unifies, reporting `expected` and `actual` at `span` on failure. */
  private expect(expected: Type, actual: Type, span: SourceSpan, what = 'expression'): void {
    try {
      unify(expected, actual);
    } catch (e) {
      if (!(e instanceof Mismatch)) throw e;
      const names = new Map<number, string>();
      const exp = typeToString(expected, names);
      const act = typeToString(actual, names);
      const reason = e.reason === 'types differ' ? '' : ` (${e.reason})`;
      throw typeError(span, `type mismatch in ${what}: expected ${exp}, found ${act}${reason}`, { expected: exp, actual: act });
    }
  }

  private constrain(t: Type, cls: number, span: SourceSpan, op: string): void {
    try {
      require(t, cls);
    } catch (e) {
      if (!(e instanceof Mismatch)) throw e;
      throw typeError(span, `${op}: ${e.reason}`, { type: typeToString(t) });
    }
  }

  /** Infers a binding group (mutually recursive declarations) and generalizes it into `env`. */
  group(decls: readonly Decl[], env: Env, level: number): void {
    const inner = level + 1;
    const monos = new Map<string, Type>();
    for (const d of decls) {
      if (d.signature) env.set(d.name, schemeFromSignature(d.signature, inner, false));
      else {
        const t = freshVar(inner);
        monos.set(d.name, t);
        env.set(d.name, monoScheme(t));
      }
    }
    for (const d of decls) {
      const t = this.decl(d, env, inner);
      if (d.signature) {
        const rigid = schemeFromSignature(d.signature, inner, true).type;
        this.expect(rigid, t, d.equations[0]!.span, `the definition of ${d.name} against its signature`);
      } else {
        this.expect(monos.get(d.name)!, t, d.span, `the definition of ${d.name}`);
      }
    }
    for (const d of decls) {
      if (d.signature) continue;
      const t = monos.get(d.name)!;
      checkSize(t, d.name, d.span);
      env.set(d.name, generalize(t, level));
    }
    if (this.binders) for (const d of decls) this.binders.set(binderKey(d.name, d.span), env.get(d.name)!);
  }

  private decls(decls: readonly Decl[], env: Env, level: number): Env {
    const scope = new Env(env);
    for (const g of bindingGroups(decls)) this.group(g, scope, level);
    return scope;
  }

  private decl(d: Decl, env: Env, level: number): Type {
    const arity = d.equations[0]!.params.length;
    const params: Type[] = [];
    for (let i = 0; i < arity; i++) params.push(freshVar(level));
    const result = freshVar(level);
    for (const eq of d.equations) this.equation(eq, params, result, env, level);
    let t: Type = result;
    for (let i = arity - 1; i >= 0; i--) t = fn(params[i]!, t);
    return t;
  }

  private equation(eq: Equation, params: readonly Type[], result: Type, env: Env, level: number): void {
    const scope = new Env(env);
    eq.params.forEach((p, i) => this.expect(params[i]!, this.pattern(p, scope, level), p.span, 'argument pattern'));
    const body = eq.where.length > 0 ? this.decls(eq.where, scope, level) : scope;
    if (eq.rhs.tag === 'Plain') {
      this.expect(result, this.expr(eq.rhs.expr, body, level), eq.rhs.expr.span, `the result of ${eq.name}`);
    } else {
      for (const g of eq.rhs.guards) {
        this.expect(BOOL, this.expr(g.cond, body, level), g.cond.span, 'guard');
        this.expect(result, this.expr(g.body, body, level), g.body.span, `the result of ${eq.name}`);
      }
    }
  }

  /** The type a pattern matches; binds its variables (monomorphically) in `env`. */
  pattern(p: Pattern, env: Env, level: number): Type {
    switch (p.tag) {
      case 'PWild':
        return freshVar(level);
      case 'PVar': {
        const t = freshVar(level);
        env.set(p.name, monoScheme(t));
        this.binders?.set(binderKey(p.name, p.span), monoScheme(t));
        return t;
      }
      case 'PLit':
        return literalType(p.lit);
      case 'PTuple':
        return tupleOf(p.items.map((q) => this.pattern(q, env, level)));
      case 'PList': {
        const elem = freshVar(level);
        for (const q of p.items) this.expect(elem, this.pattern(q, env, level), q.span, 'list pattern element');
        return listOf(elem);
      }
      case 'PCons': {
        const head = this.pattern(p.head, env, level);
        const tail = this.pattern(p.tail, env, level);
        this.expect(listOf(head), tail, p.tail.span, 'the tail of a (:) pattern');
        return tail;
      }
    }
  }

  expr(e: Expr, env: Env, level: number): Type {
    this.meter.node(e.span);
    switch (e.tag) {
      case 'Lit':
        return literalType(e.lit);
      case 'Var': {
        const s = env.get(e.name);
        if (!s) throw new CaxError('E_UNBOUND', `${e.name} is not defined`, { span: e.span });
        const t = instantiate(s, level);
        if (this.instances && s.vars.length > 0) {
          const seen = this.instances.get(s);
          if (seen) seen.push(t);
          else this.instances.set(s, [t]);
        }
        return t;
      }
      case 'HashRef': {
        const sig = this.hashTypes?.(e.hash);
        if (!sig) throw new CaxError('E_MISSING_HASH', `no stored definition @${e.hash}`, { span: e.span });
        return instantiate(schemeFromSignature(sig, level + 1, false), level);
      }
      case 'App':
        return this.apply(this.expr(e.fn, env, level), [e.arg], env, level, e.fn.span);
      case 'Lam': {
        const scope = new Env(env);
        const params = e.params.map((p) => this.pattern(p, scope, level));
        let t = this.expr(e.body, scope, level);
        for (let i = params.length - 1; i >= 0; i--) t = fn(params[i]!, t);
        return t;
      }
      case 'Let':
        return this.expr(e.body, this.decls(e.decls, env, level), level);
      case 'If': {
        this.expect(BOOL, this.expr(e.cond, env, level), e.cond.span, 'if condition');
        const t = this.expr(e.then, env, level);
        this.expect(t, this.expr(e.else, env, level), e.else.span, 'else branch (must match the then branch)');
        return t;
      }
      case 'Case': {
        const scrut = this.expr(e.scrutinee, env, level);
        const result = freshVar(level);
        for (const alt of e.alts) {
          const scope = new Env(env);
          this.expect(scrut, this.pattern(alt.pattern, scope, level), alt.pattern.span, 'case pattern');
          if (alt.guard) this.expect(BOOL, this.expr(alt.guard, scope, level), alt.guard.span, 'guard');
          this.expect(result, this.expr(alt.body, scope, level), alt.body.span, 'case alternative');
        }
        return result;
      }
      case 'Do':
        return this.stmts(e.stmts, env, level);
      case 'BinOp':
        return this.binop(e.op, e.left, e.right, env, level);
      case 'OpRef':
        return opType(e.op, level);
      case 'Neg': {
        const t = this.expr(e.expr, env, level);
        this.constrain(t, NUM, e.span, 'negation');
        return t;
      }
      case 'Tuple':
        return tupleOf(e.items.map((x) => this.expr(x, env, level)));
      case 'List': {
        const elem = freshVar(level);
        for (const x of e.items) this.expect(elem, this.expr(x, env, level), x.span, 'list element');
        return listOf(elem);
      }
      case 'Duration':
        this.expect(INT, this.expr(e.amount, env, level), e.amount.span, `a duration in ${e.unit}`);
        return INT;
      case 'Ledger': {
        this.expect(INT, this.expr(e.amount, env, level), e.amount.span, `the amount of ${e.kind}`);
        for (const [part, x] of [
          ['asset', e.asset],
          ['source account', e.from],
          ['target account', e.to],
          ['timeline', e.timeline],
        ] as const) {
          if (x) this.expect(TEXT, this.expr(x, env, level), x.span, `the ${part} of ${e.kind}`);
        }
        return effect(TEXT);
      }
      case 'Observe':
        this.expect(TEXT, this.expr(e.key, env, level), e.key.span, 'the key of observe');
        this.expect(TEXT, this.expr(e.timeline, env, level), e.timeline.span, 'the timeline of observe');
        return effect(INT);
      case 'Invoke': {
        const r = this.apply(this.expr(e.fn, env, level), e.args, env, level, e.fn.span);
        const inner = freshVar(level);
        this.expect(effect(inner), r, e.span, 'invoke (the invoked call must be an effect)');
        return r;
      }
    }
  }

  private apply(fnType: Type, args: readonly Expr[], env: Env, level: number, fnSpan: SourceSpan): Type {
    let t = fnType;
    for (const arg of args) {
      const a = this.expr(arg, env, level);
      const p = prune(t);
      if (p.tag === 'con' && p.name === '->') {
        this.expect(p.args[0]!, a, arg.span, 'function argument');
        t = p.args[1]!;
      } else {
        const r = freshVar(level);
        this.expect(t, fn(a, r), fnSpan, 'application (not a function of this argument)');
        t = r;
      }
    }
    return t;
  }

  /** A do block's statements share one scope, updated as bindings come into view (no chain per statement). */
  private stmts(stmts: readonly Stmt[], env: Env, level: number): Type {
    const scope = new Env(env);
    let last: Type = UNIT;
    for (const s of stmts) {
      switch (s.tag) {
        case 'Bind': {
          const t = this.expr(s.expr, scope, level);
          const inner = freshVar(level);
          this.expect(effect(inner), t, s.expr.span, 'do statement');
          this.expect(inner, this.pattern(s.pattern, scope, level), s.pattern.span, 'do binding pattern');
          break;
        }
        case 'LetStmt':
          for (const g of bindingGroups(s.decls)) this.group(g, scope, level);
          break;
        case 'ExprStmt': {
          last = this.expr(s.expr, scope, level);
          this.expect(effect(freshVar(level)), last, s.expr.span, 'do statement');
          break;
        }
      }
    }
    return last;
  }

  private binop(op: BinaryOp, left: Expr, right: Expr, env: Env, level: number): Type {
    if (op === '$') return this.apply(this.expr(left, env, level), [right], env, level, left.span);
    const t = opType(op, level);
    const p = prune(t) as { args: readonly Type[] };
    const lt = this.expr(left, env, level);
    const rest = prune(p.args[1]!) as { args: readonly Type[] };
    this.expect(p.args[0]!, lt, left.span, `the left operand of ${op}`);
    this.expect(rest.args[0]!, this.expr(right, env, level), right.span, `the right operand of ${op}`);
    return rest.args[1]!;
  }
}

function literalType(lit: Literal): Type {
  switch (lit.kind) {
    case 'int':
      return INT;
    case 'double':
      return DOUBLE;
    case 'text':
      return TEXT;
    case 'bool':
      return BOOL;
    case 'unit':
      return UNIT;
  }
}

/** The type of an operator used as a function. */
export function opType(op: BinaryOp, level: number): Type {
  const bin = (a: Type, b: Type, r: Type): Type => fn(a, fn(b, r));
  switch (op) {
    case '$': {
      const a = freshVar(level);
      const b = freshVar(level);
      return bin(fn(a, b), a, b);
    }
    case '>>': {
      const b = effect(freshVar(level));
      return bin(effect(freshVar(level)), b, b);
    }
    case '<|': {
      const a = effect(freshVar(level));
      return bin(a, a, a);
    }
    case '<|>': {
      const a = freshVar(level);
      const b = freshVar(level);
      return bin(effect(a), effect(b), effect(tupleOf([a, b])));
    }
    case '||':
    case '&&':
      return bin(BOOL, BOOL, BOOL);
    case '==':
    case '/=':
    case '<':
    case '>':
    case '<=':
    case '>=': {
      const a = freshVar(level, ORD);
      return bin(a, a, BOOL);
    }
    case ':': {
      const a = freshVar(level);
      return bin(a, listOf(a), listOf(a));
    }
    case '++': {
      const a = freshVar(level, CAT);
      return bin(a, a, a);
    }
    case '+':
    case '-':
    case '*':
    case '/': {
      const a = freshVar(level, NUM | ORD);
      return bin(a, a, a);
    }
    case 'mod':
      return bin(INT, INT, INT);
  }
}
