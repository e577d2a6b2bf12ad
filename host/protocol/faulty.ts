// A fault-injecting proxy transport: wraps another transport and, in both
// directions, drops, corrupts (flips one bit), duplicates and delays bytes,
// truncates or repeats a write, with a seeded random generator so a failing run can
// be replayed. Used by the fault-injection tests and to try a link's limits.
import { seededRandom } from '../random.js';
import { BaseTransport, type Transport } from './transport.js';

export interface FaultRates {
  /** Probability, per byte, of each fault. */
  readonly drop?: number;
  readonly flip?: number;
  readonly duplicate?: number;
  /** Probability, per write, of losing the write's second half. */
  readonly truncate?: number;
  /** Probability, per write, of the whole write arriving twice (a duplicated frame). */
  readonly repeat?: number;
  /** Largest delay added to a write, in ms (order is kept). */
  readonly maxDelayMs?: number;
}

export interface FaultCounts {
  dropped: number;
  flipped: number;
  duplicated: number;
  truncated: number;
  repeated: number;
}

export class FaultyTransport extends BaseTransport {
  readonly name: string;
  readonly counts: FaultCounts = { dropped: 0, flipped: 0, duplicated: 0, truncated: 0, repeated: 0 };
  private readonly random: () => number;
  private toDevice: Promise<void> = Promise.resolve();
  private toHostAt = 0;
  private toDeviceAt = 0;
  private enabled = true;

  constructor(private readonly inner: Transport, private readonly rates: FaultRates, seed: number) {
    super();
    this.name = `faulty ${inner.name}`;
    this.random = seededRandom(seed);
    inner.listen({
      data: (bytes) => {
        const mangled = this.mangle(bytes);
        this.toHostAt = this.later(this.toHostAt, () => this.deliver(mangled));
      },
      closed: (reason) => this.ended(reason),
    });
  }

  /** Switches fault injection on or off (off: a transparent proxy). */
  setEnabled(enabled: boolean): void {
    this.enabled = enabled;
  }

  send(bytes: Uint8Array): Promise<void> {
    const mangled = this.mangle(bytes);
    const done = new Promise<void>((resolve, reject) => {
      this.toDeviceAt = this.later(this.toDeviceAt, () => {
        this.toDevice = this.toDevice.then(() => this.inner.send(mangled)).then(resolve, reject);
      });
    });
    return done;
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  /** Schedules `action` after a random delay, never before the previous one of its direction. */
  private later(previousAt: number, action: () => void): number {
    const delay = this.enabled ? this.random() * (this.rates.maxDelayMs ?? 0) : 0;
    const at = Math.max(previousAt, Date.now() + delay);
    setTimeout(action, at - Date.now());
    return at;
  }

  private mangle(bytes: Uint8Array): Uint8Array {
    if (!this.enabled) return bytes;
    if (this.random() < (this.rates.repeat ?? 0)) {
      this.counts.repeated++;
      const twice = new Uint8Array(bytes.length * 2);
      twice.set(bytes);
      twice.set(bytes, bytes.length);
      bytes = twice;
    }
    const out: number[] = [];
    let end = bytes.length;
    if (this.random() < (this.rates.truncate ?? 0) && bytes.length > 1) {
      end = bytes.length >> 1;
      this.counts.truncated++;
    }
    for (let i = 0; i < end; i++) {
      let byte = bytes[i]!;
      if (this.random() < (this.rates.drop ?? 0)) {
        this.counts.dropped++;
        continue;
      }
      if (this.random() < (this.rates.flip ?? 0)) {
        byte ^= 1 << Math.floor(this.random() * 8);
        this.counts.flipped++;
      }
      out.push(byte);
      if (this.random() < (this.rates.duplicate ?? 0)) {
        out.push(byte);
        this.counts.duplicated++;
      }
    }
    return Uint8Array.from(out);
  }
}
