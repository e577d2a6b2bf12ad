// The running simulation program of one block: writes protocol commands to
// its stdin and hands back its reply lines in order. Commands without a reply
// (`set`) are held and sent with the next request, so a burst of writes and a
// clock step cost one round trip. The death of the process fails every
// pending and later request with E_BRIDGE_DIED.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { CaxError } from '../errors.js';

interface Waiter {
  resolve(line: string): void;
  reject(error: CaxError): void;
}

const STDERR_TAIL = 4000;

export class HarnessProcess {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting: Waiter[] = [];
  private received = '';
  private held = '';
  private stderrTail = '';
  private death: CaxError | undefined;
  private readonly exited: Promise<void>;

  constructor(executable: string, private readonly label: string) {
    this.child = spawn(executable, [], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.setEncoding('utf8');
    this.child.stderr.setEncoding('utf8');
    this.child.stdout.on('data', (chunk: string) => this.onData(chunk));
    this.child.stderr.on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-STDERR_TAIL);
    });
    this.child.stdin.on('error', () => undefined); // a closed pipe shows up as the exit below
    this.exited = new Promise((resolve) => {
      this.child.on('error', (e) => {
        this.fail(new CaxError('E_BRIDGE_DIED', `cannot start the simulation of ${label}: ${e.message}`, { cause: e }));
        resolve();
      });
      this.child.on('close', (code, signal) => {
        const how = signal ? `was killed by ${signal}` : `exited with code ${String(code)}`;
        const tail = this.stderrTail.trim();
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
      this.child.stdin.write(text);
    });
  }

  /** Asks the program to quit and waits for it to go. */
  async close(): Promise<void> {
    if (!this.death) {
      this.busy();
      this.child.stdin.end('q\n');
    }
    await this.exited;
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
  private idle(): void {
    this.child.unref();
    this.child.stdout.unref();
    this.child.stderr.unref();
  }

  private busy(): void {
    this.child.ref();
    this.child.stdout.ref();
    this.child.stderr.ref();
  }
}
