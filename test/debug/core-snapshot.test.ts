// Snapshots of co-processor runs: the example program compiled and run on
// the ISS, a snapshot before every effect (registers, pc, counts, the RAM
// pages written, content-addressed); restoring one on a fresh ISS reaches
// exactly that core state and continues to the same value, effects, clock,
// cycles and balances as the run that never stopped; bad snapshots (truncated,
// a page that does not hash to its name, a tampered register) are refused.
import { describe, it, expect } from '@jest/globals';
import { encode } from '@msgpack/msgpack';
import { decodeCoreSnapshot, encodeCoreSnapshot, restoreCoreSnapshot, runWithCoreSnapshots, type CoreRun } from '../../host/debug/core-snapshot.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../host/cli/program.js';
import type { CliIO } from '../../host/cli/io.js';
import { PAY_PROGRAM } from './pay-program.js';

const SPEC = { file: 'pay.tel', source: PAY_PROGRAM, main: 'main', args: ['3'], world: { latency: { tl: 10 } } };

function outcome(r: CoreRun): unknown {
  return { shown: r.shown, error: r.error?.code ?? null, effects: r.effects, clock: r.clock, cycles: r.cycles, instret: r.instret, heapBytes: r.heapBytes, balances: r.balances };
}

describe('co-processor snapshots at effect boundaries', () => {
  it('hold the core at each boundary and restore on a fresh ISS to the same end; bad ones are refused', async () => {
    const { result, snapshots } = await runWithCoreSnapshots(SPEC);
    expect(result.shown).toBe('5');
    expect(snapshots.map((s) => s.position.effects)).toEqual([0, 1, 2, 3]);
    // the core ran on between boundaries: more instructions, more pages written
    expect(snapshots[3]!.state.instret).toBeGreaterThan(snapshots[0]!.state.instret);
    expect(snapshots[0]!.state.pages.length).toBeGreaterThan(0);
    expect(snapshots[2]!.state.balances).toEqual({ tl: { a: { native: 3 } } });
    const last = encodeCoreSnapshot(snapshots[3]!);
    expect(outcome(await restoreCoreSnapshot(decodeCoreSnapshot(last.bytes, last.id)))).toEqual(outcome(result));
    // the world only: other balances before the second payment's deposit of 2
    expect((await restoreCoreSnapshot(snapshots[2]!, { balances: { tl: { a: { native: 100 } } } })).balances).toEqual({ tl: { a: { native: 102 } } });

    const { bytes, id } = encodeCoreSnapshot(snapshots[1]!);
    expect(() => decodeCoreSnapshot(bytes.slice(0, bytes.length - 7))).toThrow(expect.objectContaining({ code: 'E_SNAPSHOT' }));
    expect(() => decodeCoreSnapshot(bytes, 'f'.repeat(64))).toThrow(/hash to/);
    const snap = decodeCoreSnapshot(bytes, id);
    const [hash, page] = Object.entries(snap.state.contents)[0]!;
    const flippedPage = page.slice();
    flippedPage[5] = flippedPage[5]! ^ 1;
    expect(() => decodeCoreSnapshot(encode({ ...snap, state: { ...snap.state, contents: { ...snap.state.contents, [hash]: flippedPage } } }))).toThrow(/do not hash/);
    const registers = snap.state.registers.map((v, i) => (i === 10 ? v + 1 : v));
    await expect(restoreCoreSnapshot({ ...snap, state: { ...snap.state, registers } })).rejects.toThrow(/registers x10/);
  });
});

describe('cax snapshot take --backend iss / restore', () => {
  it('writes a co-processor snapshot to a file and restores it to the end of the run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cax-coresnap-'));
    try {
      writeFileSync(join(dir, 'pay.tel'), PAY_PROGRAM);
      writeFileSync(join(dir, 'w.json'), JSON.stringify(SPEC.world));
      const cax = async (...argv: string[]): Promise<{ code: number; json: Record<string, unknown> }> => {
        let out = '';
        const io: CliIO = { out: (t) => (out += t), err: () => undefined, interactive: false, cwd: dir, env: {} };
        const code = await runCli(['--json', ...argv], io);
        return { code, json: JSON.parse(out) as Record<string, unknown> };
      };
      const took = await cax('snapshot', 'take', 'pay.tel', '3', '--main', 'main', '--world', 'w.json', '--backend', 'iss', '--at', '1', '--out', 's.snap');
      expect(took.code).toBe(0);
      expect(took.json).toMatchObject({ position: { effects: 1 }, id: expect.stringMatching(/^[0-9a-f]{64}$/) });
      const restored = await cax('snapshot', 'restore', 's.snap', '--id', took.json.id as string, '--program', 'pay.tel');
      expect(restored.code).toBe(0);
      expect(restored.json).toMatchObject({ value: '5', clock: 20, balances: { tl: { a: { native: 5 } } } });
      expect(restored.json.effects).toHaveLength(4);
      expect((await cax('snapshot', 'restore', 's.snap', '--context', 'ctx-g2')).json).toMatchObject({ error: { code: 'E_USAGE' } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
