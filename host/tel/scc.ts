// Strongly connected components (Tarjan, iterative): groups definitions that
// refer to each other, listed so that every group comes after the groups it
// depends on. Used to hash mutually recursive definitions together.

/** Components of the graph `edges(v)` over `nodes`, dependencies first; members keep `nodes` order. */
export function stronglyConnected<T>(nodes: readonly T[], edges: (node: T) => Iterable<T>): T[][] {
  const index = new Map<T, number>();
  const low = new Map<T, number>();
  const onStack = new Set<T>();
  const stack: T[] = [];
  const out: T[][] = [];
  const position = new Map(nodes.map((n, i) => [n, i]));
  let counter = 0;
  for (const root of nodes) {
    if (index.has(root)) continue;
    const work: { node: T; it: Iterator<T> }[] = [];
    const enter = (n: T): void => {
      index.set(n, counter);
      low.set(n, counter);
      counter++;
      stack.push(n);
      onStack.add(n);
      work.push({ node: n, it: edges(n)[Symbol.iterator]() });
    };
    enter(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const next = frame.it.next();
      if (!next.done) {
        const w = next.value;
        if (!position.has(w)) continue;
        if (!index.has(w)) enter(w);
        else if (onStack.has(w)) low.set(frame.node, Math.min(low.get(frame.node)!, index.get(w)!));
        continue;
      }
      work.pop();
      const v = frame.node;
      if (work.length > 0) {
        const parent = work[work.length - 1]!.node;
        low.set(parent, Math.min(low.get(parent)!, low.get(v)!));
      }
      if (low.get(v) === index.get(v)) {
        const component: T[] = [];
        let w: T;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          component.push(w);
        } while (w !== v);
        out.push(component.sort((a, b) => position.get(a)! - position.get(b)!));
      }
    }
  }
  return out;
}
