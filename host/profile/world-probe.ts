// Effect handlers that watch a run for its profile: every handler call
// samples the compute and memory used so far at that logical time (the
// resource graph), and emitted metrics go to the MetricsRecorder; the calls
// themselves go on to the wrapped handlers unchanged.
import type { LedgerRequest } from '../tel/runtime.js';
import type { BalanceChange, EffectHandlers, ObserveRequest, Outcome } from '../tel/world.js';
import type { MetricsRecorder } from './metrics.js';
import type { ResourceSample } from './model.js';

export class ProbedWorld implements EffectHandlers {
  readonly samples: ResourceSample[] = [];

  constructor(
    private readonly inner: EffectHandlers,
    /** Compute and memory used so far. */
    private readonly usage: () => { compute: number; memory: number },
    private readonly metrics: MetricsRecorder,
  ) {}

  /** Records the use at `time` (one sample per logical time: the last one). */
  sample(time: number): void {
    const s = { time, ...this.usage() };
    const last = this.samples[this.samples.length - 1];
    if (last && last.time === time) this.samples[this.samples.length - 1] = s;
    else this.samples.push(s);
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
