// Dependencies between TEL declarations: the names a declaration mentions and
// its binding groups — strongly connected components in dependency order
// (scc.ts). Type inference generalizes per group, and the content-addressed
// store hashes each of these same groups together (store/add.ts).
import type { Decl, Expr, Pattern, Stmt } from './ast.js';
import { patternVars } from './parser.js';
import { stronglyConnected } from './scc.js';

/** Free variable names of a declaration (locals bound inside it are excluded). */
export function freeNames(decl: Decl): Set<string> {
  const out = new Set<string>();
  declFree(decl, new Set(), out);
  return out;
}

function bindAll(patterns: readonly Pattern[], bound: ReadonlySet<string>): Set<string> {
  const b = new Set(bound);
  for (const p of patterns) for (const v of patternVars(p)) b.add(v.name);
  return b;
}

function declFree(d: Decl, bound: ReadonlySet<string>, out: Set<string>): void {
  for (const eq of d.equations) {
    let b = bindAll(eq.params, bound);
    if (eq.where.length > 0) {
      b = new Set(b);
      for (const w of eq.where) b.add(w.name);
      for (const w of eq.where) declFree(w, b, out);
    }
    if (eq.rhs.tag === 'Plain') exprFree(eq.rhs.expr, b, out);
    else
      for (const g of eq.rhs.guards) {
        exprFree(g.cond, b, out);
        exprFree(g.body, b, out);
      }
  }
}

function exprFree(e: Expr, bound: ReadonlySet<string>, out: Set<string>): void {
  switch (e.tag) {
    case 'Var':
      if (!bound.has(e.name)) out.add(e.name);
      return;
    case 'Lit':
    case 'HashRef':
    case 'OpRef':
      return;
    case 'App':
      exprFree(e.fn, bound, out);
      exprFree(e.arg, bound, out);
      return;
    case 'Lam':
      exprFree(e.body, bindAll(e.params, bound), out);
      return;
    case 'Let': {
      const b = new Set(bound);
      for (const d of e.decls) b.add(d.name);
      for (const d of e.decls) declFree(d, b, out);
      exprFree(e.body, b, out);
      return;
    }
    case 'If':
      exprFree(e.cond, bound, out);
      exprFree(e.then, bound, out);
      exprFree(e.else, bound, out);
      return;
    case 'Case':
      exprFree(e.scrutinee, bound, out);
      for (const a of e.alts) {
        const b = bindAll([a.pattern], bound);
        if (a.guard) exprFree(a.guard, b, out);
        exprFree(a.body, b, out);
      }
      return;
    case 'Do':
      stmtsFree(e.stmts, bound, out);
      return;
    case 'BinOp':
      exprFree(e.left, bound, out);
      exprFree(e.right, bound, out);
      return;
    case 'Neg':
      exprFree(e.expr, bound, out);
      return;
    case 'Tuple':
    case 'List':
      for (const x of e.items) exprFree(x, bound, out);
      return;
    case 'Duration':
      exprFree(e.amount, bound, out);
      return;
    case 'Ledger':
      for (const x of [e.amount, e.asset, e.from, e.to, e.timeline]) if (x) exprFree(x, bound, out);
      return;
    case 'Observe':
      exprFree(e.key, bound, out);
      exprFree(e.timeline, bound, out);
      return;
    case 'Invoke':
      exprFree(e.fn, bound, out);
      for (const x of e.args) exprFree(x, bound, out);
      return;
  }
}

function stmtsFree(stmts: readonly Stmt[], bound: ReadonlySet<string>, out: Set<string>): void {
  const b = new Set(bound);
  for (const s of stmts) {
    switch (s.tag) {
      case 'Bind':
        exprFree(s.expr, b, out);
        for (const v of patternVars(s.pattern)) b.add(v.name);
        break;
      case 'LetStmt':
        for (const d of s.decls) b.add(d.name);
        for (const d of s.decls) declFree(d, b, out);
        break;
      case 'ExprStmt':
        exprFree(s.expr, b, out);
        break;
    }
  }
}

/** Strongly connected components of `decls` by reference, dependencies before dependents; source order within a group. */
export function bindingGroups(decls: readonly Decl[]): Decl[][] {
  const byName = new Map(decls.map((d) => [d.name, d]));
  return stronglyConnected(decls, (d) => [...freeNames(d)].flatMap((n) => byName.get(n) ?? []));
}
