// The bridge itself on a small fixture block: values of every width both
// ways, clock edges and cycle counting, waiting for edges and values,
// parameters, the build cache, and each failure with its error code.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILD_TIMEOUT_MS } from '../../host/bridge/build.js';
import { Dut, type Signal } from '../../host/bridge/dut.js';
import { CaxError } from '../../host/errors.js';

type FixturePorts = 'clk' | 'rst' | 'stop' | 'wide_in' | 'mid_in' | 'narrow_in' | 'wide_out' | 'mid_out' | 'narrow_out' | 'count' | 'count_odd';
type Fixture = Dut & Record<FixturePorts, Signal>;

const FIXTURE = 'test/bridge/fixtures/bridge_fixture.v';
const WIDE = (1n << 100n) - 1n;

async function codeOf(action: () => unknown): Promise<string> {
  try {
    await action();
  } catch (e) {
    if (e instanceof CaxError) return e.code;
    throw e;
  }
  throw new Error('expected a CaxError');
}

// Every test runs on both transports: the model as an addon in this process, and as a program over pipes.
describe.each(['inprocess', 'process'] as const)('on the %s transport', (transport) => {
  let dut: Fixture;

  beforeAll(async () => {
    dut = await Dut.build<FixturePorts>(FIXTURE, { transport });
  }, BUILD_TIMEOUT_MS);

  afterAll(async () => {
    await dut.close();
  });

  describe('Dut values', () => {
    it('lists the ports with directions and widths', () => {
      const byName = new Map(dut.ports.map((p) => [p.name, p]));
      expect(byName.get('wide_in')).toMatchObject({ direction: 'input', width: 100, storage: 'words' });
      expect(byName.get('mid_out')).toMatchObject({ direction: 'output', width: 41, storage: 'u64' });
      expect(byName.get('narrow_out')).toMatchObject({ direction: 'output', width: 16, storage: 'u16' });
      expect(byName.get('count_odd')).toMatchObject({ direction: 'output', width: 1, storage: 'u8' });
      expect(dut.ports).toHaveLength(11);
    });

    it('carries values of 7, 41 and 100 bits through combinational logic', async () => {
      await fc.assert(
        fc.asyncProperty(fc.bigInt({ min: 0n, max: WIDE }), fc.bigInt({ min: 0n, max: (1n << 41n) - 1n }), fc.integer({ min: 0, max: 127 }), async (wide, mid, narrow) => {
          dut.wide_in.bigValue = wide;
          dut.mid_in.bigValue = mid;
          dut.narrow_in.value = narrow;
          await dut.settle();
          expect(dut.wide_out.bigValue).toBe(~wide & WIDE);
          expect(dut.mid_out.bigValue).toBe((mid + 1n) & ((1n << 41n) - 1n));
          expect(dut.narrow_out.value).toBe(narrow * 3);
          expect(dut.wide_in.bigValue).toBe(wide);
        }),
        { numRuns: 200 },
      );
    });

    it('shows a written input at once and the outputs it drives after the next evaluation', async () => {
      dut.narrow_in.value = 5;
      await dut.settle();
      dut.narrow_in.value = 9;
      expect(dut.narrow_in.value).toBe(9);
      expect(dut.narrow_out.value).toBe(15);
      await dut.settle();
      expect(dut.narrow_out.value).toBe(27);
    });
  });

  describe('Dut clocking', () => {
    it('counts rising edges from tick(), clk.rising() and clk.falling()', async () => {
      await dut.reset();
      expect(dut.count.value).toBe(0);
      const before = dut.cycles;
      await dut.tick(10);
      expect(dut.count.value).toBe(10);
      await dut.clk.falling();
      expect(dut.count.value).toBe(10);
      expect(dut.clk.value).toBe(0);
      await dut.clk.rising();
      expect(dut.count.value).toBe(11);
      expect(dut.cycles - before).toBe(11);
    });

    it('waits for an output edge, a change and a value, returning the cycles waited', async () => {
      await dut.reset();
      expect(await dut.count.until(200)).toBe(200);
      expect(await dut.count_odd.rising()).toBe(1);
      expect(await dut.count_odd.falling()).toBe(1);
      expect(await dut.count.changed()).toBe(1);
      expect(dut.count.value).toBe(203);
    });

    it('records signals after each rising edge', async () => {
      await dut.reset();
      const [count, odd] = await dut.record(['count', 'count_odd'], 6);
      expect(count).toEqual([1, 2, 3, 4, 5, 6]);
      expect(odd).toEqual([1, 0, 1, 0, 1, 0]);
    });

    it('times out waiting for a value that never comes', async () => {
      await dut.reset();
      dut.rst.value = 1;
      expect(await codeOf(() => dut.count.until(5, 50))).toBe('E_BRIDGE_TIMEOUT');
      dut.rst.value = 0;
    });
  });

  describe('Dut parameters and cache', () => {
    it(
      'applies parameters, and builds each parameter set once',
      async () => {
        const a = await Dut.build<FixturePorts>(FIXTURE, { parameters: { STEP: 5 }, transport });
        await a.reset();
        await a.tick(3);
        expect(a.count.value).toBe(15);
        await a.close();
        const b = await Dut.build<FixturePorts>(FIXTURE, { parameters: { STEP: 5 }, transport });
        expect(b.model).toMatchObject({ executable: a.model.executable, compiled: false });
        expect(b.model.executable).not.toBe(dut.model.executable);
        await b.reset();
        await b.tick(2);
        expect(b.count.value).toBe(10);
        await b.close();
      },
      BUILD_TIMEOUT_MS,
    );
  });

  describe('Dut errors', () => {
    it('names an unknown signal, with E_BRIDGE_SIGNAL', async () => {
      expect(await codeOf(() => (dut as unknown as Record<string, Signal>).nonexistent)).toBe('E_BRIDGE_SIGNAL');
      expect(await codeOf(() => dut.signal('nope'))).toBe('E_BRIDGE_SIGNAL');
    });

    it('refuses values that do not fit, with E_BRIDGE_WIDTH', async () => {
      await fc.assert(
        fc.asyncProperty(fc.oneof(fc.integer({ min: 128, max: 2 ** 40 }), fc.integer({ min: -(2 ** 40), max: -1 }), fc.double({ noInteger: true })), async (v) => {
          expect(await codeOf(() => (dut.narrow_in.value = v))).toBe('E_BRIDGE_WIDTH');
        }),
      );
      expect(await codeOf(() => (dut.wide_in.bigValue = WIDE + 1n))).toBe('E_BRIDGE_WIDTH');
      expect(await codeOf(() => dut.wide_out.value)).toBe('E_BRIDGE_WIDTH');
    });

    it('refuses to write an output or wait for an input to move', async () => {
      expect(await codeOf(() => (dut.count.value = 1))).toBe('E_BRIDGE_SIGNAL');
      expect(await codeOf(() => dut.narrow_in.until(3))).toBe('E_BRIDGE_SIGNAL');
      expect(await codeOf(() => dut.count.rising())).toBe('E_BRIDGE_SIGNAL');
    });

    it('rejects bad options and missing sources with E_USAGE', async () => {
      expect(await codeOf(() => Dut.build(FIXTURE, { maxCycles: -1 }))).toBe('E_USAGE');
      expect(await codeOf(() => Dut.build(FIXTURE, { top: 'not an identifier' }))).toBe('E_USAGE');
      expect(await codeOf(() => Dut.build('test/bridge/fixtures/missing.v'))).toBe('E_USAGE');
    });

    it(
      'reports Verilog that does not compile with E_BRIDGE_BUILD and the compiler message',
      async () => {
        const dir = await mkdtemp(join(tmpdir(), 'cax-bridge-'));
        try {
          await writeFile(join(dir, 'broken.v'), 'module broken(input clk, output q);\n assign q = ;\nendmodule\n');
          const error = await Dut.build(join(dir, 'broken.v'), { cacheDir: join(dir, 'cache') }).catch((e: unknown) => e);
          expect(error).toBeInstanceOf(CaxError);
          expect((error as CaxError).code).toBe('E_BRIDGE_BUILD');
          expect((error as CaxError).message).toMatch(/broken\.v:2/);
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      },
      BUILD_TIMEOUT_MS,
    );

    it(
      'reports $finish with E_BRIDGE_SIM and the death of the process with E_BRIDGE_DIED',
      async () => {
        const own = await Dut.build<FixturePorts>(FIXTURE, { transport });
        own.stop.value = 1;
        expect(await codeOf(() => own.tick())).toBe('E_BRIDGE_SIM');
        await own.close();
        expect(own.output).toMatch(/\$finish/);
        const victim = await Dut.build<FixturePorts>(FIXTURE, { transport });
        await victim.tick(3);
        victim.kill();
        expect(await codeOf(() => victim.tick())).toBe('E_BRIDGE_DIED');
        expect(await codeOf(() => (victim.narrow_in.value = 1))).toBe('E_BRIDGE_DIED');
        await victim.close();
      },
      BUILD_TIMEOUT_MS,
    );
  });

  it('reports which transport runs the model', () => {
    expect(dut.model.transport).toBe(transport);
    expect(dut.model.executable.endsWith(transport === 'inprocess' ? 'model.node' : 'sim')).toBe(true);
  });
});

describe('choosing a transport', () => {
  it(
    'runs in process by default, and refuses an in-process model another working directory',
    async () => {
      const d = await Dut.build<FixturePorts>(FIXTURE);
      expect(d.model.transport).toBe('inprocess');
      await d.close();
      expect(await codeOf(() => Dut.build(FIXTURE, { transport: 'inprocess', cwd: tmpdir() }))).toBe('E_USAGE');
      const other = await Dut.build<FixturePorts>(FIXTURE, { cwd: tmpdir() });
      expect(other.model.transport).toBe('process');
      await other.close();
    },
    BUILD_TIMEOUT_MS,
  );
});
