// RTL coverage of the simulated SoC (docs/waveforms.md, "Coverage"): reads
// the coverage data files the coverage build of the simulator writes
// (Verilator's `coverage.dat`: one point a line, its keys and its count),
// merges runs by summing the counts of equal points, summarises line and
// toggle coverage per module, and writes one self-contained HTML report:
// the modules' table, then each source with its lines coloured by whether
// their line points ran and the toggle points declared on them.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { CaxError } from '../errors.js';

export type PointKind = 'line' | 'toggle' | 'other';

export interface CoveragePoint {
  readonly kind: PointKind;
  readonly module: string;
  readonly file: string;
  /** The lines the point stands for (a line point's statement range, else its own line). */
  readonly lines: readonly number[];
  /** Its comment: the statement kind, or the toggled signal and bit. */
  readonly comment: string;
  readonly hierarchy: string;
  count: number;
}

/** A point's fields as Verilator writes them: key \x01 … \x02 value pairs. */
const PointFields = z.object({
  page: z.string().regex(/^v_[a-z_]+\//),
  f: z.string().min(1),
  l: z.string().regex(/^\d+$/),
  o: z.string().default(''),
  h: z.string().default(''),
  S: z.string().optional(),
});
const LINE = /^C '([^']*)' (\d+)$/;

/** `12-14,16` → [12, 13, 14, 16]. */
function lineRanges(text: string): number[] {
  const out: number[] = [];
  for (const part of text.split(',')) {
    const [a, b] = part.split('-').map(Number);
    if (a === undefined || !Number.isInteger(a)) continue;
    for (let n = a; n <= (b !== undefined && Number.isInteger(b) ? Math.min(b, a + 10_000) : a); n++) out.push(n);
  }
  return out;
}

/** Adds the points of the coverage data file `path` to `into` (keyed by their fields: equal points of runs merge). */
export function readCoverage(path: string, into: Map<string, CoveragePoint> = new Map()): Map<string, CoveragePoint> {
  let text: string;
  try {
    text = readFileSync(path, 'latin1');
  } catch (e) {
    throw new CaxError('E_IO', `cannot read ${path}: ${(e as Error).message}`);
  }
  const lines = text.split('\n');
  if (!lines[0]?.startsWith('# SystemC::Coverage')) throw new CaxError('E_USAGE', `${path} is not coverage data (no "# SystemC::Coverage" header)`, { span: { file: path, line: 1, col: 1 } });
  lines.forEach((line, i) => {
    if (line === '' || line.startsWith('#')) return;
    const m = LINE.exec(line);
    const fields = m
      ? PointFields.safeParse(
          Object.fromEntries(
            m[1]!
              .split('\x01')
              .filter((kv) => kv !== '')
              .map((kv) => kv.split('\x02') as [string, string]),
          ),
        )
      : null;
    if (!m || !fields?.success) throw new CaxError('E_USAGE', `${path}: not a coverage point`, { span: { file: path, line: i + 1, col: 1 } });
    const have = into.get(m[1]!);
    if (have) {
      have.count += Number(m[2]);
      return;
    }
    const f = fields.data;
    const [page, module] = f.page.split('/') as [string, string];
    const kind: PointKind = page === 'v_line' || page === 'v_branch' ? 'line' : page === 'v_toggle' ? 'toggle' : 'other';
    into.set(m[1]!, { kind, module: module ?? '', file: f.f, lines: f.S !== undefined ? lineRanges(f.S) : [Number(f.l)], comment: f.o, hierarchy: f.h, count: Number(m[2]) });
  });
  return into;
}

export interface ModuleCoverage {
  readonly module: string;
  readonly line: { readonly covered: number; readonly total: number };
  readonly toggle: { readonly covered: number; readonly total: number };
}

export function moduleSummary(points: Iterable<CoveragePoint>): ModuleCoverage[] {
  const by = new Map<string, { line: { covered: number; total: number }; toggle: { covered: number; total: number } }>();
  for (const p of points) {
    if (p.kind === 'other') continue;
    let m = by.get(p.module);
    if (!m) by.set(p.module, (m = { line: { covered: 0, total: 0 }, toggle: { covered: 0, total: 0 } }));
    m[p.kind].total++;
    if (p.count > 0) m[p.kind].covered++;
  }
  return [...by].sort((a, b) => a[0].localeCompare(b[0])).map(([module, c]) => ({ module, ...c }));
}

/** Per source line of `file`: its line points' least count (undefined: no line point) and its toggle points. */
export function fileLines(points: Iterable<CoveragePoint>, file: string): Map<number, { least?: number; toggles: { covered: number; total: number } }> {
  const out = new Map<number, { least?: number; toggles: { covered: number; total: number } }>();
  const at = (n: number) => {
    let e = out.get(n);
    if (!e) out.set(n, (e = { toggles: { covered: 0, total: 0 } }));
    return e;
  };
  for (const p of points) {
    if (p.file !== file) continue;
    for (const n of p.kind === 'toggle' ? p.lines.slice(0, 1) : p.lines) {
      const e = at(n);
      if (p.kind === 'line') e.least = Math.min(e.least ?? Infinity, p.count);
      else if (p.kind === 'toggle') {
        e.toggles.total++;
        if (p.count > 0) e.toggles.covered++;
      }
    }
  }
  return out;
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const pct = (c: { covered: number; total: number }): string => (c.total === 0 ? '–' : `${((100 * c.covered) / c.total).toFixed(1)}% (${c.covered}/${c.total})`);

/** The HTML report of merged `points`; `source` reads a source file (relative to where the model was built). */
export function coverageHtml(points: readonly CoveragePoint[], runs: readonly string[], source: (file: string) => string | null): string {
  const summary = moduleSummary(points);
  const files = [...new Set(points.filter((p) => p.kind !== 'other').map((p) => p.file))].sort();
  const sections = files.map((file, i) => {
    const text = source(file);
    const lines = fileLines(points, file);
    const rows = (text ?? '').split('\n').map((src, k) => {
      const e = lines.get(k + 1);
      const cls = e?.least === undefined ? '' : e.least > 0 ? 'hit' : 'miss';
      const tog = e && e.toggles.total > 0 ? `${e.toggles.covered}/${e.toggles.total}` : '';
      return `<tr class="${cls}"><td class="n">${k + 1}</td><td class="c">${e?.least === undefined ? '' : e.least}</td><td class="t${e && e.toggles.covered < e.toggles.total ? ' miss' : ''}">${tog}</td><td><pre>${esc(src)}</pre></td></tr>`;
    });
    return `<h2 id="f${i}">${esc(file)}</h2>${text === null ? '<p>source not found</p>' : `<table class="src"><thead><tr><th>line</th><th>runs</th><th>toggles</th><th></th></tr></thead><tbody>${rows.join('\n')}</tbody></table>`}`;
  });
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>cax RTL coverage</title>
<style>
body { font-family: sans-serif; margin: 1.5em; } table { border-collapse: collapse; font-size: 13px; }
td, th { border: 1px solid #ddd; padding: 1px 6px; } pre { margin: 0; }
tr.hit td.c { background: #c8efc8; } tr.miss td { background: #f8caca; } td.t.miss { background: #fbe3b5; }
td.n, td.c, td.t { text-align: right; font-family: monospace; color: #555; }
</style></head><body>
<h1>RTL coverage</h1>
<p id="runs">${runs.length} run${runs.length === 1 ? '' : 's'} merged: ${esc(runs.join(', '))}</p>
<table id="modules"><thead><tr><th>module</th><th>line coverage</th><th>toggle coverage</th></tr></thead><tbody>
${summary.map((m) => `<tr><td>${esc(m.module)}</td><td>${pct(m.line)}</td><td>${pct(m.toggle)}</td></tr>`).join('\n')}
</tbody></table>
${files.map((f, i) => `<a href="#f${i}">${esc(f)}</a>`).join(' · ')}
${sections.join('\n')}
</body></html>
`;
}
