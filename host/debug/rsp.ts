// The framing of the GDB remote serial protocol (docs/debugging.md): packets
// `$DATA#CS` with a two-digit modulo-256 checksum, acknowledgements `+`/`-`,
// and the interrupt byte 0x03 between packets. `RspReader` turns a byte
// stream (in any chunking) into those events; a packet whose checksum does
// not match, or that is not framed, becomes a `bad` event the server answers
// with `-` and goes on. `rspFrame` builds a reply with `#`, `$`, `}` and `*`
// escaped.

export type RspEvent =
  { readonly kind: 'packet'; readonly data: string } | { readonly kind: 'interrupt' } | { readonly kind: 'ack' } | { readonly kind: 'nack' } | { readonly kind: 'bad'; readonly reason: string };

/** Longest packet body accepted; a longer one is dropped as bad (the server announces PacketSize below it). */
export const MAX_PACKET = 0x4000;

export function rspChecksum(data: string): string {
  let sum = 0;
  for (let i = 0; i < data.length; i++) sum = (sum + data.charCodeAt(i)) & 0xff;
  return sum.toString(16).padStart(2, '0');
}

/** `$DATA#CS` with the protocol's escapes (`}` then the byte xor 0x20) for `#`, `$`, `}` and `*`. */
export function rspFrame(data: string): string {
  const escaped = data.replace(/[#$}*]/g, (c) => `}${String.fromCharCode(c.charCodeAt(0) ^ 0x20)}`);
  return `$${escaped}#${rspChecksum(escaped)}`;
}

/** Undoes the `}` escapes of a packet body (binary data of `X` packets). */
export function rspUnescape(data: string): string {
  return data.replace(/\}([\s\S])/g, (_, c: string) => String.fromCharCode(c.charCodeAt(0) ^ 0x20));
}

/** Where the reader is: between packets, in a body, at the checksum's first or second digit. */
const State = { Idle: 0, Body: 1, Sum1: 2, Sum2: 3 } as const;

export class RspReader {
  private state: number = State.Idle;
  private body = '';
  private sum = '';

  /** The events in `chunk`, continuing a packet a previous chunk began. */
  feed(chunk: Uint8Array | string): RspEvent[] {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('latin1');
    const out: RspEvent[] = [];
    for (const c of text) {
      switch (this.state) {
        case State.Idle:
          if (c === '$') {
            this.state = State.Body;
            this.body = '';
          } else if (c === '\x03') out.push({ kind: 'interrupt' });
          else if (c === '+') out.push({ kind: 'ack' });
          else if (c === '-') out.push({ kind: 'nack' });
          // anything else between packets is line noise and ignored
          break;
        case State.Body:
          if (c === '#') this.state = State.Sum1;
          else if (c === '$') {
            out.push({ kind: 'bad', reason: 'a packet started inside a packet' });
            this.body = '';
          } else if (this.body.length >= MAX_PACKET) {
            out.push({ kind: 'bad', reason: `a packet longer than ${MAX_PACKET} bytes` });
            this.state = State.Idle;
          } else this.body += c;
          break;
        case State.Sum1:
          this.sum = c;
          this.state = State.Sum2;
          break;
        case State.Sum2: {
          this.sum += c;
          this.state = State.Idle;
          if (!/^[0-9a-fA-F]{2}$/.test(this.sum)) out.push({ kind: 'bad', reason: `checksum ${JSON.stringify(this.sum)} is not two hex digits` });
          else if (this.sum.toLowerCase() !== rspChecksum(this.body)) out.push({ kind: 'bad', reason: `checksum ${this.sum} does not match ${rspChecksum(this.body)}` });
          else out.push({ kind: 'packet', data: this.body });
          break;
        }
      }
    }
    return out;
  }
}
