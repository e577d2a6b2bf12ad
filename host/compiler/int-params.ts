// Parameters a function's own equations show to be Ints (CodegenOptions.typedInts, docs/compiler.md "Lists"):
// the prelude's `where`-bound loops have no signatures (`length`'s `go n (_:ys) = go (n + 1) ys`, `take`'s
// `go k acc ys | k <= 0 = acc`), so their counters were tag-tested although the type checker knows them to be
// Ints. An Int literal is an Int (no literal of another type is written with digits alone), and a parameter is
// one type in all of a function's equations, so a parameter is an Int when one equation matches it against an
// Int literal pattern, or uses its variable as an operand of `+ - * / mod` or a comparison whose other operand
// is an Int literal — where no inner binder rebinds the name (those are skipped).
import type { Decl, Expr, Pattern } from '../tel/ast.js';
import { patternVars } from '../tel/parser.js';

const OPERATORS = new Set(['+', '-', '*', '/', 'mod', '==', '/=', '<', '>', '<=', '>=']);

const isIntLiteral = (e: Expr): boolean => (e.tag === 'Lit' && e.lit.kind === 'int') || (e.tag === 'Neg' && e.expr.tag === 'Lit' && e.expr.lit.kind === 'int');

const binds = (patterns: readonly Pattern[], v: string): boolean => patterns.some((p) => patternVars(p).some((x) => x.name === v));

/** Whether `e` uses the variable `v` (not rebound inside) beside an Int literal in an arithmetic or comparison operator. */
function evidence(e: Expr, v: string): boolean {
  switch (e.tag) {
    case 'BinOp':
      if (OPERATORS.has(e.op) && ((e.left.tag === 'Var' && e.left.name === v && isIntLiteral(e.right)) || (e.right.tag === 'Var' && e.right.name === v && isIntLiteral(e.left)))) return true;
      return evidence(e.left, v) || evidence(e.right, v);
    case 'App':
      return evidence(e.fn, v) || evidence(e.arg, v);
    case 'If':
      return evidence(e.cond, v) || evidence(e.then, v) || evidence(e.else, v);
    case 'Neg':
      return evidence(e.expr, v);
    case 'Tuple':
    case 'List':
      return e.items.some((x) => evidence(x, v));
    case 'Lam':
      return !binds(e.params, v) && evidence(e.body, v);
    case 'Case':
      return evidence(e.scrutinee, v) || e.alts.some((a) => !binds([a.pattern], v) && ((a.guard !== null && evidence(a.guard, v)) || evidence(a.body, v)));
    default:
      return false; // let, do and the rest: not looked into
  }
}

/** Which of `d`'s parameters its equations show to be Ints (see the top of the file). */
export function literalIntParams(d: Decl): boolean[] {
  const arity = d.equations[0]!.params.length;
  return Array.from({ length: arity }, (_, i) =>
    d.equations.some((eq) => {
      const p = eq.params[i]!;
      if (p.tag === 'PLit') return p.lit.kind === 'int';
      if (p.tag !== 'PVar' || eq.where.some((w) => w.name === p.name) || eq.params.some((q, j) => j !== i && binds([q], p.name))) return false;
      const bodies = eq.rhs.tag === 'Plain' ? [eq.rhs.expr] : eq.rhs.guards.flatMap((g) => [g.cond, g.body]);
      return bodies.some((b) => evidence(b, p.name));
    }),
  );
}
