// `cax trace view` (docs/debugging.md): a run's trace — the JSON `cax run
// --trace` writes: invocations, returns, effects, denials and errors, each in
// its context — as a timeline. On the terminal, one line an event, indented
// by invocation depth, with the logical clock as the effects move it; as a
// self-contained HTML page, the same timeline with each invocation a
// collapsible block, a filter box, and counts per kind (no outside
// resources: the page works from a file, offline).
import { z } from 'zod';
import { CaxError } from '../errors.js';

const Usage = z.record(z.string(), z.number());

const TraceEventSchema = z.discriminatedUnion('kind', [
  z.object({ seq: z.number().int(), kind: z.literal('invoke'), context: z.string(), parent: z.string().optional(), hash: z.string(), name: z.string().optional(), args: z.array(z.string()) }),
  z.object({ seq: z.number().int(), kind: z.literal('return'), context: z.string(), hash: z.string(), name: z.string().optional(), value: z.string(), usage: Usage }),
  z.object({
    seq: z.number().int(),
    kind: z.literal('effect'),
    context: z.string(),
    hash: z.string().optional(),
    effect: z.string(),
    timeline: z.string().optional(),
    at: z.number(),
    detail: z.string(),
  }),
  z.object({ seq: z.number().int(), kind: z.literal('denied'), context: z.string(), hash: z.string().optional(), rule: z.string(), message: z.string() }),
  z.object({ seq: z.number().int(), kind: z.literal('error'), context: z.string(), hash: z.string().optional(), code: z.string(), message: z.string() }),
]);

export const TraceFileSchema = z.object({ hash: z.string(), events: z.array(TraceEventSchema) });

export type TraceFile = z.infer<typeof TraceFileSchema>;
type ViewEvent = TraceFile['events'][number];

export function parseTraceFile(json: unknown, source: string): TraceFile {
  const r = TraceFileSchema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new CaxError('E_TRACE', `${source} is not a run trace (cax run --trace): ${issue.path.join('.') || '(top)'}: ${issue.message}`);
  }
  return r.data;
}

/** One row of the timeline: the event, its depth in the invocation tree, and the clock as of it. */
export interface TimelineRow {
  readonly event: ViewEvent;
  readonly depth: number;
  readonly clock: number;
  readonly text: string;
}

const short = (hash: string | undefined): string => (hash ? `@${hash.slice(0, 10)}` : '');

function describe(e: ViewEvent): string {
  switch (e.kind) {
    case 'invoke':
      return `invoke ${e.name ?? ''} ${short(e.hash)}${e.args.length > 0 ? ` (${e.args.join(', ')})` : ''}`.replace(/ {2}/g, ' ');
    case 'return':
      return `return ${e.name ?? short(e.hash)} = ${e.value}  ${Object.entries(e.usage)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`.trimEnd();
    case 'effect':
      return `effect ${e.effect}${e.timeline ? ` on ${e.timeline}` : ''} ${e.detail}`.trimEnd();
    case 'denied':
      return `denied ${e.rule}: ${e.message}`;
    case 'error':
      return `error ${e.code} ${e.message}`;
  }
}

/** The rows in trace order: an invoke opens a level, its return closes it. */
export function timeline(trace: TraceFile): TimelineRow[] {
  let depth = 0;
  let clock = 0;
  return trace.events.map((event) => {
    if (event.kind === 'return') depth = Math.max(0, depth - 1);
    if (event.kind === 'effect') clock = Math.max(clock, event.at);
    const row = { event, depth, clock, text: describe(event) };
    if (event.kind === 'invoke') depth++;
    return row;
  });
}

/** The terminal view: `#seq  t=CLOCK  [context]  indented event`. */
export function timelineText(trace: TraceFile, from = 0, count = Infinity): string {
  const rows = timeline(trace).slice(from, from + count);
  return rows.map((r) => `#${String(r.event.seq).padEnd(5)} t=${String(r.clock).padEnd(7)} ${r.event.context.padEnd(12)} ${'  '.repeat(r.depth)}${r.text}`).join('\n');
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The HTML page: invocations as nested <details>, a filter box, counts per kind. */
export function timelineHtml(trace: TraceFile, title: string): string {
  const rows = timeline(trace);
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.event.kind, (counts.get(r.event.kind) ?? 0) + 1);
  const body: string[] = [];
  for (const r of rows) {
    const line = `<span class="t">t=${r.clock}</span> <span class="ctx">${escapeHtml(r.event.context)}</span> ${escapeHtml(r.text)}`;
    if (r.event.kind === 'invoke') body.push(`<details open class="call"><summary class="event invoke" data-seq="${r.event.seq}">${line}</summary>`);
    else if (r.event.kind === 'return') body.push(`<div class="event return" data-seq="${r.event.seq}">${line}</div></details>`);
    else body.push(`<div class="event ${r.event.kind}" data-seq="${r.event.seq}">${line}</div>`);
  }
  // invocations cut off before they returned stay open to the end
  const open = rows.filter((r) => r.event.kind === 'invoke').length - rows.filter((r) => r.event.kind === 'return').length;
  for (let i = 0; i < open; i++) body.push('</details>');
  const summary = [...counts].map(([k, n]) => `${k}: ${n}`).join(', ');
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>
body { font: 13px monospace; margin: 1em; }
details { margin-left: 1.5em; border-left: 1px solid #ccc; padding-left: .5em; }
.event { white-space: pre; }
.t { color: #888; } .ctx { color: #46a; }
.effect { color: #060; } .denied, .error { color: #b00; font-weight: bold; } .return { color: #555; }
.hidden { display: none; }
</style></head>
<body>
<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(summary)}; final clock ${rows.length > 0 ? rows[rows.length - 1]!.clock : 0}; <span id="shown">${rows.length}</span> of ${rows.length} events shown</p>
<p><input id="filter" placeholder="filter (text in the event)" size="40"></p>
<div id="timeline">
${body.join('\n')}
</div>
<script>
const events = [...document.querySelectorAll('.event')];
function apply() {
  const q = document.getElementById('filter').value.toLowerCase();
  let shown = 0;
  for (const e of events) {
    const hit = q === '' || e.textContent.toLowerCase().includes(q);
    e.classList.toggle('hidden', !hit);
    if (hit) shown++;
  }
  document.getElementById('shown').textContent = String(shown);
}
document.getElementById('filter').addEventListener('input', apply);
const q = new URLSearchParams(location.search).get('q');
if (q) { document.getElementById('filter').value = q; }
apply();
</script>
</body></html>
`;
}
