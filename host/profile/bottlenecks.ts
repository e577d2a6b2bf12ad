// Reads a profile for what to fix: the definitions that cost most (own and
// inclusive cost), hot loops (tail self-calls; on the co-processor the hot
// source lines), the garbage collector's share, the effects whose waits set
// the logical clock (the part of an effect's wait past every earlier
// completion moved the clock on; what no wait covers went to timers), and
// suggestions — repeated calls of a pure
// definition with equal arguments, which memoization would remove.
import type { Profile } from './model.js';

export interface Finding {
  readonly kind: 'costliest' | 'loop' | 'line' | 'gc' | 'clock' | 'suggestion';
  readonly text: string;
  /** Cost, steps/cycles or logical ms, the finding is about. */
  readonly value: number;
}

const TOP = 5;

function pct(part: number, whole: number): string {
  return whole === 0 ? '0%' : `${((100 * part) / whole).toFixed(1)}%`;
}

export function bottlenecks(p: Profile): Finding[] {
  const out: Finding[] = [];
  const unit = p.unit;
  const code = p.frames.filter((f) => f.kind !== 'pseudo');
  for (const f of [...code].sort((a, b) => b.self - a.self).slice(0, TOP)) {
    if (f.self === 0) break;
    out.push({
      kind: 'costliest',
      value: f.self,
      text: `${f.name}: ${f.self} ${unit} itself (${pct(f.self, p.total)}), ${f.total} with what it calls, ${f.calls} calls${f.alloc > 0 ? `, allocates ${f.alloc} ${unit === 'steps' ? 'cells' : 'bytes'}` : ''}`,
    });
  }
  for (const f of code
    .filter((f) => f.selfTailCalls > 0)
    .sort((a, b) => b.total - a.total)
    .slice(0, TOP)) {
    out.push({
      kind: 'loop',
      value: f.total,
      text: `${f.name}: ${f.selfTailCalls} iterations, ${f.total} ${unit} (${pct(f.total, p.total)}), ${(f.total / (f.selfTailCalls + 1)).toFixed(1)} ${unit} an iteration`,
    });
  }
  for (const l of [...p.lines].sort((a, b) => b.cost - a.cost).slice(0, TOP)) out.push({ kind: 'line', value: l.cost, text: `hot line ${l.where}: ${l.cost} ${unit} (${pct(l.cost, p.total)})` });
  // the outermost collector routine's inclusive cycles cover the others
  const gc = Math.max(0, ...p.frames.filter((f) => f.kind === 'gc').map((f) => f.total));
  if (p.unit === 'cycles') out.push({ kind: 'gc', value: gc, text: `garbage collection: ${gc} cycles, ${pct(gc, p.total)} of the run` });
  else out.push({ kind: 'gc', value: 0, text: 'garbage collection: none on the interpreter (cells are counted when allocated, never released)' });

  // effects whose waits moved the clock on: the part of [start, end] past every earlier completion
  const byEnd = [...p.effects].sort((a, b) => a.end - b.end || a.start - b.start);
  let reached = p.clock.start;
  let credited = 0;
  const setters = new Map<string, { ms: number; count: number }>();
  for (const e of byEnd) {
    if (e.end <= reached) continue;
    const waited = e.end - Math.max(reached, e.start);
    reached = e.end;
    if (waited <= 0) continue;
    const key = `${e.kind} on ${e.timeline ?? '(none)'}`;
    const s = setters.get(key) ?? { ms: 0, count: 0 };
    s.ms += waited;
    s.count++;
    setters.set(key, s);
    credited += waited;
  }
  const span = p.clock.end - p.clock.start;
  for (const [key, s] of [...setters].sort((a, b) => b[1].ms - a[1].ms)) {
    out.push({ kind: 'clock', value: s.ms, text: `${key}: ${s.count} wait${s.count === 1 ? '' : 's'} set ${s.ms} ms of the clock's ${span} ms (${pct(s.ms, span)})` });
  }
  if (span > credited) out.push({ kind: 'clock', value: span - credited, text: `timers (after, at, within): ${span - credited} ms of the clock's ${span} ms (${pct(span - credited, span)})` });

  for (const r of [...p.repeated]
    .filter((r) => r.pure)
    .sort((a, b) => b.repeats - a.repeats)
    .slice(0, TOP)) {
    const f = p.frames[r.frame]!;
    out.push({
      kind: 'suggestion',
      value: r.repeats,
      text: `${f.name} is pure and ran ${r.repeats} of its ${r.calls} calls with arguments it had already seen: memoizing it (or sharing the result) would remove them (up to ${pct(r.repeats, r.calls)} of its ${f.total} ${unit})`,
    });
  }
  for (const f of code
    .filter((f) => f.alloc > 0)
    .sort((a, b) => b.alloc - a.alloc)
    .slice(0, 1)) {
    out.push({ kind: 'suggestion', value: f.alloc, text: `${f.name} allocates most: ${f.alloc} ${unit === 'steps' ? 'cells' : 'bytes'}` });
  }
  return out;
}
