// Shared helpers of the TEL tests: run a source string, strip spans from ASTs.
import { parseExpression, parseProgram } from '../../host/tel/parser.js';
import { loadProgram, runMain, type RunOptions, type RunResult } from '../../host/tel/interp.js';

export function run(source: string, main = 'main', args: readonly string[] = [], options: RunOptions = {}): RunResult {
  const loaded = loadProgram(parseProgram(source, 'test.tel'));
  return runMain(
    loaded,
    main,
    args.map((a, i) => parseExpression(a, `<arg ${i}>`)),
    options,
  );
}

/** The value's `show`, or the error code the run ended with. */
export function outcome(r: RunResult): string {
  return r.error ? r.error.code : r.shown!;
}

export function evalShown(source: string, main = 'main', args: readonly string[] = [], options: RunOptions = {}): string {
  return outcome(run(source, main, args, options));
}

/** A deep copy without `span` fields, for comparing ASTs from different sources. */
export function stripSpans(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(stripSpans);
  if (x && typeof x === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x)) if (k !== 'span') out[k] = stripSpans(v);
    return out;
  }
  return x;
}
