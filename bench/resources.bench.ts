// Resource model throughput: allocate+release pairs, and consumption charged
// through a 10-level tree of execution contexts. The reference is the same
// bookkeeping done on plain JS numbers (no grants, no checks), so the ratio
// is the price of exact accounting.
import type { BenchSuite } from './harness.js';
import { StaticAllocator } from '../host/resources/static-allocator.js';
import { ExecutionContext } from '../host/execution/context.js';

const PAIRS = 200_000;
const CONSUMES = 200_000;
const DEPTH = 10;

function perSecond(n: number, body: () => void): number {
  const start = process.hrtime.bigint();
  body();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return n / seconds;
}

export const suite: BenchSuite = {
  title: 'Resources',
  cases: [
    {
      name: 'allocate + release pairs',
      unit: 'pairs/s',
      higherIsBetter: true,
      sample: async () => {
        const alloc = new StaticAllocator({ memoryBytes: 1 << 30, computeSteps: 1 << 30 }, { maxEventsPerGrant: 16 });
        const parent = alloc.allocate({ memoryBytes: 1 << 20, computeSteps: 1 << 20 });
        return perSecond(PAIRS, () => {
          for (let i = 0; i < PAIRS; i++) alloc.release(alloc.subdivide(parent, { memoryBytes: 64, computeSteps: 10 }));
        });
      },
      reference: {
        name: 'plain JS counters',
        sample: async () => {
          const live = new Map<number, number>();
          let free = 1 << 20;
          const rate = perSecond(PAIRS, () => {
            for (let i = 0; i < PAIRS; i++) {
              free -= 64;
              live.set(i, 64);
              free += live.get(i) ?? 0;
              live.delete(i);
            }
          });
          if (free !== 1 << 20) throw new Error('reference bookkeeping drifted');
          return rate;
        },
      },
    },
    {
      name: `consume through a ${DEPTH}-level context tree`,
      unit: 'consumes/s',
      higherIsBetter: true,
      sample: async () => {
        const alloc = new StaticAllocator({ computeSteps: 1e12 }, { maxEventsPerGrant: 16 });
        let ctx = ExecutionContext.root(alloc, { computeSteps: 1e12 });
        const root = ctx;
        for (let d = 1; d < DEPTH; d++) ctx = ctx.createChild({ computeSteps: 1e12 - d }, `level${d}`);
        const leaf = ctx;
        const rate = perSecond(CONSUMES, () => {
          for (let i = 0; i < CONSUMES; i++) leaf.consume({ computeSteps: 1 });
        });
        root.destroy();
        return rate;
      },
      reference: {
        name: 'plain JS counter',
        sample: async () => {
          const used = new Array<number>(DEPTH).fill(0);
          return perSecond(CONSUMES, () => {
            for (let i = 0; i < CONSUMES; i++) used[DEPTH - 1]! += 1;
          });
        },
      },
    },
  ],
};
