// A fault-injecting proxy transport: wraps another transport and, in both
// directions, drops, corrupts (flips one bit), duplicates and delays bytes,
// truncates or repeats frames, with a seeded random generator so a failing
// run can be replayed. Used by the fault-injection tests and to try a link's
// limits.
//
// Frame faults are drawn once per frame (the bytes up to and including a
// 0x00 delimiter), whatever pieces the inner transport delivers them in: a
// serial port hands the simulation's output over a few bytes at a time, the
// ISS and a child process whole frames at once, and a rate per piece would
// make the same nominal rates damage nearly every long frame on the one link
// and few on the others.
import { seededRandom } from '../random.js';
import { DELIMITER } from './frame.js';
import { BaseTransport, type Transport } from './transport.js';

export interface FaultRates {
  /** Probability, per byte, of each fault. */
  readonly drop?: number;
  readonly flip?: number;
  readonly duplicate?: number;
  /** Probability, per frame, of losing the frame's second half (its delimiter included). */
  readonly truncate?: number;
  /** Probability, per frame, of the whole frame arriving twice. */
  readonly repeat?: number;
  /** Largest delay added to a frame, in ms (order is kept). */
  readonly maxDelayMs?: number;
}

export interface FaultCounts {
  dropped: number;
  flipped: number;
  duplicated: number;
  truncated: number;
  repeated: number;
}

/** Cuts `bytes` after each delimiter; the bytes after the last one are returned as `rest`. */
function splitFrames(bytes: Uint8Array): { frames: Uint8Array[]; rest: Uint8Array } {
  const frames: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== DELIMITER) continue;
    frames.push(bytes.subarray(start, i + 1));
    start = i + 1;
  }
  return { frames, rest: bytes.subarray(start) };
}

export class FaultyTransport extends BaseTransport {
  readonly name: string;
  readonly counts: FaultCounts = { dropped: 0, flipped: 0, duplicated: 0, truncated: 0, repeated: 0 };
  private readonly random: () => number;
  private toDevice: Promise<void> = Promise.resolve();
  private toHostAt = 0;
  private toDeviceAt = 0;
  /** Device bytes of a frame whose delimiter has not arrived yet. */
  private partial: Uint8Array = new Uint8Array(0);

  constructor(
    private readonly inner: Transport,
    private readonly rates: FaultRates,
    seed: number,
  ) {
    super();
    this.name = `faulty ${inner.name}`;
    this.random = seededRandom(seed);
    inner.listen({
      data: (bytes) => {
        const joined = new Uint8Array(this.partial.length + bytes.length);
        joined.set(this.partial);
        joined.set(bytes, this.partial.length);
        const { frames, rest } = splitFrames(joined);
        this.partial = rest;
        for (const frame of frames) {
          const mangled = this.mangle(frame);
          this.toHostAt = this.later(this.toHostAt, () => this.deliver(mangled));
        }
      },
      closed: (reason) => this.ended(reason),
    });
  }

  /** Sends `bytes`, each frame in them mangled on its own (the client writes whole frames). */
  send(bytes: Uint8Array): Promise<void> {
    const { frames, rest } = splitFrames(bytes);
    if (rest.length > 0) frames.push(rest);
    const mangled = Buffer.concat(frames.map((frame) => this.mangle(frame)));
    return new Promise<void>((resolve, reject) => {
      this.toDeviceAt = this.later(this.toDeviceAt, () => {
        this.toDevice = this.toDevice.then(() => this.inner.send(mangled)).then(resolve, reject);
      });
    });
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  /** Schedules `action` after a random delay, never before the previous one of its direction. */
  private later(previousAt: number, action: () => void): number {
    const delay = this.random() * (this.rates.maxDelayMs ?? 0);
    const at = Math.max(previousAt, Date.now() + delay);
    setTimeout(action, at - Date.now());
    return at;
  }

  /** One frame as it arrives: maybe twice, maybe cut short, with byte faults. */
  private mangle(frame: Uint8Array): Uint8Array {
    let bytes = frame;
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
