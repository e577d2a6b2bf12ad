// A stored definition as a TEL program to debug (docs/debugging.md): the
// definition and its dependency closure decoded from the store and written
// out as one source file — each definition under its stored name (with a
// hash suffix when two of the closure share a name, or when the name would
// clash with a prelude name or a binder), references as those names, prelude
// definitions left to the prelude. The source is checked by hashing it as
// `cax add` would: the debugged definition must hash to the stored hash, so
// the program debugged is exactly the code the store holds.
import { CaxError, type SourceSpan } from '../errors.js';
import type { Expr } from '../tel/ast.js';
import { printDecl } from '../tel/printer.js';
import { parseProgram } from '../tel/parser.js';
import { prelude } from '../tel/prelude.js';
import { prepareProgram } from '../store/add.js';
import { decodeGroup } from '../store/canonical.js';
import { memberHash, shortHash, type Hash } from '../store/hash.js';
import { Loader } from '../store/loader.js';
import { parseMeta } from '../store/meta.js';
import type { Repository } from '../store/repository.js';
import { resolveStored } from '../store/resolve.js';
import { decodeDecl } from '../store/tel-encoding.js';
import { addContext, PRELUDE_FILE } from '../store/tel-env.js';

export interface StoredProgram {
  readonly hash: Hash;
  /** The file name the debugger shows: `@` and the short hash. */
  readonly file: string;
  readonly source: string;
  /** The name the debugged definition has in `source`. */
  readonly entry: string;
}

/** The source of `ref` (a name, hash or unique prefix in `repo`) with its closure, checked to hash back to it. */
export function storedProgram(repo: Repository, ref: string): StoredProgram {
  const hash = new Loader(repo).find(ref).hash;
  const order = resolveStored(repo, [hash]).order;
  const preludeNames = new Set(parseProgram(prelude().source, PRELUDE_FILE).decls.map((d) => d.name));
  const stored = new Map(order.map((h) => [h, repo.get(h)]));
  const metas = new Map(order.map((h) => [h, parseMeta(stored.get(h)!.meta, h)]));
  // Prelude definitions the closure uses by their current hash stay the prelude's.
  const names = new Map<Hash, string>();
  for (const h of order) {
    const name = metas.get(h)!.name;
    if (preludeNames.has(name) && repo.lookupName(name) === h) names.set(h, name);
  }
  const written = order.filter((h) => !names.has(h));
  const binders = new Set(written.flatMap((h) => metas.get(h)!.locals));
  const taken = new Set([...preludeNames, ...binders]);
  const counts = new Map<string, number>();
  for (const h of written) counts.set(metas.get(h)!.name, (counts.get(metas.get(h)!.name) ?? 0) + 1);
  for (const h of written) {
    const name = metas.get(h)!.name;
    names.set(h, counts.get(name) === 1 && !taken.has(name) ? name : `${name}_${h.slice(0, 8)}`);
  }
  const file = shortHash(hash);
  const span: SourceSpan = { file, line: 1, col: 1 };
  const texts = written.map((h) => {
    const s = stored.get(h)!;
    const decl = decodeDecl(
      decodeGroup(s.bytes)[s.index]!,
      {
        name: names.get(h)!,
        locals: metas.get(h)!.locals,
        ref: (r, at): Expr => ({ tag: 'Var', name: names.get(r)!, span: at }),
        self: (i, at): Expr => ({ tag: 'Var', name: names.get(memberHash(s.group, i, s.groupSize))!, span: at }),
      },
      span,
    );
    const signature = decl.signature ? '' : `${decl.name} :: ${s.type}\n`;
    return `-- ${h}\n${signature}${printDecl(decl, '\n')}\n`;
  });
  const source = `-- ${ref}: @${hash} and its dependencies, rebuilt from the store\n\n${texts.join('\n')}`;
  const entry = names.get(hash)!;
  const rehashed = prepareProgram(addContext(repo), parseProgram(source, file).decls, file).flatMap((g) => g.decls.map((d, i) => [d.name, g.group.memberHashes[i]!] as const));
  const again = new Map(rehashed).get(entry);
  if (again !== hash) throw new CaxError('E_CORRUPT', `@${hash} rebuilt as source hashes to @${again ?? '(nothing)'}: the debugger cannot show it as source`);
  return { hash, file, source, entry };
}
