// The link to the Verilator simulation of the SoC: starts the simulator with
// the firmware behind its pseudo-terminal (host/sim/pty.ts) and talks to it
// through `serialport` exactly as to a board. Closing the link stops the
// simulator.
import { join } from 'node:path';
import { startSimPty, type RunningSim } from '../sim/pty.js';
import { SerialTransport } from './serial.js';
import { BaseTransport } from './transport.js';

/** The firmware ELF built by mk/firmware.mk, relative to the project root. */
export const FIRMWARE_ELF = join('build', 'firmware', 'firmware.elf');

export interface SimLinkOptions {
  /** The firmware ELF (default build/firmware/firmware.elf under the working directory). */
  readonly firmware?: string;
  /** The simulator binary (default build/sim/cax-sim of the project). */
  readonly simulator?: string;
  /** Stop the simulation after this many clocks. */
  readonly maxCycles?: number;
  /** Write the retirement trace to this file. */
  readonly trace?: string;
}

export class SimTransport extends BaseTransport {
  readonly name: string;

  private constructor(private readonly sim: RunningSim, private readonly serial: SerialTransport) {
    super();
    this.name = `simulation ${sim.path}`;
    serial.listen({ data: (bytes) => this.deliver(bytes), closed: (reason) => this.ended(reason) });
    sim.ended.then(
      (s) => this.ended(`the simulation ended (${s.end} after ${s.cycles} cycles)`),
      (e: unknown) => this.ended(`the simulation failed: ${String(e)}`),
    );
  }

  /** Starts the simulator with the firmware behind a pseudo-terminal and opens it. */
  static async start(options: SimLinkOptions = {}): Promise<SimTransport> {
    const sim = await startSimPty({
      program: options.firmware ?? FIRMWARE_ELF,
      ...(options.simulator ? { simulator: options.simulator } : {}),
      ...(options.maxCycles ? { maxCycles: options.maxCycles } : {}),
      ...(options.trace ? { trace: options.trace } : {}),
    });
    try {
      return new SimTransport(sim, await SerialTransport.open(sim.path));
    } catch (e) {
      await sim.stop().catch(() => undefined);
      throw e;
    }
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
