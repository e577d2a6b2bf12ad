// Frames on the line (docs/protocol.md): COBS(message ‖ CRC-32 little-endian) 0x00.
// FrameDecoder cuts a byte stream at delimiters and checks each frame; a bad
// frame is reported and skipped, so the link resynchronises at the next 0x00.
import { crc32 } from 'node:zlib';
import { cobsDecode, cobsEncode } from './cobs.js';

export const DELIMITER = 0;

/** The bytes that carry `message` on the line, delimiter included. */
export function encodeFrame(message: Uint8Array): Uint8Array {
  const body = new Uint8Array(message.length + 4);
  body.set(message);
  new DataView(body.buffer).setUint32(message.length, crc32(message), true);
  const stuffed = cobsEncode(body);
  const frame = new Uint8Array(stuffed.length + 1);
  frame.set(stuffed);
  frame[stuffed.length] = DELIMITER;
  return frame;
}

/** Length on the line of a frame carrying a message of `messageBytes` bytes (worst case). */
export function frameBytes(messageBytes: number): number {
  const body = messageBytes + 4;
  return body + Math.ceil(body / 254) + 1;
}

export type FrameEvent = { readonly kind: 'frame'; readonly message: Uint8Array } | { readonly kind: 'bad'; readonly reason: string; readonly bytes: number };

/** Splits a byte stream into checked messages. `limit` bounds a frame's stuffed length. */
export class FrameDecoder {
  private buffer: number[] = [];
  private overflow = false;

  constructor(private readonly limit = 1 << 16) {}

  /** True while part of a frame has arrived but not its delimiter. */
  get midFrame(): boolean {
    return this.buffer.length > 0 || this.overflow;
  }

  /** Drops a partial frame whose end will not come (the line went quiet mid-frame). */
  discard(): void {
    this.buffer = [];
    this.overflow = false;
  }

  push(bytes: Uint8Array): FrameEvent[] {
    const events: FrameEvent[] = [];
    for (const byte of bytes) {
      if (byte !== DELIMITER) {
        if (this.buffer.length < this.limit) this.buffer.push(byte);
        else this.overflow = true;
        continue;
      }
      if (this.buffer.length > 0 || this.overflow) events.push(this.check());
      this.buffer = [];
      this.overflow = false;
    }
    return events;
  }

  private check(): FrameEvent {
    const bytes = this.buffer.length;
    if (this.overflow) return { kind: 'bad', reason: 'frame too long', bytes };
    const body = cobsDecode(Uint8Array.from(this.buffer));
    if (!body || body.length < 5) return { kind: 'bad', reason: 'not a COBS frame', bytes };
    const message = body.subarray(0, body.length - 4);
    const crc = new DataView(body.buffer, body.byteOffset + message.length, 4).getUint32(0, true);
    if (crc !== crc32(message)) return { kind: 'bad', reason: 'CRC mismatch', bytes };
    return { kind: 'frame', message };
  }
}
