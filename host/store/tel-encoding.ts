// TEL definitions ↔ canonical trees (docs/hashing.md §TEL): locals become
// de Bruijn indices, names of other definitions become their hashes (or
// positions in the definition's own recursive group), builtins keep their
// name; spans, comments and binder names are dropped (binder names go to
// metadata so tools can restore them). The decoder rebuilds an AST that the
// interpreter runs and the printer shows.
import { CaxError, type SourceSpan } from '../errors.js';
import {
  BINARY_OPS,
  TIME_UNITS,
  type Alt,
  type Decl,
  type Equation,
  type Expr,
  type Literal,
  type Pattern,
  type Rhs,
  type Stmt,
  type TypeExpr,
  type TypeScheme,
  type BinaryOp,
  type TimeUnit,
  type LedgerKind,
  type TypeConstraint,
} from '../tel/ast.js';
import type { CItem } from './canonical.js';
import type { Hash } from './hash.js';

/** What a name that is not a local variable means in the definition being encoded. */
export type Global = { readonly k: 'self'; readonly index: number } | { readonly k: 'ref'; readonly hash: Hash } | { readonly k: 'builtin'; readonly name: string };

export interface EncodedDecl {
  readonly item: CItem;
  /** Names of the binders in the order their markers appear in the encoding. */
  readonly locals: readonly string[];
  /** Each global name used, with what it meant. */
  readonly globals: ReadonlyMap<string, Global>;
}

const node = (tag: string, ...items: CItem[]): CItem => ({ k: 'node', tag, items });
const list = (items: readonly CItem[]): CItem => ({ k: 'list', items });
const text = (v: string): CItem => ({ k: 'text', v });
const none: CItem = { k: 'none' };
const binder: CItem = { k: 'binder' };

/** Runs a body with the binder scope restored afterwards (the binders it pushed are dropped). */
function inScope(scope: string[]): <T>(body: () => T) => T {
  return (body) => {
    const depth = scope.length;
    try {
      return body();
    } finally {
      scope.length = depth;
    }
  };
}

function literal(lit: Literal): CItem {
  switch (lit.kind) {
    case 'int':
      return { k: 'int', v: BigInt(lit.value) };
    case 'double':
      return { k: 'double', v: lit.value };
    case 'text':
      return text(lit.value);
    case 'bool':
      return { k: 'bool', v: lit.value };
    case 'unit':
      return node('Unit');
  }
}

/** Type variables numbered by first appearance in the scheme; constraints sorted. */
function scheme(s: TypeScheme): CItem {
  const numbers = new Map<string, number>();
  const num = (name: string): number => {
    if (!numbers.has(name)) numbers.set(name, numbers.size);
    return numbers.get(name)!;
  };
  const type = (t: TypeExpr): CItem => {
    switch (t.tag) {
      case 'TCon':
        return node('TCon', text(t.name), list(t.args.map(type)));
      case 'TVar':
        return node('TVar', { k: 'int', v: BigInt(num(t.name)) });
      case 'TFun':
        return node('TFun', type(t.from), type(t.to));
      case 'TList':
        return node('TList', type(t.elem));
      case 'TTuple':
        return node('TTuple', list(t.items.map(type)));
    }
  };
  const body = type(s.type);
  const constraints = s.constraints
    .map((c) => ({ cls: c.cls, n: num(c.name) }))
    .sort((a, b) => a.n - b.n || (a.cls < b.cls ? -1 : a.cls > b.cls ? 1 : 0))
    .filter((c, i, all) => i === 0 || c.n !== all[i - 1]!.n || c.cls !== all[i - 1]!.cls)
    .map((c) => node('Constraint', text(c.cls), { k: 'int', v: BigInt(c.n) }));
  return node('Scheme', list(constraints), body);
}

/**
 * Encodes one top-level declaration. `global` says what a free name means;
 * undefined = unbound, collected and reported together (E_UNBOUND).
 */
export function encodeDecl(decl: Decl, global: (name: string) => Global | undefined): EncodedDecl {
  const scope: string[] = [];
  const locals: string[] = [];
  const globals = new Map<string, Global>();
  const unbound: { name: string; span: SourceSpan }[] = [];

  const bind = (name: string): CItem => {
    scope.push(name);
    locals.push(name);
    return binder;
  };
  const variable = (name: string, span: SourceSpan): CItem => {
    const at = scope.lastIndexOf(name);
    if (at >= 0) return { k: 'local', index: scope.length - 1 - at };
    const g = global(name);
    if (g === undefined) {
      unbound.push({ name, span });
      return none;
    }
    globals.set(name, g);
    return g;
  };
  const scoped = inScope(scope);

  const pattern = (p: Pattern): CItem => {
    switch (p.tag) {
      case 'PWild':
        return node('PWild');
      case 'PVar':
        return bind(p.name);
      case 'PLit':
        return node('PLit', literal(p.lit));
      case 'PTuple':
        return node('PTuple', ...p.items.map(pattern));
      case 'PList':
        return node('PList', ...p.items.map(pattern));
      case 'PCons': {
        const head = pattern(p.head);
        return node('PCons', head, pattern(p.tail));
      }
    }
  };
  /** Recursive declarations: all names bind first, then every body sees all of them. */
  const decls = (ds: readonly Decl[]): [CItem, CItem] => {
    const names = list(ds.map((d) => bind(d.name)));
    return [names, list(ds.map(declaration))];
  };
  const declaration = (d: Decl): CItem => node('Decl', d.signature ? scheme(d.signature) : none, list(d.equations.map(equation)));
  const equation = (e: Equation): CItem =>
    scoped(() => {
      const params = list(e.params.map(pattern));
      const [names, bodies] = decls(e.where);
      return node('Eq', params, names, bodies, rhs(e.rhs));
    });
  const rhs = (r: Rhs): CItem => (r.tag === 'Plain' ? node('Plain', expr(r.expr)) : node('Guarded', list(r.guards.map((g) => node('Guard', expr(g.cond), expr(g.body))))));
  const alt = (a: Alt): CItem =>
    scoped(() => {
      const p = pattern(a.pattern);
      return node('Alt', p, a.guard ? expr(a.guard) : none, expr(a.body));
    });
  const stmts = (ss: readonly Stmt[]): CItem =>
    scoped(() =>
      list(
        ss.map((s) => {
          switch (s.tag) {
            case 'Bind': {
              const e = expr(s.expr);
              return node('Bind', e, pattern(s.pattern));
            }
            case 'LetStmt': {
              const [names, bodies] = decls(s.decls);
              return node('LetStmt', names, bodies);
            }
            case 'ExprStmt':
              return node('ExprStmt', expr(s.expr));
          }
        }),
      ),
    );
  const opt = (e: Expr | null): CItem => (e ? expr(e) : none);
  const expr = (e: Expr): CItem => {
    switch (e.tag) {
      case 'Lit':
        return node('Lit', literal(e.lit));
      case 'Var':
        return variable(e.name, e.span);
      case 'HashRef':
        return { k: 'ref', hash: e.hash };
      case 'App':
        return node('App', expr(e.fn), expr(e.arg));
      case 'Lam':
        return scoped(() => {
          const params = list(e.params.map(pattern));
          return node('Lam', params, expr(e.body));
        });
      case 'Let':
        return scoped(() => {
          const [names, bodies] = decls(e.decls);
          return node('Let', names, bodies, expr(e.body));
        });
      case 'If':
        return node('If', expr(e.cond), expr(e.then), expr(e.else));
      case 'Case':
        return node('Case', expr(e.scrutinee), list(e.alts.map(alt)));
      case 'Do':
        return node('Do', stmts(e.stmts));
      case 'BinOp':
        return node('BinOp', text(e.op), expr(e.left), expr(e.right));
      case 'OpRef':
        return node('OpRef', text(e.op));
      case 'Neg':
        return node('Neg', expr(e.expr));
      case 'Tuple':
        return node('Tuple', list(e.items.map(expr)));
      case 'List':
        return node('List', list(e.items.map(expr)));
      case 'Duration':
        return node('Duration', expr(e.amount), text(e.unit));
      case 'Ledger':
        return node('Ledger', text(e.kind), expr(e.amount), opt(e.asset), opt(e.from), opt(e.to), expr(e.timeline));
      case 'Observe':
        return node('Observe', expr(e.key), expr(e.timeline));
      case 'Invoke':
        return node('Invoke', expr(e.fn), list(e.args.map(expr)));
    }
  };

  const item = declaration(decl);
  if (unbound.length > 0) {
    const first = unbound[0]!;
    throw new CaxError('E_UNBOUND', `unbound name${unbound.length > 1 ? 's' : ''} ${[...new Set(unbound.map((u) => u.name))].join(', ')}`, {
      span: first.span,
      details: { names: unbound.map((u) => ({ name: u.name, span: u.span })) },
    });
  }
  return { item, locals, globals };
}

/** How the decoder writes references: a hash becomes `@hash` or, for display, a name. */
export interface DecodeNames {
  /** Name of each binder in marker order; missing entries get `x0, x1, …`. */
  readonly locals: readonly string[];
  /** Expression for a reference to another stored definition. */
  ref(hash: Hash, span: SourceSpan): Expr;
  /** Expression for a reference to member `index` of the definition's own group. */
  self(index: number, span: SourceSpan): Expr;
  /** The definition's own name in the rebuilt Decl. */
  readonly name: string;
}

function bad(what: string): never {
  throw new CaxError('E_CORRUPT', `canonical TEL tree: ${what}`);
}

/** Rebuilds a Decl from its canonical tree; every node gets `span`. E_CORRUPT when the tree is not a TEL declaration. */
export function decodeDecl(item: CItem, names: DecodeNames, span: SourceSpan): Decl {
  const scope: string[] = [];
  let nextBinder = 0;
  const used = new Set(names.locals);
  const bind = (): string => {
    let name = names.locals[nextBinder];
    if (name === undefined) {
      let n = nextBinder;
      do name = `x${n++}`;
      while (used.has(name));
      used.add(name);
    }
    nextBinder++;
    scope.push(name);
    return name;
  };
  const scoped = inScope(scope);
  const nodeOf = (i: CItem | undefined, tag?: string): { tag: string; items: readonly CItem[] } => {
    if (i?.k !== 'node' || (tag !== undefined && i.tag !== tag)) bad(`expected ${tag ?? 'a node'}, found ${i?.k === 'node' ? i.tag : (i?.k ?? 'nothing')}`);
    return i;
  };
  const listOf = (i: CItem | undefined): readonly CItem[] => (i?.k === 'list' ? i.items : bad('expected a list'));
  const textOf = (i: CItem | undefined): string => (i?.k === 'text' ? i.v : bad('expected text'));
  const opOf = (i: CItem | undefined): BinaryOp => {
    const op = textOf(i);
    return (BINARY_OPS as readonly string[]).includes(op) ? (op as BinaryOp) : bad(`unknown operator ${op}`);
  };
  const unitOf = (i: CItem | undefined): TimeUnit => {
    const unit = textOf(i);
    return Object.hasOwn(TIME_UNITS, unit) ? (unit as TimeUnit) : bad(`unknown time unit ${unit}`);
  };
  const ledgerOf = (i: CItem | undefined): LedgerKind => {
    const kind = textOf(i);
    return kind === 'deposit' || kind === 'withdraw' || kind === 'transfer' ? kind : bad(`unknown ledger effect ${kind}`);
  };
  const intOf = (i: CItem | undefined): number => (i?.k === 'int' ? Number(i.v) : bad('expected an int'));
  const lit = (i: CItem | undefined): Literal => {
    switch (i?.k) {
      case 'int':
        return { kind: 'int', value: Number(BigInt.asIntN(32, i.v)) };
      case 'double':
        return { kind: 'double', value: i.v };
      case 'text':
        return { kind: 'text', value: i.v };
      case 'bool':
        return { kind: 'bool', value: i.v };
      default:
        nodeOf(i, 'Unit');
        return { kind: 'unit' };
    }
  };
  const typeScheme = (i: CItem): TypeScheme => {
    const s = nodeOf(i, 'Scheme');
    const tv = (n: number): string => (n < 26 ? String.fromCharCode(97 + n) : `t${n}`);
    const type = (t: CItem | undefined): TypeExpr => {
      const n = nodeOf(t);
      switch (n.tag) {
        case 'TCon':
          return { tag: 'TCon', name: textOf(n.items[0]), args: listOf(n.items[1]).map(type), span };
        case 'TVar':
          return { tag: 'TVar', name: tv(intOf(n.items[0])), span };
        case 'TFun':
          return { tag: 'TFun', from: type(n.items[0]), to: type(n.items[1]), span };
        case 'TList':
          return { tag: 'TList', elem: type(n.items[0]), span };
        case 'TTuple':
          return { tag: 'TTuple', items: listOf(n.items[0]).map(type), span };
        default:
          return bad(`unknown type node ${n.tag}`);
      }
    };
    const constraints = listOf(s.items[0]).map((c): TypeConstraint => {
      const cn = nodeOf(c, 'Constraint');
      const cls = textOf(cn.items[0]);
      if (cls !== 'Num' && cls !== 'Ord') bad(`unknown class ${cls}`);
      return { cls, name: tv(intOf(cn.items[1])) };
    });
    return { constraints, type: type(s.items[1]), span };
  };
  const pattern = (i: CItem | undefined): Pattern => {
    if (i?.k === 'binder') return { tag: 'PVar', name: bind(), span };
    const n = nodeOf(i);
    switch (n.tag) {
      case 'PWild':
        return { tag: 'PWild', span };
      case 'PLit':
        return { tag: 'PLit', lit: lit(n.items[0]), span };
      case 'PTuple':
        return { tag: 'PTuple', items: n.items.map(pattern), span };
      case 'PList':
        return { tag: 'PList', items: n.items.map(pattern), span };
      case 'PCons': {
        const head = pattern(n.items[0]);
        return { tag: 'PCons', head, tail: pattern(n.items[1]), span };
      }
      default:
        return bad(`unknown pattern node ${n.tag}`);
    }
  };
  const decls = (namesItem: CItem | undefined, bodies: CItem | undefined): Decl[] => {
    const declNames = listOf(namesItem).map((b) => (b.k === 'binder' ? bind() : bad('expected a binder')));
    const ds = listOf(bodies);
    if (ds.length !== declNames.length) bad('declaration count');
    return ds.map((d, k) => declaration(d, declNames[k]!));
  };
  const declaration = (i: CItem, name: string): Decl => {
    const d = nodeOf(i, 'Decl');
    const sig = d.items[0]?.k === 'none' ? null : typeScheme(d.items[0]!);
    return { name, signature: sig, equations: listOf(d.items[1]).map((e) => equation(e, name)), span };
  };
  const equation = (i: CItem, name: string): Equation =>
    scoped(() => {
      const e = nodeOf(i, 'Eq');
      const params = listOf(e.items[0]).map(pattern);
      const where = decls(e.items[1], e.items[2]);
      return { name, params, where, rhs: rhs(e.items[3]), span };
    });
  const rhs = (i: CItem | undefined): Rhs => {
    const r = nodeOf(i);
    if (r.tag === 'Plain') return { tag: 'Plain', expr: expr(r.items[0]) };
    if (r.tag === 'Guarded') {
      return {
        tag: 'Guarded',
        guards: listOf(r.items[0]).map((g) => {
          const gn = nodeOf(g, 'Guard');
          return { cond: expr(gn.items[0]), body: expr(gn.items[1]), span };
        }),
      };
    }
    return bad(`unknown right-hand side ${r.tag}`);
  };
  const alt = (i: CItem): Alt =>
    scoped(() => {
      const a = nodeOf(i, 'Alt');
      const p = pattern(a.items[0]);
      return { pattern: p, guard: a.items[1]?.k === 'none' ? null : expr(a.items[1]), body: expr(a.items[2]), span };
    });
  const stmts = (i: CItem | undefined): Stmt[] =>
    scoped(() =>
      listOf(i).map((s): Stmt => {
        const n = nodeOf(s);
        switch (n.tag) {
          case 'Bind': {
            const e = expr(n.items[0]);
            return { tag: 'Bind', expr: e, pattern: pattern(n.items[1]), span };
          }
          case 'LetStmt':
            return { tag: 'LetStmt', decls: decls(n.items[0], n.items[1]), span };
          case 'ExprStmt':
            return { tag: 'ExprStmt', expr: expr(n.items[0]), span };
          default:
            return bad(`unknown statement ${n.tag}`);
        }
      }),
    );
  const opt = (i: CItem | undefined): Expr | null => (i?.k === 'none' ? null : expr(i));
  const expr = (i: CItem | undefined): Expr => {
    switch (i?.k) {
      case 'local': {
        const name = scope[scope.length - 1 - i.index];
        return name === undefined ? bad(`local ${i.index} out of scope`) : { tag: 'Var', name, span };
      }
      case 'ref':
        return names.ref(i.hash, span);
      case 'self':
        return names.self(i.index, span);
      case 'builtin':
        return { tag: 'Var', name: i.name, span };
      default:
        break;
    }
    const n = nodeOf(i);
    const it = n.items;
    switch (n.tag) {
      case 'Lit':
        return { tag: 'Lit', lit: lit(it[0]), span };
      case 'App':
        return { tag: 'App', fn: expr(it[0]), arg: expr(it[1]), span };
      case 'Lam':
        return scoped(() => {
          const params = listOf(it[0]).map(pattern);
          return { tag: 'Lam', params, body: expr(it[1]), span };
        });
      case 'Let':
        return scoped(() => {
          const ds = decls(it[0], it[1]);
          return { tag: 'Let', decls: ds, body: expr(it[2]), span };
        });
      case 'If':
        return { tag: 'If', cond: expr(it[0]), then: expr(it[1]), else: expr(it[2]), span };
      case 'Case':
        return { tag: 'Case', scrutinee: expr(it[0]), alts: listOf(it[1]).map(alt), span };
      case 'Do':
        return { tag: 'Do', stmts: stmts(it[0]), span };
      case 'BinOp':
        return { tag: 'BinOp', op: opOf(it[0]), left: expr(it[1]), right: expr(it[2]), span };
      case 'OpRef':
        return { tag: 'OpRef', op: opOf(it[0]), span };
      case 'Neg':
        return { tag: 'Neg', expr: expr(it[0]), span };
      case 'Tuple':
        return { tag: 'Tuple', items: listOf(it[0]).map(expr), span };
      case 'List':
        return { tag: 'List', items: listOf(it[0]).map(expr), span };
      case 'Duration':
        return { tag: 'Duration', amount: expr(it[0]), unit: unitOf(it[1]), span };
      case 'Ledger':
        return { tag: 'Ledger', kind: ledgerOf(it[0]), amount: expr(it[1]), asset: opt(it[2]), from: opt(it[3]), to: opt(it[4]), timeline: expr(it[5]), span };
      case 'Observe':
        return { tag: 'Observe', key: expr(it[0]), timeline: expr(it[1]), span };
      case 'Invoke':
        return { tag: 'Invoke', fn: expr(it[0]), args: listOf(it[1]).map(expr), span };
      default:
        return bad(`unknown expression node ${n.tag}`);
    }
  };
  return declaration(item, names.name);
}
