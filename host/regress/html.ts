// The HTML report of a regression run: one self-contained file (inline CSS,
// script and SVG, no network) with the summary, a table sortable by any
// column and filterable by text and status, expected against actual for each
// failure, an SVG plot of duration and cycles per test, links to the
// failure artefacts (relative to the report) and the host/pid that ran each test.
import { relative } from 'node:path';
import type { RegressRun, TestRecord } from './runner.js';

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Bars of duration (ms) and cycles per test, each scaled to its own maximum. */
function plot(tests: readonly TestRecord[]): string {
  const ran = tests.filter((t) => t.status !== 'skipped');
  const width = Math.max(320, ran.length * 14 + 60),
    height = 180,
    base = 150;
  const maxMs = Math.max(1, ...ran.map((t) => t.durationMs));
  const maxCycles = Math.max(1, ...ran.map((t) => t.cycles ?? 0));
  const bars = ran.map((t, i) => {
    const x = 50 + i * 14;
    const hMs = (t.durationMs / maxMs) * 120,
      hCy = ((t.cycles ?? 0) / maxCycles) * 120;
    return (
      `<rect class="ms" x="${x}" y="${base - hMs}" width="6" height="${hMs}"><title>${esc(t.id)}: ${t.durationMs.toFixed(1)} ms</title></rect>` +
      `<rect class="cy" x="${x + 6}" y="${base - hCy}" width="6" height="${hCy}"><title>${esc(t.id)}: ${t.cycles ?? '-'} cycles</title></rect>`
    );
  });
  return (
    `<svg id="plot" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img" aria-label="duration and cycles per test">` +
    `<line x1="45" y1="${base}" x2="${width}" y2="${base}" stroke="#888"/>` +
    `<text x="4" y="20" class="legend ms-l">ms (max ${maxMs.toFixed(0)})</text><text x="4" y="${height - 6}" class="legend cy-l">cycles (max ${maxCycles})</text>${bars.join('')}</svg>`
  );
}

function row(t: TestRecord, reportDir: string, artifactsDir: string | undefined): string {
  const links = artifactsDir ? t.artifacts.map((a) => `<a href="${esc(relative(reportDir, `${artifactsDir}/${a}`))}">${esc(a.split('/').pop()!)}</a>`).join(' ') : '';
  const diff =
    t.status === 'fail' || t.status === 'error'
      ? `<details><summary>${esc(t.message ?? t.status)}</summary><table class="diff"><tr><th>expected</th><td><pre>${esc(JSON.stringify(t.expected, null, 1))}</pre></td></tr><tr><th>actual</th><td><pre>${esc(JSON.stringify(t.actual, null, 1))}</pre></td></tr></table><code>${esc(t.reproduce)}</code></details>`
      : esc(t.message ?? '');
  return (
    `<tr class="${t.status}" data-status="${t.status}"><td>${esc(t.name)}</td><td>${t.backend}</td><td class="st">${t.status}${t.flaky ? ' (flaky)' : ''}${t.reused ? ' (reused)' : ''}</td>` +
    `<td data-v="${t.durationMs}">${t.durationMs.toFixed(1)}</td><td data-v="${t.cycles ?? -1}">${t.cycles ?? ''}</td><td>${esc(t.tags.join(' '))}</td><td>${diff}</td><td>${links}</td><td class="host">${esc(t.host ?? '')}</td></tr>`
  );
}

const SCRIPT = `
const table = document.getElementById('tests');
const body = table.tBodies[0];
function applyFilter() {
  const text = document.getElementById('filter').value.toLowerCase();
  const status = document.getElementById('status').value;
  for (const r of body.rows) r.hidden = !(r.textContent.toLowerCase().includes(text) && (status === '' || r.dataset.status === status));
  document.getElementById('shown').textContent = [...body.rows].filter((r) => !r.hidden).length;
}
document.getElementById('filter').addEventListener('input', applyFilter);
document.getElementById('status').addEventListener('change', applyFilter);
table.tHead.querySelectorAll('th').forEach((th, col) => th.addEventListener('click', () => {
  const dir = th.dataset.dir === 'asc' ? -1 : 1;
  th.dataset.dir = dir === 1 ? 'asc' : 'desc';
  const key = (r) => { const c = r.cells[col]; return c.dataset.v !== undefined ? Number(c.dataset.v) : c.textContent; };
  [...body.rows].sort((a, b) => (key(a) > key(b) ? dir : key(a) < key(b) ? -dir : 0)).forEach((r) => body.appendChild(r));
}));
applyFilter();
`;

export function htmlReport(run: RegressRun, reportDir: string, artifactsDir?: string): string {
  const c = run.counts;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>cax regress</title>
<style>
body{font:14px system-ui,sans-serif;margin:1.5em;color:#222}
table#tests{border-collapse:collapse;width:100%}#tests th,#tests td{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}
#tests th{cursor:pointer;background:#eee}tr.pass .st{color:#1a7f37}tr.fail .st,tr.error .st{color:#c00;font-weight:bold}tr.skipped .st{color:#888}
.ms{fill:#4a7bd0}.cy{fill:#e39b2d}.ms-l{fill:#4a7bd0}.cy-l{fill:#e39b2d}.legend{font-size:11px}pre{margin:0;font-size:12px}table.diff th{background:none}
#summary span{margin-right:1.2em}
</style></head><body>
<h1>cax regress</h1>
<p id="summary"><span>${c.total} tests</span><span class="pass">${c.passed} passed</span><span>${c.failed} failed</span><span>${c.errors} errors</span><span>${c.skipped} skipped</span><span>${c.flaky} flaky</span><span>${c.reused} reused</span><span>${(run.durationMs / 1000).toFixed(2)} s</span></p>
${plot(run.tests)}
<p><input id="filter" placeholder="filter by text"> <select id="status"><option value="">all</option><option>pass</option><option>fail</option><option>error</option><option>skipped</option></select> <span id="shown"></span> shown</p>
<table id="tests"><thead><tr><th>test</th><th>backend</th><th>status</th><th>ms</th><th>cycles</th><th>tags</th><th>expected / actual</th><th>artefacts</th><th>host</th></tr></thead>
<tbody>
${run.tests.map((t) => row(t, reportDir, artifactsDir)).join('\n')}
</tbody></table>
<script>${SCRIPT}</script>
</body></html>
`;
}
