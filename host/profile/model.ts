// The profile every collector produces and every output reads: what ran
// (per definition: exclusive and inclusive cost, calls, allocations), the
// call tree with direct recursion folded, the call graph, the effects in
// logical time, the resources used against the grant over logical time,
// and the custom metrics. Cost is interpreter steps or co-processor cycles.
export type ProfileUnit = 'steps' | 'cycles';
export type ProfileBackend = 'interp' | 'iss' | 'sim';

/** One definition (or runtime routine, or pseudo-frame such as `(scheduler)`) with its flat totals. */
export interface ProfileFrame {
  readonly name: string;
  /** `file:line` where known. */
  readonly where: string | null;
  /** What the frame is: TEL code, the runtime, the garbage collector, or the profiler's own pseudo-frames. */
  readonly kind: 'tel' | 'runtime' | 'gc' | 'pseudo';
  /** Cost spent in the frame itself. */
  self: number;
  /** Cost while the frame was on the stack at least once (recursion counted once). */
  total: number;
  calls: number;
  /** Calls of the frame by itself in tail position: a loop's iterations. */
  selfTailCalls: number;
  /** Allocation while the frame ran itself: cells on the interpreter, bytes on the co-processor (0 where unknown). */
  alloc: number;
}

/** A node of the call tree; `children` in first-call order. */
export interface CallNode {
  readonly frame: number;
  self: number;
  calls: number;
  alloc: number;
  readonly children: CallNode[];
}

export interface CallEdge {
  readonly caller: number;
  readonly callee: number;
  calls: number;
}

export interface EffectSpan {
  readonly kind: string;
  readonly timeline: string | null;
  readonly args: readonly (string | number)[];
  /** Logical times it was issued and completed: the latency is their difference. */
  readonly start: number;
  readonly end: number;
  readonly failed: boolean;
}

/** Cumulative use at a logical time, and the grant then (a growing allocator's grants grow with the use). */
export interface ResourceSample {
  readonly time: number;
  readonly compute: number;
  readonly memory: number;
  readonly grant: { readonly compute: number; readonly memory: number };
}

/** One execution context's use against its grant over logical time. */
export interface ResourceSeries {
  readonly context: string;
  /** The largest grant it had. */
  readonly grant: { readonly compute: number; readonly memory: number };
  /** Memory in the interpreter's cells (a run of a file) or bytes (the executor's contexts, the co-processor's heap). */
  readonly memoryUnit: 'cells' | 'bytes';
  readonly samples: readonly ResourceSample[];
}

export interface MetricSeries {
  readonly name: string;
  readonly kind: 'counter' | 'gauge';
  /** A counter's running total, a gauge's value, at each logical time it changed. */
  readonly points: readonly { readonly time: number; readonly value: number }[];
}

/** A definition called repeatedly with equal arguments. */
export interface RepeatedCalls {
  readonly frame: number;
  readonly calls: number;
  /** Calls whose arguments had been seen before (what memoization would save). */
  readonly repeats: number;
  /** Whether the definition's type has no effect in it. */
  readonly pure: boolean;
}

/** A source line and its cost (the co-processor's hot lines through the source map). */
export interface LineCost {
  readonly where: string;
  readonly cost: number;
}

export interface Profile {
  readonly title: string;
  readonly backend: ProfileBackend;
  readonly unit: ProfileUnit;
  /** Total cost: the run's steps or cycles exactly. */
  readonly total: number;
  readonly frames: readonly ProfileFrame[];
  /** Root of the call tree: frame 0, `(program)`. */
  readonly tree: CallNode;
  readonly edges: readonly CallEdge[];
  readonly effects: readonly EffectSpan[];
  readonly clock: { readonly start: number; readonly end: number };
  readonly resources: readonly ResourceSeries[];
  readonly metrics: readonly MetricSeries[];
  readonly repeated: readonly RepeatedCalls[];
  readonly lines: readonly LineCost[];
  /** The run's value (shown) or its error code. */
  readonly outcome: string;
}
