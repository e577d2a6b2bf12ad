// The profile in Chrome's trace event format (opens in Perfetto and
// chrome://tracing): process 1 is the cost, the call tree laid out as a
// flame chart of complete events (1 µs per step or cycle); process 2 is
// logical time (1 µs per logical millisecond × 1000, i.e. real ms): effects
// as complete events on one track per timeline, and counters for the
// resources against their grants and for the custom metrics.
import type { Profile } from './model.js';
import { placeTree } from './layout.js';

interface TraceEvent {
  readonly name: string;
  readonly ph: 'X' | 'C' | 'M';
  readonly pid: number;
  readonly tid: number;
  readonly ts?: number;
  readonly dur?: number;
  readonly cat?: string;
  readonly args?: Record<string, unknown>;
}

const COST = 1;
const TIME = 2;

export function toChromeTrace(p: Profile): Record<string, unknown> {
  const events: TraceEvent[] = [
    { name: 'process_name', ph: 'M', pid: COST, tid: 0, args: { name: `cost (${p.unit}, 1 µs = 1 ${p.unit === 'steps' ? 'step' : 'cycle'})` } },
    { name: 'thread_name', ph: 'M', pid: COST, tid: 1, args: { name: 'call tree' } },
    { name: 'process_name', ph: 'M', pid: TIME, tid: 0, args: { name: 'logical time (1 ms = 1 logical ms)' } },
  ];
  for (const n of placeTree(p.tree)) {
    const f = p.frames[n.node.frame]!;
    events.push({
      name: f.name,
      cat: f.kind,
      ph: 'X',
      pid: COST,
      tid: 1,
      ts: n.start,
      dur: n.total,
      args: { self: n.node.self, calls: n.node.calls, alloc: n.node.alloc, ...(f.where ? { where: f.where } : {}) },
    });
  }
  const tracks = new Map<string, number>();
  for (const e of p.effects) {
    const track = e.timeline ?? '(no timeline)';
    let tid = tracks.get(track);
    if (tid === undefined) {
      tid = tracks.size + 1;
      tracks.set(track, tid);
      events.push({ name: 'thread_name', ph: 'M', pid: TIME, tid, args: { name: `effects on ${track}` } });
    }
    events.push({
      name: `${e.kind} ${e.args.join(' ')}`.trim(),
      cat: 'effect',
      ph: 'X',
      pid: TIME,
      tid,
      ts: e.start * 1000,
      dur: (e.end - e.start) * 1000,
      args: { latency: e.end - e.start, failed: e.failed },
    });
  }
  for (const r of p.resources) {
    for (const s of r.samples) {
      events.push({ name: `${r.context} compute`, ph: 'C', pid: TIME, tid: 0, ts: s.time * 1000, args: { used: s.compute, grant: s.grant.compute } });
      events.push({ name: `${r.context} memory`, ph: 'C', pid: TIME, tid: 0, ts: s.time * 1000, args: { used: s.memory, grant: s.grant.memory } });
    }
  }
  for (const m of p.metrics) for (const pt of m.points) events.push({ name: `${m.kind} ${m.name}`, ph: 'C', pid: TIME, tid: 0, ts: pt.time * 1000, args: { value: pt.value } });
  return { traceEvents: events, displayTimeUnit: 'ms', otherData: { title: p.title, backend: p.backend, unit: p.unit, total: p.total, outcome: p.outcome } };
}
