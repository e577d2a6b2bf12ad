// The compiler's pipeline: a parsed TEL program, type-checked by the TEL
// front end against the prelude, plus the prelude's own definitions, is
// compiled from a main definition (and only what it reaches) to RV32IM and
// linked with the runtime into an image.
import { createHash } from 'node:crypto';
import type { Decl, Program } from '../tel/ast.js';
import { NO_RESOLVER, loadProgram, type Resolver } from '../tel/interp.js';
import { parseProgram } from '../tel/parser.js';
import { prelude } from '../tel/prelude.js';
import { Codegen, DEFAULT_OPTIONS, type CodegenOptions } from './codegen.js';
import type { ElfImage } from '../riscv/elf.js';
import { link, loadRuntime, runtimeParts, type Image } from './link.js';
import { prune, type Type } from '../tel/types.js';
import { preludeApart } from './namespace.js';
import { inferredInts, NO_INT_BINDERS } from './inferred-ints.js';

/** Bumped whenever generated code changes meaning; part of every image's cache key. */
export const COMPILER_VERSION = 'tel-rv32im-15';

let preludeDecls: readonly Decl[] | undefined;

function preludeDefinitions(): readonly Decl[] {
  preludeDecls ??= parseProgram(prelude().source, 'prelude.tel').decls;
  return preludeDecls;
}

export interface CompiledProgram {
  readonly image: Image;
  /** Code labels of the compiled top-level definitions. */
  readonly definitions: ReadonlyMap<string, string>;
  /** Cache key: SHA-256 over the compiler version, the options and the program's definitions. */
  readonly key: string;
}

/** A runtime other than the loader's (the proving images' one), linked at `base`. */
export interface RuntimeTarget {
  readonly runtime: ElfImage;
  readonly base: number;
}

/** Type-checks `program` and compiles `main` (with what it reaches) to an image. */
export function compileProgram(program: Program, main: string, options: CodegenOptions = DEFAULT_OPTIONS, resolver: Resolver = NO_RESOLVER, target?: RuntimeTarget): CompiledProgram {
  const { types } = loadProgram(program, resolver);
  const decls = preludeApart(preludeDefinitions(), program.decls);
  const prelude = new Set(decls.slice(0, preludeDefinitions().length));
  const ints = options.typedInts === true && options.inferredInts !== false ? inferredInts(program, resolver.hashTypes) : NO_INT_BINDERS;
  const gen = new Codegen(decls, options, (hash) => resolver.definition(hash), prelude, ints).generate(main);
  const mainType = types.get(main)?.type;
  const doubles = gen.doubleLiterals || mainType === undefined || parameters(mainType).some(mayHoldDouble);
  const runtime = target?.runtime ?? loadRuntime(runtimeParts(gen.asm, doubles));
  const image = link(gen.asm, gen.entry, gen.sites, runtime, target?.base, gen.binders);
  const key = createHash('sha256')
    .update(JSON.stringify({ v: COMPILER_VERSION, options, main, decls: program.decls }, (k, v: unknown) => (k === 'span' ? undefined : v)))
    .digest('hex');
  return { image, definitions: gen.definitions, key };
}

/** The parameters of a function type (the values the host passes to main). */
function parameters(type: Type): Type[] {
  const out: Type[] = [];
  for (let t = prune(type); t.tag === 'con' && t.name === '->'; t = prune(t.args[1]!)) out.push(t.args[0]!);
  return out;
}

/** Whether a value of `type` can hold a Double: the type mentions Double or a type variable. */
function mayHoldDouble(type: Type): boolean {
  const t = prune(type);
  return t.tag === 'var' || t.rigid !== undefined || t.name === 'Double' || t.args.some(mayHoldDouble);
}

export function compileSource(source: string, file: string, main: string, options: CodegenOptions = DEFAULT_OPTIONS): CompiledProgram {
  return compileProgram(parseProgram(source, file), main, options);
}
