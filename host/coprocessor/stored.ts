// Stored definitions compiled for the co-processor: `@hash args…` from the
// definition's linked closure (its `@hash` references), through the image
// cache next to the repository (cache.ts), whose key covers the definitions'
// hashes, the arguments, the runtime and the compiler version. The executor
// runs them (host/execution/executor.ts, `backend`).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { SourceSpan } from '../errors.js';
import type { Decl, Expr } from '../tel/ast.js';
import { parseExpression, parseTypeScheme } from '../tel/parser.js';
import { Loader, type LinkedCode } from '../store/loader.js';
import type { Repository } from '../store/repository.js';
import type { Resolver } from '../tel/interp.js';
import { cachedImage, type ImageRebuilt } from './cache.js';
import { COMPILER_VERSION, compileProgram } from '../compiler/compile.js';
import type { Image } from '../compiler/link.js';
import { telRuntimeFiles } from '../artefacts.js';

const ENTRY = 'cax$entry';

export interface CompiledStored {
  readonly image: Image;
  readonly imageKey: string;
  readonly cached: boolean;
  /** Why the cached file under the key was not used (and the image was rebuilt), if there was one. */
  readonly rebuilt?: ImageRebuilt;
  /** Code labels of the compiled definitions (`@hash` names), present when the image was compiled now. */
  readonly definitions: ReadonlyMap<string, string>;
}

/** The linked closure of `hash` in the store, and a resolver over it for compiling its `@hash` references. */
export function storedResolver(repo: Repository, hash: string): { linked: LinkedCode; resolver: Resolver } {
  const linked = new Loader(repo).link(hash);
  const decls = new Map<string, Decl>([...linked.definitions].map(([h, d]) => [h, d.decl]));
  return {
    linked,
    resolver: {
      definition: (h) => decls.get(h),
      hashTypes: (h) => {
        const d = linked.definitions.get(h);
        return d ? parseTypeScheme(d.type, `@${h}`) : undefined;
      },
    },
  };
}

/** Compiles `@hash args…` (argument expressions in TEL syntax) from the store, or takes it from the image cache. */
export function compileStored(repo: Repository, hash: string, args: readonly string[]): CompiledStored {
  const { linked, resolver } = storedResolver(repo, hash);
  const span: SourceSpan = { file: `@${hash.slice(0, 12)}`, line: 1, col: 1 };
  const call = args.reduce<Expr>((fn, text, i) => ({ tag: 'App', fn, arg: parseExpression(text, `<argument ${i + 1}>`), span }), { tag: 'HashRef', hash, span });
  const entry: Decl = { name: ENTRY, signature: null, equations: [{ name: ENTRY, params: [], rhs: { tag: 'Plain', expr: call }, where: [], span }], span };
  const runtime = createHash('sha256');
  for (const file of telRuntimeFiles()) runtime.update(readFileSync(file));
  const imageKey = createHash('sha256')
    .update(JSON.stringify({ v: COMPILER_VERSION, runtime: runtime.digest('hex'), order: linked.order, args }))
    .digest('hex');
  let definitions: ReadonlyMap<string, string> = new Map();
  const build = (): Image => {
    const compiled = compileProgram({ file: span.file, decls: [entry] }, ENTRY, undefined, resolver);
    definitions = compiled.definitions;
    return compiled.image;
  };
  const { image, hit, rebuilt } = cachedImage(join(dirname(repo.file), 'images'), imageKey, repo, build);
  return { image, imageKey, cached: hit, ...(rebuilt ? { rebuilt } : {}), definitions };
}
