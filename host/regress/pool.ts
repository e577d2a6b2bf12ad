// Runs the matrix on N worker processes: each test goes to a free worker; a
// test past its timeout or whose worker dies is an error (the worker is
// replaced and the run goes on); a failing test is retried up to `retries`
// times and is flaky when a retry passes; with failFast nothing new starts
// after the first failure (the rest are skipped).
import { hostname } from 'node:os';
import type { Outcome } from './execute.js';
import type { MatrixTest } from './matrix.js';
import { WorkerSlot } from './slot.js';

export interface PoolOptions {
  readonly jobs: number;
  readonly retries: number;
  readonly failFast: boolean;
  readonly device?: string;
  /** The line rate the device sessions ask for at HELLO (default: the board's 115200). */
  readonly baud?: number;
  /** Hears each test as it ends (the progress bar). */
  readonly onResult?: (test: MatrixTest, outcome: Outcome, attempts: number) => void;
}

export interface PoolResult {
  readonly outcome: Outcome;
  readonly attempts: number;
  /** Passed only on a retry. */
  readonly flaky: boolean;
  /** Where its last attempt ran: `host/pid` of the process that ran it. */
  readonly host: string;
}

export async function runPool(tests: readonly MatrixTest[], options: PoolOptions): Promise<Map<string, PoolResult>> {
  const results = new Map<string, PoolResult>();
  const queue = [...tests];
  const attempts = new Map<string, number>();
  let stopped = false;
  const slots = Array.from({ length: Math.max(1, Math.min(options.jobs, tests.length)) }, () => new WorkerSlot(options.device, options.baud));

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
        const host = `${hostname()}/${slot.pid}`;
        void slot.run(test.id, test.backend, test.test.spec, test.test.timeoutMs).then((outcome) => {
          slot.busy = false;
          running--;
          const passed = outcome.status === 'pass';
          if (!passed && attempt <= options.retries && !stopped) queue.unshift(test);
          else {
            results.set(test.id, { outcome, attempts: attempt, flaky: passed && attempt > 1, host });
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
  await Promise.all(slots.map((slot) => slot.close()));
  return results;
}
