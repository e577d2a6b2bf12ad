// The `process` transport: the running simulation program of one block: writes protocol commands to
// its stdin and hands back its reply lines (read from its file descriptor 3)
// in order; what the block itself prints ($display) is kept as `output`. Commands without a reply
// (`set`) are held and sent with the next request, so a burst of writes and a
// clock step cost one round trip. The death of the process fails every
// pending and later request with E_BRIDGE_DIED.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import type { Socket } from 'node:net';
import { CaxError } from '../errors.js';
import type { HarnessLink } from './link.js';

interface Waiter {
  resolve(line: string): void;
  reject(error: CaxError): void;
}

/** How much of the block's own output (stdout and stderr) is kept. */
const OUTPUT_TAIL = 16000;

export class HarnessProcess implements HarnessLink {
  private readonly child: ChildProcess;
  private readonly commands: Writable;
  private readonly waiting: Waiter[] = [];
  private received = '';
  private held = '';
  private outputTail = '';
  private death: CaxError | undefined;
  private readonly exited: Promise<void>;

  constructor(
    executable: string,
    private readonly label: string,
    cwd: string,
  ) {
    this.child = spawn(executable, [], { cwd, stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
    const [stdin, stdout, stderr, replies] = this.child.stdio as unknown as [Writable, Readable, Readable, Readable];
    this.commands = stdin;
    replies.setEncoding('utf8');
    replies.on('data', (chunk: string) => this.onData(chunk));
    for (const stream of [stdout, stderr]) {
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        this.outputTail = (this.outputTail + chunk).slice(-OUTPUT_TAIL);
      });
    }
    stdin.on('error', () => undefined); // a closed pipe shows up as the exit below
    this.exited = new Promise((resolve) => {
      this.child.on('error', (e) => {
        this.fail(new CaxError('E_BRIDGE_DIED', `cannot start the simulation of ${label}: ${e.message}`, { cause: e }));
        resolve();
      });
      this.child.on('close', (code, signal) => {
        const how = signal ? `was killed by ${signal}` : `exited with code ${String(code)}`;
        const tail = this.outputTail.trim().split('\n').slice(-20).join('\n');
        this.fail(new CaxError('E_BRIDGE_DIED', `the simulation of ${label} ${how}${tail ? `:\n${tail}` : ''}`, { details: { code, signal } }));
        resolve();
      });
    });
    this.idle();
  }

  /** Queues a command that has no reply; it goes out with the next request. */
  hold(command: string): void {
    if (this.death) throw this.death;
    this.held += command;
  }

  /** Sends the held commands and `command`, resolving to the reply line. */
  request(command: string): Promise<string> {
    if (this.death) return Promise.reject(this.death);
    const text = this.held + command;
    this.held = '';
    this.busy();
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.commands.write(text);
    });
  }

  /** Asks the program to quit and waits for it to go. */
  async close(): Promise<void> {
    if (!this.death) {
      this.busy();
      this.commands.end('q\n');
    }
    await this.exited;
  }

  /** The last OUTPUT_TAIL characters the block printed. */
  get output(): string {
    return this.outputTail;
  }

  /** Kills the program (tests use this to check that death is reported). */
  kill(): void {
    this.child.kill('SIGKILL');
  }

  private onData(chunk: string): void {
    this.received += chunk;
    let end: number;
    while ((end = this.received.indexOf('\n')) >= 0) {
      const line = this.received.slice(0, end);
      this.received = this.received.slice(end + 1);
      const waiter = this.waiting.shift();
      if (!waiter) {
        this.fail(new CaxError('E_PROTOCOL', `unexpected output from the simulation of ${this.label}: ${JSON.stringify(line.slice(0, 200))}`));
        this.kill();
        return;
      }
      waiter.resolve(line);
    }
    if (this.waiting.length === 0) this.idle();
  }

  private fail(error: CaxError): void {
    this.death ??= error;
    for (const waiter of this.waiting.splice(0)) waiter.reject(this.death);
  }

  // While no reply is awaited the program must not keep Node alive (a test that forgets close() still ends).
  // (Child pipes are sockets at run time; Node's types only promise Readable.)
  private idle(): void {
    this.child.unref();
    for (const pipe of this.pipes()) pipe.unref();
  }

  private busy(): void {
    this.child.ref();
    for (const pipe of this.pipes()) pipe.ref();
  }

  private pipes(): Socket[] {
    return this.child.stdio.slice(1).map((pipe) => pipe as unknown as Socket);
  }
}
