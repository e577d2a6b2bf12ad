// The executor's entry to the co-processor: run a stored definition (by
// hash) applied to argument expressions on a backend, with a world and a
// cycle budget; the result has the interpreter's shape (value, effect log,
// clock) plus the co-processor cycles. The image is compiled from the
// definition's linked closure; its cache key covers the definitions'
// hashes, the runtime and the compiler version, and it is cached next to
// the repository (cache.ts).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { SourceSpan } from '../errors.js';
import { effectLine } from '../execution/effect-line.js';
import type { Decl, Expr } from '../tel/ast.js';
import { parseExpression, parseTypeScheme } from '../tel/parser.js';
import { Loader, type LinkedCode } from '../store/loader.js';
import type { Repository } from '../store/repository.js';
import type { Resolver } from '../tel/interp.js';
import type { WorldInput } from '../tel/world.js';
import { openCoprocessor, runImage, type BackendName, type CompiledRunResult } from './backend.js';
import { cachedImage } from './cache.js';
import { COMPILER_VERSION, compileProgram } from './compile.js';
import { RUNTIME_ELF, type Image } from './link.js';

export interface StoredRunOptions {
  readonly backend: BackendName;
  /** Serial port of the device backend. */
  readonly device?: string;
  /** Cycle budget on the co-processor (the context's compute budget). */
  readonly budget: number;
  readonly world?: WorldInput;
}

export interface StoredRunResult extends CompiledRunResult {
  /** Image cache key: SHA-256 of the compiler version, the runtime and the linked definitions' hashes. */
  readonly imageKey: string;
  /** Whether the image came from the cache next to the repository. */
  readonly cached: boolean;
}

const ENTRY = 'cax$entry';

export interface CompiledStored {
  readonly image: Image;
  readonly imageKey: string;
  readonly cached: boolean;
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
  const runtime = createHash('sha256').update(readFileSync(RUNTIME_ELF)).digest('hex');
  const imageKey = createHash('sha256').update(JSON.stringify({ v: COMPILER_VERSION, runtime, order: linked.order, args })).digest('hex');
  let definitions: ReadonlyMap<string, string> = new Map();
  const build = (): Image => {
    const compiled = compileProgram({ file: span.file, decls: [entry] }, ENTRY, undefined, resolver);
    definitions = compiled.definitions;
    return compiled.image;
  };
  const { image, hit } = cachedImage(join(dirname(repo.file), 'images'), imageKey, build);
  return { image, imageKey, cached: hit, definitions };
}

/** Compiles (or takes from the cache) `@hash args…` and runs it on `backend`. */
export async function runStoredOnBackend(repo: Repository, hash: string, args: readonly string[], options: StoredRunOptions): Promise<StoredRunResult> {
  const { image, imageKey, cached } = compileStored(repo, hash, args);
  const cop = await openCoprocessor(options.backend, options.device);
  try {
    const r = await runImage(cop, image, [], { budget: options.budget, ...(options.world ? { world: options.world } : {}) });
    return { ...r, imageKey, cached };
  } finally {
    await cop.close();
  }
}

/** The JSON form of a co-processor run for `cax run --backend … --json`. */
export function storedRunToJson(hash: string, backend: BackendName, r: StoredRunResult): Record<string, unknown> {
  return {
    hash,
    backend,
    value: r.shown,
    ...(r.error ? { error: r.error.toJSON() } : {}),
    effects: r.effects.map((e) => ({ ...e })),
    clock: r.clock,
    cycles: r.cycles,
    instret: r.instret,
    image: { key: r.imageKey, cached: r.cached },
  };
}

/** The run for people: effects, value, clock and co-processor cycles. */
export function describeStoredRun(backend: BackendName, r: StoredRunResult): string {
  const lines = r.effects.map((e) => `  ${effectLine(e)}`);
  if (r.shown !== null) lines.push(r.shown);
  lines.push(`clock ${r.clock} ms, ${r.cycles} cycles on ${backend}${r.cached ? ' (cached image)' : ''}`);
  return lines.join('\n');
}
