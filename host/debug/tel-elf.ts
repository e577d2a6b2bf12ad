// A TEL definition as an ELF for gdb (`cax compile FILE.tel ARGS --elf OUT`,
// docs/debugging.md "TEL source in gdb"): `main ARGS…` compiled (the arguments
// into the entry, as `cax profile` compiles them, without the cycle budget
// checks) and linked with the proving build of the runtime at the reset pc,
// so that it runs from reset on its own (`cax iss gdb`, `cax sim run`) and
// ends with a word store of 1 to EXIT, its value in the header's
// prove_result (docs/proofs.md). The ELF carries the image's symbols and
// DWARF (dwarf.ts) built from the compiler's source map, so gdb resolves
// breakpoints, stops and `list` to the .tel source.
import type { SourceSpan } from '../errors.js';
import { compileProgram } from '../compiler/compile.js';
import { DEFAULT_OPTIONS, type CodegenOptions } from '../compiler/codegen.js';
import type { Image } from '../compiler/link.js';
import { symbolName } from '../profile/collect-trace.js';
import { entryDecl } from '../profile/profile-compiled.js';
import { PROVE_HEADER, provingRuntime } from '../proof/tel-image.js';
import { writeElf } from '../riscv/elf-writer.js';
import { RAM_BASE } from '../riscv/machine.js';
import type { Program } from '../tel/ast.js';
import { dwarfSections, type DwarfFunction, type LineRow } from './dwarf.js';

/** The standalone image of `main ARGS…` at the reset pc: its heap starts after the image, it takes no argument vector. */
export function standaloneImage(program: Program, main: string, args: readonly string[], options: CodegenOptions = DEFAULT_OPTIONS): Image {
  const entry = entryDecl(program, main, args);
  const image = compileProgram({ file: program.file, decls: [...program.decls, entry] }, entry.name, { ...options, budgetChecks: false }, undefined, {
    runtime: provingRuntime(),
    base: RAM_BASE,
  }).image;
  const bytes = image.bytes.slice();
  new DataView(bytes.buffer).setUint32(PROVE_HEADER.args + 8, image.heapStart, true);
  return { ...image, bytes };
}

/** The compiled functions of `image` (every `tel$` code label but loop bodies), each up to the next one or the end of the code. */
export function compiledFunctions(image: Image): { readonly functions: readonly Omit<DwarfFunction, 'file' | 'line'>[]; readonly codeEnd: number } {
  const codeEnd = image.symbols.get('tel$$cafs') ?? image.heapStart;
  const labels = [...image.symbols]
    .filter(([name, a]) => name.startsWith('tel$') && !name.endsWith('$body') && a >= image.codeStart && a < codeEnd)
    .sort((a, b) => a[1] - b[1])
    .filter(([, a], i, all) => i === 0 || all[i - 1]![1] !== a);
  return { functions: labels.map(([name, low], i) => ({ name: symbolName(name), low, high: labels[i + 1]?.[1] ?? codeEnd })), codeEnd };
}

/**
 * The line table of `image`: a row wherever the source position changes, and one at every function's first
 * instruction with the function's first source-map entry (its prologue has none of its own).
 */
function lineRows(image: Image, functions: readonly Omit<DwarfFunction, 'file' | 'line'>[], codeEnd: number): { rows: LineRow[]; first: Map<number, SourceSpan> } {
  const byPc = new Map<number, SourceSpan>();
  for (const m of image.sourceMap) if (m.pc >= image.codeStart && m.pc < codeEnd) byPc.set(m.pc, m.span);
  const first = new Map<number, SourceSpan>();
  for (const f of functions) {
    const own = image.sourceMap.find((m) => m.pc >= f.low && m.pc < f.high);
    if (own) first.set(f.low, own.span);
  }
  for (const [pc, span] of first) if (!byPc.has(pc)) byPc.set(pc, span);
  const rows: LineRow[] = [];
  for (const [pc, span] of [...byPc].sort((a, b) => a[0] - b[0])) {
    const last = rows[rows.length - 1];
    if (last && last.file === span.file && last.line === span.line && last.col === span.col && !first.has(pc)) continue;
    rows.push({ pc, file: span.file, line: span.line, col: span.col });
  }
  return { rows, first };
}

/** The ELF of a standalone image (standaloneImage) with its symbols and DWARF; relative file names are found in `compDir`. */
export function telElf(image: Image, mainFile: string, compDir: string): Uint8Array {
  const { functions, codeEnd } = compiledFunctions(image);
  const { rows, first } = lineRows(image, functions, codeEnd);
  const located = functions.map((f) => {
    const span = first.get(f.low);
    return { ...f, file: span?.file ?? mainFile, line: span?.line ?? 1 };
  });
  const sizes = new Map(functions.map((f) => [f.low, f.high - f.low]));
  const dwarf = dwarfSections({ name: mainFile, compDir, producer: 'cax TEL compiler', low: image.codeStart, high: codeEnd, rows, functions: located });
  return writeElf({
    entry: image.entry,
    vaddr: image.base,
    bytes: image.bytes,
    symbols: [...image.symbols]
      .filter(([name, a]) => !name.startsWith('.') && a >= image.base && a < image.base + image.bytes.length)
      .map(([name, value]) => ({ name, value, size: sizes.get(value) ?? 0, func: sizes.has(value) })),
    extraSections: Object.entries(dwarf).map(([name, data]) => ({ name, data })),
  });
}
