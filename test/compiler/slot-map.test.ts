// The compiler's slot map (host/compiler/slot-map.ts): every named binder of a compiled program — parameters,
// pattern variables, let/where binders, a closure's captures, the parameters of an inlined body — is recorded with the span of its declaration, a
// home in the frame, registers or closure, and a pc range inside the code of the function it is bound in, from
// where it is bound to the end of its scope.
import { describe, it, expect } from '@jest/globals';
import { compileSource } from '../../host/compiler/compile.js';
import { bindersAt, SlotMapRecorder, type BinderRange } from '../../host/compiler/slot-map.js';
import { Asm } from '../../host/compiler/asm.js';

const SOURCE = [
  'main :: Int -> Int',
  'main n =',
  '  let a = n + 1',
  '      q = [n, a]',
  '  in case q of',
  '       (h : t) -> g a + h',
  '       [] -> 0',
  '  where m = n * 2',
  '        g k = let f = k * m in f + n',
].join('\n');

describe('the slot map', () => {
  const image = compileSource(SOURCE, 'm.tel', 'main').image;
  const binders = image.binders!;
  const named = (name: string): BinderRange[] => binders.filter((b) => b.name === name && b.span.file === 'm.tel');
  const codeOf = (label: string): [number, number] => {
    const start = image.symbols.get(label)!;
    // the next function's first instruction (the labels of bodies, after the prologues, are not)
    const next = Math.min(...[...image.symbols].filter(([name, a]) => a > start && !name.endsWith('$body')).map(([, a]) => a));
    return [start, next];
  };

  it('records the parameters, let, where and case binders of a function inside its code, with their declarations', () => {
    const [start, end] = codeOf('tel$main');
    for (const name of ['n', 'a', 'q', 'h', 't', 'g', 'm']) {
      const [b] = named(name).filter((r) => r.from >= start && r.to <= end);
      expect(b).toBeDefined();
      expect(b!.from).toBeLessThan(b!.to);
    }
    expect(named('a').find((r) => r.from >= start && r.to <= end)!.span).toMatchObject({ line: 3, col: 7 });
    // h and t are bound by the case alternative only: inside the range of a, which the whole let body sees
    const a = named('a').find((r) => r.from >= start && r.to <= end)!;
    const h = named('h').find((r) => r.from >= start && r.to <= end)!;
    expect(h.from).toBeGreaterThanOrEqual(a.from);
    expect(h.to).toBeLessThanOrEqual(a.to);
    expect(h.home).toMatchObject({ k: 'field', at: 0 });
    expect(named('t')[0]!.home).toMatchObject({ k: 'field', at: 8 });
  });

  it('records a local function’s parameters, binders and captures (as the binders they copy were declared) over its code', () => {
    const label = [...image.symbols.keys()].find((k) => /^tel\$g\$\d+$/.test(k))!;
    const [start, end] = codeOf(label);
    const inG = binders.filter((r) => r.from >= start && r.to <= end);
    expect(inG.map((r) => r.name).sort()).toEqual(['f', 'k', 'm', 'n']);
    const captured = inG.filter((r) => r.home.k === 'cap');
    // in the order main bound them: n (its parameter), then m (where)
    expect(captured.map((r) => [r.name, r.span.line])).toEqual([
      ['n', 2],
      ['m', 8],
    ]);
    // at the multiplication, f is not bound yet; at the end of g's body everything is
    const f = inG.find((r) => r.name === 'f')!;
    expect(bindersAt(inG, f.from - 4).map((r) => r.name)).not.toContain('f');
    expect(bindersAt(inG, f.from).map((r) => r.name)).toEqual(expect.arrayContaining(['n', 'm', 'k', 'f']));
  });

  it('records the parameters of a body inlined into a function’s code, with their declarations, over that code only', () => {
    const source = ['double :: Int -> Int', 'double x = x + x * 3', '', 'main :: Int -> Int', 'main k = let a = k + 1 in double a + double (a * 2)'].join('\n');
    const inlined = compileSource(source, 'i.tel', 'main').image;
    // double has no code of its own: each inlined call binds its x in main's code, declared in double
    expect(inlined.symbols.has('tel$double')).toBe(false);
    const start = inlined.symbols.get('tel$main')!;
    const xs = inlined.binders!.filter((b) => b.name === 'x' && b.span.file === 'i.tel');
    expect(xs).toHaveLength(2);
    for (const x of xs) expect(x.span).toMatchObject({ line: 2, col: 8 });
    const a = inlined.binders!.find((b) => b.name === 'a' && b.span.file === 'i.tel')!;
    expect(a.from).toBeGreaterThanOrEqual(start);
    for (const x of xs) {
      expect(x.from).toBeGreaterThanOrEqual(a.from);
      expect(x.to).toBeLessThanOrEqual(a.to);
    }
    // the two inlined bodies, one after the other
    expect(xs[0]!.to).toBeLessThanOrEqual(xs[1]!.from);
  });

  it('leaves out a binder whose scope the code never closed', () => {
    const recorder = new SlotMapRecorder();
    const code = new Asm();
    const scope = {};
    recorder.bind(code, scope, 'x', { file: 'x.tel', line: 1, col: 1 }, { k: 'slot', off: -24 }, {});
    code.addi(10, 10, 1);
    expect(recorder.resolve(code.assemble(0x1000, new Map()).labels)).toEqual([]);
    recorder.close(code, scope);
    const [x] = recorder.resolve(code.assemble(0x1000, new Map()).labels);
    expect(x).toMatchObject({ name: 'x', from: 0x1000, to: 0x1004 });
    expect(bindersAt([x!], 0x1004)).toEqual([]);
  });
});
