// Effect handlers that watch a run for its profile: every handler call
// samples, at that logical time, the compute and memory each context has
// used so far against its grant (the resource graphs), and emitted metrics
// go to the MetricsRecorder; the calls themselves go on to the wrapped
// handlers unchanged.
import type { LedgerRequest } from '../tel/runtime.js';
import type { BalanceChange, EffectHandlers, ObserveRequest, Outcome } from '../tel/world.js';
import type { MetricsRecorder } from './metrics.js';
import type { ResourceSample, ResourceSeries } from './model.js';

/** One context's use at a moment: compute (steps or cycles) and memory, with its grant. */
export interface ContextSample {
  readonly context: string;
  readonly grant: { readonly compute: number; readonly memory: number };
  readonly compute: number;
  readonly memory: number;
}

export class ProbedWorld implements EffectHandlers {
  private readonly series = new Map<string, ResourceSample[]>();

  constructor(
    private readonly inner: EffectHandlers,
    /** Every context's use now. */
    private readonly usage: () => readonly ContextSample[],
    private readonly metrics: MetricsRecorder,
    private readonly memoryUnit: ResourceSeries['memoryUnit'],
  ) {}

  /** Records `uses` at `time` (one sample per context and logical time: the last one). */
  record(time: number, uses: readonly ContextSample[]): void {
    for (const u of uses) {
      let s = this.series.get(u.context);
      if (!s) this.series.set(u.context, (s = []));
      const sample = { time, compute: u.compute, memory: u.memory, grant: u.grant };
      const last = s[s.length - 1];
      if (last && last.time === time) s[s.length - 1] = sample;
      else s.push(sample);
    }
  }

  /** Records the use of every context at `time`. */
  sample(time: number): void {
    this.record(time, this.usage());
  }

  /** The resource graphs: per context, its grant and samples in time order. */
  resources(): ResourceSeries[] {
    return [...this.series].map(([context, samples]) => ({
      context,
      grant: { compute: Math.max(...samples.map((x) => x.grant.compute)), memory: Math.max(...samples.map((x) => x.grant.memory)) },
      memoryUnit: this.memoryUnit,
      samples,
    }));
  }

  latency(timeline: string): number {
    return this.inner.latency(timeline);
  }
  deposit(req: LedgerRequest, time: number): Outcome {
    this.sample(time);
    return this.inner.deposit(req, time);
  }
  withdraw(req: LedgerRequest, time: number): Outcome {
    this.sample(time);
    return this.inner.withdraw(req, time);
  }
  transfer(req: LedgerRequest, time: number): Outcome {
    this.sample(time);
    return this.inner.transfer(req, time);
  }
  observe(req: ObserveRequest, time: number): Outcome {
    this.sample(time);
    return this.inner.observe(req, time);
  }
  emit(text: string, time: number): Outcome {
    this.sample(time);
    this.metrics.fromEmit(text, time);
    return this.inner.emit ? this.inner.emit(text, time) : { ok: true, result: 0 };
  }
  now(time: number): Outcome {
    this.sample(time);
    return this.inner.now ? this.inner.now(time) : { ok: true, result: time };
  }
  rollback(changes: readonly BalanceChange[]): Outcome {
    return this.inner.rollback ? this.inner.rollback(changes) : { ok: true, result: 0 };
  }
}
