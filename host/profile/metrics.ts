// Custom metrics in a profile: counters (running totals) and gauges (last
// value) over logical time. A TEL program defines them without any new
// language form, by emitting a pair whose text names the metric:
//   emit ("counter:requests", 1)     adds 1 to the counter `requests`
//   emit ("gauge:queue", n)          sets the gauge `queue` to n
// (the emit is still logged as usual; docs/profiling.md). Host code records
// into the same MetricsRecorder with `counter` and `gauge`.
import { CaxError } from '../errors.js';
import type { MetricSeries } from './model.js';

const METRIC_NAME = /^[A-Za-z_][A-Za-z0-9_.:-]{0,63}$/;
/** `show` of `("counter:NAME", N)` or `("gauge:NAME", N)` with an Int or Double N. */
const EMITTED = /^\("(counter|gauge):([^"\\]*)", ?(-?(?:\d+(?:\.\d+)?(?:e[+-]?\d+)?|Infinity)|NaN)\)$/;

export class MetricsRecorder {
  private readonly series = new Map<string, { kind: 'counter' | 'gauge'; points: { time: number; value: number }[] }>();

  private point(kind: 'counter' | 'gauge', name: string, value: number, time: number): void {
    if (!METRIC_NAME.test(name)) throw new CaxError('E_USAGE', `metric name ${JSON.stringify(name)} is not a name (letters, digits, _ . : -, at most 64)`);
    if (!Number.isFinite(value)) throw new CaxError('E_USAGE', `metric ${name}: ${value} is not a finite number`);
    let s = this.series.get(name);
    if (!s) this.series.set(name, (s = { kind, points: [] }));
    if (s.kind !== kind) throw new CaxError('E_USAGE', `metric ${name} is a ${s.kind}, not a ${kind}`);
    const last = s.points[s.points.length - 1];
    const v = kind === 'counter' ? (last?.value ?? 0) + value : value;
    if (last && last.time === time) last.value = v;
    else s.points.push({ time, value: v });
  }

  /** Adds `delta` to counter `name` at logical `time`. */
  counter(name: string, delta: number, time: number): void {
    this.point('counter', name, delta, time);
  }

  /** Sets gauge `name` to `value` at logical `time`. */
  gauge(name: string, value: number, time: number): void {
    this.point('gauge', name, value, time);
  }

  /** Records the metric an emitted text names; false when the text is no metric. */
  fromEmit(text: string, time: number): boolean {
    const m = EMITTED.exec(text);
    if (!m) return false;
    const value = Number(m[3]);
    if (!METRIC_NAME.test(m[2]!) || !Number.isFinite(value)) return false;
    this.point(m[1] as 'counter' | 'gauge', m[2]!, value, time);
    return true;
  }

  all(): MetricSeries[] {
    return [...this.series].map(([name, s]) => ({ name, kind: s.kind, points: s.points }));
  }
}
