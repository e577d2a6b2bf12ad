// The spine of an application: `f a b` (and `f $ a`) as its head and arguments,
// the one shape code generation, fusion and the freshness check all look for.
import type { Expr } from '../tel/ast.js';

/** The head and arguments of an application (`f a b`, `f $ a`); undefined when `e` is not one. */
export function applicationSpine(e: Expr): { head: Expr; args: Expr[] } | undefined {
  const args: Expr[] = [];
  let h = e;
  for (;;) {
    if (h.tag === 'App') {
      args.unshift(h.arg);
      h = h.fn;
    } else if (h.tag === 'BinOp' && h.op === '$') {
      args.unshift(h.right);
      h = h.left;
    } else break;
  }
  return args.length > 0 ? { head: h, args } : undefined;
}
