// The linker: the runtime ELF (built by mk/compiler.mk) flattened at the
// loader's program base, the generated code and data appended after it,
// rt_entry patched to the entry stub. The image carries its symbol table,
// the source map (pc → TEL span) and the failure sites' spans. The runtime
// is the build with the optional parts the code can reach (runtimeParts),
// so that the others take no heap from the image.
import { readFileSync } from 'node:fs';
import { RUNTIME_PARTS, telRuntimePath, type RuntimePart } from '../artefacts.js';
import { CaxError, type SourceSpan } from '../errors.js';
import { parseElf, type ElfImage } from '../riscv/elf.js';
import type { Asm } from './asm.js';
import { ALLOC_SITE_LABEL } from './inline-alloc.js';
import { PROGRAM_BASE } from './layout.js';
import type { BinderRange, SlotMapRecorder } from './slot-map.js';

const runtimeCache = new Map<string, ElfImage>();

/** The runtime's build with `parts` (host/artefacts.ts: found, built on first use, or a clear E_ARTEFACT); all of them by default. */
export function loadRuntime(parts: ReadonlySet<RuntimePart> = new Set(RUNTIME_PARTS)): ElfImage {
  const path = telRuntimePath(parts);
  let elf = runtimeCache.get(path);
  if (!elf) {
    elf = parseElf(new Uint8Array(readFileSync(path)));
    runtimeCache.set(path, elf);
  }
  return elf;
}

/** The runtime's entries that make Doubles or take one (they need the part `double`). */
const DOUBLE_ENTRIES = ['rt_to_double', 'rt_truncate'];

/**
 * The runtime's optional parts the code in `asm` can reach: `hash` and `show` when it calls `hashOf`'s and `show`'s
 * entries; `double` when a Double can exist in its runs — made by the code (`doubles`: a Double literal, or a value
 * of the host whose type may hold one; or a call of toDouble) — since without one no Double operand, comparison or
 * `show` of a Double happens (the build without them fails on a Double as on any value of the wrong shape).
 */
export function runtimeParts(asm: Asm, doubles: boolean): Set<RuntimePart> {
  const used = asm.externals();
  const parts = new Set<RuntimePart>();
  if (doubles || DOUBLE_ENTRIES.some((e) => used.has(e))) parts.add('double');
  if (used.has('rt_hash_of')) parts.add('hash');
  if (used.has('rt_show')) parts.add('show');
  return parts;
}

export interface Image {
  /** The bytes to load at `base`. */
  readonly bytes: Uint8Array;
  readonly base: number;
  /** Where the loader enters (the runtime's _start). */
  readonly entry: number;
  /** First byte after the image: where a run's heap starts. */
  readonly heapStart: number;
  /** Runtime and compiled symbols, name → address. */
  readonly symbols: ReadonlyMap<string, number>;
  readonly sourceMap: readonly { readonly pc: number; readonly span: SourceSpan }[];
  readonly sites: readonly SourceSpan[];
  /** Where the compiled code starts (after the runtime). */
  readonly codeStart: number;
  /** Where the named binders live over which pcs (slot-map.ts), when the compiler recorded them. */
  readonly binders?: readonly BinderRange[];
  /** The code's inline allocations (inline-alloc.ts): the pc each one's fast paths reach once they took a chunk, and its bytes (the profiler counts them). */
  readonly allocations?: ReadonlyMap<number, number>;
}

/** Links `asm` after `runtime`, which is linked at `base` (the loader's program base, or the reset pc for proving images) and entered there. */
export function link(asm: Asm, entryLabel: string, sites: readonly SourceSpan[], runtime: ElfImage, base: number = PROGRAM_BASE, binders?: SlotMapRecorder): Image {
  const rtEnd = runtime.symbols.get('__rt_end');
  const rtEntry = runtime.symbols.get('rt_entry');
  if (rtEnd === undefined || rtEntry === undefined) throw new CaxError('E_IMAGE', 'the TEL runtime lacks __rt_end or rt_entry');
  const assembled = asm.assemble(rtEnd, runtime.symbols);
  const total = rtEnd - base + assembled.bytes.length;
  const bytes = new Uint8Array(total);
  for (const seg of runtime.segments) {
    if (seg.vaddr < base || seg.vaddr + seg.memBytes > rtEnd) throw new CaxError('E_IMAGE', `runtime segment at 0x${seg.vaddr.toString(16)} is outside the program area`);
    bytes.set(seg.data, seg.vaddr - base);
  }
  bytes.set(assembled.bytes, rtEnd - base);
  const entry = assembled.labels.get(entryLabel);
  if (entry === undefined) throw new CaxError('E_LINK', `no entry label ${entryLabel}`);
  new DataView(bytes.buffer).setUint32(rtEntry - base, entry, true);
  const symbols = new Map<string, number>(runtime.symbols);
  const allocations = new Map<number, number>();
  for (const [k, v] of assembled.labels) {
    if (!k.startsWith('.')) symbols.set(k, v);
    else if (k.startsWith(ALLOC_SITE_LABEL)) allocations.set(v, parseInt(k.slice(ALLOC_SITE_LABEL.length), 10));
  }
  return {
    bytes,
    base,
    entry: base,
    heapStart: ((base + total + 7) & ~7) >>> 0,
    symbols,
    sourceMap: assembled.sourceMap,
    sites,
    codeStart: rtEnd,
    ...(binders ? { binders: binders.resolve(assembled.labels) } : {}),
    ...(allocations.size > 0 ? { allocations } : {}),
  };
}

/** The span of the code at `pc` (the nearest source-map entry at or below it). */
export function spanAt(image: Image, pc: number): SourceSpan | undefined {
  let lo = 0;
  let hi = image.sourceMap.length - 1;
  let found: SourceSpan | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (image.sourceMap[mid]!.pc <= pc) {
      found = image.sourceMap[mid]!.span;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}
