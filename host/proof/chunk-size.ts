// The chunk size of a proof sized to the run (docs/proofs.md "Chunk size"):
// among the step circuits whose keys are set up, the one that proves a run of
// S steps on W workers soonest. A chunk's proving time follows its domain,
// 2^P (the H multi-exponentiation and the FFTs), not how full the domain is,
// so a run costs its rounds of W chunks times the cost of one chunk of 2^P,
// plus about one chunk more for each worker's first proof (its WASM memory
// grown, its code warmed up).
import { existsSync } from 'node:fs';
import { CaxError } from '../errors.js';
import { compiledCircuits, ptauPower, type Circuit } from './circuit.js';
import { keyPaths } from './setup.js';

/**
 * The proving time of one chunk whose domain is 2^power, relative to a chunk
 * of 2^12, with the prover's per-worker caches: measured on this 2-core
 * machine with real keys on two worker threads, full chunks in steady state
 * (docs/proofs.md "Chunk size"; 2^11 from the earlier measurement, the mean
 * of one and two threads): a chunk costs less than twice as much per
 * doubling of its domain. Above the measured powers the cost doubles per
 * power; below them it is the smallest measured one (fixed costs per proof
 * dominate there).
 */
const MEASURED_CHUNK_COST: Readonly<Record<number, number>> = { 11: 0.63, 12: 1, 13: 1.65, 14: 3.08, 15: 5.79 };

export function chunkCost(power: number): number {
  const known = Object.keys(MEASURED_CHUNK_COST).map(Number);
  const p = Math.min(Math.max(power, Math.min(...known)), Math.max(...known));
  return MEASURED_CHUNK_COST[p]! * 2 ** Math.max(0, power - p);
}

/** What proving `steps` steps in chunks of `chunkSteps` (a circuit of domain 2^power) on `workers` threads costs, in chunks of 2^12: its rounds and the workers' first proofs. */
export function estimatedCost(steps: number, workers: number, chunkSteps: number, power: number): number {
  const chunks = Math.ceil(steps / chunkSteps);
  return (Math.ceil(chunks / Math.max(1, workers)) + 1) * chunkCost(power);
}

/**
 * The circuit among `candidates` that proves `steps` steps on `workers`
 * threads soonest (estimatedCost); of equal estimates the smaller chunks
 * (finer progress, less padding).
 */
export function chooseCircuit<C extends Pick<Circuit, 'size' | 'constraints' | 'publicSignals'>>(steps: number, workers: number, candidates: readonly C[]): C {
  let best: C | undefined;
  let bestCost = Infinity;
  for (const c of [...candidates].sort((a, b) => a.size.steps - b.size.steps)) {
    const cost = estimatedCost(steps, workers, c.size.steps, ptauPower(c));
    if (cost < bestCost) {
      best = c;
      bestCost = cost;
    }
  }
  if (best === undefined) throw new CaxError('E_SETUP', 'no step circuit to choose from');
  return best;
}

/** The step circuits of these sources compiled in `home` whose proving and verifying keys are there, smallest first. */
export function provingCircuits(home: string): Circuit[] {
  return compiledCircuits(home).filter((c) => {
    const keys = keyPaths(home, c);
    return existsSync(keys.zkey) && existsSync(keys.vkey);
  });
}
