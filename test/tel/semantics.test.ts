// Int semantics against a BigInt model, Double against bit patterns, show's
// shortest round-trip form, byte-wise Text order — over random operands; and
// the reference's edge cases (clock range, rollback, order within an instant,
// escapes, one message per error) on the interpreter.
import { describe, it, expect } from '@jest/globals';
import fc from 'fast-check';
import { CaxError } from '../../host/errors.js';
import { lex } from '../../host/tel/lexer.js';
import { Machine, DEFAULT_BUDGET } from '../../host/tel/machine.js';
import { BINARY, negate } from '../../host/tel/operators.js';
import { Dbl, canonicalBytes, compareText, doubleToInt, showDouble, showText, showValue, type Value } from '../../host/tel/values.js';
import { parseWorld } from '../../host/tel/world.js';
import { EDGE_CASES } from '../helpers/edge-cases.js';
import { evalShown, run } from './helpers.js';

const span = { file: 't', line: 1, col: 1 };
const m = new Machine(DEFAULT_BUDGET, () => {
  throw new Error('no hashes here');
});
const int32 = fc.integer({ min: -2147483648, max: 2147483647 });
const edgy = fc.oneof(int32, fc.constantFrom(0, 1, -1, 2147483647, -2147483648, 2, -2));
const wrap = (x: bigint): number => Number(BigInt.asIntN(32, x));
const apply = (op: keyof typeof BINARY, a: Value, b: Value): Value => BINARY[op](a, b, span, m);

function bits(x: number): bigint {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  return view.getBigUint64(0);
}
const anyDouble = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map((b) => {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, b);
  return view.getFloat64(0);
});

describe('Int semantics', () => {
  it("+ - * wrap like 32-bit two's complement", () => {
    fc.assert(
      fc.property(edgy, edgy, (a, b) => {
        expect(apply('+', a, b)).toBe(wrap(BigInt(a) + BigInt(b)));
        expect(apply('-', a, b)).toBe(wrap(BigInt(a) - BigInt(b)));
        expect(apply('*', a, b)).toBe(wrap(BigInt(a) * BigInt(b)));
        expect(negate(a, span)).toBe(wrap(-BigInt(a)));
      }),
      { numRuns: 2000 },
    );
  });

  it('/ and mod truncate toward zero as RISC-V div/rem; division by zero is E_DIV_ZERO', () => {
    fc.assert(
      fc.property(edgy, edgy, (a, b) => {
        if (b === 0) {
          expect(() => apply('/', a, b)).toThrow(CaxError);
          expect(() => apply('mod', a, b)).toThrow(expect.objectContaining({ code: 'E_DIV_ZERO' }) as unknown as Error);
          return;
        }
        expect(apply('/', a, b)).toBe(wrap(BigInt(a) / BigInt(b)));
        expect(apply('mod', a, b)).toBe(wrap(BigInt(a) % BigInt(b)));
      }),
      { numRuns: 2000 },
    );
    expect(apply('/', -2147483648, -1)).toBe(-2147483648);
    expect(apply('mod', -2147483648, -1)).toBe(0);
  });

  it('comparisons agree with the integers', () => {
    fc.assert(
      fc.property(edgy, edgy, (a, b) => {
        expect(apply('<', a, b)).toBe(a < b);
        expect(apply('==', a, b)).toBe(a === b);
        expect(apply('>=', a, b)).toBe(a >= b);
      }),
    );
  });

  it('the interpreter agrees with the model on random operands', () => {
    fc.assert(
      fc.property(int32, int32, (a, b) => {
        const src = `f :: Int -> Int -> [Int]\nf a b = [a + b, a - b, a * b, if b == 0 then 0 else a / b, if b == 0 then 0 else a \`mod\` b]\n`;
        const [x, y] = [BigInt(a), BigInt(b)];
        const want = [wrap(x + y), wrap(x - y), wrap(x * y), b === 0 ? 0 : wrap(x / y), b === 0 ? 0 : wrap(x % y)];
        expect(evalShown(src, 'f', [`(${a})`, `(${b})`])).toBe(`[${want.join(',')}]`);
      }),
      { numRuns: 40 },
    );
    expect(evalShown('x = 1 / 0\n', 'x')).toBe('E_DIV_ZERO');
  });
});

/** A random Int expression as TEL source with its value in a direct model (or the error it must end with). */
type Gen = { src: string; val: number | 'E_DIV_ZERO' };
const { intExpr } = fc.letrec<{ intExpr: Gen }>((tie) => ({
  intExpr: fc.oneof(
    { depthSize: 'small' },
    edgy.map((n): Gen => ({ src: `(${n})`, val: n })),
    fc.tuple(fc.constantFrom('+', '-', '*', '/', 'mod'), tie('intExpr'), tie('intExpr')).map(([op, a, b]): Gen => {
      const src = `(${a.src} ${op === 'mod' ? '`mod`' : op} ${b.src})`;
      if (a.val === 'E_DIV_ZERO') return { src, val: a.val };
      if (b.val === 'E_DIV_ZERO') return { src, val: b.val };
      const [x, y] = [BigInt(a.val), BigInt(b.val)];
      if ((op === '/' || op === 'mod') && y === 0n) return { src, val: 'E_DIV_ZERO' };
      const r = op === '+' ? x + y : op === '-' ? x - y : op === '*' ? x * y : op === '/' ? x / y : x % y;
      return { src, val: wrap(r) };
    }),
    fc.tuple(tie('intExpr'), tie('intExpr'), tie('intExpr'), tie('intExpr')).map(([a, b, t, e]): Gen => {
      const src = `(if ${a.src} < ${b.src} then ${t.src} else ${e.src})`;
      if (a.val === 'E_DIV_ZERO' || b.val === 'E_DIV_ZERO') return { src, val: 'E_DIV_ZERO' };
      return { src, val: a.val < b.val ? t.val : e.val };
    }),
    fc.tuple(tie('intExpr'), tie('intExpr')).map(([a, b]): Gen => ({
      src: `((\\v -> v - ${b.src}) ${a.src})`,
      val: a.val === 'E_DIV_ZERO' || b.val === 'E_DIV_ZERO' ? 'E_DIV_ZERO' : wrap(BigInt(a.val) - BigInt(b.val)),
    })),
    fc.tuple(tie('intExpr'), tie('intExpr')).map(([a, b]): Gen => ({
      src: `(let { w = ${a.src} } in case [w, ${b.src}] of { [p, q] -> p * q; _ -> 0 })`,
      val: a.val === 'E_DIV_ZERO' || b.val === 'E_DIV_ZERO' ? 'E_DIV_ZERO' : wrap(BigInt(a.val) * BigInt(b.val)),
    })),
  ),
}));

describe('the interpreter against a direct model', () => {
  it("random Int expressions evaluate to the model's value or error", () => {
    fc.assert(
      fc.property(intExpr, (g) => {
        expect(evalShown(`main :: Int\nmain = ${g.src}\n`)).toBe(String(g.val));
      }),
      { numRuns: 150 },
    );
  });
});

describe('Double semantics', () => {
  it('arithmetic is IEEE binary64 round-to-nearest-even, bit for bit', () => {
    fc.assert(
      fc.property(anyDouble, anyDouble, (a, b) => {
        const r = (op: keyof typeof BINARY): bigint => bits((apply(op, new Dbl(a), new Dbl(b)) as Dbl).v);
        expect(r('+')).toBe(bits(a + b));
        expect(r('*')).toBe(bits(a * b));
        expect(r('/')).toBe(bits(a / b));
        expect(r('-')).toBe(bits(a - b));
      }),
      { numRuns: 1000 },
    );
    // a known double-rounding case and a subnormal
    expect(bits((apply('+', new Dbl(0.1), new Dbl(0.2)) as Dbl).v)).toBe(0x3fd3333333333334n);
    expect(bits((apply('*', new Dbl(5e-324), new Dbl(0.5)) as Dbl).v)).toBe(0n);
  });

  it('show prints the shortest form that reads back to the same bits, and the lexer reads it', () => {
    fc.assert(
      fc.property(anyDouble, (x) => {
        const s = showDouble(x);
        if (Number.isNaN(x)) return expect(s).toBe('NaN');
        expect(bits(Number(s.replace(/^-?/, (m0) => m0)))).toBe(bits(x));
        if (Number.isFinite(x) && x > 0) {
          const t = lex(s, 't')[0]!;
          expect(t.kind).toBe('double');
          expect(bits(t.num)).toBe(bits(x));
        }
        const digits = s.replace(/^-/, '').replace(/e.*$/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
        if (Number.isFinite(x) && x !== 0) expect(digits.length).toBeLessThanOrEqual(17);
      }),
      { numRuns: 3000 },
    );
    expect([0.1, 1, 1e7, 1e-2, 123.456, -0, 1.5e300, 5e-324, 9999999].map(showDouble)).toEqual(['0.1', '1.0', '1.0e7', '1.0e-2', '123.456', '-0.0', '1.5e300', '5.0e-324', '9999999.0']);
  });

  it('the canonical encoding of a Double is its 8 bytes big-endian, every NaN as 7ff8000000000000', () => {
    fc.assert(
      fc.property(anyDouble, (x) => {
        const b = canonicalBytes(new Dbl(x));
        expect(b[0]).toBe(2);
        expect(b.readBigUInt64BE(1)).toBe(Number.isNaN(x) ? 0x7ff8000000000000n : bits(x));
      }),
    );
  });

  it('truncate converts as RISC-V fcvt.w.d (toward zero, saturating, NaN is maxInt)', () => {
    expect([2.9, -2.9, 1e10, -1e10, Number.NaN, -0].map(doubleToInt)).toEqual([2, -2, 2147483647, -2147483648, 2147483647, 0]);
  });
});

describe('Text', () => {
  it('order is byte-wise on UTF-8', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (a, b) => {
        expect(Math.sign(compareText(a, b))).toBe(Math.sign(Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))));
      }),
      { numRuns: 2000 },
    );
  });

  it('show quotes text so that the lexer reads it back', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const t = lex(showText(s), 't')[0]!;
        expect(t.kind).toBe('text');
        expect(t.text).toBe(s);
      }),
    );
  });

  it('show of structures is deterministic and iterative', () => {
    expect(showValue(new Dbl(2.5))).toBe('2.5');
    expect(evalShown('main = ([(1, "a")], (), [True], [[-1.5]])\n')).toBe('([(1,"a")],(),[True],[[-1.5]])');
    const n = 200_000;
    expect(evalShown(`main = textLength (show (range 1 ${n}))\n`)).toBe(String(`[${Array.from({ length: n }, (_, i) => i + 1).join(',')}]`.length));
  });
});

describe('edge cases of the reference (sections 5, 6, 8, 9) on the interpreter', () => {
  for (const c of EDGE_CASES) {
    it(c.name, () => {
      const r = run(c.source, 'main', [], { world: parseWorld(c.world) });
      expect(r.error ? { code: r.error.code, message: r.error.message } : { value: r.shown }).toEqual(c.expected);
      expect(r.clock).toBe(c.clock);
    });
  }

  it('a failed rollback leaves the world as it was before the attempt, logged as not rolled back', () => {
    const c = EDGE_CASES.find((e) => 'code' in e.expected && e.expected.code === 'E_ROLLBACK')!;
    const r = run(c.source, 'main', [], { world: parseWorld(c.world) });
    expect(r.balances).toEqual({ T: { x: { native: 50 }, y: { native: 0 } } });
    expect(r.effects.map((e) => [e.kind, e.time, e.rolledBack ?? false])).toEqual([
      ['transfer', 100, false],
      ['withdraw', 250, false],
    ]);
    const ok = EDGE_CASES.find((e) => e.name.startsWith('a rollback that can be done'))!;
    const s = run(ok.source, 'main', [], { world: parseWorld(ok.world) });
    expect(s.balances).toEqual({ T: { x: { native: 0 }, y: { native: 5 } } });
    expect(s.effects.map((e) => [e.kind, e.rolledBack ?? false])).toEqual([
      ['transfer', true],
      ['deposit', false],
      ['withdraw', false],
    ]);
  });

  it('a fact series must be strictly increasing in time; the start is on the clock (E_WORLD)', () => {
    expect(() =>
      parseWorld({
        facts: {
          T: {
            k: [
              [10, 1],
              [5, 2],
            ],
          },
        },
      }),
    ).toThrow(expect.objectContaining({ code: 'E_WORLD' }));
    expect(() =>
      parseWorld({
        facts: {
          T: {
            k: [
              [10, 1],
              [10, 2],
            ],
          },
        },
      }),
    ).toThrow(/strictly increasing/);
    expect(() => parseWorld({ start: -1 })).toThrow(expect.objectContaining({ code: 'E_WORLD' }));
    expect(
      parseWorld({
        facts: {
          T: {
            k: [
              [0, 1],
              [10, 2],
            ],
          },
        },
      }).facts,
    ).toEqual({
      T: {
        k: [
          [0, 1],
          [10, 2],
        ],
      },
    });
  });
});
