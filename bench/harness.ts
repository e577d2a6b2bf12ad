// The benchmark harness: every suite in bench/*.bench.ts is a list of cases,
// each measured several times next to its reference (plain JS, qemu,
// snarkjs alone …) in the same run; the report gives medians, spreads and
// the ratio to the reference, and is written to docs/performance.md.

/** One thing measured: `sample()` performs one measurement and returns the quantity in `unit`. */
export interface BenchCase {
  readonly name: string;
  readonly unit: string;
  readonly higherIsBetter: boolean;
  sample(): Promise<number>;
  /** Measured side by side with the case; the report shows case / reference. */
  readonly reference?: { readonly name: string; sample(): Promise<number> };
  /** Unrecorded samples of the case and its reference before the measured ones (a steady state for code V8 optimises as it runs); default 0. */
  readonly warmUp?: number;
}

export interface BenchSuite {
  readonly title: string;
  readonly cases: readonly BenchCase[];
}

export interface Stats {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** Half the range, relative to the median: (max - min) / 2 / median. */
  readonly spread: number;
}

export interface CaseResult {
  readonly suite: string;
  readonly name: string;
  readonly unit: string;
  readonly higherIsBetter: boolean;
  readonly stats: Stats;
  readonly reference?: { readonly name: string; readonly stats: Stats; readonly ratio: number };
}

export function stats(samples: readonly number[]): Stats {
  if (samples.length === 0) throw new RangeError('stats of no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  const min = sorted[0]!;
  const max = sorted[sorted.length - 1]!;
  return { median, min, max, spread: median === 0 ? 0 : (max - min) / 2 / Math.abs(median) };
}

/** Runs each case `repeats` times, alternating case and reference samples so both see the same machine state. */
export async function runSuite(suite: BenchSuite, repeats: number, onCase: (name: string) => void = () => undefined): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const c of suite.cases) {
    onCase(`${suite.title}: ${c.name}`);
    const own: number[] = [];
    const ref: number[] = [];
    for (let i = 0; i < (c.warmUp ?? 0); i++) {
      await c.sample();
      await c.reference?.sample();
    }
    for (let i = 0; i < repeats; i++) {
      own.push(await c.sample());
      if (c.reference) ref.push(await c.reference.sample());
    }
    const s = stats(own);
    const base = { suite: suite.title, name: c.name, unit: c.unit, higherIsBetter: c.higherIsBetter, stats: s };
    if (c.reference) {
      const r = stats(ref);
      results.push({ ...base, reference: { name: c.reference.name, stats: r, ratio: r.median === 0 ? Number.NaN : s.median / r.median } });
    } else {
      results.push(base);
    }
  }
  return results;
}

function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const a = Math.abs(n);
  if (a >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (a >= 1e4) return `${(n / 1e3).toFixed(1)} k`;
  if (a >= 100) return n.toFixed(0);
  return n.toPrecision(3);
}

/** The Markdown report: one table per suite. */
export function renderReport(results: readonly CaseResult[], meta: { date: string; machine: string; repeats: number }): string {
  const lines = [
    '# Performance',
    '',
    `Measured by \`make bench\` on ${meta.date}, ${meta.machine}; each figure is the median of ${meta.repeats} runs, ± half the range relative to it. Ratios compare against a reference measured side by side in the same run.`,
    '',
  ];
  const suites = [...new Set(results.map((r) => r.suite))];
  for (const suite of suites) {
    lines.push(`## ${suite}`, '', TABLE_HEADER, '| --- | --- | --- | --- | --- | --- |');
    for (const r of results.filter((x) => x.suite === suite)) {
      const better = r.higherIsBetter ? 'higher is better' : 'lower is better';
      const ref = r.reference ? `${r.reference.name} | ${fmt(r.reference.stats.median)} ${r.unit} | ${r.reference.ratio.toFixed(3)}×` : '— | — | —';
      lines.push(`| ${r.name} (${better}) | ${fmt(r.stats.median)} ${r.unit} | ${(r.stats.spread * 100).toFixed(1)}% | ${ref} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

/** The header of every suite's table of rows. */
const TABLE_HEADER = '| case | median | ± | reference | reference median | ratio |';

/** The `## Title` sections of a report, in order, each with its text up to the next one. */
function sections(report: string): { head: string; parts: Map<string, string> } {
  const [head = '', ...rest] = report.split(/^(?=## )/m);
  return { head, parts: new Map(rest.map((part) => [part.slice(3, part.indexOf('\n')).trim(), part])) };
}

/**
 * `existing` with the sections of `fresh` put in place of those of the same
 * title (new ones at the end): a run of some suites (BENCH_ONLY) updates
 * their rows and keeps every other suite's, and the notes written under them.
 */
export function mergeReport(existing: string, fresh: string, date: string): string {
  const old = sections(existing);
  const updated = sections(fresh).parts;
  for (const [title, part] of updated) old.parts.set(title, part.replace(/\n\n/, `\n\nThese rows measured on ${date} (a run of some suites).\n\n`));
  return [old.head, ...old.parts.values()].join('');
}

/**
 * A whole run's `fresh` report followed by the sections of `existing` that no
 * suite writes (notes written by hand, without a table of rows): a full
 * `make bench` replaces every row and keeps the analysis beside them.
 */
export function keepNotes(existing: string, fresh: string): string {
  const written = sections(fresh).parts;
  const notes = [...sections(existing).parts].filter(([title, part]) => !written.has(title) && !part.includes(TABLE_HEADER)).map(([, part]) => part);
  return [fresh.replace(/\n*$/, '\n\n'), ...notes].join('');
}
