// The cycle profile of compiled code: on the ISS its frames add up to the
// cycles of a plain run of the same image (no trace) exactly, the
// runtime's collector is shown apart with its share, compiled definitions
// and hot lines come from the image's symbols and source map, effects
// (continuations run on the core) keep the totals exact; the simulated
// core's retirement trace gives the same profile as the ISS.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { openCoprocessor, runImage, type Coprocessor } from '../../host/coprocessor/backend.js';
import { bottlenecks } from '../../host/profile/bottlenecks.js';
import { DEFAULT_CYCLES, profileCompiled, profiledImage, type CompiledProfileRequest } from '../../host/profile/profile-compiled.js';
import { parseProgram } from '../../host/tel/parser.js';
import { parseWorld } from '../../host/tel/world.js';

const FIB = readFileSync('examples/fib.tel', 'utf8');
let cop: Coprocessor;

beforeAll(async () => {
  cop = await openCoprocessor('iss');
});
afterAll(async () => {
  await cop.close();
});

async function plainCycles(req: CompiledProfileRequest): Promise<{ cycles: number; shown: string | null; clock: number }> {
  const r = await runImage(cop, profiledImage(req), [], { budget: DEFAULT_CYCLES, ...(req.world ? { world: req.world } : {}) });
  return { cycles: r.cycles, shown: r.shown, clock: r.clock };
}

describe('profile on the ISS', () => {
  it('charges exactly the cycles of a plain run, the collector apart', async () => {
    const req: CompiledProfileRequest = { program: parseProgram(FIB, 'fib.tel'), main: 'sortedOk', args: ['400'] };
    const p = await profileCompiled(req);
    const plain = await plainCycles(req);
    expect(p.outcome).toBe(plain.shown);
    expect(p.total).toBe(plain.cycles);
    expect(p.frames.reduce((s, f) => s + f.self, 0)).toBe(p.total);
    const loader = p.frames.find((f) => f.name === '(loader)')!;
    expect(loader.self).toBeLessThan(100); // the loader's entry and exit around the one run on the core
    expect(p.frames.find((f) => f.name === 'rt_gc')!.kind).toBe('gc');
    const sort = p.frames.find((f) => f.name === 'sort')!;
    expect(sort.kind).toBe('tel');
    expect(sort.where).toMatch(/^fib\.tel:16:/);
    expect(sort.total).toBeGreaterThan(sort.self);
    // the merge's loop (its where-bound go) allocates its cells at the site; merge itself allocates nothing (go's
    // closure is static, the reversal in place)
    expect(p.frames.find((f) => f.name.startsWith('go#') && f.where?.startsWith('fib.tel:10:'))!.alloc).toBeGreaterThan(0);
    expect(p.lines[0]!.where).toMatch(/^(fib|prelude)\.tel:\d+$/);
    const gc = bottlenecks(p).find((f) => f.kind === 'gc')!;
    expect(gc.value).toBe(Math.max(...p.frames.filter((f) => f.kind === 'gc').map((f) => f.total)));
    expect(gc.text).toMatch(/^garbage collection: \d+ cycles, \d+\.\d% of the run$/);
  }, 120_000);

  it('keeps the totals exact across effects (continuations on the core)', async () => {
    const source = readFileSync('examples/arbitrage.tel', 'utf8');
    const world = parseWorld(JSON.parse(readFileSync('examples/arbitrage.world.json', 'utf8')));
    const req: CompiledProfileRequest = { program: parseProgram(source, 'arbitrage.tel'), main: 'main', args: [], world };
    const p = await profileCompiled(req);
    const plain = await plainCycles(req);
    expect(p.outcome).toBe(plain.shown);
    expect(p.total).toBe(plain.cycles);
    expect(p.frames.reduce((s, f) => s + f.self, 0)).toBe(p.total);
    expect(p.clock.end).toBe(plain.clock);
    expect(p.effects.length).toBe(6);
    const samples = p.resources[0]!.samples;
    expect(samples[samples.length - 1]!.compute).toBe(p.total);
  }, 120_000);

  it('gives the same cycle profile on the simulated core as on the ISS', async () => {
    const req: CompiledProfileRequest = { program: parseProgram(FIB, 'fib.tel'), main: 'sortedOk', args: ['20'] };
    const iss = await profileCompiled(req);
    const sim = await profileCompiled({ ...req, backend: 'sim' });
    expect(sim.backend).toBe('sim');
    expect(sim.total).toBe(iss.total);
    expect(sim.outcome).toBe('True');
    const flat = (p: typeof iss) => p.frames.map((f) => [f.name, f.self, f.total, f.calls, f.alloc]);
    expect(flat(sim)).toEqual(flat(iss));
    expect(sim.lines).toEqual(iss.lines);
    expect(iss.frames.find((f) => f.name === 'merge')!.self).toBeGreaterThan(0);
  }, 180_000);
});
