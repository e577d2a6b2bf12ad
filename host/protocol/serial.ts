// A transport over a serial port with `serialport`: a board's USB UART or
// the pseudo-terminal of the Verilator simulation. 8N1, no flow control.
import { SerialPort } from 'serialport';
import { z } from 'zod';
import { CaxError } from '../errors.js';
import { BaseTransport } from './transport.js';

export const DEFAULT_BAUD = 115200;

/** A line rate as the user gives it (`--baud N`, decimal or 0x…; an environment variable): 50 … 4,000,000 baud. */
export const BaudRate = z.coerce.number().int().min(50).max(4_000_000);

export class SerialTransport extends BaseTransport {
  private constructor(
    private readonly port: SerialPort,
    private readonly path: string,
    private rate: number,
  ) {
    super();
    port.on('data', (chunk: Uint8Array) => this.deliver(chunk));
    port.on('close', () => this.ended(`${this.name}: port closed`));
    port.on('error', (e: Error) => this.ended(`${this.name}: ${e.message}`));
  }

  /** Opens `path` at `baud` (8N1, no flow control); E_LINK when it cannot be opened. */
  static open(path: string, baud = DEFAULT_BAUD): Promise<SerialTransport> {
    return new Promise((resolve, reject) => {
      const port = new SerialPort({ path, baudRate: baud, dataBits: 8, stopBits: 1, parity: 'none', rtscts: false, xon: false, xoff: false, autoOpen: false });
      port.open((e) => (e ? reject(new CaxError('E_LINK', `cannot open ${path}: ${e.message}`)) : resolve(new SerialTransport(port, path, baud))));
    });
  }

  get name(): string {
    return `serial ${this.path} @ ${this.rate}`;
  }

  get baud(): number {
    return this.rate;
  }

  /** Switches the port's rate (serialport's update); E_LINK when the port refuses it. */
  setBaud(baud: number): Promise<void> {
    return new Promise((resolve, reject) =>
      this.port.update({ baudRate: baud }, (e) => {
        if (e) return reject(new CaxError('E_LINK', `${this.name}: cannot switch to ${baud} baud: ${e.message}`));
        this.rate = baud;
        resolve();
      }),
    );
  }

  send(bytes: Uint8Array): Promise<void> {
    if (this.isClosed || !this.port.isOpen) return Promise.reject(new CaxError('E_LINK', `${this.name}: link closed`));
    return new Promise((resolve, reject) => this.port.write(Buffer.from(bytes), (e) => (e ? reject(new CaxError('E_LINK', `${this.name}: ${e.message}`)) : resolve())));
  }

  close(): Promise<void> {
    if (!this.port.isOpen) return Promise.resolve();
    return new Promise((resolve) => this.port.close(() => resolve()));
  }
}
