// The serial protocol's overhead (docs/protocol.md): payload bytes per
// second loading an image and the round trips of an empty run and of one
// effect, on the simulated link (Verilator SoC behind its pseudo-terminal);
// the efficiency at 115200 baud computed from the framing, and measured on
// the ISS with the board's divisor (12 MHz, 104 clocks per bit), which adds
// the firmware's processing time between a chunk and its acknowledgement.
import { readFileSync } from 'node:fs';
import type { BenchCase, BenchSuite } from './harness.js';
import { CoprocessorClient } from '../host/protocol/client.js';
import { frameBytes } from '../host/protocol/frame.js';
import { IssTransport } from '../host/protocol/iss-link.js';
import { SimTransport } from '../host/protocol/sim-link.js';
import { Iss } from '../host/riscv/iss.js';

const PROGRAMS = 'build/firmware/programs';
const LOAD_BYTES = 16 * 1024;
const BAUD = 115200;
const BOARD_HZ = 12_000_000;
const BOARD_DIVISOR = 104;

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

const pingRtt = { name: 'ping round trip', sample: () => onSim((c) => meanMs(20, () => c.ping())) };

const cases: BenchCase[] = [
  {
    name: `load ${LOAD_BYTES / 1024} KiB, simulated link (payload)`,
    unit: 'B/s',
    higherIsBetter: true,
    sample: () =>
      onSim(async (c) => {
        const start = performance.now();
        await c.load(image(LOAD_BYTES));
        return LOAD_BYTES / ((performance.now() - start) / 1000);
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
