// Farm worker processes on this machine: `cax farm worker --jobs N` starts N
// of them (each runs one test at a time), as do the tests and the bench. A
// process is ready when its worker listens on its queues; `stop` ends it
// cleanly (the running test finishes), `kill` is SIGKILL (a crash).
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageRoot } from '../artefacts.js';
import { CaxError } from '../errors.js';
import type { FarmWorkerOptions } from './worker.js';

export interface WorkerProcess {
  readonly id: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
  kill(): Promise<void>;
}

/** The compiled entry: next to this file, or in dist/ when this runs from the TypeScript sources. */
function entryPath(): string {
  const here = join(dirname(fileURLToPath(import.meta.url)), 'worker-main.js');
  return existsSync(here) ? here : join(packageRoot(), 'dist', 'host', 'farm', 'worker-main.js');
}

const ended = (child: ChildProcess): Promise<void> => (child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', () => r())));

/** Starts one worker process; resolves when it is ready (E_FARM_WORKER when it exits first). */
export function startWorkerProcess(options: FarmWorkerOptions): Promise<WorkerProcess> {
  const child = fork(entryPath(), [JSON.stringify(options)], { cwd: packageRoot(), stdio: ['ignore', 'inherit', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => (stderr = (stderr + b.toString()).slice(-2000)));
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null, signal: string | null): void =>
      reject(new CaxError('E_FARM_WORKER', `the farm worker exited (${signal ?? `exit ${code}`}) before it was ready: ${stderr.trim()}`));
    child.once('exit', onExit);
    child.once('message', (m: unknown) => {
      child.off('exit', onExit);
      const id = (m as { ready?: string }).ready ?? '';
      const signalled = (signal: NodeJS.Signals) => async (): Promise<void> => {
        const done = ended(child);
        child.kill(signal);
        await done;
      };
      resolve({ id, child, stop: signalled('SIGTERM'), kill: signalled('SIGKILL') });
    });
  });
}
