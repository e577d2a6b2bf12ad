// Bringing pinned dependents onto new hashes (`cax update`): a named
// definition that refers to an older hash of a name is rebuilt from its
// stored form with that reference moved to the name's current hash,
// type-checked again, rehashed and renamed — and so on, until nothing named
// is behind (a dependent that moves makes its own dependents behind).
import type { Decl, Expr } from '../tel/ast.js';
import type { SourceSpan } from '../errors.js';
import { commitDecls, behindDependents, type AddContext, type AddedDefinition } from './add.js';
import { decodeGroup } from './canonical.js';
import type { Hash } from './hash.js';
import { parseMeta } from './meta.js';
import { decodeDecl } from './tel-encoding.js';

export interface UpdateStep {
  readonly name: string;
  readonly from: Hash;
  readonly to: Hash;
  /** The dependency names whose new hashes it now uses. */
  readonly because: readonly string[];
}

/** Internal name of member `i` while a group is rebuilt: `@` cannot start a source identifier. */
const memberName = (i: number): string => `@member${i}`;

/**
 * Updates every named definition that is behind (or only `only`'s names),
 * repeating until none is; returns each name move in order.
 */
export function updateDependents(ctx: AddContext, only?: ReadonlySet<string>): UpdateStep[] {
  const steps: UpdateStep[] = [];
  const limit = ctx.repo.names().length + 1;
  for (let round = 0; round < limit; round++) {
    const behind = behindDependents(ctx.repo).filter((b) => only === undefined || only.has(b.name));
    if (behind.length === 0) break;
    const first = behind[0]!;
    const stored = ctx.repo.get(first.hash);
    const members = ctx.repo.group(stored.group);
    const items = decodeGroup(stored.bytes);
    const span: SourceSpan = { file: `update of ${first.name}`, line: 1, col: 1 };
    const because = new Set<string>();
    const newRefNames = new Map<Hash, string>();
    const decls: Decl[] = items.map((item, i) => {
      const meta = parseMeta(members[i]!.meta, members[i]!.hash);
      const refNames = new Map(Object.entries(meta.refs).map(([n, h]) => [h, n]));
      for (const [h, n] of refNames) if (!newRefNames.has(h)) newRefNames.set(h, n);
      return decodeDecl(
        item,
        {
          name: memberName(i),
          locals: meta.locals,
          ref: (h, s): Expr => {
            const depName = refNames.get(h);
            const current = depName === undefined ? undefined : ctx.repo.lookupName(depName);
            if (depName === undefined || current === undefined || current === h) return { tag: 'HashRef', hash: h, span: s };
            because.add(depName);
            newRefNames.set(current, depName);
            return { tag: 'HashRef', hash: current, span: s };
          },
          self: (j, s): Expr => ({ tag: 'Var', name: memberName(j), span: s }),
        },
        span,
      );
    });
    const originalNames = new Map(members.map((m, i) => [memberName(i), parseMeta(m.meta, m.hash).name]));
    // Only names that still point at the members being replaced move.
    const moving = new Set(members.flatMap((m, i) => (ctx.repo.lookupName(originalNames.get(memberName(i))!) === m.hash ? [memberName(i)] : [])));
    const added: AddedDefinition[] = commitDecls(ctx, decls, members[0] ? parseMeta(members[0].meta, members[0].hash).source : 'update', () => `update: ${[...because].join(', ')} moved`, {
      memberNames: originalNames,
      refNames: newRefNames,
      storeName: (internal) => (moving.has(internal) ? originalNames.get(internal) : undefined),
    });
    for (const d of added) {
      if (d.status === 'updated') steps.push({ name: d.name, from: d.previous!, to: d.hash, because: [...because] });
    }
  }
  return steps;
}
