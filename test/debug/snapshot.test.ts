// Snapshots at effect boundaries: on random pure and effectful programs, every
// snapshot survives encoding, and restoring it continues to the same value,
// effect log, clock, usage and balances as the run that never stopped; bad
// snapshots (truncated, tampered, of another program or format) are refused.
import { describe, it, expect } from '@jest/globals';
import fc from 'fast-check';
import { encode } from '@msgpack/msgpack';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { effectProgram, pureProgram } from '../../host/tel/generate.js';
import { parseWorld } from '../../host/tel/world.js';
import { checkSnapshotProgram, decodeSnapshot, encodeSnapshot, restoreAndContinue, runWithSnapshots, type RunSpec, type SnapshotRun } from '../../host/debug/snapshot.js';
import { flipped } from '../helpers/bytes.js';

/** The built CLI (`make test` builds dist/ first): a separate process. */
const CLI = resolve('dist/host/cli/main.js');

function outcome(r: SnapshotRun): unknown {
  return { shown: r.shown, error: r.error?.code ?? null, effects: r.effects, clock: r.clock, steps: r.steps, memory: r.memory, balances: r.balances };
}

function checkEveryBoundary(spec: RunSpec): void {
  const { result, snapshots } = runWithSnapshots(spec);
  expect(snapshots.length).toBe(result.effects.length);
  for (const snap of snapshots) {
    const { bytes, id } = encodeSnapshot(snap);
    expect(outcome(restoreAndContinue(decodeSnapshot(bytes, id)))).toEqual(outcome(result));
  }
}

const EFFECT_SOURCE = 'main :: Effect Int\nmain = do\n  emit 1\n  deposit 5 to "a" on "tl"\n  x <- observe "k" on "tl"\n  withdraw 2 from "a" on "tl"\n  return (x + 1)\n';
const EFFECT_SPEC: RunSpec = { file: 'e.tel', source: EFFECT_SOURCE, main: 'main', args: [], world: { facts: { tl: { k: 41 } }, latency: { tl: 10 } } };

describe('snapshots at effect boundaries', () => {
  it('takes one before every effect, with the clock and log at that point', () => {
    const { result, snapshots } = runWithSnapshots(EFFECT_SPEC);
    expect(result.shown).toBe('42');
    expect(snapshots.map((s) => [s.position.effects, s.state.clock, s.state.effects.length])).toEqual([
      [0, 0, 0],
      [1, 10, 1],
      [2, 20, 2],
      [3, 30, 3],
    ]);
    expect(snapshots[2]!.state.balances).toEqual({ tl: { a: { native: 5 } } });
  });

  it('restores from every boundary to the same end', () => {
    const { result, snapshots } = runWithSnapshots(EFFECT_SPEC);
    for (const s of snapshots) expect(outcome(restoreAndContinue(decodeSnapshot(encodeSnapshot(s).bytes)))).toEqual(outcome(result));
  });

  it('restores the world only: other balances, same replayed machine', () => {
    const { snapshots } = runWithSnapshots(EFFECT_SPEC);
    const r = restoreAndContinue(snapshots[3]!, { balances: { tl: { a: { native: 1 } } } });
    expect(r.effects[3]).toMatchObject({ kind: 'withdraw', error: { code: 'E_BALANCE' } });
    expect(r.error?.code).toBe('E_BALANCE');
  });

  it('a `<|` failing after the boundary rolls back the effects replayed before it', () => {
    const source = 'main :: Effect Int\nmain = (deposit 5 to "acc" on "tl" >> transfer 1 from "acc2" to "acc" on "tl" >> return 1) <| return 0\n';
    const { result, snapshots } = runWithSnapshots({ file: 'rb.tel', source, main: 'main', args: [] });
    expect(result.balances).toEqual({ tl: { acc: { native: 0 } } });
    expect(outcome(restoreAndContinue(snapshots[1]!))).toEqual(outcome(result));
  });

  it('random effect programs: restore-and-continue equals the uninterrupted run', () => {
    fc.assert(
      fc.property(effectProgram, ({ source, world }) => checkEveryBoundary({ file: 'r.tel', source, main: 'main', args: [], world: parseWorld(world) })),
      { numRuns: 40 },
    );
  });

  it('random pure programs, emitted: the snapshot after the pure computation restores to the same end', () => {
    // `emit main` evaluates the pure program between the two boundaries: its steps and memory are checked on restore
    const wrap = (source: string): string => `${source}\n\nwrapped :: Effect Int\nwrapped = emit 0 >> emit main >> return 1\n`;
    fc.assert(
      fc.property(pureProgram, (source) => checkEveryBoundary({ file: 'p.tel', source: wrap(source), main: 'wrapped', args: [] })),
      { numRuns: 20 },
    );
  });

  it('a snapshot on request in a pure program wrapped in an emit', () => {
    const spec: RunSpec = {
      file: 'q.tel',
      source: 'f :: Int -> Int\nf n = if n <= 0 then 0 else n + f (n - 1)\n\nmain :: Int -> Effect Int\nmain k = emit (f k) >> return (f (k * 2))\n',
      main: 'main',
      args: ['30'],
    };
    const { result, snapshots } = runWithSnapshots(spec, (i) => i === 0);
    expect(snapshots).toHaveLength(1);
    expect(snapshots[0]!.state.steps).toBeGreaterThan(30);
    expect(outcome(restoreAndContinue(snapshots[0]!))).toEqual(outcome(result));
  });
});

describe('bad snapshots', () => {
  const { bytes, id } = encodeSnapshot(runWithSnapshots(EFFECT_SPEC).snapshots[2]!);

  it('a truncated file is E_SNAPSHOT', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: bytes.length - 1 }), (cut) => {
        expect(() => decodeSnapshot(bytes.slice(0, cut))).toThrow(expect.objectContaining({ code: 'E_SNAPSHOT' }));
      }),
      { numRuns: 50 },
    );
  });

  it('bytes that do not hash to the given address are refused', () => {
    const other = flipped(bytes, -1);
    expect(() => decodeSnapshot(other, id)).toThrow(/hash to/);
  });

  it('another program or another format is refused', () => {
    const snap = decodeSnapshot(bytes);
    expect(() => checkSnapshotProgram(snap, `${EFFECT_SOURCE}\n`)).toThrow(expect.objectContaining({ code: 'E_SNAPSHOT' }));
    expect(() => decodeSnapshot(encode({ ...snap, format: 'cax-snapshot/0' }))).toThrow(/format cax-snapshot\/0/);
    expect(() => decodeSnapshot(encode({ ...snap, program: { ...snap.program, source: 'main = 1' } }))).toThrow(/does not hash/);
  });

  it('a tampered state does not restore silently', () => {
    const snap = decodeSnapshot(bytes);
    expect(() => restoreAndContinue({ ...snap, state: { ...snap.state, steps: snap.state.steps + 1 } })).toThrow(/steps/);
  });
});

describe('cax snapshot take / restore', () => {
  it('a snapshot written by one process continues in another to the same end', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cax-snap-'));
    try {
      writeFileSync(join(dir, 'e.tel'), EFFECT_SOURCE);
      writeFileSync(join(dir, 'w.json'), JSON.stringify(EFFECT_SPEC.world));
      const cax = (...argv: string[]) => spawnSync(process.execPath, [CLI, '--json', ...argv], { cwd: dir, encoding: 'utf8' });
      const whole = runWithSnapshots(EFFECT_SPEC).result;
      const took = cax('snapshot', 'take', 'e.tel', '--main', 'main', '--world', 'w.json', '--at', '2', '--out', 's.snap');
      expect(took.status).toBe(0);
      const { id } = JSON.parse(took.stdout) as { id: string };
      const restored = cax('snapshot', 'restore', 's.snap', '--id', id, '--program', 'e.tel');
      expect(restored.status).toBe(0);
      expect(JSON.parse(restored.stdout)).toMatchObject({
        value: '42',
        clock: whole.clock,
        steps: whole.steps,
        memory: whole.memory,
        balances: whole.balances,
        effects: whole.effects.map((e) => ({ ...e })),
      });
      writeFileSync(join(dir, 'cut.snap'), readFileSync(join(dir, 's.snap')).subarray(0, 40));
      const cut = cax('snapshot', 'restore', 'cut.snap');
      expect(cut.status).toBe(1);
      expect(JSON.parse(cut.stdout)).toMatchObject({ error: { code: 'E_SNAPSHOT' } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
