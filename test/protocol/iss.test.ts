// The firmware in the ISS driven through the in-process link: runs with
// arguments, effects, traps and budgets, loads of several sizes checked on
// the device, and memory access, with real RV32 code.
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { CoprocessorClient } from '../../host/protocol/client.js';
import { FaultyTransport } from '../../host/protocol/faulty.js';
import { isCaxError } from '../../host/errors.js';
import { effectsHandler, fnv1a, issFirmware, program } from './helpers.js';
import { DEFAULT_RAM_BYTES } from '../../host/riscv/iss.js';

const BASE = 0x80008000;
const DATA = 0x80010000;

describe('firmware on the ISS', () => {
  let client: CoprocessorClient;
  beforeAll(async () => {
    client = await CoprocessorClient.connect(issFirmware());
  });
  afterAll(async () => {
    await client.close();
  });

  it('says hello with the SoC limits', () => {
    expect(client.info).toMatchObject({ version: 1, core: 'cax-soc', isa: 'rv32im', ramBase: 0x80000000, ramBytes: DEFAULT_RAM_BYTES, programBase: BASE, maxChunk: 1024 });
  });

  it('passes eight arguments and returns a0 and a1', async () => {
    await client.load(program('args'));
    const args = [1, 2, 3, 4, 5, 6, 7, 0xffffffff];
    const r = await client.run({ entry: BASE, args, budget: 100_000 });
    expect(r.outcome).toBe('returned');
    expect(r.a0).toBe(args.reduce((s, a, i) => (s + (i + 1) * a) >>> 0, 0));
    expect(r.a1).toBe(args.reduce((x, a) => (x ^ a) >>> 0, 0));
    expect(r.effects).toBe(0);
  });

  it('answers effects, with memory access from the handler, and counts deterministically', async () => {
    await client.load(program('effects'));
    const fill = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
    const runs = [];
    for (let i = 0; i < 2; i++) {
      const messages: string[] = [];
      runs.push(await client.run({ entry: BASE, args: [10], budget: 10_000_000, onEffect: effectsHandler(messages, fill) }));
      expect(messages).toEqual(['hello from the co-processor']);
    }
    const expected = Array.from({ length: 10 }, (_, i) => 1001 * i).reduce((s, x) => s + x, 0);
    expect(runs[0]).toMatchObject({ outcome: 'returned', a0: expected, a1: fill.subarray(0, 256).reduce((s, b) => s + b, 0), effects: 12 });
    // The counters stand still while the host answers, so a run's counts do not depend on the host.
    expect(runs[1]!.cycles).toBe(runs[0]!.cycles);
    expect(runs[1]!.instret).toBe(runs[0]!.instret);
  });

  it("stops the counters at the trap: an effect costs the program its loop's dozen instructions and the trap's few, not the firmware's trap code", async () => {
    await client.load(program('effects'));
    const run = (rounds: number) => client.run({ entry: BASE, args: [rounds], budget: 10_000_000, onEffect: () => [0, 0] });
    const [few, many] = [await run(10), await run(110)];
    // one round: about 12 instructions of main's loop, the ecall and the trap entry's and exit's instructions around
    // the counters (saving and restoring every register, and trap_handler, would add about 90 instructions, 300 cycles)
    // (the counters' low words read first and written back last: 20 instructions and 59 cycles a round on the ISS)
    expect((many.instret - few.instret) / 100).toBeLessThanOrEqual(22);
    expect((many.cycles - few.cycles) / 100).toBeLessThanOrEqual(65);
  });

  it('keeps the 64-bit counts exact across a trap taken just before their low words wrap (counters.c: every offset of 256)', async () => {
    await client.load(program('counters'));
    const r = await client.run({ entry: BASE, args: [], budget: 2 ** 40, onEffect: () => [0, 0] });
    expect(r).toMatchObject({ outcome: 'returned', a0: 0, a1: 256, effects: 256 });
    // the run's own count: past the last low word it set
    expect(r.cycles).toBeGreaterThan(2 ** 32 - 256);
  });

  it('answers -1 to an effect without a handler, and rethrows a handler error after the run', async () => {
    await client.load(program('effects'));
    const r = await client.run({ entry: BASE, args: [2], budget: 10_000_000 });
    expect(r.outcome).toBe('returned');
    expect(r.a0).toBe(0xfffffffe); // two additions answered with -1
    const failing = await client
      .run({
        entry: BASE,
        args: [1],
        budget: 10_000_000,
        onEffect: () => {
          throw new Error('handler broke');
        },
      })
      .catch((e: unknown) => e);
    expect(failing).toEqual(new Error('handler broke'));
    expect((await client.run({ entry: BASE, args: [0], budget: 10_000_000, onEffect: effectsHandler([], new Uint8Array(0)) })).outcome).toBe('returned');
  });

  it('reports traps with cause, pc and tval', async () => {
    await client.load(program('faults'));
    const load = await client.run({ entry: BASE, args: [0, 0x20000000], budget: 100_000 });
    expect(load).toMatchObject({ outcome: 'trapped', trap: { cause: 5, tval: 0x20000000 } });
    expect(load.trap!.pc).toBeGreaterThanOrEqual(BASE);
    const misaligned = await client.run({ entry: BASE, args: [0, 0x80010001], budget: 100_000 });
    expect(misaligned).toMatchObject({ outcome: 'trapped', trap: { cause: 4, tval: 0x80010001 } });
    const ebreak = await client.run({ entry: BASE, args: [3], budget: 100_000 });
    expect(ebreak).toMatchObject({ outcome: 'trapped', trap: { cause: 3 } });
    // The firmware is unharmed.
    expect(await client.ping(Uint8Array.of(1))).toBeGreaterThanOrEqual(0);
  });

  it('ends a program that keeps calling effects when its cycle budget is spent', async () => {
    await client.load(program('faults'));
    let calls = 0;
    const r = await client.run({
      entry: BASE,
      args: [1],
      budget: 200_000,
      onEffect: () => {
        calls++;
        return [0, 0];
      },
    });
    expect(r.outcome).toBe('budget');
    expect(r.cycles).toBeGreaterThanOrEqual(200_000);
    expect(calls).toBe(r.effects);
    expect(calls).toBeGreaterThan(1);
  });

  it('loads images of several sizes, checked by SHA-256 on the device and by a program', async () => {
    await client.load(program('checksum'));
    for (const size of [1, 255, 1023, 1024, 1025, 4099, 20000]) {
      const image = Uint8Array.from({ length: size }, (_, i) => (i * 131 + size) & 0xff);
      await client.load(image, { addr: DATA });
      const r = await client.run({ entry: BASE, args: [DATA, size], budget: 50_000_000 });
      expect(r).toMatchObject({ outcome: 'returned', a0: fnv1a(image) });
    }
  });

  it('reads and writes memory, and refuses the firmware region and addresses outside RAM', async () => {
    const bytes = Uint8Array.from({ length: 2500 }, (_, i) => (i * 17) & 0xff);
    await client.writeMemory(0x8001a003, bytes);
    expect(await client.readMemory(0x8001a003, bytes.length)).toEqual(bytes);
    expect((await client.readMemory(0x80000000, 4)).length).toBe(4); // the firmware may be read
    for (const attempt of [client.writeMemory(0x80007ffc, new Uint8Array(8)), client.readMemory(0x80000000 + DEFAULT_RAM_BYTES, 1)]) {
      const e = await attempt.catch((x: unknown) => x);
      expect(isCaxError(e) && e.code).toBe('E_ADDRESS');
    }
  });
});

describe('a cancelled run', () => {
  it('rejects with E_ABORTED; the client refuses other calls until the abandoned run has ended', async () => {
    const client = await CoprocessorClient.connect(issFirmware());
    try {
      await client.load(program('checksum'));
      const controller = new AbortController();
      const run = client.run({ entry: BASE, args: [BASE, 90_000], budget: 100_000_000, signal: controller.signal });
      controller.abort();
      const e = await run.catch((x: unknown) => x);
      expect(isCaxError(e) && e.code).toBe('E_ABORTED');
      const busy = await client.ping().catch((x: unknown) => x);
      expect(isCaxError(busy) && busy.code).toBe('E_LINK');
      // The abandoned run's result still arrives, and then the device is usable again.
      let answered = false;
      for (let i = 0; i < 100 && !answered; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        answered = await client.ping().then(
          () => true,
          () => false,
        );
      }
      expect(answered).toBe(true);
    } finally {
      await client.close();
    }
  });
});

describe('a program that never returns nor calls an effect', () => {
  it('is caught by the host watchdog, and the device is restarted', async () => {
    const client = await CoprocessorClient.connect(issFirmware());
    try {
      await client.load(program('faults'));
      const e = await client.run({ entry: BASE, args: [2], budget: 1000, timeoutMs: 300 }).catch((x: unknown) => x);
      expect(isCaxError(e) && e.code).toBe('E_BUDGET');
      expect(isCaxError(e) && e.details).toMatchObject({ restarted: true });
      await client.load(program('args'));
      expect((await client.run({ entry: BASE, args: [7], budget: 100_000 })).a0).toBe(7);
    } finally {
      await client.close();
    }
  });

  it('on a link that cannot restart the device, leaves the client refusing to go on', async () => {
    const client = await CoprocessorClient.connect(new FaultyTransport(issFirmware(), {}, 1));
    try {
      await client.load(program('faults'));
      const e = await client.run({ entry: BASE, args: [2], budget: 1000, timeoutMs: 300 }).catch((x: unknown) => x);
      expect(isCaxError(e) && e.code).toBe('E_BUDGET');
      expect(isCaxError(e) && e.details).toMatchObject({ restarted: false });
      const next = await client.ping().catch((x: unknown) => x);
      expect(isCaxError(next) && next.code).toBe('E_LINK');
    } finally {
      await client.close();
    }
  });
});
