// Executor snapshots of co-processor runs over the serial protocol
// (host/debug/link-snapshot.ts): the program's memory read with READ at the
// boundary and the host's requests to the core so far; a restore answers
// those requests from the snapshot (the core does not run them again), writes
// the pages back into a fresh device and goes on live to the same value,
// effect log, clock, balances, per-context usage, trace, cycles, instructions
// and heap as the run that never stopped. On the ISS behind its UART (random
// programs, fast), against the ISS followed instruction by instruction (the
// pages the program wrote are the snapshot's, byte for byte), and on the
// Verilator simulation (the same pages and requests as on the ISS; restored
// in this process and through files in other processes; and as a device
// behind a serial port, restored on the device that ran on to the end). Bad snapshots:
// another image, a tampered page or request, a truncated file.
import { describe, it, expect } from '@jest/globals';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { effectProgram } from '../../host/tel/generate.js';
import { parseWorld } from '../../host/tel/world.js';
import type { ExecutionResult } from '../../host/execution/executor.js';
import {
  decodeContextSnapshot,
  encodeContextSnapshot,
  restoreContextSnapshot,
  restoreSubtree,
  runWithContextSnapshots,
  type ContextRunSpec,
  type ContextSnapshot,
} from '../../host/debug/context-snapshot.js';
import { compileStored } from '../../host/coprocessor/stored.js';
import { imagePage } from '../../host/debug/link-snapshot.js';
import { sha256 } from '../../host/debug/snapshot.js';
import { artefactPath } from '../../host/artefacts.js';
import { startSimPty } from '../../host/sim/pty.js';
import { setup } from '../execution/helpers.js';
import { INVOKE_PROGRAM, INVOKE_WORLD, restoresInAnotherProcess } from './invoke-program.js';

/** A run's end, without whether its image came from the cache (the first run of a store compiles it). */
function outcome(r: ExecutionResult): unknown {
  const { cached: _cached, ...coprocessor } = r.coprocessor ?? { cached: false };
  return { value: r.value, error: r.error?.code ?? null, effects: r.effects, clock: r.clock, balances: r.balances, contexts: r.contexts, trace: r.trace.events, coprocessor };
}

/** Encoded, decoded (checked) and restored. */
async function restored(repo: Parameters<typeof restoreContextSnapshot>[0], snap: ContextSnapshot): Promise<ExecutionResult> {
  const { bytes, id } = encodeContextSnapshot(snap);
  return restoreContextSnapshot(repo, decodeContextSnapshot(bytes, id));
}

describe('executor snapshots over the serial protocol, on the ISS behind its UART', () => {
  it('hold the memory and the requests at every boundary, and restore on a fresh ISS to the same end without running the core again', async () => {
    const s = setup(INVOKE_PROGRAM);
    try {
      const spec: ContextRunSpec = { hash: s.repo.lookupName('main')!, args: [], world: INVOKE_WORLD, backend: 'iss', link: true };
      const { result, snapshots } = await runWithContextSnapshots(s.repo, spec);
      expect([result.value, result.coprocessor?.backend]).toEqual(['55', 'iss']);
      expect(snapshots.map((x) => x.position.effects)).toEqual([0, 1, 2, 3, 4, 5]);
      for (const snap of snapshots) {
        const link = snap.state.link!;
        // the cycles so far are the recorded runs' cycles: the steps the contexts were charged
        const runs = link.calls.flatMap((c) => (c.op === 'run' ? [c.result] : []));
        expect(runs.reduce((n, r) => n + r.cycles, 0)).toBe(snap.state.steps);
        expect(link.pages.length).toBeGreaterThan(0);
        expect(outcome(await restored(s.repo, snap))).toEqual(outcome(result));
      }
      // the core ran on between the boundaries: more requests
      expect(snapshots[5]!.state.link!.calls.length).toBeGreaterThan(snapshots[0]!.state.link!.calls.length);
      // one context subtree, restored from the pages, closes as in the run that never stopped
      const twice = snapshots[1]!.state.contexts.open[1]!.context;
      const r = await restoreSubtree(s.repo, snapshots[1]!, twice);
      expect(r.report).toEqual(result.contexts.find((c) => c.context === twice));
      expect(r.end).toMatchObject({ kind: 'return', value: '15' });
    } finally {
      s.dispose();
    }
  });

  it('agree with the ISS followed instruction by instruction: every page the program wrote is in the snapshot, with the same bytes', async () => {
    const s = setup(INVOKE_PROGRAM);
    try {
      const spec: ContextRunSpec = { hash: s.repo.lookupName('main')!, args: [], world: INVOKE_WORLD, backend: 'iss' };
      const traced = await runWithContextSnapshots(s.repo, spec);
      const { image } = compileStored(s.repo, spec.hash, []);
      const linked = await runWithContextSnapshots(s.repo, { ...spec, link: true });
      expect(outcome(linked.result)).toEqual(outcome(traced.result));
      expect(linked.snapshots.length).toBe(traced.snapshots.length);
      traced.snapshots.forEach((t, i) => {
        const l = linked.snapshots[i]!;
        const { core, ...tracedState } = t.state;
        const { link, ...linkedState } = l.state;
        // the same boundary: clock, usage, log, contexts, sandbox, trace
        expect(linkedState).toEqual(tracedState);
        // (a page of the image that holds the image's bytes is left out of the snapshot)
        const pages = new Map(link!.pages.map((p) => [p.address, p.sha256]));
        for (const p of core!.pages) expect([p.address, pages.get(p.address) ?? sha256(imagePage(image, p.address))]).toEqual([p.address, p.sha256]);
        // each RESULT counts the program's instructions and the firmware's jump into it; a0 and a1 are the registers after the program's last `ret`
        const runs = link!.calls.flatMap((c) => (c.op === 'run' ? [c.result] : []));
        expect(runs.reduce((n, r) => n + r.instret, 0)).toBe(core!.instret + runs.length);
        expect([runs.at(-1)!.a0, runs.at(-1)!.a1]).toEqual([core!.registers[10], core!.registers[11]]);
      });
    } finally {
      s.dispose();
    }
  });

  it('random effect programs with invokes: every snapshot restores to the same end', async () => {
    await fc.assert(
      fc.asyncProperty(effectProgram, async ({ source, world }) => {
        const s = setup(source);
        try {
          const spec: ContextRunSpec = { hash: s.repo.lookupName('main')!, args: [], world: parseWorld(world), backend: 'iss', link: true };
          const { result, snapshots } = await runWithContextSnapshots(s.repo, spec);
          expect(snapshots.length).toBe(result.effects.length);
          for (const snap of snapshots) expect(outcome(await restored(s.repo, snap))).toEqual(outcome(result));
        } finally {
          s.dispose();
        }
      }),
      { numRuns: 4 },
    );
  });
});

describe('bad snapshots over the serial protocol', () => {
  it('another image, a tampered page or request, a truncated file: E_SNAPSHOT', async () => {
    const s = setup(INVOKE_PROGRAM);
    try {
      const spec: ContextRunSpec = { hash: s.repo.lookupName('main')!, args: [], world: INVOKE_WORLD, backend: 'iss', link: true };
      const snap = (await runWithContextSnapshots(s.repo, spec, (i) => i === 3)).snapshots[0]!;
      const link = snap.state.link!;
      const other = { ...snap, state: { ...snap.state, link: { ...link, image: 'ab'.repeat(32) } } };
      await expect(restoreContextSnapshot(s.repo, other)).rejects.toThrow(/the snapshot is of image abababababab/);
      // a page's bytes that do not hash to its name
      const [hash, page] = Object.entries(link.contents)[0]!;
      const flipped = page.slice();
      flipped[9] = flipped[9]! ^ 1;
      const tampered = encodeContextSnapshot({ ...snap, state: { ...snap.state, link: { ...link, contents: { ...link.contents, [hash]: flipped } } } });
      expect(() => decodeContextSnapshot(tampered.bytes)).toThrow(/do not hash/);
      // a run's answer changed: the replay reads elsewhere, or reaches the boundary with other cycles
      const at = link.calls.findIndex((c) => c.op === 'run');
      const calls = link.calls.map((c, i) => (i === at && c.op === 'run' ? { ...c, result: { ...c.result, cycles: c.result.cycles + 1 } } : c));
      await expect(restoreContextSnapshot(s.repo, { ...snap, state: { ...snap.state, link: { ...link, calls } } })).rejects.toMatchObject({ code: 'E_SNAPSHOT', message: /steps/ });
      // a request the replay makes otherwise: named with its index
      const read = link.calls.findIndex((c) => c.op === 'read');
      const moved = link.calls.map((c, i) => (i === read && c.op === 'read' ? { ...c, addr: c.addr + 8 } : c));
      await expect(restoreContextSnapshot(s.repo, { ...snap, state: { ...snap.state, link: { ...link, calls: moved } } })).rejects.toMatchObject({
        code: 'E_SNAPSHOT',
        message: new RegExp(`request ${read} to the core \\(read`),
      });
      // a request the replay does not make
      const extra = { ...snap, state: { ...snap.state, link: { ...link, calls: [...link.calls, link.calls[0]!] } } };
      await expect(restoreContextSnapshot(s.repo, extra)).rejects.toThrow(/requests to the core before the boundary/);
      const { bytes } = encodeContextSnapshot(snap);
      expect(() => decodeContextSnapshot(bytes.subarray(0, bytes.length - 100))).toThrow(/truncated or corrupt/);
    } finally {
      s.dispose();
    }
  });
});

describe('executor snapshots on the Verilator simulation', () => {
  it('hold the same memory and requests as on the ISS, and restore on a fresh simulation to the run that never stopped', async () => {
    const s = setup(INVOKE_PROGRAM);
    try {
      const spec: ContextRunSpec = { hash: s.repo.lookupName('main')!, args: [], world: INVOKE_WORLD, backend: 'sim' };
      const sim = await runWithContextSnapshots(s.repo, spec, (i) => i === 3);
      const iss = await runWithContextSnapshots(s.repo, { ...spec, backend: 'iss', link: true }, (i) => i === 3);
      expect(sim.result.coprocessor?.backend).toBe('sim');
      // the RTL counts the ISS's cycles and instructions: the whole state agrees, but for the backend's name
      const onIss = outcome(iss.result) as { coprocessor: object };
      expect(outcome(sim.result)).toEqual({ ...onIss, coprocessor: { ...onIss.coprocessor, backend: 'sim' } });
      const simSnap = sim.snapshots[0]!;
      expect(simSnap.state.link).toEqual({ ...iss.snapshots[0]!.state.link!, backend: 'sim' });
      expect(outcome(await restored(s.repo, simSnap))).toEqual(outcome(sim.result));
    } finally {
      s.dispose();
    }
  });

  it('on the device backend (the simulation behind its pseudo-terminal, as a board is reached): restored on the same device, whose RAM holds the rest of the run', async () => {
    const s = setup(INVOKE_PROGRAM);
    const sim = await startSimPty({ program: artefactPath('firmware') });
    try {
      const spec: ContextRunSpec = { hash: s.repo.lookupName('main')!, args: [], world: INVOKE_WORLD, backend: 'device', device: sim.path };
      const { result, snapshots } = await runWithContextSnapshots(s.repo, spec, (i) => i === 2);
      expect([result.value, result.coprocessor?.backend]).toEqual(['55', 'device']);
      // the device's RAM holds the end of the run above (heap, stack, runtime data): the snapshot's pages are written over it
      expect(outcome(await restoreContextSnapshot(s.repo, snapshots[0]!, { device: sim.path }))).toEqual(outcome(result));
    } finally {
      await sim.stop();
      s.dispose();
    }
  });

  it('cax snapshot take REF --backend sim in one process, restore in another: what `cax run --backend sim` prints', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cax-linksnap-'));
    try {
      const cax = restoresInAnotherProcess(dir, 'sim', 4);
      const bytes = readFileSync(join(dir, 's.snap'));
      writeFileSync(join(dir, 'cut.snap'), bytes.subarray(0, bytes.length >> 1));
      const cut = cax('snapshot', 'restore', 'cut.snap');
      expect(cut.status).toBe(1);
      expect(JSON.parse(cut.stdout)).toMatchObject({ error: { code: 'E_SNAPSHOT' } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
