// Framing and message decoding on the host: COBS and frame laws, CRC error
// detection, resynchronisation after garbage, and fuzzing of the decoder
// with random and mutated input (it never throws, never accepts garbage).
import { describe, it, expect } from '@jest/globals';
import fc from 'fast-check';
import { encode } from '@msgpack/msgpack';
import { cobsDecode, cobsEncode } from '../../host/protocol/cobs.js';
import { FrameDecoder, encodeFrame, frameBytes } from '../../host/protocol/frame.js';
import { decodeDeviceMessage, encodeRequest, TYPE } from '../../host/protocol/messages.js';

const bytes = (max = 700) => fc.uint8Array({ maxLength: max });
/** A message is never empty (msgpack has no empty value), and a frame holds at least 1 + 4 bytes. */
const message = (max: number) => fc.uint8Array({ minLength: 1, maxLength: max });

function framesOf(stream: Uint8Array): Uint8Array[] {
  return new FrameDecoder().push(stream).flatMap((e) => (e.kind === 'frame' ? [e.message] : []));
}

describe('COBS', () => {
  it('round-trips and never emits the delimiter', () => {
    fc.assert(
      fc.property(bytes(), (data) => {
        const stuffed = cobsEncode(data);
        expect(stuffed.includes(0)).toBe(false);
        expect(stuffed.length).toBeLessThanOrEqual(data.length + Math.ceil(data.length / 254) + 1);
        expect(cobsDecode(stuffed)).toEqual(data);
      }),
    );
  });

  it('encodes the byte-level examples of docs/protocol.md', () => {
    expect(Array.from(cobsEncode(Uint8Array.of(0x11, 0x00, 0x22)))).toEqual([0x02, 0x11, 0x02, 0x22]);
    expect(Array.from(cobsEncode(Uint8Array.of(0x00)))).toEqual([0x01, 0x01]);
    const run = new Uint8Array(254).fill(7);
    expect(Array.from(cobsEncode(run)).slice(0, 1)).toEqual([0xff]);
    expect(cobsEncode(run).length).toBe(256);
  });

  it('rejects a zero byte or a code past the end', () => {
    expect(cobsDecode(Uint8Array.of(0x03, 0x11))).toBeUndefined();
    expect(cobsDecode(Uint8Array.of(0x02, 0x00))).toBeUndefined();
    expect(cobsDecode(Uint8Array.of(0x00))).toBeUndefined();
  });
});

describe('frames', () => {
  it('carry any message through a stream of frames', () => {
    fc.assert(
      fc.property(fc.array(message(300), { maxLength: 6 }), (messages) => {
        const stream = Buffer.concat(messages.map((m) => encodeFrame(m)));
        expect(framesOf(stream)).toEqual(messages);
        expect(messages.every((m) => encodeFrame(m).length <= frameBytes(m.length))).toBe(true);
      }),
    );
  });

  it('detect every single-bit error', () => {
    fc.assert(
      fc.property(message(400), fc.nat(), fc.integer({ min: 0, max: 7 }), (m, at, bit) => {
        const frame = encodeFrame(m);
        const i = at % (frame.length - 1); // not the delimiter
        frame[i]! ^= 1 << bit;
        expect(framesOf(frame)).toEqual([]);
      }),
    );
  });

  it('resynchronise on the next delimiter after garbage, truncation and duplication', () => {
    fc.assert(
      fc.property(message(200), bytes(100), fc.nat(), (m, garbage, cut) => {
        const frame = encodeFrame(m);
        const truncated = frame.subarray(0, cut % (frame.length - 1)); // loses at least one stuffed byte
        const stream = Buffer.concat([garbage, Uint8Array.of(0), truncated, Uint8Array.of(0), frame, frame]);
        expect(framesOf(stream)).toEqual([m, m]);
      }),
    );
  });

  it('bounds the length of a frame', () => {
    const decoder = new FrameDecoder(64);
    const events = decoder.push(Buffer.concat([new Uint8Array(100).fill(1), Uint8Array.of(0)]));
    expect(events).toEqual([{ kind: 'bad', reason: 'frame too long', bytes: 64 }]);
    expect(decoder.midFrame).toBe(false);
  });
});

describe('device messages', () => {
  it('decode every message type into typed values', () => {
    expect(decodeDeviceMessage(encode([TYPE.ack, 7, 1024]))).toEqual({ type: 'ack', id: 7, value: 1024 });
    expect(decodeDeviceMessage(encode([TYPE.result, 9, 1, 0, 0, 2 ** 40, 5, 5, 0x80008000, 0]))).toMatchObject({
      type: 'result',
      outcome: 'trapped',
      cycles: 2 ** 40,
      cause: 5,
      pc: 0x80008000,
    });
    expect(decodeDeviceMessage(encode([TYPE.effect, 3, 9, 1, [1, 2, 3, 4, 5, 6]]))).toEqual({ type: 'effect', id: 3, run: 9, effect: 1, args: [1, 2, 3, 4, 5, 6] });
    expect(decodeDeviceMessage(encode([TYPE.error, 0, 10, 'firmware trap', [2, 0x80000010, 0]]))).toMatchObject({ name: 'firmware-trap', details: [2, 0x80000010, 0] });
    expect(decodeDeviceMessage(encode([TYPE.error, 4, 99, 'new']))).toMatchObject({ name: 'unknown', code: 99 });
  });

  it('reject wrong shapes, types and ranges', () => {
    for (const bad of [
      [TYPE.ack, 1],
      [TYPE.ack, -1, 0],
      [TYPE.ack, 1, 2 ** 32],
      [TYPE.pong, 1, 'text'],
      [TYPE.result, 1, 9, 0, 0, 0, 0, 0, 0, 0],
      [TYPE.effect, 1, 1, 1, [1, 2]],
      [0x55, 1],
      { type: 1 },
      'x',
      null,
    ]) {
      expect(decodeDeviceMessage(encode(bad))).toBeUndefined();
    }
  });

  it('never throw on random bytes or mutated messages', () => {
    const valid = [encode([TYPE.info, 1, 1, '0.1.0', 'cax-soc', 'rv32im', 0x80000000, 131072, 0x80008000, 1056, 1024]), encode([TYPE.data, 2, new Uint8Array(40)])];
    fc.assert(
      fc.property(bytes(200), fc.nat(), fc.nat(), fc.integer({ min: 0, max: 255 }), (random, which, at, value) => {
        expect(() => decodeDeviceMessage(random)).not.toThrow();
        const mutated = Uint8Array.from(valid[which % valid.length]!);
        mutated[at % mutated.length] = value;
        const m = decodeDeviceMessage(mutated);
        expect(m === undefined || typeof m.type === 'string').toBe(true);
        const stream = Buffer.concat([random, encodeFrame(mutated), random]);
        expect(() => new FrameDecoder().push(stream)).not.toThrow();
      }),
      { numRuns: 2000 },
    );
  });

  it('encode requests as [type, id, ...fields]', () => {
    expect(Array.from(encodeRequest({ type: 'hello', id: 1, version: 1 }))).toEqual([0x93, 0x01, 0x01, 0x01]);
    expect(Array.from(encodeRequest({ type: 'read', id: 300, addr: 0x80008000, length: 16 }))).toEqual([0x94, 0x08, 0xcd, 0x01, 0x2c, 0xce, 0x80, 0x00, 0x80, 0x00, 0x10]);
  });
});

describe('the byte-level examples of docs/protocol.md', () => {
  const line = (s: string): Uint8Array => Uint8Array.from(s.split(' ').map((h) => parseInt(h, 16)));
  const hexOf = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');

  it('are what the host sends', () => {
    expect(hexOf(encodeFrame(encodeRequest({ type: 'hello', id: 1, version: 1 })))).toBe('09 93 01 01 01 b6 fa 6f e1 00');
    expect(hexOf(encodeRequest({ type: 'hello', id: 1, version: 1, rate: { line: 115_200, wanted: 1_000_000 } }))).toBe('95 01 01 01 ce 00 01 c2 00 ce 00 0f 42 40');
    expect(hexOf(encodeFrame(encodeRequest({ type: 'chunk', id: 3, offset: 0, data: Uint8Array.of(0x13, 0x05, 0, 0) })))).toBe('04 94 04 03 05 c4 04 13 05 01 05 f2 d6 37 c3 00');
    expect(hexOf(encodeFrame(encodeRequest({ type: 'run', id: 5, entry: 0x80008000, args: [3], budget: 5_000_000 })))).toBe('06 95 06 05 ce 80 02 80 04 91 03 ce 08 4c 4b 40 85 ee a2 26 00');
    expect(hexOf(encodeFrame(encodeRequest({ type: 'reply', id: 1, values: [42, 0] })))).toBe('06 93 07 01 92 2a 05 8d de 50 b1 00');
  });

  it('decode to what the device means', () => {
    const decode = (s: string) => decodeDeviceMessage(framesOf(line(s))[0]!);
    expect(decode('07 95 47 01 05 01 96 01 01 01 01 01 05 e6 52 3d 95 00')).toEqual({ type: 'effect', id: 1, run: 5, effect: 1, args: [0, 0, 0, 0, 0, 0] });
    expect(decode('04 9a 46 05 04 cd 0b bb 07 cd 11 86 cd 05 4a 01 01 05 ce e4 e5 cc 00')).toMatchObject({ type: 'result', id: 5, outcome: 'returned', a0: 3003, cycles: 4486, instret: 1354 });
    expect(decode('03 94 7f 10 01 a9 62 61 64 20 66 72 61 6d 65 2f dd ca 41 00')).toMatchObject({ type: 'error', id: 0, name: 'bad-frame', text: 'bad frame' });
  });

  it('give the efficiency quoted for a full chunk', () => {
    const chunk = encodeFrame(encodeRequest({ type: 'chunk', id: 0xffffffff, offset: 0xffffffff, data: new Uint8Array(1024).fill(1) }));
    expect(chunk.length).toBeLessThanOrEqual(frameBytes(1039));
    expect(frameBytes(1039) + frameBytes(12)).toBe(1067);
  });
});
