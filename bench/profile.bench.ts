// Profiling overhead (docs/profiling.md): `cax profile` on the interpreter
// (fib: calls; sortedOk: lists) against the same run unprofiled (JIT off, as the profile runs it, and
// with the JIT), and on the ISS against a plain run of the same image on
// the ISS (block translation on, no trace), both compiling the image and
// opening an ISS session.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { BenchSuite } from './harness.js';
import { openCoprocessor, runImage } from '../host/coprocessor/backend.js';
import { DEFAULT_CYCLES, profileCompiled, profiledImage, type CompiledProfileRequest } from '../host/profile/profile-compiled.js';
import { profileInterp } from '../host/profile/profile-interp.js';
import { loadProgram, runMain } from '../host/tel/interp.js';
import { parseExpression, parseProgram } from '../host/tel/parser.js';
import { time } from './tel.bench.js';

const FIB = readFileSync('examples/fib.tel', 'utf8');

function plain(jit: 'off' | 'auto', main: string, arg: string): () => Promise<number> {
  return async () =>
    time(() => {
      const r = runMain(loadProgram(parseProgram(FIB, 'fib.tel')), main, [parseExpression(arg, '<bench>')], { jit });
      if (r.error) throw r.error;
    });
}

function profiled(main: string, arg: string): () => Promise<number> {
  return async () => time(() => profileInterp({ program: parseProgram(FIB, 'fib.tel'), main, args: [arg] }));
}

const ISS_REQUEST: CompiledProfileRequest = { program: parseProgram(FIB, 'fib.tel'), main: 'sortedOk', args: ['400'] };

async function plainIss(): Promise<number> {
  const t0 = performance.now();
  const image = profiledImage(ISS_REQUEST);
  const cop = await openCoprocessor('iss');
  try {
    const r = await runImage(cop, image, [], { budget: DEFAULT_CYCLES });
    if (r.error) throw r.error;
  } finally {
    await cop.close();
  }
  return performance.now() - t0;
}

async function profiledIss(): Promise<number> {
  const t0 = performance.now();
  await profileCompiled(ISS_REQUEST);
  return performance.now() - t0;
}

export const suite: BenchSuite = {
  title: 'Profiling',
  cases: [
    {
      name: 'profile of fib 22 on the interpreter',
      unit: 'ms',
      higherIsBetter: false,
      warmUp: 3,
      sample: profiled('fib', '22'),
      reference: { name: 'the same run unprofiled, JIT off', sample: plain('off', 'fib', '22') },
    },
    {
      name: 'profile of sortedOk 2000 on the interpreter',
      unit: 'ms',
      higherIsBetter: false,
      warmUp: 3,
      sample: profiled('sortedOk', '2000'),
      reference: { name: 'the same run unprofiled, JIT off', sample: plain('off', 'sortedOk', '2000') },
    },
    {
      name: 'profile of fib 22 on the interpreter (against the JIT)',
      unit: 'ms',
      higherIsBetter: false,
      warmUp: 3,
      sample: profiled('fib', '22'),
      reference: { name: 'the same run unprofiled, JIT auto', sample: plain('auto', 'fib', '22') },
    },
    {
      name: 'profile of sortedOk 400 compiled, on the ISS (compile and session included)',
      unit: 'ms',
      higherIsBetter: false,
      sample: profiledIss,
      reference: { name: 'the same image run plainly on the ISS', sample: plainIss },
    },
  ],
};
