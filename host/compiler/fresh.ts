// Which accumulators hold only cells nobody else can see (CodegenOptions.reverseInPlace, docs/compiler.md
// "Lists reversed in place"): `reverse (go [] xs)`, the way the prelude's map, filter, take and zip (and the
// bench's merge) build a list front to back, reverses a list whose every cell the call of `go` made, so the
// reversal may turn the cells' tail pointers around instead of allocating a copy — nothing else holds a
// pointer to them. A syntactic check of `go`'s equations: its parameter `acc` is a variable that occurs only
//   - as a result (`go acc [] = acc`),
//   - as the same argument of a self call, or as the tail of a cons there (`go (y : acc) ys`, the head not
//     mentioning acc),
//   - as the start value of the prelude's foldl with `\a b -> b : a` (`foldl (\a b -> b : a) acc bs`, which
//     conses new cells onto it),
// in results reached through `if` and guards; anywhere else (a where binding, a guard, another argument, a
// data structure) it might be shared, and the check fails.
import type { Decl, Expr, Pattern } from '../tel/ast.js';
import { freeNames } from '../tel/deps.js';
import { applicationSpine } from './spine.js';

/** The names a pattern binds. */
function bound(p: Pattern): string[] {
  switch (p.tag) {
    case 'PVar':
      return [p.name];
    case 'PCons':
      return [...bound(p.head), ...bound(p.tail)];
    case 'PTuple':
    case 'PList':
      return p.items.flatMap(bound);
    default:
      return [];
  }
}

/** Whether the variable `v` is free in `e`. */
function mentions(e: Expr, v: string): boolean {
  return freeNames({ name: '%', signature: null, equations: [{ name: '%', params: [], rhs: { tag: 'Plain', expr: e }, where: [], span: e.span }], span: e.span }).has(v);
}

const isVar = (e: Expr, name: string): boolean => e.tag === 'Var' && e.name === name;

/** `\a b -> b : a`: the lambda that makes foldl cons each item onto its start value. */
function consesOnto(fn: Expr): boolean {
  if (fn.tag !== 'Lam' || fn.params.length !== 2) return false;
  const [a, b] = fn.params;
  if (a?.tag !== 'PVar' || b?.tag !== 'PVar' || a.name === b.name) return false;
  return fn.body.tag === 'BinOp' && fn.body.op === ':' && isVar(fn.body.left, b.name) && isVar(fn.body.right, a.name);
}

/**
 * Whether every list `d` returns is made of cells its own calls consed onto what its parameter `i` started as (see
 * the top of the file); `isFoldl` tells a call head (not bound by `d`'s equations) that names the prelude's foldl
 * where `d` is defined.
 */
export function freshAccumulator(d: Decl, i: number, isFoldl: (head: Expr) => boolean): boolean {
  const arity = d.equations[0]!.params.length;
  return d.equations.every((eq) => {
    const p = eq.params[i];
    if (p?.tag !== 'PVar') return false;
    const acc = p.name;
    // the self calls must be calls of this very function: no parameter or where binding may shadow its name
    const local = new Set([...eq.params.flatMap(bound), ...eq.where.map((w) => w.name)]);
    if (local.has(d.name) || eq.where.some((w) => freeNames(w).has(acc))) return false;
    const result = (e: Expr): boolean => {
      if (isVar(e, acc)) return true;
      if (e.tag === 'If') return !mentions(e.cond, acc) && result(e.then) && result(e.else);
      const { head, args } = applicationSpine(e) ?? { head: e, args: [] };
      if (isVar(head, d.name) && args.length === arity) {
        return args.every((arg, j) => {
          if (j !== i) return !mentions(arg, acc);
          return isVar(arg, acc) || (arg.tag === 'BinOp' && arg.op === ':' && isVar(arg.right, acc) && !mentions(arg.left, acc));
        });
      }
      return head.tag === 'Var' && !local.has(head.name) && isFoldl(head) && args.length === 3 && consesOnto(args[0]!) && isVar(args[1]!, acc) && !mentions(args[2]!, acc);
    };
    return eq.rhs.tag === 'Plain' ? result(eq.rhs.expr) : eq.rhs.guards.every((g) => !mentions(g.cond, acc) && result(g.body));
  });
}
