// Dependency resolution: the transitive closure of definitions in dependency
// order (every definition after everything it uses), each visited once
// (diamonds load once), all missing hashes reported together
// (E_MISSING_HASH), and a cycle between groups reported with its path
// (E_CYCLE) — impossible for honestly hashed content, so it means a store
// written by something else. Members of one recursive group refer to each
// other inside the group's bytes and are not edges here.
import { CaxError } from '../errors.js';
import type { Hash } from './hash.js';
import type { Repository } from './repository.js';

/** The graph resolution walks: edges of a node, or undefined when the node does not exist. */
export type EdgesOf = (hash: Hash) => readonly Hash[] | undefined;

export interface Resolution {
  /** Every reachable definition, dependencies before dependents; roots included. */
  readonly order: readonly Hash[];
}

/** Closure of `roots` over `edgesOf`, iterative so that 100,000-deep chains resolve. */
export function resolveGraph(roots: readonly Hash[], edgesOf: EdgesOf): Resolution {
  const order: Hash[] = [];
  const state = new Map<Hash, 'open' | 'done'>();
  const missing = new Map<Hash, Hash[]>();
  for (const root of roots) {
    if (state.has(root)) continue;
    const stack: { hash: Hash; edges: readonly Hash[]; next: number }[] = [];
    const push = (hash: Hash, from: Hash | undefined): void => {
      const edges = edgesOf(hash);
      if (edges === undefined) {
        const by = missing.get(hash) ?? [];
        if (from !== undefined) by.push(from);
        missing.set(hash, by);
        state.set(hash, 'done');
        return;
      }
      state.set(hash, 'open');
      stack.push({ hash, edges, next: 0 });
    };
    push(root, undefined);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (top.next < top.edges.length) {
        const dep = top.edges[top.next++]!;
        const s = state.get(dep);
        if (s === undefined) push(dep, top.hash);
        else if (s === 'open') {
          const from = stack.findIndex((f) => f.hash === dep);
          const path = [...stack.slice(from).map((f) => f.hash), dep];
          throw new CaxError('E_CYCLE', `dependency cycle outside a recursive group: ${path.map((h) => `@${h.slice(0, 12)}`).join(' → ')}`, { details: { path } });
        } else if (missing.has(dep)) missing.get(dep)!.push(top.hash);
        continue;
      }
      stack.pop();
      state.set(top.hash, 'done');
      order.push(top.hash);
    }
  }
  if (missing.size > 0) {
    const list = [...missing].map(([hash, neededBy]) => ({ hash, neededBy }));
    throw new CaxError(
      'E_MISSING_HASH',
      `missing from the store: ${list.map((m) => `@${m.hash}${m.neededBy.length > 0 ? ` (needed by ${m.neededBy.map((h) => `@${h.slice(0, 12)}`).join(', ')})` : ''}`).join('; ')}`,
      {
        details: { missing: list.map((m) => m.hash), neededBy: Object.fromEntries(list.map((m) => [m.hash, m.neededBy])) },
      },
    );
  }
  return { order };
}

/**
 * Closure of stored definitions over the repository's dependency edges,
 * group by group (a member pulls in its whole group and everything any
 * member uses). `order` lists members, dependencies first.
 */
export function resolveStored(repo: Repository, roots: readonly Hash[]): Resolution {
  const members = new Map<Hash, Hash[]>();
  const groupOf = (h: Hash): Hash | undefined => {
    const g = repo.groupOf(h);
    if (g === undefined) return undefined;
    members.set(g.group, g.members);
    return g.group;
  };
  const rootGroups = roots.map((r) => groupOf(r) ?? r);
  const { order } = resolveGraph(rootGroups, (g) => {
    if (!members.has(g)) return undefined;
    const deps = repo.groupDependencies(g).map((d) => groupOf(d) ?? d);
    return [...new Set(deps)];
  });
  return { order: order.flatMap((g) => members.get(g)!) };
}
