// GrowingAllocator: a child grant grows on demand from its parent (up the
// tree) when it consumes or carves past its limits; roots never grow, the
// StaticAllocator invariants hold after every operation, and concurrent
// children share what their parent has left first come, first served.
import { describe, it, expect } from '@jest/globals';
import fc from 'fast-check';
import { GrowingAllocator } from '../../host/resources/growing-allocator.js';
import { ADDITIVE_KINDS, ZERO, add, type Amounts } from '../../host/resources/vector.js';
import type { ResourceGrant } from '../../host/resources/allocator.js';
import { CaxError } from '../../host/errors.js';

const CAP = { memoryBytes: 1000, computeSteps: 1000, ioOps: 100, effects: 100 };

describe('GrowingAllocator', () => {
  it('grows an empty child, and its parents, by exactly what it consumes', () => {
    const a = new GrowingAllocator(CAP, { now: () => 7 });
    const root = a.allocate({ computeSteps: 500 });
    const mid = a.subdivide(root, {});
    const leaf = a.subdivide(mid, {});
    expect(a.checkUsage(leaf).available.computeSteps).toBe(500);
    a.consume(leaf, { computeSteps: 120 });
    expect(a.checkUsage(leaf).limits.computeSteps).toBe(120);
    expect(a.checkUsage(mid).limits.computeSteps).toBe(120);
    expect(a.checkUsage(mid).reserved.computeSteps).toBe(120);
    expect(a.checkUsage(root)).toMatchObject({ limits: { computeSteps: 500 }, consumed: { computeSteps: 120 }, available: { computeSteps: 380 } });
    expect(a.checkUsage(leaf).events.map((e) => [e.kind, e.amounts.computeSteps, e.at])).toEqual([
      ['subdivide', 0, 7],
      ['grow', 120, 7],
      ['consume', 120, 7],
    ]);
    expect(a.hasEnoughResources(leaf, { computeSteps: 380 })).toBe(true);
    expect(a.hasEnoughResources(leaf, { computeSteps: 381 })).toBe(false);
  });

  it('lets two concurrent children share what their parent has left', () => {
    const a = new GrowingAllocator(CAP);
    const root = a.allocate({ effects: 10 });
    const left = a.subdivide(root, {});
    const right = a.subdivide(root, {});
    a.consume(left, { effects: 4 });
    a.consume(right, { effects: 5 });
    a.consume(left, { effects: 1 });
    expect(() => a.consume(right, { effects: 1 })).toThrow(expect.objectContaining({ code: 'E_BUDGET' }));
    expect(() => a.subdivide(right, { effects: 1 })).toThrow(expect.objectContaining({ code: 'E_RESOURCE_INSUFFICIENT' }));
    // the refusals changed nothing
    expect([a.checkUsage(left).limits.effects, a.checkUsage(right).limits.effects, a.checkUsage(root).available.effects]).toEqual([5, 5, 0]);
    a.release(left);
    expect(a.checkUsage(root)).toMatchObject({ consumed: { effects: 10 }, available: { effects: 0 } });
  });

  it('never grows a root grant past what it was given', () => {
    const a = new GrowingAllocator(CAP);
    const root = a.allocate({ ioOps: 3 });
    expect(() => a.consume(root, { ioOps: 4 })).toThrow(CaxError);
    expect(a.checkUsage(root).limits.ioOps).toBe(3);
  });
});

const opArb = fc.oneof(
  fc.record({ kind: fc.constant('allocate' as const), amount: fc.nat({ max: 400 }) }),
  fc.record({ kind: fc.constant('subdivide' as const), parent: fc.nat(), amount: fc.nat({ max: 50 }) }),
  fc.record({ kind: fc.constant('consume' as const), grant: fc.nat(), amount: fc.nat({ max: 300 }) }),
  fc.record({ kind: fc.constant('release' as const), grant: fc.nat() }),
);
const each = (n: number): Amounts => ({ memoryBytes: n, computeSteps: n, ioOps: Math.floor(n / 10), effects: Math.floor(n / 10) });

describe('GrowingAllocator laws', () => {
  it('conserves resources, never goes negative, never over-commits a parent, roots never grow', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 60 }), (ops) => {
        const a = new GrowingAllocator(CAP);
        const grants: ResourceGrant[] = [];
        const rootLimits = new Map<string, Amounts>();
        let consumedOk: Amounts = ZERO;
        for (const op of ops) {
          const live = grants.filter((g) => !a.checkUsage(g).released);
          const pick = (i: number): ResourceGrant | undefined => (live.length === 0 ? undefined : live[i % live.length]);
          try {
            if (op.kind === 'allocate') {
              const g = a.allocate(each(op.amount));
              grants.push(g);
              rootLimits.set(g.id, each(op.amount));
            } else if (op.kind === 'subdivide') {
              const p = pick(op.parent);
              if (p) grants.push(a.subdivide(p, each(op.amount)));
            } else if (op.kind === 'consume') {
              const g = pick(op.grant);
              if (g) {
                a.consume(g, each(op.amount));
                consumedOk = add(consumedOk, each(op.amount));
              }
            } else {
              const g = pick(op.grant);
              if (g) a.release(g);
            }
          } catch (e) {
            expect(e).toBeInstanceOf(CaxError);
            expect(['E_RESOURCE_INSUFFICIENT', 'E_BUDGET']).toContain((e as CaxError).code);
          }
          expect(a.checkUsage(a.capacity).consumed).toEqual(consumedOk);
          for (const g of grants) {
            const u = a.checkUsage(g);
            if (u.released) continue;
            let children: Amounts = ZERO;
            for (const id of u.liveChildren) children = add(children, a.checkUsage({ ...g, id }).limits);
            expect(u.reserved).toEqual(children);
            if (rootLimits.has(g.id)) expect(u.limits).toEqual(rootLimits.get(g.id));
            for (const k of ADDITIVE_KINDS) {
              expect(u.available[k]).toBeGreaterThanOrEqual(0);
              expect(u.consumed[k]).toBeLessThanOrEqual(u.limits[k]);
            }
          }
        }
        for (const g of grants) if (!a.checkUsage(g).released) a.release(g);
        const cap = a.checkUsage(a.capacity);
        for (const k of ADDITIVE_KINDS) expect(cap.available[k]).toBe(CAP[k] - consumedOk[k]);
      }),
      { numRuns: 300 },
    );
  });
});
