// A hostile co-processor for the tests of issue 26 item 7: a small program on
// one end of a pseudo-terminal (made by socat) that speaks the serial
// protocol of docs/protocol.md — hello, load, chunk, commit, read, write,
// reset behave like the firmware's over a 4 MiB memory — and misbehaves the
// way its scenario (argv[3]) says when asked to run:
//   zero-chunk    INFO says maxChunk = 0
//   effect-flood  EFFECT requests with new ids, without waiting for replies
//   endless       one EFFECT after another, each after the reply, never a RESULT
//   cycle         RESULT: a list whose tail points back at itself
//   deep          RESULT: a list nested 50,000 deep
// Usage: node hostile-device.js PORT SCENARIO
import { decode, encode } from '@msgpack/msgpack';
import { SerialPort } from 'serialport';
import { FrameDecoder, encodeFrame } from '../../host/protocol/frame.js';
import { TAG } from '../../host/compiler/layout.js';

const [, , path, scenario] = process.argv;
const RAM_BASE = 0x80000000;
const RAM_BYTES = 4 * 1024 * 1024;
const memory = new Uint8Array(RAM_BYTES);
const view = new DataView(memory.buffer);
let loaded = { addr: RAM_BASE, size: 0 };
/** The endless scenario's run and last effect request. */
let runId = 0;
let effectId = 0;

const port = new SerialPort({ path: path!, baudRate: 115200, autoOpen: true });
const send = (message: unknown[]): void => {
  port.write(Buffer.from(encodeFrame(encode(message))));
};

/** A free spot above the loaded image for the objects a scenario plants. */
const plantAt = (): number => ((loaded.addr + loaded.size + 4096) & ~7) >>> 0;
const poke = (addr: number, ...words: number[]): void => words.forEach((w, i) => view.setUint32(addr - RAM_BASE + 4 * i, w >>> 0, true));

function result(id: number, a0: number, a1: number): void {
  send([0x46, id, 0, a0, a1, 1000, 1000, 0, 0, 0]);
}

function run(id: number): void {
  send([0x40, id, 0]);
  const at = plantAt();
  switch (scenario) {
    case 'effect-flood': {
      let effect = 1;
      const timer = setInterval(() => send([0x47, effect++, id, 99, [0, 0, 0, 0, 0, 0]]), 2);
      port.on('close', () => clearInterval(timer));
      return;
    }
    case 'endless':
      runId = id;
      effectId = 1;
      send([0x47, effectId, id, 99, [0, 0, 0, 0, 0, 0]]);
      return;
    case 'cycle':
      poke(at, TAG.INT, 1, TAG.CONS, at);
      result(id, TAG.CONS, at);
      return;
    case 'deep': {
      const depth = 50_000;
      for (let i = 0; i < depth; i++) poke(at + 16 * i, i + 1 < depth ? TAG.CONS : TAG.INT, i + 1 < depth ? at + 16 * (i + 1) : 7, TAG.NIL, 0);
      result(id, TAG.CONS, at);
      return;
    }
    default:
      result(id, TAG.INT, 6);
  }
}

const frames = new FrameDecoder();
port.on('data', (bytes: Buffer) => {
  for (const event of frames.push(bytes)) {
    if (event.kind !== 'frame') continue;
    const [type, id, ...fields] = decode(event.message) as [number, number, ...unknown[]];
    switch (type) {
      case 1: // hello
        send([0x41, id, 1, 'hostile', 'fake', 'rv32im', RAM_BASE, RAM_BYTES, RAM_BASE + 0x4000, 1024, scenario === 'zero-chunk' ? 0 : 512]);
        break;
      case 2: // ping
        send([0x42, id, fields[0]]);
        break;
      case 3: // load
        loaded = { addr: fields[0] as number, size: fields[1] as number };
        send([0x40, id, 0]);
        break;
      case 4: {
        // chunk
        const [offset, data] = fields as [number, Uint8Array];
        memory.set(data, loaded.addr - RAM_BASE + offset);
        send([0x40, id, offset + data.length]);
        break;
      }
      case 9: {
        // write
        const [addr, data] = fields as [number, Uint8Array];
        memory.set(data, addr - RAM_BASE);
        send([0x40, id, data.length]);
        break;
      }
      case 8: {
        // read: a 4-byte read is the runtime's heap top, answered with the end of RAM
        const [addr, length] = fields as [number, number];
        const data = length === 4 ? new Uint8Array(new Uint32Array([RAM_BASE + RAM_BYTES]).buffer) : memory.slice(addr - RAM_BASE, addr - RAM_BASE + length);
        send([0x48, id, data]);
        break;
      }
      case 6: // run
        run(id);
        break;
      case 7: // reply: the next effect of an endless run
        if (scenario === 'endless' && runId !== 0) send([0x47, ++effectId, runId, 99, [0, 0, 0, 0, 0, 0]]);
        break;
      default: // commit, reset
        send([0x40, id, 0]);
    }
  }
});
