// StaticAllocator: a grant is carved from its parent, consumption is charged
// up the tree, release gives back what is unused, and errors carry the numbers.
import { describe, it, expect } from '@jest/globals';
import fc from 'fast-check';
import { StaticAllocator } from '../../host/resources/static-allocator.js';
import { ADDITIVE_KINDS, ZERO, add, type Amounts } from '../../host/resources/vector.js';
import type { ResourceGrant } from '../../host/resources/allocator.js';
import { CaxError } from '../../host/errors.js';
import { errorCode } from '../helpers/errors.js';

const CAP = { memoryBytes: 1000, computeSteps: 1000, ioOps: 100, effects: 100 };

describe('StaticAllocator', () => {
  it('carves a child grant from its parent and reserves it', () => {
    const a = new StaticAllocator(CAP);
    const root = a.allocate({ memoryBytes: 600, computeSteps: 500 });
    const child = a.subdivide(root, { memoryBytes: 200, computeSteps: 100 });
    expect(child.parentId).toBe(root.id);
    expect(a.checkUsage(root).available).toEqual({ memoryBytes: 400, computeSteps: 400, ioOps: 0, effects: 0 });
    expect(a.checkUsage(root).reserved).toEqual({ memoryBytes: 200, computeSteps: 100, ioOps: 0, effects: 0 });
    expect(a.checkUsage(a.capacity).available.memoryBytes).toBe(400);
  });

  it('charges consumption to the grant and shows it in every ancestor', () => {
    const a = new StaticAllocator(CAP);
    const root = a.allocate({ computeSteps: 500 });
    const mid = a.subdivide(root, { computeSteps: 300 });
    const leaf = a.subdivide(mid, { computeSteps: 100 });
    a.consume(leaf, { computeSteps: 40 });
    expect(a.checkUsage(leaf).consumed.computeSteps).toBe(40);
    expect(a.checkUsage(mid).consumed.computeSteps).toBe(40);
    expect(a.checkUsage(root).consumed.computeSteps).toBe(40);
    expect(a.checkUsage(leaf).available.computeSteps).toBe(60);
  });

  it('returns the unused part to the parent on release and keeps the used part charged', () => {
    const a = new StaticAllocator(CAP);
    const root = a.allocate({ effects: 50 });
    const child = a.subdivide(root, { effects: 30 });
    a.consume(child, { effects: 12 });
    const final = a.release(child);
    expect(final.released).toBe(true);
    expect(final.consumed.effects).toBe(12);
    expect(a.checkUsage(root).available.effects).toBe(38);
    expect(a.checkUsage(root).consumed.effects).toBe(12);
    expect(final.events.at(-1)).toMatchObject({ kind: 'release', amounts: { effects: 18 } });
  });

  it('releases a whole subtree, deepest first, each grant once', () => {
    const a = new StaticAllocator(CAP);
    const root = a.allocate({ ioOps: 10 });
    const c1 = a.subdivide(root, { ioOps: 5 });
    const c2 = a.subdivide(c1, { ioOps: 2 });
    a.release(root);
    expect(a.checkUsage(c2).released).toBe(true);
    expect(a.checkUsage(c1).released).toBe(true);
    expect(a.liveGrants()).toEqual([]);
    expect(errorCode(() => a.release(c2))).toBe('E_RESOURCE_RELEASED');
    expect(a.checkUsage(a.capacity).available).toEqual(CAP);
  });

  it('refuses a child larger than what is left, with the numbers', () => {
    const a = new StaticAllocator(CAP);
    const root = a.allocate({ memoryBytes: 100 });
    a.subdivide(root, { memoryBytes: 70 });
    try {
      a.subdivide(root, { memoryBytes: 31 });
      throw new Error('expected a failure');
    } catch (e) {
      expect(e).toBeInstanceOf(CaxError);
      expect((e as CaxError).code).toBe('E_RESOURCE_INSUFFICIENT');
      expect((e as CaxError).details).toEqual({ grantId: root.id, kind: 'memoryBytes', requested: 31, available: 30 });
    }
    expect(a.hasEnoughResources(root, { memoryBytes: 30 })).toBe(true);
    expect(a.hasEnoughResources(root, { memoryBytes: 31 })).toBe(false);
  });

  it('refuses over-consumption as E_BUDGET and changes nothing', () => {
    const a = new StaticAllocator(CAP);
    const g = a.allocate({ computeSteps: 10, effects: 1 });
    a.consume(g, { computeSteps: 9 });
    expect(errorCode(() => a.consume(g, { computeSteps: 2, effects: 1 }))).toBe('E_BUDGET');
    expect(a.checkUsage(g).consumed).toEqual({ ...ZERO, computeSteps: 9 });
  });

  it('rejects unknown grants and malformed amounts', () => {
    const a = new StaticAllocator(CAP);
    const ghost: ResourceGrant = { id: 'g999', parentId: undefined, label: 'x', limits: ZERO, deadline: undefined };
    expect(errorCode(() => a.checkUsage(ghost))).toBe('E_RESOURCE_UNKNOWN');
    expect(errorCode(() => a.allocate({ memoryBytes: -1 }))).toBe('E_RESOURCE_REQUEST');
    expect(errorCode(() => a.allocate({ memoryBytes: 1.5 }))).toBe('E_RESOURCE_REQUEST');
    const g = a.allocate({ memoryBytes: 5 });
    expect(errorCode(() => a.consume(g, { memoryBytes: -2 }))).toBe('E_RESOURCE_REQUEST');
    expect(errorCode(() => a.release(a.capacity))).toBe('E_RESOURCE_REQUEST');
    expect(a.hasEnoughResources(g, { memoryBytes: -1 })).toBe(false);
  });

  it('gives children at most the time their parent has left', () => {
    let clock = 1000;
    const a = new StaticAllocator(CAP, { now: () => clock });
    const root = a.allocate({ wallClockMs: 500 });
    expect(root.deadline).toBe(1500);
    clock = 1200;
    expect(a.hasEnoughResources(root, { wallClockMs: 300 })).toBe(true);
    expect(a.hasEnoughResources(root, { wallClockMs: 301 })).toBe(false);
    expect(errorCode(() => a.subdivide(root, { wallClockMs: 400 }))).toBe('E_RESOURCE_INSUFFICIENT');
    const child = a.subdivide(root, {});
    expect(child.deadline).toBe(1500);
    const short = a.subdivide(root, { wallClockMs: 100 });
    expect(short.deadline).toBe(1300);
  });

  it('records usage events with the clock and bounds their number', () => {
    let clock = 0;
    const a = new StaticAllocator(CAP, { now: () => clock, maxEventsPerGrant: 3 });
    const g = a.allocate({ computeSteps: 100 });
    for (clock = 2; clock < 7; clock++) a.consume(g, { computeSteps: 1 });
    const usage = a.checkUsage(g);
    expect(usage.events.map((e) => e.kind)).toEqual(['consume', 'consume', 'consume']);
    expect(usage.droppedEvents).toBe(3);
    expect(usage.events.map((e) => e.at)).toEqual([4, 5, 6]);
  });
});

// A random program of allocator operations, checked against a plain model.
// Amounts are fractions of what the target grant has left (sometimes more
// than all of it), so deep trees and refusals both happen often.
type Fractions = Readonly<Record<keyof Amounts, number>>;
type Op = { kind: 'allocate'; share: Fractions } | { kind: 'subdivide'; parent: number; share: Fractions } | { kind: 'consume'; grant: number; share: Fractions } | { kind: 'release'; grant: number };

const fraction = fc.oneof({ arbitrary: fc.constant(0), weight: 2 }, { arbitrary: fc.integer({ min: 1, max: 100 }).map((p) => p / 100), weight: 7 }, { arbitrary: fc.constant(1.25), weight: 1 });
const shareArb = fc.record({ memoryBytes: fraction, computeSteps: fraction, ioOps: fraction, effects: fraction });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('allocate' as const), share: shareArb }),
  fc.record({ kind: fc.constant('subdivide' as const), parent: fc.nat(), share: shareArb }),
  fc.record({ kind: fc.constant('subdivide' as const), parent: fc.nat(), share: shareArb }),
  fc.record({ kind: fc.constant('consume' as const), grant: fc.nat(), share: shareArb }),
  fc.record({ kind: fc.constant('consume' as const), grant: fc.nat(), share: shareArb }),
  fc.record({ kind: fc.constant('release' as const), grant: fc.nat() }),
);

function scaled(available: Amounts, share: Fractions): Amounts {
  const pick = (k: keyof Amounts): number => Math.floor(available[k] * share[k]);
  return { memoryBytes: pick('memoryBytes'), computeSteps: pick('computeSteps'), ioOps: pick('ioOps'), effects: pick('effects') };
}

describe('StaticAllocator laws', () => {
  it('conserves resources, never goes negative, never over-commits a parent', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 60 }), (ops) => {
        const a = new StaticAllocator(CAP);
        const grants: ResourceGrant[] = [];
        let consumedOk: Amounts = ZERO;
        for (const op of ops) {
          // Operations target live grants; `release` sometimes targets a released one, which must be refused.
          const live = grants.filter((g) => !a.checkUsage(g).released);
          const pick = (i: number): ResourceGrant | undefined => (live.length === 0 ? undefined : live[i % live.length]);
          try {
            if (op.kind === 'allocate') grants.push(a.allocate(scaled(a.checkUsage(a.capacity).available, op.share)));
            else if (op.kind === 'subdivide') {
              const p = pick(op.parent);
              if (p) grants.push(a.subdivide(p, scaled(a.checkUsage(p).available, op.share)));
            } else if (op.kind === 'consume') {
              const g = pick(op.grant);
              if (g) {
                const amounts = scaled(a.checkUsage(g).available, op.share);
                a.consume(g, amounts);
                consumedOk = add(consumedOk, amounts);
              }
            } else {
              const g = op.grant % 5 === 0 ? grants[op.grant % Math.max(1, grants.length)] : pick(op.grant);
              if (g) a.release(g);
            }
          } catch (e) {
            expect(e).toBeInstanceOf(CaxError);
            expect(['E_RESOURCE_INSUFFICIENT', 'E_BUDGET', 'E_RESOURCE_RELEASED']).toContain((e as CaxError).code);
          }
          // After every step: the tree's numbers add up.
          const cap = a.checkUsage(a.capacity);
          expect(cap.consumed).toEqual(consumedOk);
          for (const g of [a.capacity, ...grants]) {
            const u = a.checkUsage(g);
            if (u.released) continue;
            let children: Amounts = ZERO;
            for (const id of u.liveChildren) children = add(children, a.checkUsage({ ...g, id }).limits);
            expect(u.reserved).toEqual(children);
            for (const k of ADDITIVE_KINDS) {
              expect(u.available[k]).toBeGreaterThanOrEqual(0);
              expect(u.consumed[k]).toBeLessThanOrEqual(u.limits[k]);
              expect(u.limits[k] - u.available[k]).toBeGreaterThanOrEqual(u.reserved[k]);
            }
          }
        }
        // Releasing everything gives back all but what was consumed.
        for (const g of grants) if (!a.checkUsage(g).released) a.release(g);
        expect(a.liveGrants()).toEqual([]);
        for (const g of grants) expect(a.checkUsage(g).events.filter((e) => e.kind === 'release')).toHaveLength(1);
        const cap = a.checkUsage(a.capacity);
        for (const k of ADDITIVE_KINDS) expect(cap.available[k]).toBe(CAP[k] - consumedOk[k]);
      }),
      { numRuns: 300 },
    );
  });
});
