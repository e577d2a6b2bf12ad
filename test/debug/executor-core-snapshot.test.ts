// Executor snapshots of runs on the iss backend: a stored definition compiled
// and run on the ISS through the executor (contexts, sandbox, scheduler,
// trace), snapshotted before every effect with the context tree and the
// program's state on the core (registers, pc, instructions, written pages);
// restoring every snapshot in a fresh executor on a fresh ISS — also from a
// file in another process — reaches that state, checked, and continues to the
// same value, effect log, clock, balances, per-context usage, trace and cycles
// as the run that never stopped; one context subtree restores to the same
// close; a tampered core or a snapshot of another backend's run is refused.
import { describe, it, expect } from '@jest/globals';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { effectProgram } from '../../host/tel/generate.js';
import { parseWorld } from '../../host/tel/world.js';
import type { ExecutionResult } from '../../host/execution/executor.js';
import { runWithSnapshots } from '../../host/debug/snapshot.js';
import { decodeContextSnapshot, encodeContextSnapshot, restoreContextSnapshot, restoreSubtree, runWithContextSnapshots, type ContextRunSpec } from '../../host/debug/context-snapshot.js';
import { setup } from '../execution/helpers.js';
import { INVOKE_PROGRAM, INVOKE_WORLD, restoresInAnotherProcess } from './invoke-program.js';

/** A run's end, without whether its image came from the cache (the first run of a store compiles it). */
function outcome(r: ExecutionResult): unknown {
  const { cached: _cached, ...coprocessor } = r.coprocessor ?? { cached: false };
  return { value: r.value, error: r.error?.code ?? null, effects: r.effects, clock: r.clock, balances: r.balances, contexts: r.contexts, trace: r.trace.events, coprocessor };
}

describe('executor snapshots of runs on the iss backend', () => {
  it('hold the context tree and the core at every boundary, and restore on a fresh ISS to the same end', async () => {
    const s = setup(INVOKE_PROGRAM);
    try {
      const spec: ContextRunSpec = { hash: s.repo.lookupName('main')!, args: [], world: INVOKE_WORLD, backend: 'iss' };
      const { result, snapshots } = await runWithContextSnapshots(s.repo, spec);
      expect([result.value, result.coprocessor?.backend]).toEqual(['55', 'iss']);
      expect(snapshots.map((x) => [x.position.effects, x.state.contexts.open.map((c) => c.name)])).toEqual([
        [0, ['main', 'twice', 'charge']],
        [1, ['main', 'twice', 'charge']],
        [2, ['main', 'twice', 'charge']],
        [3, ['main', 'twice', 'charge']],
        [4, ['main']],
        [5, ['main']],
      ]);
      // the core ran on between boundaries; cycles are charged as the contexts' compute steps
      expect(snapshots[5]!.state.core!.instret).toBeGreaterThan(snapshots[0]!.state.core!.instret);
      expect(snapshots[0]!.state.core!.pages.length).toBeGreaterThan(0);
      expect(snapshots[3]!.state.steps).toBe(snapshots[3]!.state.sandbox.steps);
      for (const snap of snapshots) {
        const { bytes, id } = encodeContextSnapshot(snap);
        expect(outcome(await restoreContextSnapshot(s.repo, decodeContextSnapshot(bytes, id)))).toEqual(outcome(result));
      }
      const twice = snapshots[1]!.state.contexts.open[1]!.context;
      const r = await restoreSubtree(s.repo, snapshots[1]!, twice);
      expect(r.report).toEqual(result.contexts.find((c) => c.context === twice));
      expect(r.end).toMatchObject({ kind: 'return', value: '15' });
    } finally {
      s.dispose();
    }
  });

  it('random effect programs with invokes: on iss as on the reference interpreter, and every snapshot restores to the same end', async () => {
    await fc.assert(
      fc.asyncProperty(effectProgram, async ({ source, world }) => {
        const s = setup(source);
        try {
          const spec: ContextRunSpec = { hash: s.repo.lookupName('main')!, args: [], world: parseWorld(world), backend: 'iss' };
          const { result, snapshots } = await runWithContextSnapshots(s.repo, spec);
          const reference = runWithSnapshots({ file: 'main.tel', source, main: 'main', args: [], world: spec.world! }, () => false).result;
          expect([result.value, result.error?.code, result.effects, result.clock, result.balances]).toEqual([
            reference.shown,
            reference.error?.code,
            reference.effects,
            reference.clock,
            reference.balances,
          ]);
          expect(snapshots.length).toBe(result.effects.length);
          for (const snap of snapshots) {
            const { bytes, id } = encodeContextSnapshot(snap);
            expect(outcome(await restoreContextSnapshot(s.repo, decodeContextSnapshot(bytes, id)))).toEqual(outcome(result));
          }
        } finally {
          s.dispose();
        }
      }),
      { numRuns: 4 },
    );
  });
});

describe('bad executor snapshots of iss runs', () => {
  it('a tampered register or page, or a core taken away: E_SNAPSHOT', async () => {
    const s = setup(INVOKE_PROGRAM);
    try {
      const { snapshots } = await runWithContextSnapshots(s.repo, { hash: s.repo.lookupName('main')!, args: [], world: INVOKE_WORLD, backend: 'iss' }, (i) => i === 2);
      const snap = snapshots[0]!;
      const core = snap.state.core!;
      const registers = core.registers.map((v, i) => (i === 10 ? v + 1 : v));
      await expect(restoreContextSnapshot(s.repo, { ...snap, state: { ...snap.state, core: { ...core, registers } } })).rejects.toThrow(/core registers x10/);
      const [hash, page] = Object.entries(core.contents)[0]!;
      const flipped = page.slice();
      flipped[7] = flipped[7]! ^ 1;
      const tampered = encodeContextSnapshot({ ...snap, state: { ...snap.state, core: { ...core, contents: { ...core.contents, [hash]: flipped } } } });
      expect(() => decodeContextSnapshot(tampered.bytes)).toThrow(/do not hash/);
      // without its core the snapshot is restored on the interpreter, whose steps are not the core's cycles
      const { core: _core, ...interpreted } = snap.state;
      await expect(restoreContextSnapshot(s.repo, { ...snap, state: interpreted })).rejects.toMatchObject({ code: 'E_SNAPSHOT' });
    } finally {
      s.dispose();
    }
  });
});

describe('cax snapshot take REF --backend iss / restore', () => {
  it('an executor snapshot of an iss run written by one process restores in another, as `cax run --backend iss` prints', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cax-ctxcoresnap-'));
    try {
      restoresInAnotherProcess(dir, 'iss', 3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
