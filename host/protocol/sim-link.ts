// The link to the Verilator simulation of the SoC: starts the simulator with
// the firmware behind its pseudo-terminal (host/sim/pty.ts) and talks to it
// through `serialport` exactly as to a board. Closing the link stops the
// simulator.
import { artefactPath } from '../artefacts.js';
import { startSimPty, type RunningSim } from '../sim/pty.js';
import { SerialTransport } from './serial.js';
import { BaseTransport } from './transport.js';

export interface SimLinkOptions {
  /** The firmware ELF (default the loader firmware, host/artefacts.ts). */
  readonly firmware?: string;
  /** The simulator binary (default build/sim/cax-sim of the project). */
  readonly simulator?: string;
  /** Stop the simulation after this many clocks. */
  readonly maxCycles?: number;
  /** Write the retirement trace to this file. */
  readonly trace?: string;
}

export class SimTransport extends BaseTransport {
  name: string;

  private constructor(
    private sim: RunningSim,
    private serial: SerialTransport,
    private readonly options: SimLinkOptions,
  ) {
    super();
    this.name = `simulation ${sim.path}`;
    this.attach();
  }

  /** Starts the simulator with the firmware behind a pseudo-terminal and opens it. */
  static async start(options: SimLinkOptions = {}): Promise<SimTransport> {
    const { sim, serial } = await SimTransport.launch(options);
    return new SimTransport(sim, serial, options);
  }

  private static async launch(options: SimLinkOptions): Promise<{ sim: RunningSim; serial: SerialTransport }> {
    const sim = await startSimPty({
      program: options.firmware ?? artefactPath('firmware'),
      ...(options.simulator ? { simulator: options.simulator } : {}),
      ...(options.maxCycles ? { maxCycles: options.maxCycles } : {}),
      ...(options.trace ? { trace: options.trace } : {}),
    });
    try {
      return { sim, serial: await SerialTransport.open(sim.path) };
    } catch (e) {
      await sim.stop().catch(() => undefined);
      throw e;
    }
  }

  /** Forwards the current simulation's bytes and its end (not those of one replaced by restart()). */
  private attach(): void {
    const { sim, serial } = this;
    serial.listen({ data: (bytes) => this.deliver(bytes), closed: (reason) => this.sim === sim && this.ended(reason) });
    sim.ended.then(
      (s) => this.sim === sim && this.ended(`the simulation ended (${s.end} after ${s.cycles} cycles)`),
      (e: unknown) => this.sim === sim && this.ended(`the simulation failed: ${String(e)}`),
    );
  }

  /** A fresh simulation of the SoC with the firmware (a power cycle). */
  async restart(): Promise<void> {
    const old = { sim: this.sim, serial: this.serial };
    const fresh = await SimTransport.launch(this.options);
    this.sim = fresh.sim;
    this.serial = fresh.serial;
    this.name = `simulation ${fresh.sim.path}`;
    this.attach();
    await old.serial.close();
    await old.sim.stop().catch(() => undefined);
  }

  send(bytes: Uint8Array): Promise<void> {
    return this.serial.send(bytes);
  }

  async close(): Promise<void> {
    await this.serial.close();
    await this.sim.stop().catch(() => undefined);
    this.ended('closed');
  }
}
