// The SoC's UART as the ISS models it (docs/soc.md): TXDATA/RXDATA/STATUS/
// DIVISOR, a 32-byte receive FIFO with the lost flag, no transmit buffer.
// Bit timing is not simulated clock by clock; instead each byte takes one
// frame time (10 × DIVISOR clocks) on the line in either direction: a byte
// written to TXDATA is handed to the transmit listeners at once and keeps
// the transmitter busy for a frame, and bytes the host sends with receive()
// reach the FIFO one frame apart. Everything is a function of the cycle
// count, so runs are deterministic. Faults on the line can be scripted
// (faults.ts).
import type { LineAction, LineFaults } from './faults.js';

export const RX_FIFO_BYTES = 32;

export type TransmitListener = (byte: number) => void;

export class Uart {
  divisor: number;
  private readonly fifo: number[] = [];
  private lost = false;
  /** Host bytes on the line, with the cycle at which each reaches the FIFO. */
  private readonly incoming: { byte: number; at: number }[] = [];
  private lineFreeAt = 0;
  private txBusyUntil = 0;
  private readonly listeners: TransmitListener[] = [];
  private faults: LineFaults = {};
  private receivedCount = 0;
  private transmittedCount = 0;
  /** Transmitted bytes held back by a scripted delay, with the cycle they reach the host. */
  private readonly delayed: { byte: number; at: number }[] = [];
  /** Hears a read of RXDATA that finds nothing received and nothing on its way: the program waits on the host. */
  onStarved: (() => void) | null = null;

  constructor(private readonly resetDivisor: number) {
    this.divisor = resetDivisor;
  }

  reset(): void {
    this.divisor = this.resetDivisor;
    this.fifo.length = 0;
    this.incoming.length = 0;
    this.lost = false;
    this.lineFreeAt = 0;
    this.txBusyUntil = 0;
    this.delayed.length = 0;
  }

  /** Scripts faults on the line from now on (counting bytes from 0 again); `{}` removes them. */
  setFaults(faults: LineFaults): void {
    this.faults = faults;
    this.receivedCount = 0;
    this.transmittedCount = 0;
  }

  /** Clocks one byte occupies on the line (8N1: 10 bits; DIVISOR below 2 times as 2). */
  frameClocks(): number {
    return 10 * Math.max(2, this.divisor >>> 0);
  }

  /** Calls `listener` with every byte the program transmits. Returns a function that removes it. */
  onTransmit(listener: TransmitListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** The host sends bytes; `now` is the current cycle. They arrive one frame apart after the line is free. */
  receive(bytes: Uint8Array | readonly number[], now: number): void {
    let at = Math.max(now, this.lineFreeAt);
    for (const byte of bytes) {
      const action: LineAction = this.faults.receive ? this.faults.receive(byte & 0xff, this.receivedCount++) : 'pass';
      if (action === 'drop') continue;
      if (typeof action === 'object' && 'delayCycles' in action) at += action.delayCycles;
      at += this.frameClocks();
      this.incoming.push({ byte: typeof action === 'object' && 'replaceWith' in action ? action.replaceWith & 0xff : byte & 0xff, at });
    }
    this.lineFreeAt = at;
  }

  /** Bytes the host has sent that the program has not read: in the receive FIFO or still on the line (a byte lost to a full FIFO is gone). */
  unread(): number {
    return this.fifo.length + this.incoming.length;
  }

  /** Bytes the host has sent that have not yet reached the FIFO. */
  pendingBytes(): number {
    return this.incoming.length;
  }

  private deliver(now: number): void {
    while (this.incoming.length > 0 && this.incoming[0]!.at <= now) {
      const { byte } = this.incoming.shift()!;
      if (this.fifo.length < RX_FIFO_BYTES) this.fifo.push(byte);
      else this.lost = true;
    }
  }

  /** A word read of register `index` (0 TXDATA, 1 RXDATA, 2 STATUS, 3 DIVISOR) in cycle `now`. */
  read(index: number, now: number): number {
    this.deliver(now);
    this.flushTransmit(now);
    if (index === 1 && this.fifo.length === 0 && this.incoming.length === 0 && this.onStarved !== null) this.onStarved();
    switch (index) {
      case 0:
        return now < this.txBusyUntil ? 0x80000000 : 0;
      case 1:
        return this.fifo.length === 0 ? 0x80000000 : this.fifo.shift()!;
      case 2: {
        const status = (this.fifo.length > 0 ? 1 : 0) | (now < this.txBusyUntil ? 0 : 2) | (this.lost ? 4 : 0);
        this.lost = false;
        return status;
      }
      default:
        return this.divisor >>> 0;
    }
  }

  /** A word write of register `index` in cycle `now`. */
  write(index: number, value: number, now: number): void {
    this.deliver(now);
    this.flushTransmit(now);
    if (index === 0) {
      if (now < this.txBusyUntil) return;
      // the frame starts at the clock edge that ends the writing cycle
      this.txBusyUntil = now + 1 + this.frameClocks();
      this.send(value & 0xff, now);
    } else if (index === 3) {
      this.divisor = value >>> 0;
    }
  }

  private send(byte: number, now: number): void {
    const action: LineAction = this.faults.transmit ? this.faults.transmit(byte, this.transmittedCount++) : 'pass';
    if (action === 'drop') return;
    const out = typeof action === 'object' && 'replaceWith' in action ? action.replaceWith & 0xff : byte;
    const delay = typeof action === 'object' && 'delayCycles' in action ? action.delayCycles : 0;
    if (delay === 0 && this.delayed.length === 0) {
      for (const listener of this.listeners) listener(out);
      return;
    }
    const last = this.delayed.length > 0 ? this.delayed[this.delayed.length - 1]!.at : now;
    this.delayed.push({ byte: out, at: Math.max(last, now + delay) });
  }

  /** Hands delayed transmitted bytes whose time has come (cycle `now`) to the listeners. */
  flushTransmit(now: number): void {
    while (this.delayed.length > 0 && this.delayed[0]!.at <= now) {
      const { byte } = this.delayed.shift()!;
      for (const listener of this.listeners) listener(byte);
    }
  }
}
