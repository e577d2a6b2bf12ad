// Farm worker processes on this machine for the tests and benchmarks: each is
// `cax farm worker` from the built CLI (dist/, as a user runs it), ready when it
// says it is up; stopped with SIGTERM (its running tests finish) or killed
// with SIGKILL (a crash: its tests run elsewhere).
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

export interface FarmWorkerProcess {
  readonly id: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
  kill(): Promise<void>;
}

export interface FarmWorkerSpawnOptions {
  readonly jobs?: number;
  readonly lockMs?: number;
  /** Extra environment (CAX_HOME with other artefacts makes a worker of another identity). */
  readonly env?: NodeJS.ProcessEnv;
  /** Serial ports of its boards (`--board PORT` each). */
  readonly boards?: readonly string[];
  /** The line rate of its boards (`--baud N`). */
  readonly baud?: number;
}

const CLI = resolve('dist/host/cli/main.js');

const ended = (child: ChildProcess): Promise<void> => (child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', () => r())));

/** Starts `cax farm worker --redis URL` and resolves when it is up (rejects with its stderr when it exits first). */
export function spawnFarmWorker(url: string, options: FarmWorkerSpawnOptions = {}): Promise<FarmWorkerProcess> {
  const args = [
    CLI,
    'farm',
    'worker',
    '--redis',
    url,
    '--jobs',
    String(options.jobs ?? 1),
    '--lock-ms',
    String(options.lockMs ?? 2000),
    ...(options.boards ?? []).flatMap((port) => ['--board', port]),
    ...(options.baud === undefined ? [] : ['--baud', String(options.baud)]),
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...options.env } });
  let stderr = '';
  return new Promise((resolveUp, reject) => {
    const onExit = (code: number | null, signal: string | null): void => reject(new Error(`cax farm worker exited (${signal ?? code}) before it was up: ${stderr}`));
    child.once('exit', onExit);
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
      const up = /farm worker (\S+) up/.exec(stderr);
      if (!up) return;
      child.off('exit', onExit);
      const signalled = (signal: NodeJS.Signals) => async (): Promise<void> => {
        const done = ended(child);
        child.kill(signal);
        await done;
      };
      resolveUp({ id: up[1]!, child, stop: signalled('SIGTERM'), kill: signalled('SIGKILL') });
    });
  });
}
