// One regression worker process (worker.ts) and the test it runs: a test past
// its timeout kills the process (E_TIMEOUT), a process that dies during a test
// is an error (E_WORKER); either way a fresh process takes its place, so the
// slot goes on. The local pool (pool.ts) and the farm worker (farm/worker.ts)
// run their tests on slots.
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageRoot } from '../artefacts.js';
import type { Outcome } from './execute.js';
import type { RegressBackend } from './manifest.js';
import type { TestSpec } from './suite.js';

/** The compiled worker: next to this file, or in dist/ when this runs from the TypeScript sources. */
function workerPath(): string {
  const here = join(dirname(fileURLToPath(import.meta.url)), 'worker.js');
  return existsSync(here) ? here : join(packageRoot(), 'dist', 'host', 'regress', 'worker.js');
}

const ended = (child: ChildProcess): Promise<void> => (child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', () => r())));

export class WorkerSlot {
  private child!: ChildProcess;
  /** The end of what the worker wrote on stderr (for a worker that dies). */
  private stderr = '';
  busy = false;

  /** `device`: the serial port of the board for the device backend. */
  constructor(private readonly device?: string) {
    this.start();
  }

  private start(): void {
    this.child = fork(workerPath(), [], {
      cwd: packageRoot(),
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env: { ...process.env, ...(this.device ? { CAX_REGRESS_DEVICE: this.device } : {}) },
    });
    this.stderr = '';
    this.child.stderr?.on('data', (b: Buffer) => (this.stderr = (this.stderr + b.toString()).slice(-2000)));
  }

  /** The id of the worker process that runs the next test. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The outcome of `spec` on `backend` (`id` names the test in the worker's answer); `stop` aborted ends the test at once (E_WORKER with its reason). */
  run(id: string, backend: RegressBackend, spec: TestSpec, timeoutMs: number, stop?: AbortSignal): Promise<Outcome> {
    return new Promise((resolveOutcome) => {
      const t0 = performance.now();
      const child = this.child;
      this.stderr = '';
      const finish = (outcome: Outcome): void => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
        stop?.removeEventListener('abort', onStop);
        resolveOutcome(outcome);
      };
      const lost = (code: string, message: string): void => {
        this.start();
        finish({ status: 'error', expected: {}, actual: {}, code, message, cycles: null, durationMs: performance.now() - t0 });
      };
      const onMessage = (m: unknown): void => {
        const reply = m as { id: string; outcome: Outcome };
        if (reply.id === id) finish(reply.outcome);
      };
      const onExit = (code: number | null, signal: string | null): void =>
        lost('E_WORKER', `the worker died (${signal ?? `exit ${code}`}) running this test${this.stderr ? `: ${this.stderr.trim().split('\n').slice(-3).join(' | ')}` : ''}`);
      const killed = (code: string, message: string): void => {
        child.off('exit', onExit);
        child.kill('SIGKILL');
        lost(code, message);
      };
      const timer = setTimeout(() => killed('E_TIMEOUT', `no result within ${timeoutMs} ms`), timeoutMs);
      const onStop = (): void => killed('E_WORKER', `the test was stopped: ${String(stop?.reason)}`);
      stop?.addEventListener('abort', onStop);
      child.on('message', onMessage);
      child.on('exit', onExit);
      child.send({ id, backend, spec });
    });
  }

  /** Ends the worker process (it closes its sessions first). */
  async close(): Promise<void> {
    if (this.child.connected) this.child.disconnect();
    await ended(this.child);
  }
}
