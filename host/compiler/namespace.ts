// Keeps the prelude and a program apart when they are compiled into one
// image: a program definition named like a prelude function must not replace
// it inside the prelude (the interpreter keeps the prelude's own). Every
// occurrence of such a name in the prelude's definitions — the definition
// itself, references, and any local binding of the same name — is renamed to
// `prelude$NAME`, which no TEL source can spell; a consistent renaming to a
// fresh name does not change what the prelude means. renameIn also renames
// the functions of a `where` group compiled like top-level ones (codegen.ts,
// CodegenOptions.staticClosures) apart from every other definition.
import type { Decl } from '../tel/ast.js';

const PREFIX = 'prelude$';

/** Renames, in `node` (an AST), every binding and reference of a name `names` maps to its new name. */
export function renameIn<T>(node: T, names: ReadonlyMap<string, string>): T {
  if (Array.isArray(node)) return node.map((x: unknown) => renameIn(x, names)) as T;
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = k === 'span' ? v : renameIn(v, names);
  const o = node as { tag?: unknown; name?: unknown; equations?: unknown; params?: unknown };
  // Var and PVar name values; declarations and equations (no tag, with equations / params) name definitions.
  const named = o.tag === 'Var' || o.tag === 'PVar' || (o.tag === undefined && (Array.isArray(o.equations) || Array.isArray(o.params)));
  const to = named && typeof o.name === 'string' ? names.get(o.name) : undefined;
  if (to !== undefined) out.name = to;
  return out as T;
}

/** The prelude's definitions (renamed where the program has one of the same name) followed by the program's. */
export function preludeApart(prelude: readonly Decl[], program: readonly Decl[]): Decl[] {
  const own = new Set(prelude.map((d) => d.name));
  const clashes = new Map(program.filter((d) => own.has(d.name)).map((d) => [d.name, PREFIX + d.name]));
  const kept = clashes.size === 0 ? [...prelude] : prelude.map((d) => renameIn(d, clashes));
  return [...kept, ...program];
}
