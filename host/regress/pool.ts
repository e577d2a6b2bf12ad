// Runs the matrix on N worker processes: each test goes to a free worker; a
// test past its timeout or whose worker dies is an error (the worker is
// replaced and the run goes on); a failing test is retried up to `retries`
// times and is flaky when a retry passes; with failFast nothing new starts
// after the first failure (the rest are skipped).
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageRoot } from '../artefacts.js';
import type { Outcome } from './execute.js';
import type { MatrixTest } from './matrix.js';

export interface PoolOptions {
  readonly jobs: number;
  readonly retries: number;
  readonly failFast: boolean;
  readonly device?: string;
  /** Hears each test as it ends (the progress bar). */
  readonly onResult?: (test: MatrixTest, outcome: Outcome, attempts: number) => void;
}

export interface PoolResult {
  readonly outcome: Outcome;
  readonly attempts: number;
  /** Passed only on a retry. */
  readonly flaky: boolean;
}

/** The compiled worker: next to this file, or in dist/ when this runs from the TypeScript sources. */
function workerPath(): string {
  const here = join(dirname(fileURLToPath(import.meta.url)), 'worker.js');
  return existsSync(here) ? here : join(packageRoot(), 'dist', 'host', 'regress', 'worker.js');
}

interface Slot {
  child: ChildProcess;
  busy: boolean;
  /** The end of what the worker wrote on stderr (for a worker that dies). */
  stderr: string;
}

export async function runPool(tests: readonly MatrixTest[], options: PoolOptions): Promise<Map<string, PoolResult>> {
  const results = new Map<string, PoolResult>();
  const queue = [...tests];
  const attempts = new Map<string, number>();
  let stopped = false;
  /** (Re)starts the worker process of `slot`. */
  const startWorker = (slot: Slot): Slot => {
    slot.child = fork(workerPath(), [], { cwd: packageRoot(), stdio: ['ignore', 'ignore', 'pipe', 'ipc'], env: { ...process.env, ...(options.device ? { CAX_REGRESS_DEVICE: options.device } : {}) } });
    slot.stderr = '';
    slot.child.stderr?.on('data', (b: Buffer) => (slot.stderr = (slot.stderr + b.toString()).slice(-2000)));
    return slot;
  };
  const slots = Array.from({ length: Math.max(1, Math.min(options.jobs, tests.length)) }, () => startWorker({ child: undefined as unknown as ChildProcess, busy: false, stderr: '' }));

  const runOn = (slot: Slot, test: MatrixTest): Promise<Outcome> =>
    new Promise((resolveOutcome) => {
      const t0 = performance.now();
      const child = slot.child;
      slot.stderr = '';
      const finish = (outcome: Outcome): void => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolveOutcome(outcome);
      };
      const lost = (code: string, message: string): void => {
        startWorker(slot);
        finish({ status: 'error', expected: {}, actual: {}, code, message, cycles: null, durationMs: performance.now() - t0 });
      };
      const onMessage = (m: unknown): void => {
        const reply = m as { id: string; outcome: Outcome };
        if (reply.id === test.id) finish(reply.outcome);
      };
      const onExit = (code: number | null, signal: string | null): void =>
        lost('E_WORKER', `the worker died (${signal ?? `exit ${code}`}) running this test${slot.stderr ? `: ${slot.stderr.trim().split('\n').slice(-3).join(' | ')}` : ''}`);
      const timer = setTimeout(() => {
        child.off('exit', onExit);
        child.kill('SIGKILL');
        lost('E_TIMEOUT', `no result within ${test.test.timeoutMs} ms`);
      }, test.test.timeoutMs);
      child.on('message', onMessage);
      child.on('exit', onExit);
      child.send({ id: test.id, backend: test.backend, spec: test.test.spec });
    });

  await new Promise<void>((allDone) => {
    let running = 0;
    const pump = (): void => {
      for (const slot of slots) {
        if (slot.busy) continue;
        const test = stopped ? undefined : queue.shift();
        if (!test) break;
        slot.busy = true;
        running++;
        const attempt = (attempts.get(test.id) ?? 0) + 1;
        attempts.set(test.id, attempt);
        void runOn(slot, test).then((outcome) => {
          slot.busy = false;
          running--;
          const passed = outcome.status === 'pass';
          if (!passed && attempt <= options.retries && !stopped) queue.unshift(test);
          else {
            results.set(test.id, { outcome, attempts: attempt, flaky: passed && attempt > 1 });
            options.onResult?.(test, outcome, attempt);
            if (!passed && options.failFast) stopped = true;
          }
          pump();
        });
      }
      if (running === 0 && (stopped || queue.length === 0)) allDone();
    };
    pump();
  });
  for (const slot of slots) {
    if (slot.child.connected) slot.child.disconnect();
  }
  await Promise.all(slots.map((slot) => (slot.child.exitCode !== null || slot.child.signalCode !== null ? undefined : new Promise((r) => slot.child.once('exit', r)))));
  return results;
}
