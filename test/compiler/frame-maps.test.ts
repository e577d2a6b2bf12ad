// The compiler's frame maps (host/compiler/frame-maps.ts) as the collector
// reads them (firmware/tel-runtime/gc.c frame_map, mark_frames): the table
// of ascending return addresses with a 16-bit descriptor index each, and for
// any frame, parameters, register pairs and live slots, a descriptor whose
// bits are exactly the pairs that hold values (fast-check), shared between
// sites.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { Asm } from '../../host/compiler/asm.js';
import { FrameMaps, type MappedFunction } from '../../host/compiler/frame-maps.js';

const BASE = 0x8000c000;

/** Lays out one code word per site label, then the table; reads the table back as the runtime does. */
function layout(maps: FrameMaps, labels: readonly string[]): { sites: number[]; descriptors: number[][]; addresses: Map<string, number> } {
  const asm = new Asm();
  for (const label of labels) {
    asm.label(label);
    asm.word(0x13);
  }
  maps.emit(asm);
  const out = asm.assemble(BASE, new Map());
  const view = new DataView(out.bytes.buffer, out.bytes.byteOffset, out.bytes.byteLength);
  const word = (address: number): number => view.getUint32(address - BASE, true);
  const table = out.labels.get('tel$$frames')!;
  const count = word(table);
  const sitesAt = word(table + 4);
  const descriptorsAt = word(table + 8);
  const sites: number[] = [];
  const descriptors: number[][] = [];
  for (let i = 0; i < count; i++) {
    sites.push(word(sitesAt + 4 * i));
    const index = view.getUint16(sitesAt + 4 * count + 2 * i - BASE, true);
    const head = word(descriptorsAt + 4 * index);
    const words = (head >>> 17) & 0xff;
    descriptors.push([head, ...Array.from({ length: words }, (_, j) => word(descriptorsAt + 4 * (index + 1 + j)))]);
  }
  return { sites, descriptors, addresses: new Map(out.labels) };
}

/** The s0 offsets of the pairs a descriptor marks. */
function marked(descriptor: readonly number[]): number[] {
  const frame = descriptor[0]! & 0xffff;
  const offsets: number[] = [];
  descriptor.slice(1).forEach((bits, j) => {
    for (let b = 0; b < 32; b++) if ((bits >>> b) & 1) offsets.push(8 * (32 * j + b) - frame);
  });
  return offsets;
}

describe('frame maps', () => {
  it('lists the return addresses in order, each with the pairs that hold values and the env flag', () => {
    const maps = new FrameMaps();
    const fn: MappedFunction = {
      arity: 2,
      regArgs: [1],
      sites: [
        { label: '.a', slots: [-40], whole: true },
        { label: '.b', slots: [-40, -48], whole: false },
        { label: '.c', slots: [-40], whole: true },
      ],
    };
    maps.add(fn, 48, true);
    const { sites, descriptors, addresses } = layout(maps, ['.a', '.b', '.c']);
    expect(sites).toEqual(['.a', '.b', '.c'].map((l) => addresses.get(l)));
    // frame 48, env, one bitmap word: slot -40 and parameter 0 (+0); parameter 1 in register pair 1 (the caller's
    // saved at -32), whose values are live
    expect(descriptors[0]).toEqual([(48 | (1 << 16) | (1 << 17) | (2 << 25) | (1 << 29)) >>> 0, (1 << 1) | (1 << 6)]);
    // a call in tail position that cannot reuse the frame: nothing of it, the pair still saved
    expect(descriptors[1]).toEqual([48 | (1 << 17) | (2 << 25), 0]);
    expect(descriptors[2]).toEqual(descriptors[0]);
  });

  it('marks exactly the parameters not in registers nor untagged and the live slots of any frame, and says which pairs it saved', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 6 }),
        fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        fc.boolean(),
        fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
        (extra, arity, inRegs, picks, whole, bare) => {
          const regArgs = [...Array(Math.min(arity, 4)).keys()].filter((i) => inRegs[i]); // four pairs (codegen.ts PAIRS)
          const saved = regArgs.length === 0 ? 0 : Math.max(...regArgs) + 1;
          // ra, s0, env and the saved pairs, then room for `extra` sixteens of slots (codegen.ts compileFunction)
          const frame = 16 * (Math.ceil((16 + 8 * saved) / 16) + extra);
          const room = (frame - 24) / 8 - saved;
          const slots = room > 0 ? [...new Set(picks.map((k) => -24 - 8 * (saved + (k % room))))] : [];
          const maps = new FrameMaps();
          // untagged Int parameters (codegen.ts KnownFn.bare) hold no pointer and may have any tag word: never marked
          maps.add({ arity, regArgs, bare, sites: [{ label: '.s', slots, whole }] }, frame, true);
          const [descriptor] = layout(maps, ['.s']).descriptors;
          const expected = whole ? [...slots, ...[...Array(arity).keys()].filter((i) => !regArgs.includes(i) && !bare[i]).map((i) => 8 * i)] : [];
          expect(marked(descriptor!).sort((x, y) => x - y)).toEqual(expected.sort((x, y) => x - y));
          expect(descriptor![0]! & 0xffff).toBe(frame);
          expect((descriptor![0]! >>> 16) & 1).toBe(whole ? 1 : 0);
          expect((descriptor![0]! >>> 25) & 15).toBe(regArgs.reduce((m, i) => m | (1 << i), 0));
          expect((descriptor![0]! >>> 29) & 1).toBe(whole ? 1 : 0);
        },
      ),
    );
  });
});
