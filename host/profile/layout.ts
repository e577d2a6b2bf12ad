// Lays the call tree out for the pictures: each node's inclusive cost, and
// its place in a flame graph (depth, start offset in cost units: children
// first, in call order, then the node's own cost). Iterative, so deep trees
// stay off the JavaScript stack; nodes narrower than `minCost` are left out
// with everything under them.
import type { CallNode } from './model.js';

export interface PlacedNode {
  readonly node: CallNode;
  readonly depth: number;
  readonly start: number;
  readonly total: number;
  /** Index of the parent in the placed list (-1 for the root). */
  readonly parent: number;
}

/** Inclusive cost of every node (its self plus its subtree's). */
export function nodeTotals(root: CallNode): Map<CallNode, number> {
  const totals = new Map<CallNode, number>();
  const order: CallNode[] = [];
  const work = [root];
  while (work.length > 0) {
    const n = work.pop()!;
    order.push(n);
    for (const c of n.children) work.push(c);
  }
  for (let i = order.length - 1; i >= 0; i--) {
    const n = order[i]!;
    let t = n.self;
    for (const c of n.children) t += totals.get(c)!;
    totals.set(n, t);
  }
  return totals;
}

/** The flame graph's boxes in pre-order. */
export function placeTree(root: CallNode, minCost = 0): PlacedNode[] {
  const totals = nodeTotals(root);
  const placed: PlacedNode[] = [];
  const work: { node: CallNode; depth: number; start: number; parent: number }[] = [{ node: root, depth: 0, start: 0, parent: -1 }];
  while (work.length > 0) {
    const w = work.pop()!;
    const total = totals.get(w.node)!;
    if (total < minCost && w.parent !== -1) continue;
    const index = placed.length;
    placed.push({ node: w.node, depth: w.depth, start: w.start, total, parent: w.parent });
    const kids: typeof work = [];
    let at = w.start;
    for (const c of w.node.children) {
      kids.push({ node: c, depth: w.depth + 1, start: at, parent: index });
      at += totals.get(c)!;
    }
    for (let i = kids.length - 1; i >= 0; i--) work.push(kids[i]!);
  }
  return placed;
}

/** The frame path from the root to placed node `i`. */
export function stackOf(placed: readonly PlacedNode[], i: number): number[] {
  const path: number[] = [];
  for (let j = i; j !== -1; j = placed[j]!.parent) path.push(placed[j]!.node.frame);
  return path.reverse();
}
