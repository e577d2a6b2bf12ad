// Compiled TEL against the same algorithm in C on the same core model (the
// ISS, cycles of docs/soc.md): naive fib, a tail-recursive loop, a merge
// sort of 1,000 Ints, a map/filter/foldl pipeline and an effect loop, each
// as cycles and as instructions retired (proofs pay per instruction), the
// C built by this bench from bench/c/tel-kernels.c with
// riscv64-unknown-elf-gcc -O2 -march=rv32im; the code size of each kernel's
// definitions against its C functions; the collector's cycles in
// examples/fib.tel (the profiler's gc frames) against the whole run and
// against the same run without minor collections; and the cycles of one
// collection in the board's heap with much live data against little, with
// minor collections and without (gc.c: a minor collection marks only what
// was allocated since the last one).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchCase, BenchSuite } from './harness.js';
import { compileSource, type CompiledProgram } from '../host/compiler/compile.js';
import { openCoprocessor, runImage } from '../host/coprocessor/backend.js';
import { BOARD_RAM_BYTES, Iss } from '../host/riscv/iss.js';
import { profileCompiled } from '../host/profile/profile-compiled.js';
import { parseProgram } from '../host/tel/parser.js';
import { SOURCE } from './tel.bench.js';

interface Kernel {
  readonly name: string;
  /** -DKERNEL_<macro> of bench/c/tel-kernels.c. */
  readonly macro: string;
  readonly size: number;
  readonly source: string;
  /** The program's definitions that make the kernel (code size), and the C functions that do. */
  readonly definitions: readonly string[];
  readonly functions: readonly string[];
}

/** The interpreter bench's merge sort (with fib, which the image leaves out) and a checksum of the sorted list. */
const SORT = `${SOURCE}
weigh :: Int -> Int -> [Int] -> Int
weigh _ acc [] = acc
weigh k acc (x:xs) = weigh (k + 1) (acc + x * k) xs

main :: Int
main = weigh 1 0 (sort (pseudoRandom 1000))`;

const KERNELS: readonly Kernel[] = [
  {
    name: 'naive fib 20',
    macro: 'FIB',
    size: 20,
    source: 'fib :: Int -> Int\nfib n = if n < 2 then n else fib (n - 1) + fib (n - 2)\nmain = fib 20',
    definitions: ['fib'],
    functions: ['fib'],
  },
  {
    name: 'tail-recursive loop of 100,000 (sum of squares)',
    macro: 'LOOP',
    size: 100_000,
    source: 'sumSquares :: Int -> Int -> Int\nsumSquares n acc = if n == 0 then acc else sumSquares (n - 1) (acc + n * n)\nmain = sumSquares 100000 0',
    definitions: ['sumSquares'],
    functions: ['sum_squares'],
  },
  { name: 'merge sort of 1,000 Ints', macro: 'SORT', size: 1000, source: SORT, definitions: ['merge', 'sort', 'pseudoRandom', 'weigh'], functions: ['merge_sort', 'sort_checksum'] },
  {
    name: 'map/filter/foldl pipeline over 10,000',
    macro: 'PIPELINE',
    size: 10_000,
    source: 'pipeline :: Int -> Int\npipeline n = foldl (\\a x -> a + x) 0 (map (\\x -> x * 3) (filter (\\x -> x `mod` 2 == 0) (range 1 n)))\nmain = pipeline 10000',
    definitions: ['pipeline'],
    functions: ['pipeline'],
  },
  {
    name: 'effect loop of 200 emits',
    macro: 'EFFECTS',
    size: 200,
    source: 'loop :: Int -> Int -> Effect Int\nloop n acc = if n == 0 then return acc else do { x <- return n; emit x; loop (n - 1) (acc + x) }\nmain :: Effect Int\nmain = loop 200 0',
    definitions: ['loop'],
    functions: ['effect_loop'],
  },
];

const C_DIR = 'build/tel-vs-c';
const RT_DIR = 'test/riscv/programs';
const C_FLAGS = ['-march=rv32im', '-mabi=ilp32', '-O2', '-Wall', '-Werror', '-ffreestanding', '-fno-builtin', '-nostdlib', '-static', '-Wl,--no-warn-rwx-segments'];

function tool(cmd: string, args: readonly string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.error?.message ?? r.stderr}`);
  return r.stdout;
}

interface Measured {
  readonly cycles: number;
  readonly instret: number;
  readonly bytes: number;
  readonly value: number;
}

/** The C kernel, built on first use: its run on the ISS (the Linux convention of the ISS test programs) and its functions' bytes. */
function measureC(k: Kernel): Measured {
  mkdirSync(C_DIR, { recursive: true });
  const elf = join(C_DIR, `${k.macro.toLowerCase()}.elf`);
  tool('riscv64-unknown-elf-gcc', [
    ...C_FLAGS,
    `-I${RT_DIR}`,
    `-DKERNEL_${k.macro}`,
    `-DSIZE=${k.size}`,
    '-T',
    `${RT_DIR}/link.ld`,
    '-o',
    elf,
    `${RT_DIR}/crt0.S`,
    `${RT_DIR}/rt.c`,
    'bench/c/tel-kernels.c',
    '-lgcc',
  ]);
  const sizes = new Map<string, number>();
  for (const line of tool('riscv64-unknown-elf-nm', ['-S', '--defined-only', elf]).split('\n')) {
    const [, size, , name] = line.split(' ');
    if (name !== undefined && size !== undefined) sizes.set(name, parseInt(size, 16));
  }
  const iss = new Iss({ syscalls: 'linux' });
  let out = '';
  iss.onSyscallWrite((fd, bytes) => {
    if (fd === 1) out += Buffer.from(bytes).toString('latin1');
  });
  iss.load(readFileSync(elf));
  const r = iss.run({ maxCycles: Number.MAX_SAFE_INTEGER });
  if (r.ended !== 'exit' || r.exitCode !== 0) throw new Error(`${elf} did not run to its end on the ISS`);
  return { cycles: r.cycles, instret: r.instret, bytes: k.functions.reduce((n, f) => n + (sizes.get(f) ?? Number.NaN), 0), value: parseInt(out.trim(), 16) | 0 };
}

/** Bytes of code from each of `names`' labels to the next compiled definition's (or the end of the code, before the data). */
function definitionBytes(c: CompiledProgram, names: readonly string[]): number {
  const starts = [...c.definitions.values()].map((label) => c.image.symbols.get(label)!).sort((a, b) => a - b);
  const end = c.image.symbols.get('tel$$data')!;
  return names.reduce((n, name) => {
    const at = c.image.symbols.get(c.definitions.get(name)!)!;
    return n + ((starts.find((s) => s > at) ?? end) - at);
  }, 0);
}

async function measureTel(k: Kernel): Promise<Measured> {
  const c = compileSource(k.source, 'bench.tel', 'main');
  const cop = await openCoprocessor('iss');
  try {
    const r = await runImage(cop, c.image, [], { budget: 4_000_000_000 });
    if (r.error) throw r.error;
    return { cycles: r.cycles, instret: r.instret, bytes: definitionBytes(c, k.definitions), value: Number(r.shown) | 0 };
  } finally {
    await cop.close();
  }
}

const measured = new Map<string, Promise<{ tel: Measured; c: Measured }>>();

/** Both sides of a kernel, measured once (the ISS is deterministic: every sample is the same) and checked to compute the same value. */
function both(k: Kernel): Promise<{ tel: Measured; c: Measured }> {
  let m = measured.get(k.name);
  if (m === undefined) {
    m = measureTel(k).then((tel) => {
      const c = measureC(k);
      if (tel.value !== c.value) throw new Error(`${k.name}: TEL computed ${tel.value}, C ${c.value}`);
      return { tel, c };
    });
    measured.set(k.name, m);
  }
  return m;
}

function kernelCase(k: Kernel, quantity: keyof Omit<Measured, 'value'>): BenchCase {
  const unit = quantity === 'instret' ? 'instructions' : quantity;
  return {
    name: `${k.name}: compiled TEL (${quantity === 'bytes' ? 'code bytes of its definitions' : `${unit} on iss`}; reference: C -O2)`,
    unit,
    higherIsBetter: false,
    sample: async () => (await both(k)).tel[quantity],
    reference: { name: 'C, gcc -O2 -march=rv32im', sample: async () => (await both(k)).c[quantity] },
  };
}

/** A program profiled on the ISS with the board's RAM (on 4 MiB it never collects): cycles in the collector's frames, the whole run's, and its collections (rt_gc's calls). */
async function boardProfile(source: string, file: string, minorCollections: boolean): Promise<{ gc: number; total: number; collections: number }> {
  const program = parseProgram(source, file);
  const p = await profileCompiled({ backend: 'iss', program, main: 'main', args: [], ramBytes: BOARD_RAM_BYTES, minorCollections });
  const gc = p.frames.filter((f) => f.kind === 'gc');
  return { gc: gc.reduce((n, f) => n + f.self, 0), total: p.total, collections: gc.find((f) => f.name === 'rt_gc')?.calls ?? 0 };
}

const fibTel = new Map<boolean, Promise<{ gc: number; total: number }>>();
/** examples/fib.tel on the board, with minor collections or without. */
function fibTelProfile(minor: boolean): Promise<{ gc: number; total: number }> {
  if (!fibTel.has(minor)) fibTel.set(minor, boardProfile(readFileSync('examples/fib.tel', 'utf8'), 'examples/fib.tel', minor));
  return fibTel.get(minor)!;
}

/** A list of `live` Ints (16-byte cells) kept while 3,000 short lists are made and dropped around it (about 20 collections on the board). */
const LIVE_WHILE_CHURNING = (live: number): string => `
churn :: Int -> Int -> Int
churn 0 acc = acc
churn k acc = churn (k - 1) (acc + length (reverse (range 1 40)))

main :: Int
main = let ks = range 1 ${live} in let c = churn 3000 0 in c + sum ks
`;

/** The cycles of one collection (the collector's cycles over its collections) with `live` Ints kept, with minor collections or without. */
async function collectionCycles(live: number, minor: boolean): Promise<number> {
  const p = await boardProfile(LIVE_WHILE_CHURNING(live), 'live.tel', minor);
  if (p.collections < 5) throw new Error(`live.tel collected ${p.collections} times on the board: too few to measure`);
  return p.gc / p.collections;
}

/** The row of one collection's cycles with 2,000 live Ints against 100, in the same heap. */
function liveDataCase(minor: boolean): BenchCase {
  return {
    name: `one collection with 2,000 live Ints kept (board's heap, ${minor ? 'with' : 'without'} minor collections; reference: 100 kept)`,
    unit: 'cycles',
    higherIsBetter: false,
    sample: () => collectionCycles(2000, minor),
    reference: { name: '100 live Ints kept', sample: () => collectionCycles(100, minor) },
  };
}

export const suite: BenchSuite = {
  title: 'Compiled TEL against C',
  cases: [
    ...KERNELS.flatMap((k) => [kernelCase(k, 'cycles'), kernelCase(k, 'instret')]),
    ...KERNELS.map((k) => kernelCase(k, 'bytes')),
    {
      name: "examples/fib.tel: cycles in the collector (profiler, iss with the board's 128 KiB; reference: the whole run)",
      unit: 'cycles',
      higherIsBetter: false,
      sample: async () => (await fibTelProfile(true)).gc,
      reference: { name: 'the whole run', sample: async () => (await fibTelProfile(true)).total },
    },
    {
      name: "examples/fib.tel: cycles in the collector with minor collections (iss with the board's 128 KiB; reference: without, RunImageOptions.minorCollections false)",
      unit: 'cycles',
      higherIsBetter: false,
      sample: async () => (await fibTelProfile(true)).gc,
      reference: { name: 'without minor collections', sample: async () => (await fibTelProfile(false)).gc },
    },
    liveDataCase(true),
    liveDataCase(false),
  ],
};
