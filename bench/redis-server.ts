// A real redis-server for the tests and benchmarks (the Debian package, no mock): on a free
// loopback port, with a password and a temporary directory, nothing saved to
// disk; stopped (or killed, to lose it mid-run, or restarted empty on the same
// port and password) by the test that started it.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  /** SIGKILL: the server is gone at once, as in a crash. */
  kill(): Promise<void>;
  /** SIGKILL, then a new empty server on the same port with the same password (clients reconnect). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function ended(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}

/** A redis-server on `port` with `password`, ready to accept connections. */
async function spawnServer(port: number, password: string, dir: string): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--requirepass', password, '--dir', dir, '--save', '', '--appendonly', 'no', '--daemonize', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${out}`)), 10_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code}: ${out}`));
    });
  });
  return child;
}

export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  const dir = mkdtempSync(join(tmpdir(), 'cax-redis-'));
  let child = await spawnServer(port, password, dir);
  const end = async (signal: NodeJS.Signals): Promise<void> => {
    const done = ended(child);
    child.kill(signal);
    await done;
  };
  const stopWith = async (signal: NodeJS.Signals): Promise<void> => {
    await end(signal);
    rmSync(dir, { recursive: true, force: true });
  };
  const restart = async (): Promise<void> => {
    await end('SIGKILL');
    child = await spawnServer(port, password, dir);
  };
  return { url: `redis://:${password}@127.0.0.1:${port}`, port, kill: () => stopWith('SIGKILL'), stop: () => stopWith('SIGTERM'), restart };
}
