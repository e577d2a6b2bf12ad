// Snapshots (host/debug/snapshot.ts) against the size of the state they
// hold: a run that deposits into N distinct accounts has N effects in its log
// and N balances in its world, and is snapshotted before its last effect.
// Encoded size at 1000 accounts against 100; encoding and hashing against
// JSON.stringify of the same snapshot; restoring (a checked replay to the
// boundary) and continuing against running the whole program uninterrupted.
// The same restore for executor snapshots (context tree, context-snapshot.ts)
// and co-processor snapshots (ISS registers and pages, core-snapshot.ts),
// and a co-processor snapshot's size against a smaller run's. Executor
// snapshots of a run on the Verilator simulation (over the serial protocol,
// link-snapshot.ts) against the iss snapshot of the same boundary (the ISS
// followed instruction by instruction): size and time to take; and their
// restore (requests answered, pages written back) against the run on the
// simulation that never stopped.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { BenchSuite } from './harness.js';
import { encodeSnapshot, restoreAndContinue, runWithSnapshots, type RunSpec, type Snapshot } from '../host/debug/snapshot.js';
import { encodeCoreSnapshot, restoreCoreSnapshot, runWithCoreSnapshots } from '../host/debug/core-snapshot.js';
import { encodeContextSnapshot, restoreContextSnapshot, runWithContextSnapshots, type ContextRunSpec, type ContextSnapshot } from '../host/debug/context-snapshot.js';
import { addProgram } from '../host/store/add.js';
import { Repository } from '../host/store/repository.js';
import { addContext, ensurePrelude } from '../host/store/tel-env.js';
import { parseProgram } from '../host/tel/parser.js';

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

async function timedAsync(work: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await work();
  return performance.now() - t0;
}

/** The co-processor snapshot before the final emit of a run over `accounts` accounts, compiled on the ISS. */
async function coreSnapshot(accounts: number) {
  const snap = (await runWithCoreSnapshots(spec(accounts), (i) => i === accounts)).snapshots[0];
  if (!snap) throw new Error(`no co-processor snapshot at boundary ${accounts}`);
  return snap;
}

/** `work` with a store holding the accounts program (the executor runs stored definitions). */
async function withStore<T>(work: (repo: Repository, run: ContextRunSpec) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'cax-bench-ctx-'));
  const repo = Repository.open(dir);
  try {
    ensurePrelude(addContext(repo));
    addProgram(addContext(repo), parseProgram(SOURCE, 'accounts.tel'));
    return await work(repo, { hash: repo.lookupName('main')!, args: ['200'], world: { latency: { tl: 1 } } });
  } finally {
    repo.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Accounts of the executor snapshots on the simulation (a continuation on the core per deposit). */
const SIM_ACCOUNTS = 20;

/** The executor snapshot before the final emit of the accounts run on `backend`. */
async function executorSnapshot(repo: Repository, run: ContextRunSpec, backend: 'iss' | 'sim'): Promise<ContextSnapshot> {
  const snap = (await runWithContextSnapshots(repo, { ...run, args: [String(SIM_ACCOUNTS)], backend }, (i) => i === SIM_ACCOUNTS)).snapshots[0];
  if (!snap) throw new Error(`no executor snapshot at boundary ${SIM_ACCOUNTS} on ${backend}`);
  return snap;
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
    {
      name: 'executor snapshot (context tree): restore and continue, 200 accounts (ratio: against the uninterrupted executor run)',
      unit: 'ms',
      higherIsBetter: false,
      sample: () =>
        withStore(async (repo, run) => {
          const snap = (await runWithContextSnapshots(repo, run, (i) => i === 200)).snapshots[0]!;
          return timedAsync(() => restoreContextSnapshot(repo, snap));
        }),
      reference: { name: 'uninterrupted run', sample: () => withStore((repo, run) => timedAsync(() => runWithContextSnapshots(repo, run, () => false))) },
    },
    {
      name: 'co-processor snapshot encoded size, 200 accounts (ratio: against 20)',
      unit: 'bytes',
      higherIsBetter: false,
      sample: async () => encodeCoreSnapshot(await coreSnapshot(200)).bytes.length,
      reference: { name: '20 accounts', sample: async () => encodeCoreSnapshot(await coreSnapshot(20)).bytes.length },
    },
    {
      name: 'co-processor snapshot: restore on a fresh ISS and continue, 20 accounts (ratio: against the uninterrupted run)',
      unit: 'ms',
      higherIsBetter: false,
      sample: async () => {
        const snap = await coreSnapshot(20);
        return timedAsync(() => restoreCoreSnapshot(snap));
      },
      reference: { name: 'uninterrupted run', sample: () => timedAsync(() => runWithCoreSnapshots(spec(20), () => false)) },
    },
    {
      name: `executor snapshot on sim (pages read over the serial line), ${SIM_ACCOUNTS} accounts: encoded size (ratio: against the iss snapshot of the same boundary, instruction by instruction)`,
      unit: 'bytes',
      higherIsBetter: false,
      sample: () => withStore(async (repo, run) => encodeContextSnapshot(await executorSnapshot(repo, run, 'sim')).bytes.length),
      reference: { name: 'iss snapshot', sample: () => withStore(async (repo, run) => encodeContextSnapshot(await executorSnapshot(repo, run, 'iss')).bytes.length) },
    },
    {
      name: `executor snapshot on sim: run to the boundary and take it, ${SIM_ACCOUNTS} accounts (ratio: against the same on iss, instruction by instruction)`,
      unit: 'ms',
      higherIsBetter: false,
      sample: () => withStore((repo, run) => timedAsync(() => executorSnapshot(repo, run, 'sim'))),
      reference: { name: 'iss snapshot', sample: () => withStore((repo, run) => timedAsync(() => executorSnapshot(repo, run, 'iss'))) },
    },
    {
      name: `executor snapshot on sim: restore on a fresh simulation and continue, ${SIM_ACCOUNTS} accounts (ratio: against the uninterrupted run on sim)`,
      unit: 'ms',
      higherIsBetter: false,
      sample: () =>
        withStore(async (repo, run) => {
          const snap = await executorSnapshot(repo, run, 'sim');
          return timedAsync(() => restoreContextSnapshot(repo, snap));
        }),
      reference: {
        name: 'uninterrupted run',
        sample: () => withStore((repo, run) => timedAsync(() => runWithContextSnapshots(repo, { ...run, args: [String(SIM_ACCOUNTS)], backend: 'sim' }, () => false))),
      },
    },
  ],
};
