// A Transport carries raw bytes between the host and a co-processor: a
// serial port (serial.ts), a child process's stdin/stdout (the native
// firmware build), the ISS in-process (iss-link.ts), or a fault-injecting
// proxy around another transport (faulty.ts). The client does the framing.

export interface TransportEvents {
  /** Bytes arrived from the device. */
  data(bytes: Uint8Array): void;
  /** The link went away (port unplugged, process ended); no more data will come. */
  closed(reason: string): void;
}

export interface Transport {
  /** Human-readable name, for error messages ("serial /dev/ttyUSB0 @ 115200"). */
  readonly name: string;
  /** Sends bytes; rejects when the link is gone. */
  send(bytes: Uint8Array): Promise<void>;
  /** Sets the one receiver of this transport's events. */
  listen(events: TransportEvents): void;
  /**
   * Restarts the device from its reset state (the simulation and the ISS can;
   * a board behind a plain serial port cannot). The way to stop a program
   * that never returns.
   */
  restart?(): Promise<void>;
  /** The line's rate in baud, on a line that has one (a serial port; a pseudo-terminal or a process has none that matters). */
  readonly baud?: number;
  /** Changes the host side of the line to `baud` (after the device agreed at HELLO). */
  setBaud?(baud: number): Promise<void>;
  close(): Promise<void>;
}

/** Base for transports: keeps the receiver and remembers a close that happened before listen(). */
export abstract class BaseTransport implements Transport {
  abstract readonly name: string;
  private events: TransportEvents | undefined;
  private closedReason: string | undefined;

  abstract send(bytes: Uint8Array): Promise<void>;
  abstract close(): Promise<void>;

  listen(events: TransportEvents): void {
    this.events = events;
    if (this.closedReason !== undefined) events.closed(this.closedReason);
  }

  protected deliver(bytes: Uint8Array): void {
    if (bytes.length > 0) this.events?.data(Uint8Array.from(bytes));
  }

  protected ended(reason: string): void {
    if (this.closedReason !== undefined) return;
    this.closedReason = reason;
    this.events?.closed(reason);
  }

  get isClosed(): boolean {
    return this.closedReason !== undefined;
  }
}
