// `cax compile FILE|NAME|HASH [--main NAME] [--disasm]`: compiles a TEL
// program (a file, or a stored definition through the image cache) to an
// RV32IM image for the co-processor and prints its layout (sizes, symbols);
// --disasm shows the generated code interleaved with the TEL source lines
// the source map attributes it to; --elf writes `main ARGS…` as a
// standalone ELF with DWARF line information for gdb (host/debug/tel-elf.ts).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { CaxError, unsupported } from '../../errors.js';
import { parseOptions } from '../options.js';
import { compileSource } from '../../compiler/compile.js';
import type { Image } from '../../compiler/link.js';
import { compileStored } from '../../coprocessor/stored.js';
import { imageWarning, type ImageRebuilt } from '../../coprocessor/cache.js';
import { Loader } from '../../store/loader.js';
import { Repository, STORE_FILE, storeDirectory } from '../../store/repository.js';
import { disassemble } from '../../riscv/disasm.js';
import { parseProgram } from '../../tel/parser.js';
import { standaloneImage, telElf } from '../../debug/tel-elf.js';
import type { CommandContext, Register } from '../program.js';
import type { CodegenOptions } from '../../compiler/codegen.js';

const Options = z.object({
  main: z
    .string()
    .regex(/^[a-z][A-Za-z0-9_']*$/, 'a definition name')
    .default('main'),
  disasm: z.boolean().default(false),
  elf: z.string().min(1).optional(),
  fold: z.boolean().default(true),
  directCalls: z.boolean().default(true),
  inline: z.boolean().default(true),
  registers: z.boolean().default(true),
  typedInts: z.boolean().default(true),
  directObjects: z.boolean().default(true),
  reuseCons: z.boolean().default(true),
  matchInPlace: z.boolean().default(true),
  specialize: z.boolean().default(true),
  directArguments: z.boolean().default(true),
  knownConstructors: z.boolean().default(true),
  settleEffects: z.boolean().default(true),
  foldReturnBinds: z.boolean().default(true),
  fuse: z.boolean().default(true),
  reverseInPlace: z.boolean().default(true),
  untaggedArguments: z.boolean().default(true),
  registerArguments: z.boolean().default(true),
  inlineAlloc: z.boolean().default(true),
  staticClosures: z.boolean().default(true),
  continuationJumps: z.boolean().default(true),
  sharedCaptures: z.boolean().default(true),
  inferredInts: z.boolean().default(true),
  matchRegisters: z.boolean().default(true),
  compareBranches: z.boolean().default(true),
});

/** A stored definition (name, hash or unique prefix) compiled with the default options, through the image cache. */
function compileFromStore(
  cwd: string,
  env: Readonly<Record<string, string | undefined>>,
  ref: string,
): { image: Image; key: string; cached: boolean; rebuilt?: ImageRebuilt; definitions: ReadonlyMap<string, string> } {
  const dir = storeDirectory(cwd, env);
  if (!existsSync(join(dir, STORE_FILE))) throw new CaxError('E_USAGE', `${ref} is neither a file nor a definition in a store (no store at ${dir})`);
  const repo = Repository.open(dir);
  try {
    const stored = compileStored(repo, new Loader(repo).find(ref).hash, []);
    return { image: stored.image, key: stored.imageKey, cached: stored.cached, ...(stored.rebuilt ? { rebuilt: stored.rebuilt } : {}), definitions: stored.definitions };
  } finally {
    repo.close();
  }
}

/** `--elf OUT`: `main ARGS…` of the .tel file `source` as a standalone ELF with the DWARF of its source (host/debug/tel-elf.ts). */
function writeStandaloneElf(ctx: CommandContext, source: string, main: string, args: readonly string[], options: CodegenOptions, out: string): void {
  const path = resolve(ctx.io.cwd, source);
  if (!existsSync(path)) throw unsupported(`--elf compiles a .tel file; ${source} is not one (a stored definition: \`cax debug ${source}\` rebuilds its source)`);
  const image = standaloneImage(parseProgram(readFileSync(path, 'utf8'), source), main, args, options);
  const bytes = telElf(image, source, ctx.io.cwd);
  writeFileSync(resolve(ctx.io.cwd, out), bytes);
  ctx.emit(
    { elf: out, bytes: bytes.length, entry: image.entry, codeStart: image.codeStart, heapStart: image.heapStart },
    () => `wrote ${out} (${bytes.length} bytes): ${main}${args.map((a) => ` ${a}`).join('')} from reset at 0x${image.entry.toString(16)}, with the DWARF lines of ${source}`,
  );
}

export const registerCompile: Register = (program, ctx) => {
  program
    .command('compile')
    .description('compile a TEL program to an RV32IM image for the co-processor (--disasm: code interleaved with the source)')
    .argument('<source>', 'a .tel file, or a stored definition: name, hash or unique prefix')
    .argument('[args...]', 'with --elf: TEL expressions passed to the definition, compiled into the image')
    .option('--main <name>', 'the definition of the file to compile, with what it reaches', 'main')
    .option('--disasm', 'print the generated code interleaved with the TEL source lines')
    .option('--elf <out>', 'write the definition applied to ARGS as a standalone ELF run from reset (cax iss gdb, cax sim run) with DWARF lines of the .tel source for gdb')
    .option('--no-fold', 'turn constant folding off')
    .option('--no-direct-calls', 'call every function through rt_apply (no direct calls, no tail jumps)')
    .option('--no-inline', 'turn inlining of small functions off')
    .option('--no-registers', 'keep every parameter in its frame slot (no callee-saved register pairs)')
    .option('--no-typed-ints', "test every operand's tag, even where the types say it is an Int (no Int arithmetic on registers)")
    .option('--no-direct-objects', 'evaluate every item of a cons cell, tuple or list into a frame slot before the object is allocated')
    .option('--no-reuse-cons', 'allocate a new cell for h : t even where a matched pattern (h : t) has that cell')
    .option('--no-known-constructors', 'test the constructor of every list pattern, even where the clauses before it tell it')
    .option('--no-direct-arguments', 'evaluate every argument of a tail call into a frame slot before the parameters are written')
    .option('--no-specialize', 'allocate every lambda as a closure, and call a function passed as an argument through its closure (no specialisation)')
    .option('--no-match-in-place', 'copy the head and tail of a matched cons cell into frame slots (not read where they are)')
    .option('--no-reverse-in-place', "allocate reverse's copy even of a list whose cells the call building it made")
    .option('--no-untagged-arguments', "pass a function's Int arguments with their tag word, as every other argument")
    .option('--no-register-arguments', 'pass Int arguments in the outgoing area only, and read every parameter from its slot')
    .option('--no-inline-alloc', "call the runtime's allocator for every object (no free-list or heap-top fast path at the allocation site)")
    .option('--no-static-closures', 'allocate the closures of a where or let group of functions that capture nothing but each other each time it is evaluated')
    .option('--no-match-registers', "keep a loop's parameters matched by [] or a cons pattern in frame slots (not register pairs)")
    .option('--no-compare-branches', 'build a Bool for every comparison of operands of unknown type in a condition, and test it')
    .option('--no-inferred-ints', "test the tag of pattern variables the type checker shows to be Ints (a let-polymorphic local function's at its one Int instance)")
    .option('--no-fuse', 'build every list of a foldl/map/filter/range pipeline (no fused loop)')
    .option('--no-settle-effects', "return every effect result to the host's scheduler as it is (no `return v >>= k`, `emit` or `now` run on the core)")
    .option('--no-continuation-jumps', "call the function a do block's continuation ends with (its frame kept until it returns) where its arguments outnumber the continuation's")
    .option('--no-shared-captures', 'capture a value once per name in a lambda, even where two names share its location')
    .option('--no-fold-return-binds', 'build `x <- return e; rest` in a do block as a bind of a return node and a continuation even where it could be `let x = e` (rest built quietly)')
    .action((source: string, args: string[], raw: unknown) => {
      const opts = parseOptions(Options, raw);
      const codegen = {
        constantFolding: opts.fold,
        directCalls: opts.directCalls,
        inlining: opts.inline,
        registers: opts.registers,
        typedInts: opts.typedInts,
        directObjects: opts.directObjects,
        reuseCons: opts.reuseCons,
        matchInPlace: opts.matchInPlace,
        specialize: opts.specialize,
        directArguments: opts.directArguments,
        knownConstructors: opts.knownConstructors,
        settleEffects: opts.settleEffects,
        foldReturnBinds: opts.foldReturnBinds,
        fuse: opts.fuse,
        reverseInPlace: opts.reverseInPlace,
        untaggedArguments: opts.untaggedArguments,
        registerArguments: opts.registerArguments,
        inlineAlloc: opts.inlineAlloc,
        staticClosures: opts.staticClosures,
        continuationJumps: opts.continuationJumps,
        sharedCaptures: opts.sharedCaptures,
        inferredInts: opts.inferredInts,
        matchRegisters: opts.matchRegisters,
        compareBranches: opts.compareBranches,
      };
      if (opts.elf !== undefined) {
        writeStandaloneElf(ctx, source, opts.main, args, codegen, opts.elf);
        return;
      }
      if (args.length > 0) throw new CaxError('E_USAGE', `arguments (${args.join(' ')}) are compiled into an image only with --elf`);
      const started = performance.now();
      const stored = existsSync(source) ? undefined : compileFromStore(ctx.io.cwd, ctx.io.env, source);
      const compiled = stored ?? compileSource(readFileSync(source, 'utf8'), source, opts.main, codegen);
      const ms = performance.now() - started;
      if (stored?.rebuilt) ctx.io.err(`warning: ${imageWarning(stored.key, stored.rebuilt)}`);
      const text = existsSync(source) ? readFileSync(source, 'utf8') : '';
      const img = compiled.image;
      const codeBytes = img.bytes.length - (img.codeStart - img.base);
      const defs = [...compiled.definitions].map(([name, label]) => ({ name, address: img.symbols.get(label) ?? 0 }));
      const lines: string[] = [];
      if (opts.disasm) {
        const sourceLines = text.split('\n');
        const view = new DataView(img.bytes.buffer, img.bytes.byteOffset);
        const labelsAt = new Map<number, string[]>();
        for (const [name, addr] of img.symbols) if (addr >= img.codeStart) labelsAt.set(addr, [...(labelsAt.get(addr) ?? []), name]);
        let mapIndex = 0;
        let lastLine = '';
        const dataStart = img.symbols.get('tel$$cafs') ?? img.base + img.bytes.length;
        for (let pc = img.codeStart; pc < dataStart; pc += 4) {
          while (mapIndex < img.sourceMap.length && img.sourceMap[mapIndex]!.pc <= pc) {
            const span = img.sourceMap[mapIndex]!.span;
            const key = `${span.file}:${span.line}`;
            if (key !== lastLine) {
              const src = span.file === source ? (sourceLines[span.line - 1] ?? '').trim() : '';
              lines.push(`-- ${key}${src ? `: ${src}` : ''}`);
              lastLine = key;
            }
            mapIndex++;
          }
          for (const l of labelsAt.get(pc) ?? []) lines.push(`${l}:`);
          const word = view.getUint32(pc - img.base, true);
          lines.push(`  ${pc.toString(16).padStart(8, '0')}  ${word.toString(16).padStart(8, '0')}  ${disassemble(word, pc)}`);
        }
      }
      ctx.emit(
        {
          key: compiled.key,
          ...('cached' in compiled ? { cached: compiled.cached } : {}),
          imageBytes: img.bytes.length,
          codeBytes,
          entry: img.entry,
          heapStart: img.heapStart,
          compileMs: ms,
          definitions: defs,
          ...(opts.disasm ? { disasm: lines } : {}),
        },
        () =>
          [
            `image ${img.bytes.length} bytes (runtime ${img.codeStart - img.base}, TEL code and data ${codeBytes}), heap from 0x${img.heapStart.toString(16)}`,
            `key ${compiled.key}`,
            ...defs.map((d) => `  0x${d.address.toString(16)}  ${d.name}`),
            ...lines,
          ].join('\n'),
      );
    });
};
