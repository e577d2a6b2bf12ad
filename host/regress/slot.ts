// One regression worker process (worker.ts) and the test it runs: a test past
// its timeout kills the process (E_TIMEOUT), a process that dies during a test
// is an error (E_WORKER); either way a fresh process takes its place, so the
// slot goes on. A farm board's slot also resets its board between tests. The local pool (pool.ts) and the farm worker (farm/worker.ts)
// run their tests on slots.
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageRoot } from '../artefacts.js';
import { CaxError, type ErrorCode } from '../errors.js';
import type { DeviceInfo } from '../protocol/client.js';
import type { Outcome } from './execute.js';
import type { RegressBackend } from './manifest.js';
import type { TestSpec } from './suite.js';

/** The compiled worker: next to this file, or in dist/ when this runs from the TypeScript sources. */
function workerPath(): string {
  const here = join(dirname(fileURLToPath(import.meta.url)), 'worker.js');
  return existsSync(here) ? here : join(packageRoot(), 'dist', 'host', 'regress', 'worker.js');
}

/** A worker's answer to a board reset. */
type BoardReply = { info: DeviceInfo } | { error: { code: string; message: string } };

const ended = (child: ChildProcess): Promise<void> => (child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', () => r())));

export class WorkerSlot {
  private child!: ChildProcess;
  /** The end of what the worker wrote on stderr (for a worker that dies). */
  private stderr = '';
  busy = false;
  /** Board resets asked for (their request ids). */
  private resets = 0;

  /** `device`: the serial port of the board for the device backend; `baud`: the line rate its sessions ask for at HELLO. */
  constructor(
    private readonly device?: string,
    private readonly baud?: number,
  ) {
    this.start();
  }

  private start(): void {
    this.child = fork(workerPath(), [], {
      cwd: packageRoot(),
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env: { ...process.env, ...(this.device ? { CAX_REGRESS_DEVICE: this.device } : {}), ...(this.baud === undefined ? {} : { CAX_REGRESS_BAUD: String(this.baud) }) },
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
    const t0 = performance.now();
    const failed = (code: string, message: string): Outcome => ({ status: 'error', expected: {}, actual: {}, code, message, cycles: null, durationMs: performance.now() - t0 });
    return this.exchange({ id, backend, spec }, timeoutMs, stop, (reply) => (reply as { outcome: Outcome }).outcome, failed);
  }

  /** Resets the worker's board (`device`: opening its session if need be) and reads its identity again; a CaxError when it does not answer. */
  async resetBoard(timeoutMs: number): Promise<DeviceInfo> {
    const reply = await this.exchange<BoardReply>(
      { id: `reset-${++this.resets}`, reset: true },
      timeoutMs,
      undefined,
      (r) => r as BoardReply,
      (code, message) => ({ error: { code, message } }),
    );
    if ('error' in reply) throw new CaxError(reply.error.code as ErrorCode, reply.error.message);
    return reply.info;
  }

  /**
   * Sends `request` to the worker and resolves with its answer (the reply with
   * the same id), or with `lost(code, message)` when the worker dies, is past
   * `timeoutMs` or `stop` is aborted (the process is replaced then).
   */
  private exchange<R>(
    request: { readonly id: string; readonly [field: string]: unknown },
    timeoutMs: number,
    stop: AbortSignal | undefined,
    answer: (reply: unknown) => R,
    lost: (code: string, message: string) => R,
  ): Promise<R> {
    return new Promise((resolveAnswer) => {
      const child = this.child;
      this.stderr = '';
      const finish = (result: R): void => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
        stop?.removeEventListener('abort', onStop);
        resolveAnswer(result);
      };
      const replaced = (code: string, message: string): void => {
        this.start();
        finish(lost(code, message));
      };
      const onMessage = (m: unknown): void => {
        if ((m as { id?: unknown }).id === request.id) finish(answer(m));
      };
      const onExit = (code: number | null, signal: string | null): void =>
        replaced('E_WORKER', `the worker died (${signal ?? `exit ${code}`}) running this test${this.stderr ? `: ${this.stderr.trim().split('\n').slice(-3).join(' | ')}` : ''}`);
      const killed = (code: string, message: string): void => {
        child.off('exit', onExit);
        child.kill('SIGKILL');
        replaced(code, message);
      };
      const timer = setTimeout(() => killed('E_TIMEOUT', `no result within ${timeoutMs} ms`), timeoutMs);
      const onStop = (): void => killed('E_WORKER', `the test was stopped: ${String(stop?.reason)}`);
      stop?.addEventListener('abort', onStop);
      child.on('message', onMessage);
      child.on('exit', onExit);
      child.send(request);
    });
  }

  /** Ends the worker process (it closes its sessions first). */
  async close(): Promise<void> {
    if (this.child.connected) this.child.disconnect();
    await ended(this.child);
  }
}
