// Starts the simulated SoC behind a pseudo-terminal (`cax-sim --pty`): the
// simulator prints the terminal's path as its first line and then runs
// until the program ends or it is stopped; the host talks to it through
// `serialport` exactly as to a board.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { CaxError } from '../errors.js';
import { parseSummary, simArguments, simulatorPath, type SimRunOptions, type SimSummary } from './simulator.js';

const PtyLineSchema = z.object({ pty: z.string().startsWith('/dev/') });

export interface RunningSim {
  /** The pseudo-terminal the UART is bridged to. */
  readonly path: string;
  /** Resolves with the summary when the simulator ends by itself or is stopped. */
  readonly ended: Promise<SimSummary>;
  /** Stops the simulator (SIGTERM) and resolves with its summary. */
  stop(): Promise<SimSummary>;
}

export async function startSimPty(options: SimRunOptions, startTimeoutMs = 10_000): Promise<RunningSim> {
  const simulator = options.simulator ?? simulatorPath();
  if (!existsSync(simulator)) throw new CaxError('E_SIM', `${simulator} is not built (run \`cax sim build\`)`);
  const child: ChildProcessByStdio<null, Readable, Readable> = spawn(simulator, ['--pty', ...simArguments(options)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr: string[] = [];
  child.stderr.on('data', (b: Buffer) => stderr.push(b.toString('latin1')));
  const lines: string[] = [];
  const reader = createInterface({ input: child.stdout });
  const ended = new Promise<SimSummary>((resolvePromise, reject) => {
    reader.on('line', (line) => lines.push(line));
    child.on('close', () => {
      try {
        resolvePromise(parseSummary(lines.slice(1).join('\n')));
      } catch (e) {
        reject(e);
      }
    });
  });
  ended.catch(() => undefined); // observed through start failure or stop()
  const path = await new Promise<string>((resolvePromise, reject) => {
    const fail = (why: string): void => {
      child.kill('SIGKILL');
      reject(new CaxError('E_SIM', `${simulator}: ${why} ${stderr.join('').trim()}`.trim()));
    };
    const timer = setTimeout(() => fail('no pseudo-terminal offered'), startTimeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      fail(e.message);
    });
    reader.once('line', (line) => {
      clearTimeout(timer);
      const parsed = PtyLineSchema.safeParse(
        (() => {
          try {
            return JSON.parse(line) as unknown;
          } catch {
            return undefined;
          }
        })(),
      );
      if (parsed.success) resolvePromise(parsed.data.pty);
      else fail(`unexpected first line ${JSON.stringify(line.slice(0, 200))}`);
    });
    child.on('close', (status) => {
      clearTimeout(timer);
      fail(`exited with status ${status} before offering a pseudo-terminal`);
    });
  });
  return {
    path,
    ended,
    stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return ended;
    },
  };
}
