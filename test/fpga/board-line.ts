// The host's end of the iCEBreaker's serial line in the board-top simulation
// (test/fpga/board.test.ts): a protocol Transport that drives the board's RX
// pin and samples its TX pin bit by bit at the line's rate in board clocks,
// as the FTDI chip does at 12 MHz. It has a rate, so the client can switch it
// after HELLO like a real serial port.
import type { Dut, Signal } from '../../host/bridge/dut.js';
import { BaseTransport } from '../../host/protocol/transport.js';

export const BOARD_CLOCK_HZ = 12_000_000;

type Board = Dut & Record<'RX' | 'TX', Signal>;

export class BoardLine extends BaseTransport {
  readonly name = 'board-top simulation';
  private rate: number;
  private clocksPerBit: number;
  private readonly outgoing: number[] = [];
  private running = true;
  private readonly pump: Promise<void>;
  /** Receiver: board clocks since the start bit's edge (-1: idle), and the byte so far. */
  private since = -1;
  private byte = 0;

  constructor(
    private readonly board: Board,
    baud: number,
  ) {
    super();
    this.rate = baud;
    this.clocksPerBit = Math.round(BOARD_CLOCK_HZ / baud);
    this.pump = this.run();
  }

  get baud(): number {
    return this.rate;
  }

  setBaud(baud: number): Promise<void> {
    this.rate = baud;
    this.clocksPerBit = Math.round(BOARD_CLOCK_HZ / baud);
    return Promise.resolve();
  }

  send(bytes: Uint8Array): Promise<void> {
    this.outgoing.push(...bytes);
    return Promise.resolve();
  }

  async close(): Promise<void> {
    this.running = false;
    await this.pump;
  }

  /** Runs the board: sends queued bytes 8N1 on RX, otherwise idles, and decodes TX all the while. */
  private async run(): Promise<void> {
    while (this.running) {
      const next = this.outgoing.shift();
      if (next === undefined) {
        this.board.RX.value = 1;
        this.receive((await this.board.record(['TX'], 20 * this.clocksPerBit))[0]!);
        continue;
      }
      for (const level of [0, ...Array.from({ length: 8 }, (_, i) => (next >> i) & 1), 1]) {
        this.board.RX.value = level;
        this.receive((await this.board.record(['TX'], this.clocksPerBit))[0]!);
      }
    }
  }

  /** Samples each bit in its middle: start, 8 data bits LSB first, stop. */
  private receive(levels: readonly number[]): void {
    const bytes: number[] = [];
    const half = this.clocksPerBit >> 1;
    for (const level of levels) {
      if (this.since < 0) {
        if (level !== 0) continue;
        this.since = 0;
        this.byte = 0;
      } else this.since++;
      if (this.since < half || (this.since - half) % this.clocksPerBit !== 0) continue;
      const bit = (this.since - half) / this.clocksPerBit;
      if (bit === 0 && level !== 0)
        this.since = -1; // a glitch, not a start bit
      else if (bit >= 1 && bit <= 8) this.byte |= level << (bit - 1);
      else if (bit === 9) {
        if (level === 1) bytes.push(this.byte);
        this.since = -1;
      }
    }
    this.deliver(Uint8Array.from(bytes));
  }
}
