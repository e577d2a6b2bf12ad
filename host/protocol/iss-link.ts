// The in-process link to the ISS (host/riscv/): the firmware runs in an Iss,
// bytes the host sends go onto its UART receive line, bytes it transmits
// come back as transport data. The ISS runs in slices of cycles on the event
// loop while the link is open, so host and firmware interleave as on a line.
import { CaxError } from '../errors.js';
import type { Iss } from '../riscv/iss.js';
import { BaseTransport } from './transport.js';

export interface IssLinkOptions {
  /** Cycles the ISS runs between looks at the event loop. */
  readonly sliceCycles?: number;
  /** The firmware ELF: restart() loads it afresh (else it only resets the core, keeping RAM). */
  readonly firmware?: Uint8Array;
}

export class IssTransport extends BaseTransport {
  readonly name = 'iss';
  private readonly sliceCycles: number;
  private readonly firmware: Uint8Array | undefined;
  private outgoing: number[] = [];
  private running = true;
  private stopped: Promise<void>;
  /** Set when the program waits on the host: the slice ends there, and the loop sleeps until the host sends (or 1 ms). */
  private starved = false;
  /** After a sleep that nothing ended, a whole slice runs (so time goes on for the program's own timeouts). */
  private patient = false;
  private wake: (() => void) | null = null;

  /** Starts the ISS, which must hold the firmware and be at its reset state. */
  constructor(
    private readonly iss: Iss,
    options: IssLinkOptions = {},
  ) {
    super();
    this.sliceCycles = options.sliceCycles ?? 200_000;
    this.firmware = options.firmware;
    iss.uart.onTransmit((byte) => this.outgoing.push(byte));
    iss.uart.onStarved(() => {
      if (this.patient || this.starved) return;
      this.starved = true;
      iss.pause();
    });
    this.stopped = this.loop();
  }

  private async loop(): Promise<void> {
    while (this.running) {
      this.starved = false;
      const result = this.iss.run({ maxCycles: this.sliceCycles });
      this.patient = false;
      const quiet = this.outgoing.length === 0 && this.iss.uart.pending() === 0;
      if (this.outgoing.length > 0) {
        this.deliver(Uint8Array.from(this.outgoing));
        this.outgoing = [];
      }
      if (result.ended !== 'cycle-limit') {
        this.ended(`the ISS stopped (${result.ended}, exit code ${result.exitCode})`);
        return;
      }
      if (this.starved || quiet) {
        // The firmware waits on the host (or only polls its UART): sleep until the host sends, or 1 ms;
        // after a sleep nothing ended, the next slice runs whole.
        const sent = await new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(false), 1);
          this.wake = () => {
            clearTimeout(timer);
            resolve(true);
          };
        });
        this.wake = null;
        this.patient = !sent;
      } else {
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  }

  /** Back to the reset state (with the firmware loaded afresh when it was given); bytes in flight are lost. */
  restart(): Promise<void> {
    if (this.firmware) this.iss.load(this.firmware);
    else this.iss.reset();
    this.outgoing = [];
    return Promise.resolve();
  }

  send(bytes: Uint8Array): Promise<void> {
    if (!this.running || this.isClosed) return Promise.reject(new CaxError('E_LINK', 'iss: link closed'));
    this.iss.uart.receive(bytes);
    this.wake?.();
    return Promise.resolve();
  }

  async close(): Promise<void> {
    this.running = false;
    await this.stopped;
    this.ended('closed');
  }
}
