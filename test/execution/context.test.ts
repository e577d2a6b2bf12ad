// ExecutionContext: a tree of contexts over a tree of grants. Children get
// their grants subdivided from the parent's, share none of its state, and
// are destroyed with it, on error paths too.
import { describe, it, expect } from '@jest/globals';
import fc from 'fast-check';
import { ExecutionContext } from '../../host/execution/context.js';
import { StaticAllocator } from '../../host/resources/static-allocator.js';
import { CaxError } from '../../host/errors.js';

const CAP = { memoryBytes: 1 << 20, computeSteps: 1_000_000, ioOps: 1000, effects: 1000 };

describe('ExecutionContext', () => {
  it('subdivides its grant for a child and releases it on destroy', () => {
    const alloc = new StaticAllocator(CAP);
    const root = ExecutionContext.root(alloc, { computeSteps: 1000 });
    const child = root.createChild({ computeSteps: 300 }, 'worker');
    expect(child.parentId).toBe(root.id);
    expect(child.grant.parentId).toBe(root.grant.id);
    child.consume({ computeSteps: 100 });
    expect(root.usage().available.computeSteps).toBe(700);
    const final = child.destroy();
    expect(final.consumed.computeSteps).toBe(100);
    expect(root.usage().available.computeSteps).toBe(900);
    expect(child.isDestroyed).toBe(true);
    expect(child.destroy()).toBe(final);
  });

  it('copies variables into the child by value, so the parent state is out of reach', () => {
    const alloc = new StaticAllocator(CAP);
    const root = ExecutionContext.root(alloc, { memoryBytes: 100 });
    root.state.variables.set('balance', { amount: 10 });
    const child = root.createChild({}, 'c', root.state.variables);
    (child.state.variables.get('balance') as { amount: number }).amount = 99;
    child.state.callStack.push('f');
    child.state.trace.push({ kind: 'note', data: {} });
    expect(root.state.variables.get('balance')).toEqual({ amount: 10 });
    expect(root.state.callStack).toEqual([]);
    expect(root.state.trace).toEqual([]);
    expect(Object.keys(child)).not.toContain('parent');
  });

  it('destroys a whole subtree with its root', () => {
    const alloc = new StaticAllocator(CAP);
    const root = ExecutionContext.root(alloc, { effects: 10 });
    const a = root.createChild({ effects: 5 });
    const b = a.createChild({ effects: 2 });
    root.destroy();
    expect(a.isDestroyed && b.isDestroyed).toBe(true);
    expect(alloc.liveGrants()).toEqual([]);
    expect(() => b.consume({ effects: 1 })).toThrow(CaxError);
  });

  it('destroys the child when the body throws', async () => {
    const alloc = new StaticAllocator(CAP);
    const root = ExecutionContext.root(alloc, { ioOps: 10 });
    let inner: ExecutionContext | undefined;
    await expect(
      root.withChild({ ioOps: 4 }, 'failing', (child) => {
        inner = child;
        child.consume({ ioOps: 3 });
        throw new CaxError('E_FAIL', 'boom');
      }),
    ).rejects.toMatchObject({ code: 'E_FAIL' });
    expect(inner?.isDestroyed).toBe(true);
    expect(root.usage().available.ioOps).toBe(7);
    expect(root.usage().liveChildren).toEqual([]);
  });

  it('cannot create children of a destroyed context', () => {
    const alloc = new StaticAllocator(CAP);
    const root = ExecutionContext.root(alloc, {});
    root.destroy();
    try {
      root.createChild({});
      throw new Error('expected failure');
    } catch (e) {
      expect((e as CaxError).code).toBe('E_CONTEXT_DESTROYED');
    }
  });
});

describe('ExecutionContext laws under interleaved async work', () => {
  it('conserves resources and releases every grant exactly once', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), fc.array(fc.record({ ask: fc.nat(200), use: fc.nat(250), depth: fc.nat(3), fail: fc.boolean() }), { minLength: 1, maxLength: 12 }), async (s, tasks) => {
        const alloc = new StaticAllocator(CAP);
        const root = ExecutionContext.root(alloc, { computeSteps: 1000 });
        let consumed = 0;
        // Each task: open a chain of nested contexts, consume at the bottom, maybe fail.
        const run = async (ctx: ExecutionContext, t: (typeof tasks)[number], depth: number): Promise<void> => {
          await s.schedule(Promise.resolve());
          if (depth === 0) {
            ctx.consume({ computeSteps: t.use });
            consumed += t.use;
            if (t.fail) throw new CaxError('E_FAIL', 'task failed');
            return;
          }
          await ctx.withChild({ computeSteps: t.ask }, `d${depth}`, (child) => run(child, t, depth - 1));
        };
        const results = await s.waitFor(Promise.allSettled(tasks.map((t) => s.schedule(Promise.resolve()).then(() => run(root, t, t.depth + 1)))));
        for (const r of results) {
          if (r.status === 'rejected') expect(['E_FAIL', 'E_BUDGET', 'E_RESOURCE_INSUFFICIENT']).toContain((r.reason as CaxError).code);
        }
        const u = root.usage();
        expect(u.liveChildren).toEqual([]);
        expect(u.consumed.computeSteps).toBe(consumed);
        expect(u.available.computeSteps).toBe(1000 - consumed);
        root.destroy();
        expect(alloc.liveGrants()).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });
});
