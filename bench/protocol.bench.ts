// The serial protocol's overhead (docs/protocol.md): payload bytes per
// second loading an image (against the same load on the in-process ISS
// link), loading and starting a 64 KiB image, and the round trips of an
// empty run and of one effect, on the simulated link (Verilator SoC behind
// its pseudo-terminal); the firmware's cycles per loaded byte on the ISS at
// the simulated line's divisor, and its SHA-256's cycles per byte
// (firmware/programs/sha256-speed.c);
// the efficiency at 115200 baud computed from the framing, and measured on
// the ISS with the board's divisor (12 MHz, 104 clocks per bit), which adds
// the firmware's processing time between a chunk and its acknowledgement.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { BenchCase, BenchSuite } from './harness.js';
import { CoprocessorClient } from '../host/protocol/client.js';
import { frameBytes } from '../host/protocol/frame.js';
import { loadProgram, programImage } from '../host/protocol/program-file.js';
import { IssTransport } from '../host/protocol/iss-link.js';
import { SimTransport } from '../host/protocol/sim-link.js';
import { Iss } from '../host/riscv/iss.js';

const PROGRAMS = 'build/firmware/programs';
const LOAD_BYTES = 16 * 1024;
const BAUD = 115200;
const BOARD_HZ = 12_000_000;
const BOARD_DIVISOR = 104;
/** SIM_UART_DIVISOR of mk/rtl.mk: the simulated line's clocks per bit. */
const SIM_DIVISOR = Number(/^SIM_UART_DIVISOR\s*:=\s*(\d+)/m.exec(readFileSync('mk/rtl.mk', 'utf8'))?.[1]);
const START_BYTES = 64 * 1024;
const SHA_BYTES = 16 * 1024; // firmware/programs/sha256-speed.c hashes at most this

const image = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 13) & 0xff);
const program = (name: string): Uint8Array => new Uint8Array(readFileSync(`${PROGRAMS}/${name}.bin`));

/** Runs `work` in a fresh session with the simulated SoC. */
async function onSim<T>(work: (client: CoprocessorClient) => Promise<T>): Promise<T> {
  const client = await CoprocessorClient.connect(await SimTransport.start(), { timeoutMs: 3000 });
  try {
    return await work(client);
  } finally {
    await client.close();
  }
}

/** Mean time of `n` calls of `call`, in ms. */
async function meanMs(n: number, call: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < n; i++) await call();
  return (performance.now() - start) / n;
}

/**
 * Runs `work` in a fresh session with the firmware on the in-process ISS at the simulated line's divisor. Slices of
 * `sliceCycles` (the link's default: as fast as it goes; small: the host answers within a few line bytes, for counting
 * the firmware's cycles).
 */
async function onIss<T>(work: (client: CoprocessorClient, iss: Iss) => Promise<T>, sliceCycles?: number): Promise<T> {
  const iss = new Iss({ traceAtReset: false, uartDivisor: SIM_DIVISOR });
  iss.load(new Uint8Array(readFileSync('build/firmware/firmware.elf')));
  const client = await CoprocessorClient.connect(new IssTransport(iss, sliceCycles === undefined ? {} : { sliceCycles }), { timeoutMs: 3000 });
  try {
    return await work(client, iss);
  } finally {
    await client.close();
  }
}

/** Payload bytes per second of loading LOAD_BYTES on a session. */
async function loadRate(c: CoprocessorClient): Promise<number> {
  const start = performance.now();
  await c.load(image(LOAD_BYTES));
  return LOAD_BYTES / ((performance.now() - start) / 1000);
}

/** Seconds to load a START_BYTES image (the args program, padded) and run it to its result, as `cax device run` does. */
async function loadAndStart(c: CoprocessorClient): Promise<number> {
  const padded = image(START_BYTES);
  padded.set(program('args'));
  const start = performance.now();
  await loadProgram(c, programImage(padded, c.info.programBase));
  const result = await c.run({ entry: c.info.programBase, args: [1, 2, 3, 4, 5, 6, 7, 8], budget: 1_000_000 });
  if (result.outcome !== 'returned' || result.a0 !== 204) throw new Error(`the loaded image did not run: ${JSON.stringify(result)}`);
  return (performance.now() - start) / 1000;
}

const pingRtt = { name: 'ping round trip', sample: () => onSim((c) => meanMs(20, () => c.ping())) };

const cases: BenchCase[] = [
  {
    name: `load ${LOAD_BYTES / 1024} KiB, simulated link (payload)`,
    unit: 'B/s',
    higherIsBetter: true,
    sample: () => onSim(loadRate),
    reference: { name: 'the same load on the ISS link (in process)', sample: () => onIss(loadRate) },
  },
  {
    name: `load and start a ${START_BYTES / 1024} KiB image, simulated link (aim <= 1 s)`,
    unit: 's',
    higherIsBetter: false,
    sample: () => onSim(loadAndStart),
    reference: { name: 'the same on the ISS link (in process)', sample: () => onIss(loadAndStart) },
  },
  {
    name: `firmware cycles per loaded byte (ISS, ${SIM_DIVISOR} clocks per bit as in simulation)`,
    unit: 'cycles/B',
    higherIsBetter: false,
    sample: () =>
      onIss(async (c, iss) => {
        const before = iss.cycles;
        await c.load(image(LOAD_BYTES));
        return (iss.cycles - before) / LOAD_BYTES;
      }, 2000),
  },
  {
    name: 'firmware SHA-256, cycles per byte (ISS; aim <= 50)',
    unit: 'cycles/B',
    higherIsBetter: false,
    sample: () =>
      onIss(async (c) => {
        await c.load(program('sha256-speed'));
        const hash = async (len: number): Promise<number> => {
          const r = await c.run({ entry: c.info.programBase, args: [len], budget: 100_000_000 });
          const want = createHash('sha256').update(image(len)).digest().readUInt32BE(0);
          if (r.outcome !== 'returned' || r.a1 !== want) throw new Error(`the device's SHA-256 of ${len} bytes is wrong: ${JSON.stringify(r)}`);
          return r.a0;
        };
        const small = await hash(1024);
        return ((await hash(SHA_BYTES)) - small) / (SHA_BYTES - 1024);
      }),
  },
  {
    name: 'empty run round trip, simulated link',
    unit: 'ms',
    higherIsBetter: false,
    sample: () =>
      onSim(async (c) => {
        await c.load(program('args'));
        return meanMs(10, () => c.run({ entry: c.info.programBase, budget: 1_000_000 }));
      }),
    reference: pingRtt,
  },
  {
    name: 'one effect round trip, simulated link',
    unit: 'ms',
    higherIsBetter: false,
    sample: () =>
      onSim(async (c) => {
        await c.load(program('effects'));
        const run = (rounds: number) => c.run({ entry: c.info.programBase, args: [rounds], budget: 100_000_000, onEffect: () => [0, 0] });
        const base = await meanMs(3, () => run(0));
        const many = await meanMs(3, () => run(20));
        return (many - base) / 20;
      }),
    reference: pingRtt,
  },
  {
    name: 'large-load efficiency at 115200 baud, from the framing',
    unit: '%',
    higherIsBetter: true,
    sample: async () => (100 * 1024) / (frameBytes(1039) + frameBytes(12)),
  },
  {
    name: 'large-load efficiency at 115200 baud, ISS at 12 MHz with firmware time',
    unit: '%',
    higherIsBetter: true,
    sample: async () => {
      const iss = new Iss({ traceAtReset: false, uartDivisor: BOARD_DIVISOR });
      iss.load(new Uint8Array(readFileSync('build/firmware/firmware.elf')));
      // Small slices: the host answers within ~1 ms of board time, like a USB serial adapter.
      const client = await CoprocessorClient.connect(new IssTransport(iss, { sliceCycles: 12_000 }));
      try {
        const before = iss.cycles;
        await client.load(image(LOAD_BYTES));
        const seconds = (iss.cycles - before) / BOARD_HZ;
        return (100 * (LOAD_BYTES / seconds)) / (BAUD / 10);
      } finally {
        await client.close();
      }
    },
  },
];

export const suite: BenchSuite = { title: 'Serial protocol (firmware + host client)', cases };
