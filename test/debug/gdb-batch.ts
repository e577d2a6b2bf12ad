// The real gdb-multiarch in batch mode against a server on loopback, for the
// gdb tests (gdb.test.ts, tel-elf.test.ts): its output, stdout and stderr.
import { spawn } from 'node:child_process';
import type { Server } from 'node:net';
import { listenGdb, listeningPort, type RspTarget } from '../../host/debug/gdb.js';

/** Runs gdb-multiarch on `elf` connected to 127.0.0.1:`port`, the `commands` one after another; its output. */
export function runGdb(port: number, elf: string, commands: readonly string[]): Promise<string> {
  const args = ['-batch', '-nx', '-ex', 'set architecture riscv:rv32', '-ex', `target remote 127.0.0.1:${port}`, ...commands.flatMap((c) => ['-ex', c]), elf];
  return new Promise((resolvePromise, reject) => {
    const child = spawn('gdb-multiarch', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      resolvePromise(out);
    });
  });
}

/** Serves targets made by `makeTarget` on a free port while `work` runs; waits for the sessions to end. */
export async function withGdbServer(makeTarget: () => RspTarget, work: (port: number) => Promise<void>): Promise<void> {
  const sessions: Promise<void>[] = [];
  const server: Server = await listenGdb(0, makeTarget, (done) => sessions.push(done));
  try {
    await work(listeningPort(server));
  } finally {
    server.close();
    await Promise.all(sessions);
  }
}
