// A farm worker's boards: each a locked resource that runs one test at a time.
// A board's identity is read as `cax device info` reads it when the worker
// starts (a port that does not answer then is E_FARM_BOARD: the worker does
// not start). Before each test the board is reset and greeted again; a test
// runs in a regression worker process of its own that holds the port, as a
// local `cax regress --backend device --port` run does. A board that does not
// answer (its port gone, which ends the test at once, or no reply) is marked
// absent: the test it was given is an error E_FARM_BOARD, and it takes no
// more tests.
import { existsSync } from 'node:fs';
import { CaxError } from '../errors.js';
import type { Outcome } from '../regress/execute.js';
import { WorkerSlot } from '../regress/slot.js';
import type { TestSpec } from '../regress/suite.js';
import { withDevice } from '../protocol/device-link.js';
import type { BoardRecord } from './capabilities.js';
import { errorOutcome } from './job.js';

/** How often a board's port is looked for while it runs a test. */
const PORT_WATCH_MS = 200;

const message = (e: unknown): string => (e instanceof CaxError ? e.format() : e instanceof Error ? e.message : String(e));

export class Board {
  private constructor(readonly record: BoardRecord) {}

  /** The board on `port`, its identity read (E_FARM_BOARD when it does not answer). */
  static async attach(port: string): Promise<Board> {
    const board = new Board({ port, state: 'absent' });
    if (!(await board.reset())) throw new CaxError('E_FARM_BOARD', `--board ${port}: no board answers there: ${board.record.problem ?? ''}`);
    return board;
  }

  get free(): boolean {
    return this.record.state === 'present' && this.record.running === undefined;
  }

  /** Resets the board and reads its identity again: true when it answered, else it is marked absent. */
  private async reset(): Promise<boolean> {
    try {
      const info = await withDevice(this.record.port, {}, async (client) => {
        await client.reset();
        return client.info;
      });
      Object.assign(this.record, { state: 'present', info: { ...info }, problem: undefined });
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
    const slot = new WorkerSlot(port);
    // a port that disappears (a board unplugged, a simulation ended) ends its test at once
    const gone = new AbortController();
    const watch = setInterval(() => existsSync(port) || gone.abort(`${port} disappeared`), PORT_WATCH_MS);
    let outcome: Outcome;
    try {
      outcome = await slot.run(id, 'device', spec, timeoutMs, gone.signal);
    } finally {
      clearInterval(watch);
      await slot.close();
    }
    // an error may be the board's going away: it is, when it does not answer now
    if (outcome.status === 'error' && !(await this.reset()))
      return { ...outcome, code: 'E_FARM_BOARD', message: `${id}: the board on ${port} went absent during the test (${this.record.problem ?? ''}): ${outcome.code ?? ''} ${outcome.message ?? ''}` };
    return outcome;
  }
}
