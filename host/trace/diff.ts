// The first divergence between two traces (docs/trace.md): the index of the
// first record that differs (or where one trace ends early), the differing
// fields, and the records just before it for context.
import type { TraceRecord } from './record.js';

export const FIELDS = ['pc', 'insn', 'rd', 'rdValue', 'memAddr', 'memData', 'memMask', 'memWrite', 'trap', 'cause', 'tval'] as const;
export type Field = (typeof FIELDS)[number];

export interface Divergence {
  /** 0-based index of the first differing record. */
  readonly index: number;
  readonly a: TraceRecord | undefined;
  readonly b: TraceRecord | undefined;
  /** Fields that differ (empty when one trace ended). */
  readonly fields: readonly Field[];
  /** Up to `context` records before it (the same in both traces). */
  readonly before: readonly TraceRecord[];
}

export interface DiffResult {
  /** Records compared (the common prefix length when they diverge). */
  readonly compared: number;
  readonly divergence: Divergence | undefined;
}

export function differingFields(a: TraceRecord, b: TraceRecord): Field[] {
  return FIELDS.filter((f) => a[f] !== b[f]);
}

export async function firstDivergence(a: AsyncIterable<TraceRecord>, b: AsyncIterable<TraceRecord>, context = 5): Promise<DiffResult> {
  const ia = a[Symbol.asyncIterator]();
  const ib = b[Symbol.asyncIterator]();
  const before: TraceRecord[] = [];
  for (let index = 0; ; index++) {
    const [ra, rb] = await Promise.all([ia.next(), ib.next()]);
    if (ra.done && rb.done) return { compared: index, divergence: undefined };
    const fields = ra.done || rb.done ? [] : differingFields(ra.value, rb.value);
    if (ra.done || rb.done || fields.length > 0) {
      await Promise.all([ia.return?.(), ib.return?.()]);
      return { compared: index, divergence: { index, a: ra.done ? undefined : ra.value, b: rb.done ? undefined : rb.value, fields, before } };
    }
    before.push(ra.value);
    if (before.length > context) before.shift();
  }
}
