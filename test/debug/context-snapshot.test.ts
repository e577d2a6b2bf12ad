// Snapshots of executor runs with their context tree: on random effect
// programs (with nested invokes), restoring every boundary's snapshot in a
// fresh executor continues to the same value, effect log, clock, balances and
// per-context usage; restoring one context subtree gives that context's usage,
// end and trace events of the uninterrupted run; restoring the world only
// swaps the balances; bad snapshots are refused.
import { describe, it, expect } from '@jest/globals';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { effectProgram } from '../../host/tel/generate.js';
import { parseWorld } from '../../host/tel/world.js';
import type { ExecutionResult } from '../../host/execution/executor.js';
import { decodeContextSnapshot, encodeContextSnapshot, restoreContextSnapshot, restoreSubtree, runWithContextSnapshots, subtreeOf, type ContextRunSpec } from '../../host/debug/context-snapshot.js';
import { parsePolicy } from '../../host/execution/policy.js';
import { flipped } from '../helpers/bytes.js';
import { setup } from '../execution/helpers.js';
import { cliOnStore, INVOKE_PROGRAM, INVOKE_WORLD } from './invoke-program.js';

function outcome(r: ExecutionResult): unknown {
  return { value: r.value, error: r.error?.code ?? null, effects: r.effects, clock: r.clock, balances: r.balances, contexts: r.contexts, trace: r.trace.events };
}

describe('context-tree snapshots of executor runs', () => {
  it('hold the open contexts with their grants and usage, and restore from every boundary to the same end', async () => {
    const s = setup(INVOKE_PROGRAM);
    try {
      const spec: ContextRunSpec = { hash: s.repo.lookupName('main')!, args: [], world: INVOKE_WORLD };
      const { result, snapshots } = await runWithContextSnapshots(s.repo, spec);
      expect(result.value).toBe('55');
      expect(snapshots.map((x) => [x.position.effects, x.state.contexts.open.map((c) => c.name), x.state.contexts.closed.map((c) => c.name)])).toEqual([
        [0, ['main', 'twice', 'charge'], []],
        [1, ['main', 'twice', 'charge'], []],
        [2, ['main', 'twice', 'charge'], ['charge']],
        [3, ['main', 'twice', 'charge'], ['charge']],
        [4, ['main'], ['charge', 'charge', 'twice']],
        [5, ['main'], ['charge', 'charge', 'twice']],
      ]);
      // usage at the boundary: the second charge has made one effect (its emit) before its deposit
      expect(snapshots[3]!.state.contexts.open[2]!.consumed).toMatchObject({ effects: 1, ioOps: 1 });
      expect(snapshots[3]!.state.balances).toEqual({ tl: { acc: { native: 2 } } });
      for (const snap of snapshots) {
        const { bytes, id } = encodeContextSnapshot(snap);
        expect(outcome(await restoreContextSnapshot(s.repo, decodeContextSnapshot(bytes, id)))).toEqual(outcome(result));
      }
    } finally {
      s.dispose();
    }
  });

  it('restores one context subtree: run on until it closes, the rest kept', async () => {
    const s = setup(INVOKE_PROGRAM);
    try {
      const { result, snapshots } = await runWithContextSnapshots(s.repo, { hash: s.repo.lookupName('main')!, args: [], world: INVOKE_WORLD });
      const snap = snapshots[1]!;
      const twice = snap.state.contexts.open[1]!.context;
      const r = await restoreSubtree(s.repo, snap, twice);
      expect(r.report).toEqual(result.contexts.find((c) => c.context === twice));
      expect(r.end).toMatchObject({ kind: 'return', value: '15' });
      expect(r.events.filter((e) => e.kind === 'effect').map((e) => e.kind === 'effect' && e.effect)).toEqual(['emit', 'deposit', 'emit', 'deposit']);
      expect(r.clock).toBe(20);
      expect(r.kept.open.map((c) => c.name)).toEqual(['main']);
      await expect(restoreSubtree(s.repo, snapshots[4]!, twice)).rejects.toMatchObject({ code: 'E_SNAPSHOT' });
    } finally {
      s.dispose();
    }
  });

  it('restores the world only: other balances from the boundary on', async () => {
    const s = setup(INVOKE_PROGRAM);
    try {
      const { snapshots } = await runWithContextSnapshots(s.repo, { hash: s.repo.lookupName('main')!, args: [], world: INVOKE_WORLD });
      expect((await restoreContextSnapshot(s.repo, snapshots[4]!)).error).toBeNull();
      const poorer = await restoreContextSnapshot(s.repo, snapshots[4]!, { balances: { tl: { acc: { native: 0 } } } });
      expect(poorer.error?.code).toBe('E_BALANCE');
      expect(poorer.balances).toEqual({ tl: { acc: { native: 0 } } });
    } finally {
      s.dispose();
    }
  });

  it('random effect programs with invokes: every snapshot restores to the same end, every open subtree to the same close', async () => {
    await fc.assert(
      fc.asyncProperty(effectProgram, fc.boolean(), async ({ source, world }, tight) => {
        const s = setup(source);
        try {
          // a tight effect budget makes some runs end in a denial
          const spec: ContextRunSpec = {
            hash: s.repo.lookupName('main')!,
            args: [],
            world: parseWorld(world),
            ...(tight ? { policy: parsePolicy({ budget: { effects: 3 }, invokeShare: 0.5 }) } : {}),
          };
          const { result, snapshots } = await runWithContextSnapshots(s.repo, spec);
          expect(snapshots.length).toBe(result.effects.length);
          for (const snap of snapshots) {
            const { bytes, id } = encodeContextSnapshot(snap);
            const decoded = decodeContextSnapshot(bytes, id);
            expect(outcome(await restoreContextSnapshot(s.repo, decoded))).toEqual(outcome(result));
            const innermost = decoded.state.contexts.open.at(-1);
            if (innermost) {
              const r = await restoreSubtree(s.repo, decoded, innermost.context);
              const inside = subtreeOf(result.trace.events, innermost.context);
              expect(r.report).toEqual(result.contexts.find((c) => c.context === innermost.context));
              expect(r.events).toEqual(result.trace.events.filter((e) => inside.has(e.context) && e.seq <= r.end.seq));
            }
          }
        } finally {
          s.dispose();
        }
      }),
      { numRuns: 20 },
    );
  });
});

describe('bad context snapshots', () => {
  it('truncated, tampered, foreign or of code not in the store: E_SNAPSHOT', async () => {
    const s = setup(INVOKE_PROGRAM);
    try {
      const { snapshots } = await runWithContextSnapshots(s.repo, { hash: s.repo.lookupName('main')!, args: [], world: INVOKE_WORLD }, (i) => i === 3);
      const snap = snapshots[0]!;
      const { bytes, id } = encodeContextSnapshot(snap);
      for (const cut of [0, 10, bytes.length - 1]) expect(() => decodeContextSnapshot(bytes.slice(0, cut))).toThrow(expect.objectContaining({ code: 'E_SNAPSHOT' }));
      expect(() => decodeContextSnapshot(flipped(bytes, -1), id)).toThrow(/hash to/);
      const open = snap.state.contexts.open;
      const tampered = { ...snap, state: { ...snap.state, contexts: { ...snap.state.contexts, open: [{ ...open[0]!, limits: { ...open[0]!.limits, effects: 1 } }, ...open.slice(1)] } } };
      await expect(restoreContextSnapshot(s.repo, tampered)).rejects.toThrow(/open contexts/);
      await expect(restoreContextSnapshot(s.repo, { ...snap, state: { ...snap.state, worldCalls: snap.state.worldCalls.slice(1) } })).rejects.toMatchObject({ code: 'E_SNAPSHOT' });
      await expect(restoreContextSnapshot(s.repo, { ...snap, entry: { ...snap.entry, hash: 'ab'.repeat(32) } })).rejects.toThrow(/not in this store/);
      await expect(restoreSubtree(s.repo, snap, 'ctx-nope')).rejects.toThrow(/not open/);
    } finally {
      s.dispose();
    }
  });
});

describe('cax snapshot take REF / restore', () => {
  it('an executor snapshot written by one process restores in another: the whole run, one subtree', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cax-ctxsnap-'));
    try {
      const cax = cliOnStore(dir);
      const whole = cax('run', 'main', '--world', 'w.json', '--memo', 'off');
      expect(whole.status).toBe(0);
      const took = cax('snapshot', 'take', 'main', '--world', 'w.json', '--at', '3', '--out', 's.snap');
      expect(took.status).toBe(0);
      const { id } = JSON.parse(took.stdout) as { id: string };
      const restored = cax('snapshot', 'restore', 's.snap', '--id', id);
      expect(restored.status).toBe(0);
      expect(JSON.parse(restored.stdout)).toEqual(JSON.parse(whole.stdout));
      const contexts = (JSON.parse(whole.stdout) as { contexts: { context: string; name: string | null }[] }).contexts;
      const second = contexts.filter((c) => c.name === 'charge')[1]!;
      const subtree = cax('snapshot', 'restore', 's.snap', '--context', second.context);
      expect(subtree.status).toBe(0);
      expect(JSON.parse(subtree.stdout)).toMatchObject({ report: second, end: { kind: 'return', value: '9' }, clock: 20 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
