// Chunks sized to the run (docs/proofs.md "Chunk size"): the choice among
// the step circuits set up is the one the cost model says proves the run
// soonest on the workers; `cax prove` without --steps proves with it, the
// receipt names that size and verifies. A development powers-of-tau is
// truncated from a larger one already cached instead of made again, and keys
// made from the truncated file verify against it (`cax zk verify-setup`).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { runCli } from '../../host/cli/program.js';
import { chooseCircuit, chunkCost, estimatedCost, provingCircuits } from '../../host/proof/chunk-size.js';
import { compileCircuit, compiledCircuits, DEV_SIZE, ptauPower, type Circuit } from '../../host/proof/circuit.js';
import { releaseCurve } from '../../host/proof/curve.js';
import { circuitKeys, devPtau, devPtauPath, keyPaths, verifyCachedKey } from '../../host/proof/setup.js';
import { captureIO } from '../helpers/cli-io.js';
import { exitWith, li } from '../riscv/asm.js';

const BUILT = 'build/proof/home';
const MIX = 'build/proof/mix.elf';

/** A circuit of `steps` steps as the step circuit's counts make it (431 constraints a step: only its size matters to the choice). */
const sized = (steps: number): Pick<Circuit, 'size' | 'constraints' | 'publicSignals'> => ({ size: { steps }, constraints: 431 * steps + 2, publicSignals: steps + 68 });

describe('choosing the chunk size', () => {
  it('picks the candidate of least estimated cost, the smaller of equal ones', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200_000 }), fc.integer({ min: 1, max: 16 }), fc.uniqueArray(fc.integer({ min: 1, max: 160 }), { minLength: 1, maxLength: 6 }), (steps, workers, sizes) => {
        const candidates = sizes.map(sized);
        const chosen = chooseCircuit(steps, workers, candidates);
        expect(candidates).toContain(chosen);
        const cost = (c: (typeof candidates)[number]): number => estimatedCost(steps, workers, c.size.steps, ptauPower(c));
        for (const c of candidates) {
          expect(cost(chosen)).toBeLessThanOrEqual(cost(c));
          if (cost(c) === cost(chosen)) expect(chosen.size.steps).toBeLessThanOrEqual(c.size.steps);
        }
      }),
    );
  });

  it('proves a run that fits one chunk of the smallest size in that size; a larger domain costs more, less than twice per power where measured', () => {
    for (let p = 8; p < 20; p++) {
      expect(chunkCost(p + 1)).toBeGreaterThanOrEqual(chunkCost(p));
      expect(chunkCost(p + 1)).toBeLessThanOrEqual(2 * chunkCost(p));
    }
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: 160 }), { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 16 }), (sizes, workers) => {
        const smallest = Math.min(...sizes);
        expect(chooseCircuit(smallest, workers, sizes.map(sized)).size.steps).toBe(smallest);
      }),
    );
  });

  it('keeps both workers busy where that is cheaper, and takes larger chunks for longer runs', () => {
    // 150 steps: two 75-step chunks side by side (2^15 each) rather than one chunk of 150 (2^16)
    expect(chooseCircuit(150, 2, [sized(75), sized(150)]).size.steps).toBe(75);
    // on 2 workers with the four sizes that fill 2^12 … 2^15: the bench program (120 steps), quote 3 (1,215), a long run
    const sizes = [9, 18, 37, 75].map(sized);
    expect(chooseCircuit(120, 2, sizes).size.steps).toBe(9);
    expect(chooseCircuit(1215, 2, sizes).size.steps).toBe(37);
    expect(chooseCircuit(100_000, 2, sizes).size.steps).toBe(75);
  });
});

describe('chunk sizes set up in a $CAX_HOME', () => {
  let home: string;
  let small: Circuit;
  const stages: string[] = [];

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'cax-chunks-'));
    // the development keys of `make proof-keys` (9-step chunks, 2^12) and their powers-of-tau
    mkdirSync(join(home, 'ptau'));
    const dev = await compileCircuit(DEV_SIZE, BUILT);
    copyFileSync(devPtauPath(BUILT, ptauPower(dev)), devPtauPath(home, ptauPower(dev)));
    cpSync(dirname(dev.r1cs), join(home, 'circuits', basename(dirname(dev.r1cs))), { recursive: true });
    mkdirSync(join(home, 'keys'));
    for (const f of Object.values(keyPaths(BUILT, dev))) copyFileSync(f, join(home, 'keys', basename(f)));
    // a smaller circuit (4 steps: 2^11), compiled but not set up yet
    small = await compileCircuit({ steps: 4 }, home);
    // a compiled circuit of other sources (the key is not these sources') is not listed
    mkdirSync(join(home, 'circuits', 'rv32im_5-0000000000000000'));
  }, 300_000);

  afterAll(async () => {
    rmSync(home, { recursive: true, force: true });
    await releaseCurve();
  });

  it('lists the sizes with keys; a smaller development powers-of-tau is truncated from the larger one, and keys from it verify', async () => {
    expect(compiledCircuits(home).map((c) => c.size.steps)).toEqual([4, DEV_SIZE.steps]);
    expect(provingCircuits(home).map((c) => c.size.steps)).toEqual([DEV_SIZE.steps]);
    expect(ptauPower(small)).toBe(11);
    const ptau = await devPtau(home, 11, (s, done, total) => stages.push(`${s}: ${done}/${total}`));
    expect(ptau).toBe(devPtauPath(home, 11));
    expect(stages).toEqual([`truncating ${devPtauPath(home, 12)}: 0/1`, `truncating ${devPtauPath(home, 12)}: 1/1`]);
    // only the file asked for is kept
    expect(readdirSync(join(home, 'ptau')).sort()).toEqual(['dev-11.ptau', 'dev-12.ptau']);
    const keys = await circuitKeys(home, small, ptau);
    expect(keys.contributions).toHaveLength(2);
    expect((await verifyCachedKey(home, small, ptau)).map((c) => c.hash)).toEqual(keys.contributions.map((c) => c.hash));
    expect(provingCircuits(home).map((c) => c.size.steps)).toEqual([4, DEV_SIZE.steps]);
  }, 600_000);

  it('`cax prove` without --steps proves a short run in the small chunks and a longer one in larger chunks; both verify', async () => {
    const tiny = join(home, 'tiny.bin');
    writeFileSync(tiny, new Uint8Array(new Uint32Array([...li(5, 7), ...li(6, 35), ...exitWith(1)]).buffer));
    const expected = { [tiny]: 4, [MIX]: DEV_SIZE.steps };
    for (const program of [tiny, MIX]) {
      const io = captureIO({ env: { CAX_HOME: home } });
      expect(await runCli(['--json', 'prove', program, '--on', 'iss', '--workers', '2'], io)).toBe(0);
      const proved = JSON.parse(io.stdout.join('')) as { receipt: string; steps: number; chunks: number; chunkSteps: number };
      expect(proved.chunkSteps).toBe(expected[program]);
      expect(proved.chunks).toBe(Math.ceil(proved.steps / proved.chunkSteps));
      const check = captureIO({ env: { CAX_HOME: home } });
      expect(await runCli(['--json', 'verify', proved.receipt], check)).toBe(0);
      expect(JSON.parse(check.stdout.join(''))).toMatchObject({ ok: true, steps: proved.steps, chunks: proved.chunks });
    }
  }, 600_000);
});
