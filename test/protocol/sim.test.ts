// The definition of done of issue 6: a C program (no TEL) is loaded into the
// Verilator simulation of the SoC over its simulated serial line (a
// pseudo-terminal driven with `serialport`), runs, and makes effect calls
// that the host answers.
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { CoprocessorClient } from '../../host/protocol/client.js';
import { readFileSync } from 'node:fs';
import { describeRun, runProgramFile } from '../../host/protocol/program-file.js';
import { built, effectsHandler, issFirmware, program, simFirmware } from './helpers.js';
import { DEFAULT_RAM_BYTES } from '../../host/riscv/iss.js';

describe('firmware on the Verilator SoC over a pseudo-terminal', () => {
  let client: CoprocessorClient;
  beforeAll(async () => {
    client = await CoprocessorClient.connect(await simFirmware(), { timeoutMs: 2000 });
  });
  afterAll(async () => {
    await client.close();
  });

  it('says hello with the SoC limits', () => {
    expect(client.info).toMatchObject({ version: 1, core: 'cax-soc', isa: 'rv32im', ramBase: 0x80000000, ramBytes: DEFAULT_RAM_BYTES, programBase: 0x80008000 });
  });

  it('loads a C program, runs it and answers its effect calls', async () => {
    await client.load(program('effects'));
    const messages: string[] = [];
    const fill = Uint8Array.from({ length: 100 }, (_, i) => 255 - i);
    const r = await client.run({ entry: client.info.programBase, args: [3], budget: 5_000_000, onEffect: effectsHandler(messages, fill) });
    expect(r).toMatchObject({ outcome: 'returned', a0: 0 + 1001 + 2002, a1: fill.reduce((s, b) => s + b, 0), effects: 5 });
    expect(messages).toEqual(['hello from the co-processor']);
    expect(r.cycles).toBeGreaterThan(0);
    expect(r.instret).toBeGreaterThan(0);
  });
});

describe('a program that never ends, on the simulated SoC', () => {
  it('is stopped by the watchdog restarting the simulation', async () => {
    const client = await CoprocessorClient.connect(await simFirmware());
    try {
      await client.load(program('faults'));
      const e = await client.run({ entry: 0x80008000, args: [2], budget: 1000, timeoutMs: 500 }).catch((x: unknown) => x);
      expect(e).toMatchObject({ code: 'E_BUDGET', details: { restarted: true } });
      await client.load(program('args'));
      expect((await client.run({ entry: 0x80008000, args: [9], budget: 100_000 })).a0).toBe(9);
    } finally {
      await client.close();
    }
  });
});

describe('the same runs on the RTL and on the ISS', () => {
  it('count the same cycles and instructions, effects included (the counters stand still while the host answers)', async () => {
    const counts: string[][] = [];
    for (const transport of [await simFirmware(), issFirmware()]) {
      const client = await CoprocessorClient.connect(transport);
      const seen: string[] = [];
      try {
        for (const [name, args] of [
          ['effects', [5]],
          ['checksum', [0x80008000, 500]],
          ['args', [1, 2, 3]],
          ['counters', []],
        ] as const) {
          await client.load(program(name));
          const r = await client.run({ entry: 0x80008000, args, budget: 2 ** 40, onEffect: effectsHandler([], new Uint8Array(50)) });
          seen.push(`${name}: ${r.outcome} a0=${r.a0} cycles=${r.cycles} instret=${r.instret}`);
        }
      } finally {
        await client.close();
      }
      counts.push(seen);
    }
    expect(counts[0]).toEqual(counts[1]);
    // counters.c: the counts exact across a trap taken just before their low words wrap, at every offset of 256
    expect(counts[0]).toContainEqual(expect.stringMatching(/^counters: returned a0=0 /));
  });
});

describe('one session from an ELF file (what `cax sim run --serial` does)', () => {
  it('loads the ELF segments, runs from its entry and closes the link', async () => {
    const messages: string[] = [];
    const progress: number[] = [];
    const elf = new Uint8Array(readFileSync(built('programs/effects.elf')));
    const { info, loaded, result } = await runProgramFile(await simFirmware(), elf, {
      args: [4],
      budget: 5_000_000,
      onEffect: effectsHandler(messages, Uint8Array.of(1, 2, 3)),
      onProgress: (n) => progress.push(n),
    });
    expect(info.core).toBe('cax-soc');
    expect(loaded[0]!.addr).toBe(0x80008000);
    expect(progress.at(-1)).toBe(loaded.reduce((n, l) => n + l.size, 0));
    expect(result).toMatchObject({ outcome: 'returned', a0: 1001 * 6, a1: 6, effects: 6 });
    expect(describeRun(result)).toMatch(/^returned a0=0x00001776 a1=0x00000006: \d+ cycles, \d+ instructions, 6 effect calls$/);
  });
});
