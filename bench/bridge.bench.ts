// The signal-level bridge: how many clock cycles a test gets per second when
// it steps the UART one cycle per `await dut.clk.rising()` on the in-process
// transport (the model an addon called directly), next to the same on the
// process transport (pipes to another process, the fallback); bulk
// `tick(n)` inside the model; and the write-settle-read round-trip rate.
import type { BenchSuite } from './harness.js';
import type { Transport } from '../host/bridge/build.js';
import { Dut } from '../host/bridge/dut.js';

const uarts = new Map<Transport, Promise<Dut>>();

function dut(transport: Transport): Promise<Dut> {
  let d = uarts.get(transport);
  if (!d) {
    d = Dut.build('rtl/uart/cax_uart.v', { transport }).then(async (u) => {
      await u.reset();
      return u;
    });
    uarts.set(transport, d);
  }
  return d;
}

async function perSecond(transport: Transport, count: number, work: (d: Dut) => Promise<void>): Promise<number> {
  const d = await dut(transport);
  const start = process.hrtime.bigint();
  await work(d);
  return count / (Number(process.hrtime.bigint() - start) / 1e9);
}

const STEPS = 50_000;
const PROCESS_STEPS = 5000;
const LOOP_CYCLES = 5_000_000;

const oneAwaitPerCycle =
  (steps: number) =>
  async (d: Dut): Promise<void> => {
    const clk = d.signal('clk');
    for (let i = 0; i < steps; i++) await clk.rising();
  };

export const suite: BenchSuite = {
  title: 'bridge (cax_uart under Verilator, driven from TypeScript)',
  cases: [
    {
      name: 'clock cycles per second, one await dut.clk.rising() each, in process (aim >= 100k)',
      unit: 'cycles/s',
      higherIsBetter: true,
      sample: () => perSecond('inprocess', STEPS, oneAwaitPerCycle(STEPS)),
      reference: { name: 'the same on the process transport (pipes)', sample: () => perSecond('process', PROCESS_STEPS, oneAwaitPerCycle(PROCESS_STEPS)) },
    },
    {
      name: 'clock cycles per second, bulk tick(n), in process (aim >= 5M)',
      unit: 'cycles/s',
      higherIsBetter: true,
      sample: () => perSecond('inprocess', LOOP_CYCLES, (d) => d.tick(LOOP_CYCLES)),
      reference: { name: 'the same on the process transport', sample: () => perSecond('process', LOOP_CYCLES, (d) => d.tick(LOOP_CYCLES)) },
    },
    {
      name: 'round trips per second (write an input, settle, read), in process',
      unit: 'round trips/s',
      higherIsBetter: true,
      sample: () =>
        perSecond('inprocess', STEPS, async (d) => {
          const reg = d.signal('reg_idx');
          for (let i = 0; i < STEPS; i++) {
            reg.value = i & 3;
            await d.settle();
          }
        }),
    },
  ],
};
