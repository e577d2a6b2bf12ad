// Compiles the TEL AST to the machine's intermediate code: variables resolved
// to (frame depth, slot) or to global cells, equations and case alternatives
// to one clause-matching node, operators to primitive nodes, `do` blocks to
// statement lists the scheduler steps through. Every lambda activation gets
// one flat frame holding its parameters and all locals bound inside it.
import { CaxError, type SourceSpan } from '../errors.js';
import { TIME_UNITS, type BinaryOp, type Decl, type Equation, type Expr, type Literal, type Pattern } from './ast.js';
import { bindingGroups } from './deps.js';
import { Closure, Eff } from './runtime.js';
import { Dbl, UNIT_VALUE, type Value } from './values.js';
import type { Machine } from './machine.js';
import * as ops from './operators.js';

export const OP = {
  Const: 0,
  Local: 1,
  Global: 2,
  App: 3,
  Lam: 4,
  If: 5,
  Match: 6,
  Let: 7,
  Bin: 8,
  And: 9,
  Or: 10,
  Unary: 11,
  Build: 12,
  Seq: 13,
  Choice: 14,
  Do: 15,
  Hash: 16,
} as const;

export interface FrameInfo {
  size: number;
  /** The name each slot was declared for (parameters, let/where and pattern binders), for the debugger (host/debug/record.ts). */
  names?: string[];
  /** Where each named slot's binder is declared (its pattern or definition), for the debugger's types (infer.ts binderKey). */
  spans?: SourceSpan[];
}

/** A top-level definition: functions are closures made once; values (CAFs) are evaluated per run on first use. */
export interface Cell {
  readonly name: string;
  code: Code | null;
  frame: FrameInfo;
  fnValue: Closure | null;
  readonly span: SourceSpan;
}

export type CPat =
  | { readonly k: 'wild' }
  | { readonly k: 'var'; readonly slot: number }
  | { readonly k: 'lit'; readonly value: Value }
  | { readonly k: 'tuple'; readonly items: readonly CPat[] }
  | { readonly k: 'list'; readonly items: readonly CPat[] }
  | { readonly k: 'cons'; readonly head: CPat; readonly tail: CPat };

export interface CBind {
  readonly slot: number;
  readonly code: Code;
  readonly name: string;
}

export interface CGuard {
  readonly cond: Code | null;
  readonly body: Code;
}

export interface CClause {
  readonly patterns: readonly CPat[];
  /** `where` bindings: closures first, then values in dependency order. */
  readonly binds: readonly CBind[];
  readonly guards: readonly CGuard[];
}

/** `simple` marks code without calls or effects (constants, locals, operators on them): the machine evaluates it directly. */
export interface CConst {
  readonly op: 0;
  readonly value: Value;
  readonly simple?: true;
}
export interface CLocal {
  readonly op: 1;
  readonly depth: number;
  readonly slot: number;
  readonly name: string;
  readonly span: SourceSpan;
  readonly simple?: true;
}
export interface CGlobal {
  readonly op: 2;
  readonly cell: Cell;
  readonly span: SourceSpan;
}
export interface CApp {
  readonly op: 3;
  readonly fn: Code;
  readonly args: readonly Code[];
  readonly span: SourceSpan;
  readonly simpleArgs: boolean;
}
export interface CLam {
  readonly op: 4;
  readonly arity: number;
  readonly frame: FrameInfo;
  body: Code;
  readonly name: string;
}
export interface CIf {
  readonly op: 5;
  readonly cond: Code;
  readonly then: Code;
  readonly else: Code;
}
export interface CMatch {
  readonly op: 6;
  /** null: match the frame's parameter slots 1…n (a function's equations). */
  readonly scrutinee: Code | null;
  readonly clauses: readonly CClause[];
  readonly span: SourceSpan;
  readonly what: string;
}
export interface CLet {
  readonly op: 7;
  readonly binds: readonly CBind[];
  readonly body: Code;
}
export interface CBin {
  readonly op: 8;
  readonly fn: ops.BinFn;
  readonly a: Code;
  readonly b: Code;
  readonly span: SourceSpan;
  readonly simple: boolean;
}
export interface CAnd {
  readonly op: 9;
  readonly a: Code;
  readonly b: Code;
}
export interface COr {
  readonly op: 10;
  readonly a: Code;
  readonly b: Code;
}
export interface CUnary {
  readonly op: 11;
  readonly fn: ops.UnaryFn;
  readonly a: Code;
  readonly span: SourceSpan;
  readonly simple: boolean;
}
/** Evaluates parts left to right, then builds a value from them (tuples, lists, effect forms). */
export interface CBuild {
  readonly op: 12;
  readonly parts: readonly Code[];
  readonly build: (vals: Value[], m: Machine) => Value;
  readonly span: SourceSpan;
}
export interface CSeq {
  readonly op: 13;
  readonly a: Code;
  readonly b: Code;
  readonly span: SourceSpan;
}
export interface CChoice {
  readonly op: 14;
  readonly a: Code;
  readonly b: Code;
  readonly span: SourceSpan;
}
/** A do block: one frame per run of the block holds every variable its statements bind. */
export interface CDo {
  readonly op: 15;
  readonly stmts: readonly CStmt[];
  readonly frame: FrameInfo;
  readonly span: SourceSpan;
}
export interface CHash {
  readonly op: 16;
  readonly hash: string;
  readonly span: SourceSpan;
}

export type Code = CConst | CLocal | CGlobal | CApp | CLam | CIf | CMatch | CLet | CBin | CAnd | COr | CUnary | CBuild | CSeq | CChoice | CDo | CHash;

export type CStmt =
  | { readonly k: 'bind'; readonly expr: Code; readonly pattern: CPat; readonly span: SourceSpan }
  | { readonly k: 'let'; readonly binds: readonly CBind[] }
  | { readonly k: 'expr'; readonly expr: Code };

/**
 * Every code node is a CodeNode with all fields present in one order, so the machine's
 * property accesses see a single hidden class (V8 keeps the dispatch loop optimized).
 */
class CodeNode {
  op = 0;
  value: unknown = undefined;
  depth = 0;
  slot = 0;
  name = '';
  span: unknown = undefined;
  simple = false;
  cell: unknown = undefined;
  fn: unknown = undefined;
  args: unknown = undefined;
  simpleArgs = false;
  arity = 0;
  frame: unknown = undefined;
  body: unknown = undefined;
  cond: unknown = undefined;
  then: unknown = undefined;
  else: unknown = undefined;
  scrutinee: unknown = undefined;
  clauses: unknown = undefined;
  what = '';
  binds: unknown = undefined;
  a: unknown = undefined;
  b: unknown = undefined;
  parts: unknown = undefined;
  build: unknown = undefined;
  stmts: unknown = undefined;
  hash = '';
  /** The JIT's call count and compiled code of a lambda (jit/tier.ts). */
  jitCalls = 0;
  jitCode: unknown = undefined;
  /** The JIT's profile of a lambda's arguments while it is interpreted, and its calls before `auto` compiles it (jit/tier.ts). */
  jitArgs: unknown = undefined;
  jitHot = 0;
  /** The content hash of the stored definition a lambda is part of ('' for one of a program not in the store): keys the JIT's code cache. */
  jitDefinition = '';
}

export function mk<T extends Code>(fields: T): T {
  return Object.assign(new CodeNode(), fields) as unknown as T;
}

/** Lexical scope during compilation: names of one frame, chained to enclosing scopes. */
class Scope {
  readonly names = new Map<string, number>();
  constructor(
    readonly frame: FrameInfo,
    readonly parent: Scope | null,
  ) {}
  child(): Scope {
    return new Scope(this.frame, this);
  }
  declare(name: string, span: SourceSpan): number {
    const slot = this.frame.size++;
    this.bind(name, slot, span);
    return slot;
  }
  /** Names an existing slot of the frame (a function's variable parameter names its argument slot). */
  bind(name: string, slot: number, span: SourceSpan): void {
    this.names.set(name, slot);
    (this.frame.names ??= [])[slot] = name;
    (this.frame.spans ??= [])[slot] = span;
  }
}

/** Names visible to compiled code beyond its locals. */
export interface Globals {
  lookup(name: string): Cell | Value | undefined;
}

const WILD: CPat = { k: 'wild' };
/** Placeholder for an absent part of an effect form (`of ASSET` left out). */
const ABSENT: CConst = mk({ op: 0, value: null as unknown as Value });

export const isSimple = (c: Code): boolean => c.op === 0 || c.op === 1 || ((c.op === 8 || c.op === 11) && c.simple);

const isCell = (x: Cell | Value): x is Cell => typeof x === 'object' && x !== null && 'fnValue' in x && 'frame' in x;

/** Compiles top-level declarations into cells, resolving names first among them, then in `outer`. */
export function compileDecls(decls: readonly Decl[], outer: Globals): Map<string, Cell> {
  const cells = new Map<string, Cell>();
  for (const d of decls) cells.set(d.name, { name: d.name, code: null, frame: { size: 1 }, fnValue: null, span: d.span });
  const globals: Globals = { lookup: (n) => cells.get(n) ?? outer.lookup(n) };
  const c = new Compiler(globals);
  for (const d of decls) {
    const cell = cells.get(d.name)!;
    const frame: FrameInfo = { size: 1 };
    const code = c.decl(d, new Scope(frame, null));
    if (code.op === OP.Lam) cell.fnValue = new Closure(code, null);
    else {
      cell.code = code;
      cell.frame = frame;
    }
  }
  return cells;
}

/** Compiles a closed expression (the entry application) to code run in a fresh frame of `frame.size`. */
export function compileExpression(e: Expr, globals: Globals): { code: Code; frame: FrameInfo } {
  const frame: FrameInfo = { size: 1 };
  const code = new Compiler(globals).expr(e, new Scope(frame, null));
  return { code, frame };
}

class Compiler {
  constructor(private readonly globals: Globals) {}

  /** A declaration: a lambda over its equations, or for arity 0 the value's code. */
  decl(d: Decl, scope: Scope): Code {
    const arity = d.equations[0]!.params.length;
    if (arity === 0) return this.clauses(null, d.equations, scope, `the definition of ${d.name}`, d.span);
    const frame: FrameInfo = { size: 1 + arity };
    const inner = new Scope(frame, scope);
    const lam: CLam = mk({ op: OP.Lam, arity, frame, body: { op: OP.Const, value: UNIT_VALUE }, name: d.name });
    lam.body = this.clauses(null, d.equations, inner, `the arguments of ${d.name}`, d.span);
    return lam;
  }

  private clauses(scrutinee: Code | null, equations: readonly Equation[], scope: Scope, what: string, span: SourceSpan): Code {
    const clauses: CClause[] = equations.map((eq) => {
      const s = scope.child();
      // A variable parameter of a function names its argument slot directly.
      const patterns = eq.params.map((p, i): CPat => {
        if (scrutinee !== null || p.tag !== 'PVar') return this.pattern(p, s);
        s.bind(p.name, i + 1, p.span);
        return WILD;
      });
      const binds = this.localDecls(eq.where, s);
      const guards: CGuard[] = eq.rhs.tag === 'Plain' ? [{ cond: null, body: this.expr(eq.rhs.expr, s) }] : eq.rhs.guards.map((g) => ({ cond: this.expr(g.cond, s), body: this.expr(g.body, s) }));
      return { patterns, binds, guards };
    });
    // A single unguarded clause of plain variables needs no matching.
    const only = clauses[0]!;
    if (scrutinee === null && clauses.length === 1 && only.binds.length === 0 && only.guards.length === 1 && only.guards[0]!.cond === null && only.patterns.every((p) => p.k === 'wild')) {
      return only.guards[0]!.body;
    }
    return mk({ op: OP.Match, scrutinee, clauses, span, what });
  }

  /** Local declarations (let, where): each gets a slot in the current frame; returns the bindings in evaluation order. */
  private localDecls(decls: readonly Decl[], scope: Scope): CBind[] {
    if (decls.length === 0) return [];
    const slots = new Map<string, number>();
    for (const d of decls) slots.set(d.name, scope.declare(d.name, d.span));
    const fns: CBind[] = [];
    const values: CBind[] = [];
    for (const group of bindingGroups(decls)) {
      for (const d of group) {
        const code = this.decl(d, scope);
        (code.op === OP.Lam ? fns : values).push({ slot: slots.get(d.name)!, code, name: d.name });
      }
    }
    return [...fns, ...values];
  }

  private pattern(p: Pattern, scope: Scope): CPat {
    switch (p.tag) {
      case 'PWild':
        return { k: 'wild' };
      case 'PVar':
        return { k: 'var', slot: scope.declare(p.name, p.span) };
      case 'PLit':
        return { k: 'lit', value: literalValue(p.lit) };
      case 'PTuple':
        return { k: 'tuple', items: p.items.map((q) => this.pattern(q, scope)) };
      case 'PList':
        return { k: 'list', items: p.items.map((q) => this.pattern(q, scope)) };
      case 'PCons':
        return { k: 'cons', head: this.pattern(p.head, scope), tail: this.pattern(p.tail, scope) };
    }
  }

  private variable(name: string, scope: Scope, span: SourceSpan): Code {
    let depth = 0;
    for (let s: Scope | null = scope; s; s = s.parent) {
      const slot = s.names.get(name);
      if (slot !== undefined) return mk({ op: OP.Local, depth, slot, name, span, simple: true });
      if (s.parent && s.parent.frame !== s.frame) depth++;
    }
    const g = this.globals.lookup(name);
    if (g === undefined) throw new CaxError('E_UNBOUND', `${name} is not defined`, { span });
    if (isCell(g)) return mk({ op: OP.Global, cell: g, span });
    return mk({ op: OP.Const, value: g, simple: true });
  }

  expr(e: Expr, scope: Scope): Code {
    switch (e.tag) {
      case 'Lit':
        return mk({ op: OP.Const, value: literalValue(e.lit), simple: true });
      case 'Var':
        return this.variable(e.name, scope, e.span);
      case 'HashRef':
        return mk({ op: OP.Hash, hash: e.hash, span: e.span });
      case 'App': {
        const args: Expr[] = [e.arg];
        let f = e.fn;
        while (f.tag === 'App') {
          args.push(f.arg);
          f = f.fn;
        }
        args.reverse();
        const cargs = args.map((a) => this.expr(a, scope));
        return mk({ op: OP.App, fn: this.expr(f, scope), args: cargs, span: e.span, simpleArgs: cargs.every(isSimple) });
      }
      case 'Lam': {
        const arity = e.params.length;
        const frame: FrameInfo = { size: 1 + arity };
        const inner = new Scope(frame, scope);
        const lam: CLam = mk({ op: OP.Lam, arity, frame, body: { op: OP.Const, value: UNIT_VALUE }, name: 'a lambda' });
        lam.body = this.clauses(null, [{ name: 'lambda', params: e.params, rhs: { tag: 'Plain', expr: e.body }, where: [], span: e.span }], inner, 'the arguments of a lambda', e.span);
        return lam;
      }
      case 'Let': {
        const s = scope.child();
        const binds = this.localDecls(e.decls, s);
        return mk({ op: OP.Let, binds, body: this.expr(e.body, s) });
      }
      case 'If':
        return mk({ op: OP.If, cond: this.expr(e.cond, scope), then: this.expr(e.then, scope), else: this.expr(e.else, scope) });
      case 'Case': {
        const scrutinee = this.expr(e.scrutinee, scope);
        const clauses: CClause[] = e.alts.map((alt) => {
          const s = scope.child();
          const pattern = this.pattern(alt.pattern, s);
          return { patterns: [pattern], binds: [], guards: [{ cond: alt.guard ? this.expr(alt.guard, s) : null, body: this.expr(alt.body, s) }] };
        });
        return mk({ op: OP.Match, scrutinee, clauses, span: e.span, what: 'a case expression' });
      }
      case 'Do':
        return this.doBlock(e, scope);
      case 'BinOp':
        return this.binop(e.op, this.expr(e.left, scope), this.expr(e.right, scope), e.span);
      case 'OpRef': {
        const frame: FrameInfo = { size: 3 };
        const a: Code = mk({ op: OP.Local, depth: 0, slot: 1, name: 'x', span: e.span, simple: true });
        const b: Code = mk({ op: OP.Local, depth: 0, slot: 2, name: 'y', span: e.span, simple: true });
        return mk({ op: OP.Lam, arity: 2, frame, body: this.binop(e.op, a, b, e.span), name: `(${e.op})` });
      }
      case 'Neg':
        return unary(ops.negate, this.expr(e.expr, scope), e.span);
      case 'Tuple':
        return mk({ op: OP.Build, parts: e.items.map((x) => this.expr(x, scope)), build: ops.buildTuple, span: e.span });
      case 'List':
        return mk({ op: OP.Build, parts: e.items.map((x) => this.expr(x, scope)), build: ops.buildList, span: e.span });
      case 'Duration': {
        const ms = TIME_UNITS[e.unit];
        return unary((v) => Math.imul(v as number, ms), this.expr(e.amount, scope), e.span);
      }
      case 'Ledger': {
        const parts = [e.amount, e.asset, e.from, e.to, e.timeline].map((x) => (x ? this.expr(x, scope) : ABSENT));
        const kind = e.kind;
        const span = e.span;
        return mk<CBuild>({
          op: OP.Build,
          parts,
          build: ([amount, asset, from, to, timeline]) =>
            new Eff(
              {
                k: 'ledger',
                request: { kind, amount: amount as number, asset: (asset as string | null) ?? 'native', from: from as string | null, to: to as string | null, timeline: timeline as string },
              },
              span,
            ),
          span,
        });
      }
      case 'Observe': {
        const span = e.span;
        return mk<CBuild>({
          op: OP.Build,
          parts: [this.expr(e.key, scope), this.expr(e.timeline, scope)],
          build: ([key, timeline]) => new Eff({ k: 'observe', key: key as string, timeline: timeline as string }, span),
          span,
        });
      }
      case 'Invoke': {
        const span = e.span;
        return mk<CBuild>({
          op: OP.Build,
          parts: [this.expr(e.fn, scope), ...e.args.map((a) => this.expr(a, scope))],
          build: ([fn, ...args]) => new Eff({ k: 'invoke', fn: fn!, args, span }, span),
          span,
        });
      }
    }
  }

  private binop(op: BinaryOp, a: Code, b: Code, span: SourceSpan): Code {
    switch (op) {
      case '$':
        return mk({ op: OP.App, fn: a, args: [b], span, simpleArgs: isSimple(b) });
      case '>>':
        return mk({ op: OP.Seq, a, b, span });
      case '<|':
        return mk({ op: OP.Choice, a, b, span });
      case '&&':
        return mk({ op: OP.And, a, b });
      case '||':
        return mk({ op: OP.Or, a, b });
      default:
        return mk({ op: OP.Bin, fn: ops.BINARY[op], a, b, span, simple: isSimple(a) && isSimple(b) && op !== '<|>' });
    }
  }

  /** Statements are compiled front to back without recursion, in one scope; a later binding of a name shadows by taking a new slot. */
  private doBlock(e: Extract<Expr, { tag: 'Do' }>, scope: Scope): CDo {
    const frame: FrameInfo = { size: 1 };
    const s = new Scope(frame, scope);
    const stmts: CStmt[] = [];
    for (const st of e.stmts) {
      switch (st.tag) {
        case 'ExprStmt':
          stmts.push({ k: 'expr', expr: this.expr(st.expr, s) });
          break;
        case 'Bind': {
          const expr = this.expr(st.expr, s);
          stmts.push({ k: 'bind', expr, pattern: this.pattern(st.pattern, s), span: st.span });
          break;
        }
        case 'LetStmt':
          stmts.push({ k: 'let', binds: this.localDecls(st.decls, s) });
          break;
      }
    }
    return mk({ op: OP.Do, stmts, frame, span: e.span });
  }
}

function unary(fn: ops.UnaryFn, a: Code, span: SourceSpan): CUnary {
  return mk({ op: OP.Unary, fn, a, span, simple: isSimple(a) });
}

export function literalValue(lit: Literal): Value {
  switch (lit.kind) {
    case 'int':
      return lit.value;
    case 'double':
      return new Dbl(lit.value);
    case 'text':
      return lit.value;
    case 'bool':
      return lit.value;
    case 'unit':
      return UNIT_VALUE;
  }
}
