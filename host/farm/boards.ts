// A farm worker's boards: each a locked resource that runs one test at a time.
// A board's identity is read as `cax device info` reads it when the worker
// starts (a port that does not answer then is E_FARM_BOARD: the worker does
// not start). Each board has a regression worker process of its own that
// holds its port and keeps its session between tests, as a local `cax regress
// --backend device --port` run does; before each test it resets the board and
// reads its identity again. A board that does not answer (its port gone,
// which ends the test at once, or no reply) is marked absent: the test it was
// given is an error E_FARM_BOARD, and it takes no more tests.
import { existsSync } from 'node:fs';
import { CaxError } from '../errors.js';
import { readDeviceInfo } from '../protocol/device-link.js';
import type { Outcome } from '../regress/execute.js';
import { WorkerSlot } from '../regress/slot.js';
import type { TestSpec } from '../regress/suite.js';
import type { BoardRecord } from './capabilities.js';
import { errorOutcome } from './job.js';

/** How often a board's port is looked for while it runs a test. */
const PORT_WATCH_MS = 200;
/** How long a board may take to answer its reset (its session opened first when there is none). */
const RESET_TIMEOUT_MS = 15_000;

const message = (e: unknown): string => (e instanceof CaxError ? e.format() : e instanceof Error ? e.message : String(e));

export class Board {
  private readonly slot: WorkerSlot;

  private constructor(readonly record: BoardRecord) {
    this.slot = new WorkerSlot(record.port, record.baud);
  }

  /** The board on `port` at `baud` (asked for at HELLO; default 115200), its identity read as `cax device info` reads it (E_FARM_BOARD when it does not answer). */
  static async attach(port: string, baud?: number): Promise<Board> {
    try {
      const rate = baud === undefined ? {} : { baud };
      return new Board({ port, ...rate, state: 'present', info: { ...(await readDeviceInfo(port, rate)) } });
    } catch (e) {
      throw new CaxError('E_FARM_BOARD', `--board ${port}: no board answers there: ${message(e)}`);
    }
  }

  get free(): boolean {
    return this.record.state === 'present' && this.record.running === undefined;
  }

  /** Resets the board and reads its identity again: true when it answered, else it is marked absent. */
  private async reset(): Promise<boolean> {
    try {
      Object.assign(this.record, { state: 'present', info: { ...(await this.slot.resetBoard(RESET_TIMEOUT_MS)) }, problem: undefined });
      return true;
    } catch (e) {
      Object.assign(this.record, { state: 'absent', problem: message(e) });
      return false;
    }
  }

  /** The outcome of `spec` on this board (reset first; the caller has claimed it, `running`); E_FARM_BOARD when the board is or goes absent. */
  async run(id: string, spec: TestSpec, timeoutMs: number): Promise<Outcome> {
    const port = this.record.port;
    if (!(await this.reset())) return errorOutcome('E_FARM_BOARD', `${id}: the board on ${port} is absent: ${this.record.problem ?? ''}`);
    // a port that disappears (a board unplugged, a simulation ended) ends its test at once
    const gone = new AbortController();
    const watch = setInterval(() => existsSync(port) || gone.abort(`${port} disappeared`), PORT_WATCH_MS);
    let outcome: Outcome;
    try {
      outcome = await this.slot.run(id, 'device', spec, timeoutMs, gone.signal);
    } finally {
      clearInterval(watch);
    }
    // an error may be the board's going away: it is, when it does not answer now
    if (outcome.status === 'error' && !(await this.reset()))
      return { ...outcome, code: 'E_FARM_BOARD', message: `${id}: the board on ${port} went absent during the test (${this.record.problem ?? ''}): ${outcome.code ?? ''} ${outcome.message ?? ''}` };
    return outcome;
  }

  /** Ends its worker process (which closes the board's session). */
  close(): Promise<void> {
    return this.slot.close();
  }
}
