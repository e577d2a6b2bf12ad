// Result keys: the test vectors of docs/cache.md give exactly the documented
// bytes and keys; every part that decides a result changes the key, and what
// does not (argument layout, the order of allowed effects, a world's start
// in a pure run) leaves it alone.
import { describe, it, expect } from '@jest/globals';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { resultKey, backendIdentity, type ResultKeyInput } from '../../host/cache/key.js';
import { parsePolicy } from '../../host/execution/policy.js';
import { parseExpression } from '../../host/tel/parser.js';
import { printExpr } from '../../host/tel/printer.js';
import { canonicalBytes } from '../../host/tel/values.js';

const Vector = z.object({
  name: z.string(),
  definition: z.string(),
  args: z.array(z.union([z.object({ expr: z.string() }), z.object({ value: z.number().int() })])),
  effectful: z.object({ world: z.record(z.string(), z.unknown()), start: z.number().int() }).optional(),
  backend: z.enum(['interp', 'iss', 'sim', 'device']),
  identity: z.record(z.string(), z.string()),
  policy: z.record(z.string(), z.unknown()),
  bytes: z.string(),
  key: z.string(),
});

const doc = readFileSync(new URL('../../docs/cache.md', import.meta.url), 'utf8');
const vectors = (/```vectors\n([\s\S]*?)```/.exec(doc)?.[1] ?? '')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => Vector.parse(JSON.parse(l)));

const input = (v: z.infer<typeof Vector>): ResultKeyInput => ({
  definition: v.definition,
  args: v.args.map((a) => ('expr' in a ? a : { value: canonicalBytes(a.value) })),
  ...(v.effectful ? { effectful: v.effectful } : {}),
  backend: v.backend,
  identity: v.identity,
  policy: parsePolicy(v.policy),
});

const H = 'ab'.repeat(32);
const base: ResultKeyInput = { definition: H, args: [{ expr: '20' }], backend: 'interp', identity: {}, policy: parsePolicy({}) };
const key = (i: ResultKeyInput): string => resultKey(i).key;

describe('docs/cache.md test vectors', () => {
  it('has vectors', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(5);
  });
  it.each(vectors.map((v) => [v.name, v] as const))('%s', (_name, v) => {
    const k = resultKey(input(v));
    expect(Buffer.from(k.bytes).toString('hex')).toBe(v.bytes);
    expect(k.key).toBe(v.key);
  });
});

describe('result keys', () => {
  it('change with every part that decides the result', () => {
    const keys = [
      base,
      { ...base, definition: 'cd'.repeat(32) },
      { ...base, args: [{ expr: '21' }] },
      { ...base, args: [{ value: canonicalBytes(20) }] },
      { ...base, effectful: { world: {}, start: 0 } },
      { ...base, effectful: { world: {}, start: 1 } },
      { ...base, effectful: { world: { latency: { tl: 5 } }, start: 0 } },
      { ...base, backend: 'iss' as const },
      { ...base, identity: { compiler: 'x' } },
      { ...base, policy: parsePolicy({ budget: { steps: 10 } }) },
      { ...base, policy: parsePolicy({ effects: ['emit'] }) },
      { ...base, policy: parsePolicy({ deadline: 5 }) },
      { ...base, policy: parsePolicy({ invokeShare: 0.5 }) },
    ].map(key);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('do not change with what does not decide it', () => {
    expect(key({ ...base, policy: parsePolicy({ wallClockMs: 100 }) })).toBe(key(base));
    expect(key({ ...base, policy: parsePolicy({ effects: ['emit', 'now'] }) })).toBe(key({ ...base, policy: parsePolicy({ effects: ['now', 'emit', 'now'] }) }));
    expect(key({ ...base, effectful: { world: { balances: { a: { b: { c: 1 } } }, latency: { t: 2 } }, start: 3 } })).toBe(
      key({ ...base, effectful: { world: { latency: { t: 2 }, balances: { a: { b: { c: 1 } } }, start: 99 }, start: 3 } }),
    );
  });

  it('arguments are keyed by their printed form, whatever their layout', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 0, max: 3 }), (n, spaces) => {
        const pad = ' '.repeat(spaces);
        const a = printExpr(parseExpression(`${pad}(${pad}[${n},${pad}2])${pad}`, 'a'));
        const b = printExpr(parseExpression(`[${n}, 2]`, 'b'));
        expect(key({ ...base, args: [{ expr: a }] })).toBe(key({ ...base, args: [{ expr: b }] }));
      }),
    );
  });

  it('a co-processor identity names the compiler, runtime and firmware, and the RTL for sim', () => {
    expect(backendIdentity('interp')).toEqual({});
    expect(Object.keys(backendIdentity('iss')).sort()).toEqual(['compiler', 'firmware', 'runtime']);
    expect(Object.keys(backendIdentity('sim')).sort()).toEqual(['compiler', 'firmware', 'rtl', 'runtime']);
    expect(backendIdentity('sim').runtime).toMatch(/^[0-9a-f]{64}$/);
  });
});
