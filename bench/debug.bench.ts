// Snapshots (host/debug/snapshot.ts) against the size of the state they
// hold: a run that deposits into N distinct accounts has N effects in its log
// and N balances in its world, and is snapshotted before its last effect.
// Encoded size at 1000 accounts against 100; encoding and hashing against
// JSON.stringify of the same snapshot; restoring (a checked replay to the
// boundary) and continuing against running the whole program uninterrupted.
import { performance } from 'node:perf_hooks';
import type { BenchSuite } from './harness.js';
import { encodeSnapshot, restoreAndContinue, runWithSnapshots, type RunSpec, type Snapshot } from '../host/debug/snapshot.js';

const SOURCE = [
  'go :: Int -> Effect Int',
  'go i = if i <= 0 then return 0 else deposit 1 to ("a" ++ show i) on "tl" >> go (i - 1)',
  '',
  'main :: Int -> Effect Int',
  'main n = go n >> emit n >> return n',
  '',
].join('\n');

const spec = (accounts: number): RunSpec => ({ file: 'accounts.tel', source: SOURCE, main: 'main', args: [String(accounts)], world: { latency: { tl: 1 } } });

/** The snapshot before the final emit: every deposit in the log and the world. */
function lastSnapshot(accounts: number): Snapshot {
  const snap = runWithSnapshots(spec(accounts), (i) => i === accounts).snapshots[0];
  if (!snap) throw new Error(`no snapshot at boundary ${accounts}`);
  return snap;
}

const small = lastSnapshot(100);
const large = lastSnapshot(1000);

function timed(work: () => void, times = 20): number {
  const t0 = performance.now();
  for (let i = 0; i < times; i++) work();
  return (performance.now() - t0) / times;
}

export const suite: BenchSuite = {
  title: 'Snapshots (cax snapshot, cax debug)',
  cases: [
    {
      name: 'encoded size, 1000 accounts and effects (ratio: against 100; linear is 10)',
      unit: 'bytes',
      higherIsBetter: false,
      sample: () => Promise.resolve(encodeSnapshot(large).bytes.length),
      reference: { name: '100 accounts', sample: () => Promise.resolve(encodeSnapshot(small).bytes.length) },
    },
    {
      name: 'msgpack encode + SHA-256, 1000 accounts (ratio: against JSON.stringify of the same snapshot)',
      unit: 'ms',
      higherIsBetter: false,
      sample: () => Promise.resolve(timed(() => encodeSnapshot(large))),
      reference: { name: 'JSON.stringify', sample: () => Promise.resolve(timed(() => JSON.stringify(large))) },
    },
    {
      name: 'restore (checked replay) and continue, 1000 accounts (ratio: against the uninterrupted run)',
      unit: 'ms',
      higherIsBetter: false,
      sample: () => Promise.resolve(timed(() => restoreAndContinue(large), 3)),
      reference: { name: 'uninterrupted run', sample: () => Promise.resolve(timed(() => runWithSnapshots(spec(1000), () => false), 3)) },
    },
  ],
};
