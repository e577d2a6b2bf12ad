// Stored code shown to people: a definition decoded with its binder names
// restored from metadata and each reference written as the name that points
// at that hash now (or `@hash` when no current name does, or when a local of
// the same name would capture it), members of its group by their names.
import type { SourceSpan } from '../errors.js';
import type { Decl, Expr } from '../tel/ast.js';
import { printDecl } from '../tel/printer.js';
import { decodeGroup } from './canonical.js';
import type { Hash } from './hash.js';
import { parseMeta } from './meta.js';
import type { Repository } from './repository.js';
import { decodeDecl } from './tel-encoding.js';

/** The declaration of `hash` with names restored. */
export function restoredDecl(repo: Repository, hash: Hash): Decl {
  const stored = repo.get(hash);
  const meta = parseMeta(stored.meta, hash);
  const siblings = repo.group(stored.group).map((m) => parseMeta(m.meta, m.hash).name);
  const locals = new Set(meta.locals);
  const span: SourceSpan = { file: `@${hash.slice(0, 12)}`, line: 1, col: 1 };
  const item = decodeGroup(stored.bytes)[stored.index]!;
  return decodeDecl(
    item,
    {
      name: meta.name,
      locals: meta.locals,
      ref: (h, s): Expr => {
        const name = repo.namesOf(h).find((n) => !locals.has(n));
        return name === undefined ? { tag: 'HashRef', hash: h, span: s } : { tag: 'Var', name, span: s };
      },
      self: (i, s): Expr => ({ tag: 'Var', name: siblings[i]!, span: s }),
    },
    span,
  );
}

/** Source text of a stored definition with its type signature. */
export function showDefinition(repo: Repository, hash: Hash): string {
  const decl = restoredDecl(repo, hash);
  const type = repo.get(hash).type;
  const signature = decl.signature ? '' : `${decl.name} :: ${type}\n`;
  return `${signature}${printDecl(decl, '\n')}`;
}
