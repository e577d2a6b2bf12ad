// The firmware's protocol core compiled for the host (build/firmware/
// cax-fw-native, with AddressSanitizer and UBSan) driven over its stdio:
// every request, every refusal, and fuzzing of its frame and msgpack
// decoders with random and mutated frames. RUN is the one thing this build
// cannot do (it has no RV32 core): it must say so.
import { describe, it, expect, afterEach } from '@jest/globals';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { encode } from '@msgpack/msgpack';
import { CoprocessorClient } from '../../host/protocol/client.js';
import { FrameDecoder, encodeFrame } from '../../host/protocol/frame.js';
import { decodeDeviceMessage, encodeRequest, type DeviceMessage, type Request } from '../../host/protocol/messages.js';
import type { Transport } from '../../host/protocol/transport.js';
import { isCaxError } from '../../host/errors.js';
import { nativeFirmware } from '../protocol/helpers.js';

/** Raw access to a device: send bytes, take the messages that come back. */
class RawLink {
  private readonly decoder = new FrameDecoder();
  private readonly inbox: (DeviceMessage | 'undecodable')[] = [];
  private wake: () => void = () => undefined;
  closed = false;

  constructor(readonly transport: Transport) {
    transport.listen({
      data: (b) => {
        for (const e of this.decoder.push(b)) this.inbox.push((e.kind === 'frame' && decodeDeviceMessage(e.message)) || 'undecodable');
        this.wake();
      },
      closed: () => {
        this.closed = true;
        this.wake();
      },
    });
  }

  async exchange(bytes: Uint8Array, timeoutMs = 3000): Promise<DeviceMessage | 'undecodable'> {
    await this.transport.send(bytes);
    const deadline = Date.now() + timeoutMs;
    while (this.inbox.length === 0) {
      if (this.closed) throw new Error('the firmware process ended');
      if (Date.now() > deadline) throw new Error('no answer');
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, 50);
      });
    }
    return this.inbox.shift()!;
  }

  request(r: Request): Promise<DeviceMessage | 'undecodable'> {
    return this.exchange(encodeFrame(encodeRequest(r)));
  }
}

const open: Transport[] = [];
function link(): RawLink {
  const t = nativeFirmware();
  open.push(t);
  return new RawLink(t);
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
});

describe('native firmware: requests', () => {
  it('serves hello, ping, memory, load and reset through the client', async () => {
    const t = nativeFirmware();
    open.push(t);
    const client = await CoprocessorClient.connect(t);
    expect(client.info).toMatchObject({ version: 1, core: 'cax-native', ramBytes: 131072, programBase: 0x80008000, maxChunk: 1024 });
    await client.ping(Uint8Array.of(0, 1, 0, 0xff));
    const image = Uint8Array.from({ length: 3000 }, (_, i) => (i * 7) & 0xff);
    const loaded = await client.load(image);
    expect(loaded.sha256).toBe(createHash('sha256').update(image).digest('hex'));
    expect(await client.readMemory(0x80008000, 3000)).toEqual(image);
    await client.writeMemory(0x8001fff0, Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16));
    expect(Array.from(await client.readMemory(0x8001fffc, 4))).toEqual([13, 14, 15, 16]);
    await client.reset();
    const refused = await client.run({ entry: 0x80008000, budget: 1000 }).catch((e: unknown) => e);
    expect(isCaxError(refused) && refused.code).toBe('E_UNSUPPORTED');
  });

  it('refuses out-of-range memory, a wrong digest and chunks out of order', async () => {
    const raw = link();
    expect(await raw.request({ type: 'write', id: 1, addr: 0x80000000, data: Uint8Array.of(1) })).toMatchObject({ type: 'error', id: 1, name: 'bad-address' });
    expect(await raw.request({ type: 'read', id: 2, addr: 0x8001ffff, length: 2 })).toMatchObject({ type: 'error', name: 'bad-address' });
    expect(await raw.request({ type: 'read', id: 3, addr: 0x10000000, length: 4 })).toMatchObject({ type: 'error', name: 'bad-address' });
    expect(await raw.request({ type: 'load', id: 4, addr: 0x80008000, size: 4, sha256: new Uint8Array(32) })).toMatchObject({ type: 'ack', id: 4, value: 0 });
    expect(await raw.request({ type: 'chunk', id: 5, offset: 2, data: Uint8Array.of(1) })).toMatchObject({ type: 'error', name: 'bad-state' });
    expect(await raw.request({ type: 'commit', id: 6 })).toMatchObject({ type: 'error', name: 'bad-state' });
    expect(await raw.request({ type: 'chunk', id: 7, offset: 0, data: Uint8Array.of(1, 2, 3, 4) })).toMatchObject({ type: 'ack', value: 4 });
    expect(await raw.request({ type: 'commit', id: 8 })).toMatchObject({ type: 'error', name: 'hash-mismatch' });
    expect(await raw.request({ type: 'load', id: 9, addr: 0x80008000, size: 1, sha256: new Uint8Array(31) })).toMatchObject({ type: 'error', name: 'bad-message' });
    expect(await raw.request({ type: 'reply', id: 10, values: [1, 2] })).toMatchObject({ type: 'error', name: 'bad-state' });
    expect(await raw.request({ type: 'hello', id: 11, version: 0 })).toMatchObject({ type: 'error', name: 'version' });
    expect(await raw.request({ type: 'hello', id: 12, version: 9 })).toMatchObject({ type: 'info', version: 1 });
  });

  it('answers a repeated request id with the same answer, without acting twice', async () => {
    const raw = link();
    const digest = createHash('sha256').update(Uint8Array.of(9, 9)).digest();
    await raw.request({ type: 'load', id: 20, addr: 0x80009000, size: 2, sha256: Uint8Array.from(digest) });
    const chunk = encodeFrame(encodeRequest({ type: 'chunk', id: 21, offset: 0, data: Uint8Array.of(9) }));
    expect(await raw.exchange(chunk)).toMatchObject({ type: 'ack', id: 21, value: 1 });
    expect(await raw.exchange(chunk)).toMatchObject({ type: 'ack', id: 21, value: 1 });
    expect(await raw.request({ type: 'chunk', id: 22, offset: 1, data: Uint8Array.of(9) })).toMatchObject({ type: 'ack', value: 2 });
    expect(await raw.request({ type: 'commit', id: 23 })).toMatchObject({ type: 'ack', value: 2 });
  });

  it('reports garbage, unknown types and malformed messages with error frames', async () => {
    const raw = link();
    expect(await raw.exchange(Uint8Array.of(1, 2, 3, 0))).toMatchObject({ type: 'error', id: 0, name: 'bad-frame' });
    expect(await raw.exchange(encodeFrame(encode([0x33, 5])))).toMatchObject({ type: 'error', id: 5, name: 'unknown-type' });
    expect(await raw.exchange(encodeFrame(encode([8, 6, 'x', 1])))).toMatchObject({ type: 'error', id: 6, name: 'bad-message' });
    expect(await raw.exchange(encodeFrame(encode([8, 7])))).toMatchObject({ type: 'error', id: 7, name: 'bad-message' });
    expect(await raw.exchange(encodeFrame(encode({ a: 1 })))).toMatchObject({ type: 'error', id: 0, name: 'bad-message' });
    expect(await raw.exchange(Buffer.concat([new Uint8Array(3000).fill(0x41), Uint8Array.of(0)]))).toMatchObject({ type: 'error', id: 0, name: 'bad-frame' });
  });
});

describe('native firmware: fuzzing its decoders', () => {
  it('survives random and mutated frames and keeps answering', async () => {
    const raw = link();
    const valid = [
      encodeRequest({ type: 'ping', id: 1, data: Uint8Array.of(1, 2, 3) }),
      encodeRequest({ type: 'read', id: 2, addr: 0x80008000, length: 8 }),
      encodeRequest({ type: 'write', id: 3, addr: 0x80008000, data: new Uint8Array(20) }),
      encodeRequest({ type: 'load', id: 4, addr: 0x80008000, size: 8, sha256: new Uint8Array(32) }),
      encodeRequest({ type: 'chunk', id: 5, offset: 0, data: new Uint8Array(8) }),
      encodeRequest({ type: 'run', id: 6, entry: 0x80008000, args: [1, 2], budget: 5 }),
      encodeRequest({ type: 'hello', id: 7, version: 1 }),
    ];
    let id = 1000;
    await fc.assert(
      fc.asyncProperty(
        fc.nat(),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
        fc.uint8Array({ minLength: 1, maxLength: 80 }),
        fc.boolean(),
        async (which, edits, random, framed) => {
          // A mutated message in a frame with a good CRC reaches the msgpack decoder;
          // random bytes (framed or not; never an empty frame, which is ignored)
          // exercise the COBS and CRC checks.
          const message = Uint8Array.from(valid[which % valid.length]!);
          for (const [at, value] of edits) message[at % message.length] = value;
          const answer = await raw.exchange(encodeFrame(message));
          expect(answer).not.toBe('undecodable');
          const noise = framed ? encodeFrame(random) : Buffer.concat([random.map((b) => b || 1), Uint8Array.of(0)]);
          expect(await raw.exchange(noise)).not.toBe('undecodable');
          id++;
          expect(await raw.request({ type: 'ping', id, data: Uint8Array.of(id & 0xff) })).toMatchObject({ type: 'pong', id });
        },
      ),
      { numRuns: 300 },
    );
    expect(raw.closed).toBe(false);
  });
});
