// Compiled TEL on the co-processor against the reference interpreter: a
// call-heavy (naive fib) and a list-heavy program, wall time per run on the
// ISS and the Verilator SoC (through the firmware, code load included) as
// ratios to the interpreter, and an effect loop (continuations on the core);
// transpile time and code size per definition;
// and what each optimisation buys in cycles and bytes (off vs on).
import type { BenchCase, BenchSuite } from './harness.js';
import { openCoprocessor, runImage, type BackendName, type Coprocessor } from '../host/coprocessor/backend.js';
import { DEFAULT_OPTIONS, type CodegenOptions } from '../host/compiler/codegen.js';
import { compileSource, type CompiledProgram } from '../host/compiler/compile.js';
import { loadProgram, runMain } from '../host/tel/interp.js';
import { parseProgram } from '../host/tel/parser.js';
import { SOURCE } from './tel.bench.js';

const CALLS = (n: number): string => `fib :: Int -> Int\nfib n = if n < 2 then n else fib (n - 1) + fib (n - 2)\nmain = fib ${n}`;
const EFFECT_LOOP = (n: number): string =>
  `loop :: Int -> Int -> Effect Int\nloop n acc = if n == 0 then return acc else do { x <- return n; emit x; loop (n - 1) (acc + x) }\nmain :: Effect Int\nmain = loop ${n} 0`;
const SORT = (n: number): string => `${SOURCE}\nmain :: Int\nmain = sum (sort (pseudoRandom ${n}))`;
const POLY_LOOP = (n: number): string =>
  `count :: Ord a => a -> [a] -> Int -> Int\ncount _ [] n = n\ncount k (x:xs) n = if x <= k then count k xs (n + 1) else count k xs n\nmain = count ${n / 4} (range 1 ${n}) 0`;
const LISTS = (n: number): string => `main = sum (map (\\x -> x * 3) (filter (\\x -> x \`mod\` 2 == 0) (range 1 ${n}))) + length (reverse (range 1 ${n}))`;

function interpMs(source: string): number {
  const loaded = loadProgram(parseProgram(source, 'bench.tel'));
  const start = performance.now();
  const r = runMain(loaded, 'main', []);
  if (r.error) throw r.error;
  return performance.now() - start;
}

/** One measured run in a fresh session, after a warm-up run that loads the runtime (so the time is the code load and the run). */
async function backendRun(backend: BackendName, compiled: CompiledProgram): Promise<{ ms: number; cycles: number }> {
  const cop: Coprocessor = await openCoprocessor(backend);
  try {
    await runImage(cop, compiled.image, [], { budget: 4_000_000_000 });
    const start = performance.now();
    const r = await runImage(cop, compiled.image, [], { budget: 4_000_000_000 });
    if (r.error) throw r.error;
    return { ms: performance.now() - start, cycles: r.cycles };
  } finally {
    await cop.close();
  }
}

function runCase(label: string, backend: BackendName, source: string): BenchCase {
  const compiled = compileSource(source, 'bench.tel', 'main');
  return {
    name: `${label} on ${backend} (wall ms, code load included)`,
    unit: 'ms',
    higherIsBetter: false,
    sample: async () => (await backendRun(backend, compiled)).ms,
    reference: { name: 'interpreter', sample: () => Promise.resolve(interpMs(source)) },
  };
}

function optimisationCase(label: string, off: Partial<CodegenOptions>, source: string, measure: 'cycles' | 'bytes'): BenchCase {
  const on = compileSource(source, 'bench.tel', 'main');
  const without = compileSource(source, 'bench.tel', 'main', { ...DEFAULT_OPTIONS, ...off });
  const size = (c: CompiledProgram): number => c.image.bytes.length - (c.image.codeStart - c.image.base);
  const value = async (c: CompiledProgram): Promise<number> => (measure === 'bytes' ? size(c) : (await backendRun('iss', c)).cycles);
  return {
    name: `${label} off (${measure}; reference: on)`,
    unit: measure,
    higherIsBetter: false,
    sample: () => value(without),
    reference: { name: `${label} on`, sample: () => value(on) },
  };
}

const examples = ['examples/lists.tel', 'examples/mutual.tel', 'examples/fib.tel'];

export const suite: BenchSuite = {
  title: 'TEL compiler',
  cases: [
    runCase('call-heavy fib 20', 'iss', CALLS(20)),
    runCase('list-heavy 500 elements', 'iss', LISTS(500)),
    runCase('call-heavy fib 12', 'sim', CALLS(12)),
    runCase('list-heavy 100 elements', 'sim', LISTS(100)),
    // two runs on the core with rt_settle (one per bind without it: linear since the bind node; 22.0 s for 200 with the replaying adapter)
    runCase('effect loop of 200 binds', 'iss', EFFECT_LOOP(200)),
    {
      name: 'transpile time per definition (examples/lists, mutual, fib)',
      unit: 'ms',
      higherIsBetter: false,
      async sample() {
        const { readFileSync } = await import('node:fs');
        let defs = 0;
        const start = performance.now();
        for (const f of examples) defs += compileSource(readFileSync(f, 'utf8'), f, 'main').definitions.size;
        return (performance.now() - start) / defs;
      },
    },
    {
      name: 'code size per definition (examples/lists, mutual, fib)',
      unit: 'bytes',
      higherIsBetter: false,
      async sample() {
        const { readFileSync } = await import('node:fs');
        let defs = 0;
        let bytes = 0;
        for (const f of examples) {
          const c = compileSource(readFileSync(f, 'utf8'), f, 'main');
          defs += c.definitions.size;
          bytes += c.image.bytes.length - (c.image.codeStart - c.image.base);
        }
        return bytes / defs;
      },
    },
    {
      // ~1.5 MB allocated in a ~56 KiB heap: about two dozen collections (docs/compiler.md, the garbage collector)
      name: 'garbage collection: examples/fib.tel (merge sort of 1000 numbers) on iss (cycles)',
      unit: 'cycles',
      higherIsBetter: false,
      async sample() {
        const { readFileSync } = await import('node:fs');
        return (await backendRun('iss', compileSource(readFileSync('examples/fib.tel', 'utf8'), 'examples/fib.tel', 'main'))).cycles;
      },
    },
    optimisationCase('direct calls and tail jumps', { directCalls: false }, CALLS(18), 'cycles'),
    optimisationCase('direct calls and tail jumps', { directCalls: false }, CALLS(18), 'bytes'),
    // docs/compiler.md "Calls": untagged Int arguments (and with them the registers), then the registers alone
    optimisationCase('Int arguments untagged', { untaggedArguments: false }, CALLS(18), 'cycles'),
    optimisationCase('Int arguments in registers', { registerArguments: false }, CALLS(18), 'cycles'),
    optimisationCase(
      'inlining',
      { inlining: false },
      'sq :: Int -> Int\nsq x = x * x\nloop :: Int -> Int -> Int\nloop n acc = if n == 0 then acc else loop (n - 1) (acc + sq n)\nmain = loop 20000 0',
      'cycles',
    ),
    optimisationCase('constant folding', { constantFolding: false }, 'main = sum [1 + 2 * 3, 4 - 5, 6 * 7, -8, 9 * 10 + 11]', 'cycles'),
    optimisationCase(
      'registers for locals, a loop of 20000',
      { registers: false },
      'sq :: Int -> Int\nsq x = x * x\nloop :: Int -> Int -> Int\nloop n acc = if n == 0 then acc else loop (n - 1) (acc + sq n)\nmain = loop 20000 0',
      'cycles',
    ),
    optimisationCase('registers for locals, list-heavy 500', { registers: false }, LISTS(500), 'cycles'),
    optimisationCase('registers for locals, list-heavy 500', { registers: false }, LISTS(500), 'bytes'),
    // rt_settle: `return v >>= k` applied on the core, emit/now performed through an ecall in the same run (docs/compiler.md "Effects and time")
    optimisationCase('effects settled on the core, effect loop of 200', { settleEffects: false }, EFFECT_LOOP(200), 'cycles'),
    // docs/compiler.md "Inferred Ints and matched parameters in registers"
    optimisationCase("Ints the type checker infers, the merge sort's go at Int (300)", { inferredInts: false }, SORT(300), 'cycles'),
    optimisationCase('matched list parameters in registers, merge sort of 300', { matchRegisters: false }, SORT(300), 'cycles'),
    optimisationCase('comparisons of unknown type as branches, a polymorphic loop of 2000', { compareBranches: false }, POLY_LOOP(2000), 'cycles'),
  ],
};
