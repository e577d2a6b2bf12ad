// Standalone proving images of stored TEL definitions (docs/proofs.md,
// "Proving TEL programs"): the compiled definition, with its mcycle budget
// checks (CSR reads, which the step circuit proves), linked with the proving
// build of the runtime at the reset pc (build/tel-runtime/prove-runtime.elf,
// entered by
// firmware/tel-runtime/prove-start.S: no loader firmware, no CSR, one ecall
// where the run yields to the host for effects), with its arguments evaluated
// by the interpreter and written into the image as heap objects, followed by
// the definition's content hash (so a receipt cannot be relabelled with
// another definition without changing the proved image). The run ends
// with a word store of 1 to EXIT. The runtime computes `show` of a Double and
// `hashOf` on the core, so they are proved like any other instructions; what
// cannot be proved (functions as values in or out) is refused here with
// E_UNSUPPORTED.
import { readFileSync } from 'node:fs';
import { artefactPath } from '../artefacts.js';
import { CaxError, unsupported, type SourceSpan } from '../errors.js';
import { parseElf, type ElfImage } from '../riscv/elf.js';
import { RAM_BASE } from '../riscv/machine.js';
import type { Repository } from '../store/repository.js';
import type { Decl } from '../tel/ast.js';
import { compileEntry, loadProgram, runMain } from '../tel/interp.js';
import { parseExpression } from '../tel/parser.js';
import { canonicalBytes, HashV, showValue, type Value } from '../tel/values.js';
import { DEFAULT_OPTIONS } from '../compiler/codegen.js';
import { compileProgram } from '../compiler/compile.js';
import { HeapWriter } from '../coprocessor/heap.js';
import type { Image } from '../compiler/link.js';
import { storedResolver } from '../coprocessor/stored.js';

let runtimeCache: ElfImage | undefined;

export function provingRuntime(): ElfImage {
  return (runtimeCache ??= parseElf(new Uint8Array(readFileSync(artefactPath('proveRuntime')))));
}

export interface TelProvingImage {
  /** The definition's content hash in the store. */
  readonly hash: string;
  /** The linked image; its `bytes` hold the arguments, its `heapStart` is after them. */
  readonly image: Image;
  readonly args: readonly Value[];
  /** The arguments as TEL shows them. */
  readonly shownArgs: readonly string[];
  /** Type of the definition applied to the arguments. */
  readonly type: string;
  /** The run's input: the arguments' canonical encodings one after the other (argumentsInput); the receipt's inputHash is its SHA-256. */
  readonly input: Uint8Array;
}

const ENTRY = 'cax$prove';

/** The header of a proving image (prove-start.S) at these byte offsets from the reset pc. */
export const PROVE_HEADER = {
  /** argument vector, its length, first free heap byte, continuation tag and payload, finish (six words) */
  args: 4,
  /** the last word of args: set by the host when the scheduler is done, the stub then ends the run */
  finish: 24,
  /** a0/a1 of the last run (two words) */
  result: 28,
  /** a word holding the address of the runtime's heap pointer rt_hp */
  heapPointer: 36,
  /** a word holding the pc of the ecall where the run yields */
  yieldPc: 40,
} as const;

/** The input bytes of a run with these arguments: their canonical encodings (docs/hashing.md) one after the other. */
export function argumentsInput(args: readonly Value[]): Uint8Array {
  return Buffer.concat(args.map(canonicalBytes));
}

/** Evaluates a closed argument expression (TEL syntax) on the interpreter; it must be a first-order value. */
export function argumentValue(text: string, index: number): Value {
  const expr = parseExpression(text, `<argument ${index + 1}>`);
  const span: SourceSpan = { file: `<argument ${index + 1}>`, line: 1, col: 1 };
  const decl: Decl = { name: 'argument', signature: null, equations: [{ name: 'argument', params: [], rhs: { tag: 'Plain', expr }, where: [], span }], span };
  const r = runMain(loadProgram({ file: span.file, decls: [decl] }), 'argument', []);
  if (r.error) throw r.error;
  if (/\bEffect\b/.test(r.type) || r.type.includes('->')) throw unsupported(`argument ${index + 1} of type ${r.type}: only first-order values are passed to a proved program`);
  return r.value!;
}

/** Compiles the stored definition `hash` applied to `argTexts` (TEL expressions) into a proving image. */
export function provingImage(repo: Repository, hash: string, argTexts: readonly string[]): TelProvingImage {
  const { resolver } = storedResolver(repo, hash);
  const span: SourceSpan = { file: `@${hash.slice(0, 12)}`, line: 1, col: 1 };
  const entry: Decl = { name: ENTRY, signature: null, equations: [{ name: ENTRY, params: [], rhs: { tag: 'Plain', expr: { tag: 'HashRef', hash, span } }, where: [], span }], span };
  const program = { file: span.file, decls: [entry] };
  const argExprs = argTexts.map((t, i) => parseExpression(t, `<argument ${i + 1}>`));
  const { type } = compileEntry(loadProgram(program, resolver), ENTRY, argExprs);
  if (type.includes('->')) throw unsupported(`proving a program whose result is a function (type ${type})`);
  const args = argTexts.map(argumentValue);
  const compiled = compileProgram(program, ENTRY, DEFAULT_OPTIONS, resolver, { runtime: provingRuntime(), base: RAM_BASE });
  const linked = compiled.image;
  const heap = new HeapWriter(linked.heapStart);
  // The vector holds one more item than argc: the definition's hash, which binds the image to the definition it names.
  const argv = heap.vector([...args, new HashV(hash)]);
  const bytes = new Uint8Array(linked.heapStart - linked.base + (heap.end - linked.heapStart));
  bytes.set(linked.bytes);
  bytes.set(heap.bytes(), linked.heapStart - linked.base);
  const slot = linked.symbols.get('prove_args');
  if (slot !== linked.base + PROVE_HEADER.args || linked.symbols.get('prove_result') !== linked.base + PROVE_HEADER.result) {
    throw new CaxError('E_IMAGE', "the proving runtime's header (prove_args, prove_result) is not where docs/proofs.md puts it: rebuild it with `make tel-runtime`");
  }
  const view = new DataView(bytes.buffer);
  view.setUint32(slot - linked.base, argv, true);
  view.setUint32(slot - linked.base + 4, args.length, true);
  view.setUint32(slot - linked.base + 8, heap.end, true);
  return {
    hash,
    image: { ...linked, bytes, heapStart: heap.end },
    args,
    shownArgs: args.map(showValue),
    type,
    input: argumentsInput(args),
  };
}
