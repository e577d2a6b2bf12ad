// A transport over a child process's stdin/stdout: the line of the native
// firmware build (build/firmware/cax-fw-native), or any program that speaks
// the protocol on its standard streams.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { CaxError } from '../errors.js';
import { BaseTransport } from './transport.js';

export class ProcessTransport extends BaseTransport {
  readonly name: string;
  private readonly child: ChildProcessByStdio<Writable, Readable, null>;

  constructor(command: string, args: readonly string[] = []) {
    super();
    this.name = `process ${command}`;
    this.child = spawn(command, [...args], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.child.stdout.on('data', (chunk: Uint8Array) => this.deliver(chunk));
    this.child.on('error', (e) => this.ended(`${command}: ${e.message}`));
    this.child.on('exit', (code, signal) => this.ended(`${command} exited (${signal ?? code})`));
    this.child.stdin.on('error', () => undefined); // reported through 'exit'
  }

  send(bytes: Uint8Array): Promise<void> {
    if (this.isClosed) return Promise.reject(new CaxError('E_LINK', `${this.name}: link closed`));
    return new Promise((resolve, reject) => this.child.stdin.write(bytes, (e) => (e ? reject(new CaxError('E_LINK', `${this.name}: ${e.message}`)) : resolve())));
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(timer);
  }
}
