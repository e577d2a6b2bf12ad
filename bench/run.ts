// `make bench`: runs every registered suite and writes docs/performance.md.
// Each suite file is registered with one import line below.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { keepNotes, mergeReport, renderReport, runSuite, type BenchSuite, type CaseResult } from './harness.js';
import { suite as compiler } from './compiler.bench.js';
import { suite as resources } from './resources.bench.js';
import { suite as iss } from './iss.bench.js';
import { suite as sim } from './sim.bench.js';
import { suite as store } from './store.bench.js';
import { suite as tel } from './tel.bench.js';
import { suite as jit } from './jit.bench.js';
import { suite as protocol } from './protocol.bench.js';
import { suite as bridge } from './bridge.bench.js';
import { suite as proof } from './proof.bench.js';
import { suite as regress } from './regress.bench.js';
import { suite as debug } from './debug.bench.js';
import { suite as profile } from './profile.bench.js';
import { suite as cache } from './cache.bench.js';
import { suite as telVsC } from './tel-vs-c.bench.js';
import { suite as farm } from './farm.bench.js';

// One import line and one entry per suite file.
const SUITES: readonly BenchSuite[] = [resources, iss, sim, store, compiler, tel, jit, protocol, bridge, proof, regress, debug, profile, cache, telVsC, farm];

const repeats = Number(process.env.BENCH_REPEATS ?? 5);
const out = process.argv[2] ?? 'docs/performance.md';
// BENCH_ONLY: the suites whose title contains one of these comma-separated words (case-insensitive).
const only = process.env.BENCH_ONLY?.toLowerCase()
  .split(',')
  .map((w) => w.trim())
  .filter((w) => w !== '');
const results: CaseResult[] = [];
for (const suite of SUITES) {
  if (only && !only.some((w) => suite.title.toLowerCase().includes(w))) continue;
  results.push(...(await runSuite(suite, repeats, (name) => process.stderr.write(`bench: ${name}\n`))));
}
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`;
const date = new Date().toISOString().slice(0, 10);
const report = `${renderReport(results, { date, machine, repeats })}\n`;
// A run of some suites updates their sections and keeps the others; a whole run keeps the notes written by hand.
const existing = existsSync(out) ? readFileSync(out, 'utf8') : undefined;
writeFileSync(out, existing === undefined ? report : only ? mergeReport(existing, report, date) : keepNotes(existing, report));
process.stderr.write(`bench: wrote ${out}\n`);
