// The frame maps of compiled code: for each call site (its return address),
// which words of the caller's frame hold values, so that the collector
// (firmware/tel-runtime/gc.c, mark_frames) marks exactly those and scans no
// compiled frame conservatively. docs/compiler.md "The heap and the garbage
// collector". The table is data after the code:
//   tel$$frames:        count, &sites, &descriptors
//   sites:              the return addresses, ascending (one word each)
//                       then one 16-bit descriptor index per site (word offsets)
//   descriptors:        w0 = frame bytes | env << 16 | bitmap words << 17
//                       | saved pairs << 25 | pairs live << 29,
//                       then the bitmap: bit p is the pair at sp + 8p
//                       (sp = s0 - frame; the parameters are the pairs from
//                       s0 on), a tag/payload pair whose payload is marked
//                       when its tag is no immediate's.
// env: the word at s0 - 12 (a closure pointer) is marked too. Saved pairs:
// bit i says the function keeps parameter i in register pair i (a loop,
// codegen.ts PAIRS) and saved its caller's pair at s0 - 24 - 8i; pairs live:
// those registers hold its values at the call (not at a call in tail
// position that cannot reuse the frame). The collector marks a saved pair
// only for a frame further up whose pairs are live (gc.c mark_frames).
import { unsupported } from '../errors.js';
import type { Asm } from './asm.js';

/** What the maps need of a compiled function (codegen.ts FnCtx). */
export interface MappedFunction {
  readonly arity: number;
  readonly regArgs: readonly number[];
  /** Parameters passed without their tag word (Ints, codegen.ts KnownFn.bare): never marked. */
  readonly bare?: readonly boolean[];
  readonly sites: readonly { readonly label: string; readonly slots: readonly number[]; readonly whole: boolean }[];
}

/** Largest descriptor index (16 bits). */
const MAX_INDEX = 0xffff;

export class FrameMaps {
  private readonly labels: string[] = [];
  private readonly indices: number[] = [];
  private readonly pool: number[] = [];
  private readonly byKey = new Map<string, number>();

  /**
   * The maps of `fn`'s call sites, with its frame of `frame` bytes; `env`: it keeps a closure at s0 - 12. Called in the
   * order the functions' code is laid out, so that the sites stay ascending.
   */
  add(fn: MappedFunction, frame: number, env: boolean): void {
    const pairs = frame / 8 + fn.arity;
    for (const site of fn.sites) {
      const bits = new Array<number>(Math.ceil(pairs / 32)).fill(0);
      const mark = (off: number): void => {
        const p = (frame + off) / 8;
        bits[p >> 5]! |= 1 << (p & 31);
      };
      if (site.whole) {
        for (let i = 0; i < fn.arity; i++) if (!fn.regArgs.includes(i) && fn.bare?.[i] !== true) mark(8 * i);
        for (const off of site.slots) mark(off);
      }
      const saved = fn.regArgs.reduce((m, i) => m | (1 << i), 0);
      const head = frame | ((env && site.whole ? 1 : 0) << 16) | (bits.length << 17) | (saved << 25) | ((site.whole ? 1 : 0) << 29);
      const words = [head >>> 0, ...bits.map((w) => w >>> 0)];
      const key = words.join(',');
      let index = this.byKey.get(key);
      if (index === undefined) {
        index = this.pool.length;
        if (index > MAX_INDEX) throw unsupported(`more than ${MAX_INDEX} words of frame maps`);
        this.pool.push(...words);
        this.byKey.set(key, index);
      }
      this.labels.push(site.label);
      this.indices.push(index);
    }
  }

  /** The table at `tel$$frames` (gc.c reads it through rt_frame_maps, set by the entry stub). */
  emit(data: Asm): void {
    data.align(4);
    data.label('tel$$frames');
    data.word(this.labels.length);
    data.addr('tel$$frames$sites');
    data.addr('tel$$frames$descriptors');
    data.label('tel$$frames$sites');
    for (const label of this.labels) data.addr(label);
    for (let i = 0; i < this.indices.length; i += 2) data.word(this.indices[i]! | ((this.indices[i + 1] ?? 0) << 16));
    data.label('tel$$frames$descriptors');
    for (const w of this.pool) data.word(w);
  }

  /** The sites' labels, in the order of the table (the linker checks that their addresses ascend). */
  get siteLabels(): readonly string[] {
    return this.labels;
  }
}
