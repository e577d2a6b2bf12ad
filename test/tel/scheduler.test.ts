// Laws of the logical-time scheduler over generated effect programs:
// a <|> b yields what a and b yield alone and ends at the later end; race
// ties go left; nothing completes past a within deadline; <| rolls the
// world back but not the clock; runs are deterministic; an `invoke` run as
// an Invocation in the caller's fiber is the inline run, and every
// invocation is left exactly once however it ends.
import { describe, it, expect } from '@jest/globals';
import fc from 'fast-check';
import { parseWorld } from '../../host/tel/world.js';
import { loadProgram, runMain } from '../../host/tel/interp.js';
import { parseProgram } from '../../host/tel/parser.js';
import { Invocation, type InvocationEnd, type InvokeHook } from '../../host/tel/scheduler.js';
import { run } from './helpers.js';

const world = parseWorld({
  latency: { a: 100, b: 250, c: 1000 },
  facts: { a: { k: 1 }, b: { k: 20 }, c: { k: 300 } },
  balances: { a: { u: { native: 1000 } }, b: { u: { native: 1000 } }, c: { u: { native: 1000 } } },
});

/** A random Int-valued effect that reads facts and waits, without writing the world. */
const { effect } = fc.letrec<{ effect: string }>((tie) => ({
  effect: fc.oneof(
    { depthSize: 'small' },
    fc.integer({ min: 0, max: 99 }).map((n) => `return ${n}`),
    fc.constantFrom('a', 'b', 'c').map((tl) => `observe "k" on "${tl}"`),
    fc.tuple(fc.integer({ min: 0, max: 3000 }), tie('effect')).map(([d, e]) => `after ${d} milliseconds (${e})`),
    fc.tuple(fc.integer({ min: 0, max: 9 }), tie('effect')).map(([n, e]) => `(emit ${n} >> (${e}))`),
    fc.tuple(tie('effect'), tie('effect')).map(([x, y]) => `(do { p <- ${x}; q <- ${y}; return (p + q) })`),
    fc.tuple(tie('effect'), tie('effect')).map(([x, y]) => `(do { (p, q) <- (${x}) <|> (${y}); return (p * q) })`),
  ),
}));

const main = (body: string): string => `main :: Effect Int\nmain = ${body}\n`;

describe('scheduler laws', () => {
  it('a <|> b yields the values of a and b run alone and ends at the later end', () => {
    fc.assert(
      fc.property(effect, effect, (a, b) => {
        const ra = run(main(a), 'main', [], { world });
        const rb = run(main(b), 'main', [], { world });
        const both = run(`main :: Effect (Int, Int)\nmain = (${a}) <|> (${b})\n`, 'main', [], { world });
        expect(both.shown).toBe(`(${ra.shown!},${rb.shown!})`);
        expect(both.clock).toBe(Math.max(ra.clock, rb.clock));
        expect(both.effects.length).toBe(ra.effects.length + rb.effects.length);
        const times = both.effects.map((e) => e.time);
        expect(times).toEqual([...times].sort((x, y) => x - y));
      }),
      { numRuns: 80 },
    );
  });

  it('race yields the first to end, ties going left, and cuts the other off', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 5000 }), (d1, d2) => {
        const r = run(main(`race (after ${d1} milliseconds (emit 1 >> return 1)) (after ${d2} milliseconds (emit 2 >> return 2))`), 'main', [], { world });
        expect(r.shown).toBe(d1 <= d2 ? '1' : '2');
        expect(r.clock).toBe(Math.min(d1, d2));
        expect(r.effects.map((e) => e.args[0])).toEqual([d1 <= d2 ? '1' : '2']);
      }),
      { numRuns: 100 },
    );
    expect(run(main('race (observe "k" on "c") (observe "k" on "c")'), 'main', [], { world }).effects.length).toBe(1);
  });

  it('effects scheduled past a within deadline never happen; the clock then reads start + D', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3000 }), fc.array(fc.constantFrom('a', 'b', 'c'), { minLength: 1, maxLength: 6 }), (limit, tls) => {
        const steps = tls.map((tl) => `deposit 1 to "u" on "${tl}"`).join(' >> ');
        const r = run(`main :: Effect Text\nmain = within ${limit} milliseconds (${steps} >> return "done") <| return "late"\n`, 'main', [], { world, start: 500 });
        const natural = tls.reduce((t, tl) => t + ({ a: 100, b: 250, c: 1000 } as Record<string, number>)[tl]!, 0);
        for (const e of r.effects) expect(e.time).toBeLessThanOrEqual(500 + limit);
        if (natural <= limit) {
          expect([r.shown, r.clock]).toEqual(['"done"', 500 + natural]);
        } else {
          expect([r.shown, r.clock]).toEqual(['"late"', 500 + limit]);
          expect(r.effects.every((e) => e.rolledBack)).toBe(true);
          expect(r.balances).toEqual({ a: { u: { native: 1000 } }, b: { u: { native: 1000 } }, c: { u: { native: 1000 } } });
        }
      }),
      { numRuns: 100 },
    );
  });

  it('an uncaught timeout is E_TIMEOUT, and the effects before it stay', () => {
    const r = run(main('within 1500 milliseconds (deposit 1 to "u" on "c" >> deposit 1 to "u" on "c" >> return 0)'), 'main', [], { world });
    expect([r.error?.code, r.clock, r.effects.length, r.balances?.c]).toEqual(['E_TIMEOUT', 1500, 1, { u: { native: 1001 } }]);
  });

  it('<| rolls back the failed branch in the world but not the clock, also across <|>', () => {
    const src = main('(do { _ <- deposit 5 to "u" on "a" <|> deposit 7 to "u" on "b"; _ <- withdraw 5000 from "u" on "c"; return 1 }) <| return 0');
    const r = run(src, 'main', [], { world });
    expect([r.shown, r.clock]).toEqual(['0', 1250]);
    expect(r.balances).toEqual({ a: { u: { native: 1000 } }, b: { u: { native: 1000 } }, c: { u: { native: 1000 } } });
    expect(r.effects.map((e) => e.rolledBack ?? false)).toEqual([true, true, false]);
  });

  it('a failure in one side of <|> fails the pair and cuts the other side off', () => {
    const r = run(`main :: Effect (Int, Int)\nmain = (after 10 milliseconds (fail "boom")) <|> (observe "k" on "c")\n`, 'main', [], { world });
    expect([r.error?.code, r.error?.message, r.clock, r.effects.length]).toEqual(['E_FAIL', 'boom', 10, 0]);
  });

  it('runs are deterministic', () => {
    fc.assert(
      fc.property(effect, (a) => {
        const x = run(main(a), 'main', [], { world });
        const y = run(main(a), 'main', [], { world });
        expect(JSON.stringify([x.shown, x.effects, x.clock, x.steps])).toBe(JSON.stringify([y.shown, y.effects, y.clock, y.steps]));
      }),
      { numRuns: 30 },
    );
  });

  it('an effect loop of 100,000 steps runs in constant space', () => {
    const r = run('count :: Int -> Effect Int\ncount 0 = return 0\ncount n = do\n  _ <- now\n  count (n - 1)\nmain = count 100000 >> now\n');
    expect([r.shown, r.error]).toEqual(['0', null]);
  });
});

describe('Invocation', () => {
  it('an invoke run as an Invocation equals the inline run, and each is left exactly once (value, failure or cut off)', () => {
    const shapes = [
      (b: string) => `(invoke f 0) <|> (${b})`,
      (b: string) => `race (invoke f 0) (${b})`,
      (b: string) => `race (${b}) (invoke f 0)`,
      (b: string) => `within 700 milliseconds ((invoke f 0) <|> (${b})) <| return (0, 0)`,
      (b: string) => `(invoke g 0 <| invoke f 0) <|> (${b})`,
    ];
    fc.assert(
      fc.property(effect, effect, fc.integer({ min: 0, max: shapes.length - 1 }), (a, b, shape) => {
        const body = shapes[shape]!(b);
        const tuple = !body.startsWith('race');
        const source = [
          'f :: Int -> Effect Int',
          `f x = ${a}`,
          'g :: Int -> Effect Int',
          `g x = (${a}) >> fail "g fails"`,
          `main :: Effect ${tuple ? '(Int, Int)' : 'Int'}`,
          `main = ${body}`,
          '',
        ].join('\n');
        const program = parseProgram(source, 'inv.tel');
        const inline = runMain(loadProgram(program), 'main', [], { world });
        const ends: InvocationEnd[] = [];
        let opened = 0;
        const invoke: InvokeHook = (call, m) => {
          opened++;
          let left = false;
          return new Invocation(
            { invocation: opened },
            () => m.apply(call.fn, [...call.args]),
            (end) => {
              expect(left).toBe(false);
              left = true;
              ends.push(end);
            },
          );
        };
        const hooked = runMain(loadProgram(program, { definition: () => undefined, invoke }), 'main', [], { world });
        expect([hooked.shown, hooked.clock, hooked.error?.code]).toEqual([inline.shown, inline.clock, inline.error?.code]);
        expect(JSON.parse(JSON.stringify(hooked.effects))).toEqual(JSON.parse(JSON.stringify(inline.effects)));
        expect(ends).toHaveLength(opened);
        if (shape === 4) expect(ends.some((e) => 'failure' in e && e.failure.message === 'g fails')).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('a race cuts an Invocation off: it is left once, cancelled, and its later effects never happen', () => {
    const source = 'f :: Int -> Effect Int\nf x = after 1000 milliseconds (emit x >> return x)\nmain = race (invoke f 1) (after 10 milliseconds (return 2))\n';
    const ends: InvocationEnd[] = [];
    const invoke: InvokeHook = (call, m) =>
      new Invocation(
        'callee',
        () => m.apply(call.fn, [...call.args]),
        (end) => ends.push(end),
      );
    const r = runMain(loadProgram(parseProgram(source, 'cut.tel'), { definition: () => undefined, invoke }), 'main', [], { world });
    expect([r.shown, r.clock, r.effects]).toEqual(['2', 10, []]);
    expect(ends).toEqual([{ cancelled: true }]);
  });
});
