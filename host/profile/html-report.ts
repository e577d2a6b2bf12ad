// The profile as one self-contained HTML page (no external files): the
// summary, the bottlenecks, the flame graph, the definitions (sortable),
// the call graph, the effects on a logical-time axis, and per context the
// compute and memory used against the grant over logical time, then the
// custom metrics. Everything is drawn as inline SVG; the only script sorts
// the table and marks the page ready.
import { bottlenecks } from './bottlenecks.js';
import { flameGraphSvg } from './flamegraph.js';
import type { Profile, ResourceSeries } from './model.js';
import { esc, stepChart, type ChartSeries } from './svg.js';

const SCRIPT = `
document.querySelectorAll('table.sortable th').forEach(function (th, col) {
  th.addEventListener('click', function () {
    var body = th.closest('table').tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = a.cells[col].dataset.v, y = b.cells[col].dataset.v;
      return x !== undefined ? Number(y) - Number(x) : a.cells[col].textContent.localeCompare(b.cells[col].textContent);
    });
    rows.forEach(function (r) { body.appendChild(r); });
  });
});
document.getElementById('status').textContent = 'ready: ' + document.querySelectorAll('#flamegraph g.frame').length + ' boxes';
`;

/** Used against granted, over logical time; the grant line is drawn only when it is on the chart's scale. */
function resourceCharts(r: ResourceSeries, t0: number, t1: number, unit: string): string {
  const charts: string[] = [];
  for (const what of ['compute', 'memory'] as const) {
    const used = r.samples.map((s) => ({ time: s.time, value: s[what] }));
    const peak = Math.max(0, ...used.map((u) => u.value));
    const grant = r.grant[what];
    const series: ChartSeries[] = [{ name: `used (${what === 'compute' ? unit : r.memoryUnit})`, colour: '#c0392b', points: used }];
    const onScale = grant <= peak * 20;
    if (onScale) series.push({ name: 'grant', colour: '#2c3e50', points: r.samples.map((s) => ({ time: s.time, value: s.grant[what] })), dashed: true });
    const title = `${r.context}: ${what} ${peak} of ${grant} granted at most (${grant === 0 ? 0 : ((100 * peak) / grant).toFixed(2)}%)${onScale ? '' : ', grant off the scale'}`;
    charts.push(stepChart(`res-${r.context}-${what}`, title, series, t0, t1));
  }
  return charts.join('\n');
}

function effectsTimeline(p: Profile): string {
  if (p.effects.length === 0) return '<p>No effects.</p>';
  const tracks = [...new Set(p.effects.map((e) => e.timeline ?? '(none)'))];
  const width = 1000,
    left = 110,
    row = 22;
  const t0 = p.clock.start,
    span = Math.max(1, p.clock.end - t0);
  const x = (t: number) => left + ((t - t0) / span) * (width - left - 10);
  const height = tracks.length * row + 36;
  const parts = tracks.map((t, i) => `<text x="4" y="${i * row + 15}" font-size="11">${esc(t)}</text>`);
  for (const e of p.effects) {
    const i = tracks.indexOf(e.timeline ?? '(none)');
    const w = Math.max(2, x(e.end) - x(e.start));
    parts.push(
      `<rect class="effect" x="${x(e.start).toFixed(1)}" y="${i * row + 3}" width="${w.toFixed(1)}" height="${row - 6}" fill="${e.failed ? '#e74c3c' : '#3498db'}"><title>${esc(`${e.kind} ${e.args.join(' ')} on ${e.timeline ?? '-'}: ${e.start}–${e.end} ms (latency ${e.end - e.start})${e.failed ? ' failed' : ''}`)}</title></rect>`,
    );
  }
  parts.push(`<text x="${left}" y="${height - 6}" font-size="10">${t0} ms</text><text x="${width - 10}" y="${height - 6}" font-size="10" text-anchor="end">${p.clock.end} ms (logical)</text>`);
  return `<svg id="effects" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${parts.join('')}</svg>`;
}

export function htmlReport(p: Profile): string {
  const findings = bottlenecks(p);
  const defs = [...p.frames].sort((a, b) => b.self - a.self);
  const cell = (v: number) => `<td data-v="${v}">${v}</td>`;
  const rows = defs.map(
    (f) => `<tr class="${f.kind}"><td>${esc(f.name)}</td><td>${esc(f.where ?? '')}</td>${cell(f.self)}${cell(f.total)}${cell(f.calls)}${cell(f.selfTailCalls)}${cell(f.alloc)}</tr>`,
  );
  const edges = [...p.edges].sort((a, b) => b.calls - a.calls).slice(0, 200);
  const t1 = Math.max(p.clock.end, p.clock.start + 1);
  // a counter is 0 until its first point; a gauge has no value before its first
  const metrics = p.metrics.map((m) => {
    const points = m.kind === 'counter' && m.points[0]!.time > p.clock.start ? [{ time: p.clock.start, value: 0 }, ...m.points] : m.points;
    return stepChart(`metric-${m.name}`, `${m.kind} ${m.name}`, [{ name: m.name, colour: '#8e44ad', points }], p.clock.start, t1);
  });
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(`cax profile: ${p.title}`)}</title>
<style>
body { font-family: sans-serif; margin: 1.5em; color: #222; }
table { border-collapse: collapse; font-size: 13px; } td, th { border: 1px solid #ccc; padding: 2px 6px; }
th { cursor: pointer; background: #eee; } td[data-v] { text-align: right; font-family: monospace; }
tr.pseudo { color: #777; } tr.gc { background: #e8f6e8; } tr.runtime { background: #eef4fb; }
#flamegraph { max-width: 100%; height: auto; }
.chart { margin: 4px 12px 4px 0; background: #fafafa; } svg text { font-family: sans-serif; }
#flamegraph g.frame text { font-family: monospace; pointer-events: none; }
</style></head><body>
<h1>${esc(`Profile: ${p.title}`)}</h1>
<p id="summary">${esc(`${p.backend}: ${p.total} ${p.unit}; outcome ${p.outcome}; logical clock ${p.clock.start}–${p.clock.end} ms; ${p.effects.length} effects`)} — <span id="status">loading</span></p>
<h2>Bottlenecks</h2>
<ul id="bottlenecks">${findings.map((f) => `<li class="${f.kind}"><b>${f.kind}</b> ${esc(f.text)}</li>`).join('\n')}</ul>
<h2>Flame graph</h2>
${flameGraphSvg(p)}
<h2>Definitions</h2>
<table id="definitions" class="sortable"><thead><tr><th>definition</th><th>where</th><th>self ${p.unit}</th><th>total ${p.unit}</th><th>calls</th><th>loop iterations</th><th>alloc</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table>
<h2>Call graph</h2>
<table id="callgraph" class="sortable"><thead><tr><th>caller</th><th>callee</th><th>calls</th></tr></thead>
<tbody>${edges.map((e) => `<tr><td>${esc(p.frames[e.caller]!.name)}</td><td>${esc(p.frames[e.callee]!.name)}</td>${cell(e.calls)}</tr>`).join('\n')}</tbody></table>
<h2>Effects over logical time</h2>
${effectsTimeline(p)}
<h2>Resources over logical time (grant against usage)</h2>
${p.resources.map((r) => resourceCharts(r, p.clock.start, t1, p.unit)).join('\n')}
<h2>Metrics</h2>
${metrics.length > 0 ? metrics.join('\n') : '<p>No custom metrics (emit ("counter:NAME", n) or ("gauge:NAME", n) defines them).</p>'}
<script>${SCRIPT}</script>
</body></html>
`;
}
