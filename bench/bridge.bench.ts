// The signal-level bridge: how many clock cycles a test gets per second when
// it steps the UART one cycle per round trip, next to the same cycles run
// inside the harness in one command (the protocol's overhead), and the bare
// round-trip rate.
import type { BenchSuite } from './harness.js';
import { Dut } from '../host/bridge/dut.js';

let uart: Promise<Dut> | undefined;

function dut(): Promise<Dut> {
  uart ??= Dut.build('rtl/uart/cax_uart.v').then(async (d) => {
    await d.reset();
    return d;
  });
  return uart;
}

async function perSecond(count: number, work: (d: Dut) => Promise<void>): Promise<number> {
  const d = await dut();
  const start = process.hrtime.bigint();
  await work(d);
  return count / (Number(process.hrtime.bigint() - start) / 1e9);
}

const STEPS = 5000;
const LOOP_CYCLES = 2_000_000;

export const suite: BenchSuite = {
  title: 'bridge (cax_uart under Verilator, driven from TypeScript)',
  cases: [
    {
      name: 'clock cycles per second, one tick() round trip each',
      unit: 'cycles/s',
      higherIsBetter: true,
      sample: () =>
        perSecond(STEPS, async (d) => {
          for (let i = 0; i < STEPS; i++) await d.tick();
        }),
      reference: { name: 'one tick(n) run inside the harness', sample: () => perSecond(LOOP_CYCLES, (d) => d.tick(LOOP_CYCLES)) },
    },
    {
      name: 'round trips per second (write an input, settle, read)',
      unit: 'round trips/s',
      higherIsBetter: true,
      sample: () =>
        perSecond(STEPS, async (d) => {
          const reg = d.signal('reg_idx');
          for (let i = 0; i < STEPS; i++) {
            reg.value = i & 3;
            await d.settle();
          }
        }),
    },
  ],
};
