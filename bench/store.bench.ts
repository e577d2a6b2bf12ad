// Store and executor benchmarks: adding 10,000 definitions, resolving a
// 1,000-deep chain and a 1,000-wide diamond, lookups by hash and by name
// (cold: a fresh loader decoding from SQLite; warm: from the LRU cache), and
// what executeByName costs over calling the interpreter directly.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchSuite } from './harness.js';
import { Repository, type NewGroup } from '../host/store/repository.js';
import { addContext, ensurePrelude } from '../host/store/tel-env.js';
import { addProgram } from '../host/store/add.js';
import { Loader } from '../host/store/loader.js';
import { resolveStored } from '../host/store/resolve.js';
import { sha256, type Hash } from '../host/store/hash.js';
import { Executor } from '../host/execution/executor.js';
import { parseExpression, parseProgram } from '../host/tel/parser.js';
import { loadProgram, runMain } from '../host/tel/interp.js';

const dirs: string[] = [];
process.on('exit', () => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function freshStore(): Repository {
  const dir = mkdtempSync(join(tmpdir(), 'cax-bench-'));
  dirs.push(dir);
  return Repository.open(dir);
}

function dispose(repo: Repository): void {
  const dir = repo.file.replace(/\/store\.sqlite$/, '');
  repo.close();
  rmSync(dir, { recursive: true, force: true });
}

const seconds = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e9;

/** 10,000 definitions, each using the previous one. */
const TEN_THOUSAND = Array.from({ length: 10_000 }, (_, i) => (i === 0 ? 'd0 = 0' : `d${i} = d${i - 1} + ${i}`)).join('\n');

function synthetic(text: string, deps: Hash[]): NewGroup {
  const bytes = Buffer.from(text);
  const hash = sha256(bytes);
  return { hash, bytes, members: [{ hash, type: 'Int', meta: {}, dependencies: deps }] };
}

interface Graphs {
  readonly repo: Repository;
  readonly chainTop: Hash;
  readonly diamondTop: Hash;
}

let graphs: Graphs | undefined;
function graphStore(): Graphs {
  if (graphs) return graphs;
  const repo = freshStore();
  const chain: NewGroup[] = [];
  for (let i = 0; i < 1000; i++) chain.push(synthetic(`chain ${i}`, i === 0 ? [] : [chain[i - 1]!.hash]));
  const base = synthetic('diamond base', []);
  const middles = Array.from({ length: 1000 }, (_, i) => synthetic(`diamond middle ${i}`, [base.hash]));
  const top = synthetic(
    'diamond top',
    middles.map((m) => m.hash),
  );
  repo.commit([...chain, base, ...middles, top], []);
  graphs = { repo, chainTop: chain[999]!.hash, diamondTop: top.hash };
  return graphs;
}

const LOOKUPS = 2000;
const LIBRARY = Array.from({ length: 200 }, (_, i) => `f${i} x = x * ${i} + length (range 1 ${i % 7})`).join('\n');

interface Library {
  readonly repo: Repository;
  readonly names: readonly string[];
  readonly hashes: readonly Hash[];
}
let library: Library | undefined;
function libraryStore(): Library {
  if (library) return library;
  const repo = freshStore();
  const ctx = addContext(repo);
  ensurePrelude(ctx);
  const report = addProgram(ctx, parseProgram(LIBRARY, 'library.tel'));
  library = { repo, names: report.definitions.map((d) => d.name), hashes: report.definitions.map((d) => d.hash) };
  return library;
}

function lookupsPerSecond(by: 'hash' | 'name', warm: boolean): number {
  const { repo, names, hashes } = libraryStore();
  const shared = new Loader(repo);
  if (warm) hashes.forEach((h) => shared.load(h));
  const start = process.hrtime.bigint();
  for (let i = 0; i < LOOKUPS; i++) {
    const loader = warm ? shared : new Loader(repo);
    const hash = by === 'hash' ? hashes[i % hashes.length]! : loader.find(names[i % names.length]!).hash;
    loader.load(hash);
  }
  return LOOKUPS / seconds(start);
}

const RUN_SOURCE = `
work n = sum (map (\\x -> x * x) (range 1 n))
`;
const RUNS = 200;
let runSetup: { executor: Executor; direct: ReturnType<typeof loadProgram> } | undefined;
function runFixture(): NonNullable<typeof runSetup> {
  if (runSetup) return runSetup;
  const repo = freshStore();
  const ctx = addContext(repo);
  ensurePrelude(ctx);
  addProgram(ctx, parseProgram(RUN_SOURCE, 'work.tel'));
  runSetup = { executor: new Executor({ repo }), direct: loadProgram(parseProgram(RUN_SOURCE, 'work.tel')) };
  return runSetup;
}

export const suite: BenchSuite = {
  title: 'Store and executor',
  cases: [
    {
      name: 'add 10,000 definitions (one file, one transaction)',
      unit: 'definitions/s',
      higherIsBetter: true,
      async sample() {
        const repo = freshStore();
        try {
          const ctx = addContext(repo);
          const start = process.hrtime.bigint();
          addProgram(ctx, parseProgram(TEN_THOUSAND, 'many.tel'));
          return 10_000 / seconds(start);
        } finally {
          dispose(repo);
        }
      },
    },
    {
      name: 'resolve a 1,000-deep chain',
      unit: 'ms',
      higherIsBetter: false,
      async sample() {
        const g = graphStore();
        const start = process.hrtime.bigint();
        const { order } = resolveStored(g.repo, [g.chainTop]);
        if (order.length !== 1000) throw new Error('chain not resolved');
        return seconds(start) * 1000;
      },
    },
    {
      name: 'resolve a 1,000-wide diamond',
      unit: 'ms',
      higherIsBetter: false,
      async sample() {
        const g = graphStore();
        const start = process.hrtime.bigint();
        const { order } = resolveStored(g.repo, [g.diamondTop]);
        if (order.length !== 1002) throw new Error('diamond not resolved');
        return seconds(start) * 1000;
      },
    },
    { name: 'lookup + load by hash, cold', unit: 'lookups/s', higherIsBetter: true, sample: async () => lookupsPerSecond('hash', false) },
    { name: 'lookup + load by hash, warm', unit: 'lookups/s', higherIsBetter: true, sample: async () => lookupsPerSecond('hash', true) },
    { name: 'lookup + load by name, cold', unit: 'lookups/s', higherIsBetter: true, sample: async () => lookupsPerSecond('name', false) },
    { name: 'lookup + load by name, warm', unit: 'lookups/s', higherIsBetter: true, sample: async () => lookupsPerSecond('name', true) },
    {
      name: 'executeByName("work", 100)',
      unit: 'runs/s',
      higherIsBetter: true,
      async sample() {
        const { executor } = runFixture();
        const start = process.hrtime.bigint();
        for (let i = 0; i < RUNS; i++) {
          const r = await executor.executeByName('work', { args: ['100'] });
          if (r.value !== '338350') throw new Error(`work 100 gave ${r.value}`);
        }
        return RUNS / seconds(start);
      },
      reference: {
        name: 'interpreter runMain directly (program loaded once)',
        async sample() {
          const { direct } = runFixture();
          const args = [parseExpression('100', 'arg')];
          const start = process.hrtime.bigint();
          for (let i = 0; i < RUNS; i++) {
            const r = runMain(direct, 'work', args);
            if (r.shown !== '338350') throw new Error(`work 100 gave ${r.shown}`);
          }
          return RUNS / seconds(start);
        },
      },
    },
  ],
};
