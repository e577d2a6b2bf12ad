// The link to the Verilator simulation of the SoC (sim/, build/sim/cax-sim):
// starts the simulator with the firmware and --pty, reads the pseudo-terminal
// path it prints, and talks to it through `serialport` exactly as to a
// board. Closing the link stops the simulator.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { CaxError } from '../errors.js';
import { SerialTransport } from './serial.js';
import { BaseTransport } from './transport.js';

export const DEFAULT_SIMULATOR = 'build/sim/cax-sim';
export const DEFAULT_FIRMWARE = 'build/firmware/firmware.elf';

export interface SimLinkOptions {
  readonly simulator?: string;
  readonly firmware?: string;
  /** Extra simulator arguments (--max-cycles N, --trace FILE, …). */
  readonly simulatorArgs?: readonly string[];
  /** How long the simulator may take to offer its pseudo-terminal (ms). */
  readonly startTimeoutMs?: number;
}

const PtyLine = z.object({ pty: z.string().min(1) });

export class SimTransport extends BaseTransport {
  readonly name: string;

  private constructor(private readonly child: ChildProcessByStdio<null, Readable, Readable>, private readonly serial: SerialTransport, pty: string) {
    super();
    this.name = `simulation ${pty}`;
    serial.listen({ data: (bytes) => this.deliver(bytes), closed: (reason) => this.ended(reason) });
    child.on('exit', (code, signal) => this.ended(`the simulator exited (${signal ?? code})`));
  }

  /** Starts the simulator with the firmware behind a pseudo-terminal and opens it. */
  static async start(options: SimLinkOptions = {}): Promise<SimTransport> {
    const simulator = options.simulator ?? DEFAULT_SIMULATOR;
    const args = ['--pty', ...(options.simulatorArgs ?? []), options.firmware ?? DEFAULT_FIRMWARE];
    const child = spawn(simulator, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const stderr: string[] = [];
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
    const pty = await new Promise<string>((resolve, reject) => {
      const lines = createInterface({ input: child.stdout });
      const fail = (why: string): void => {
        child.kill('SIGKILL');
        reject(new CaxError('E_LINK', `${simulator}: ${why}${stderr.length ? `: ${stderr.join('').trim()}` : ''}`));
      };
      const timer = setTimeout(() => fail('no pseudo-terminal offered'), options.startTimeoutMs ?? 10_000);
      child.on('error', (e) => fail(e.message));
      child.on('exit', (code) => fail(`exited with status ${code} before offering a pseudo-terminal`));
      lines.once('line', (line) => {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        let parsed: unknown;
        try {
          parsed = JSON.parse(line);
        } catch {
          parsed = undefined;
        }
        const ok = PtyLine.safeParse(parsed);
        if (ok.success) resolve(ok.data.pty);
        else fail(`unexpected first line ${JSON.stringify(line)}`);
      });
    });
    child.stdout.resume();
    try {
      return new SimTransport(child, await SerialTransport.open(pty), pty);
    } catch (e) {
      child.kill('SIGKILL');
      throw e;
    }
  }

  send(bytes: Uint8Array): Promise<void> {
    return this.serial.send(bytes);
  }

  async close(): Promise<void> {
    await this.serial.close();
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
    this.ended('closed');
  }
}
