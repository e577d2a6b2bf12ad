// One regression run: load the suites, build the matrix, answer what the
// cache holds, run the rest on the worker pool, store passing results, write
// failure artefacts. The result is what every report (terminal, JUnit, HTML,
// JSON) is made from.
import { CaxError } from '../errors.js';
import { writeArtifacts } from './artifacts.js';
import type { ResultCache } from './cache.js';
import { testKey } from './cache.js';
import type { Outcome } from './execute.js';
import type { RegressBackend } from './manifest.js';
import { buildMatrix, type MatrixTest } from './matrix.js';
import { runPool } from './pool.js';
import { loadSuite, type TestCase } from './suite.js';

export interface RegressOptions {
  readonly suites: readonly string[];
  /** The store `store:` entries name definitions in ($CAX_HOME). */
  readonly store: string;
  readonly jobs: number;
  readonly backends?: readonly RegressBackend[];
  readonly filter?: RegExp;
  readonly retries: number;
  readonly failFast: boolean;
  readonly cache: ResultCache | undefined;
  readonly artifacts?: string;
  readonly device?: string;
  /** The line rate of the device backend's sessions, asked for at HELLO (`cax regress --baud`). */
  readonly baud?: number;
  /** The pool has the boards (the farm's workers): a device test names no port, in its key or its reproducing command. */
  readonly boardsOnPool?: boolean;
  /** Runs the tests the cache did not answer (default: the local worker processes; the farm with `cax regress --farm`). */
  readonly pool?: typeof runPool;
  readonly onStart?: (toRun: number) => void;
  readonly onResult?: () => void;
}

export interface TestRecord {
  readonly id: string;
  readonly name: string;
  readonly suite: string;
  readonly backend: RegressBackend;
  readonly tags: readonly string[];
  readonly status: Outcome['status'];
  readonly reused: boolean;
  readonly flaky: boolean;
  readonly attempts: number;
  readonly entryHash: string;
  readonly backendHash: string;
  readonly cycles: number | null;
  readonly durationMs: number;
  readonly expected: Record<string, unknown>;
  readonly actual: Record<string, unknown>;
  readonly message?: string;
  readonly code?: string;
  /** `host/pid` of the process that ran it (a farm worker's with --farm); absent when it did not run. */
  readonly host?: string;
  /** Files written for a failure (relative to the artefacts folder). */
  readonly artifacts: readonly string[];
  /** The command that reproduces this test alone. */
  readonly reproduce: string;
}

export interface RegressRun {
  readonly tests: readonly TestRecord[];
  readonly counts: { total: number; passed: number; failed: number; errors: number; skipped: number; flaky: number; reused: number; ran: number };
  readonly durationMs: number;
}

const quote = (s: string): string => (/^[A-Za-z0-9_./:@=-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

function reproduceCommand(test: TestCase, backend: RegressBackend, device: string | undefined, baud: number | undefined): string {
  const escaped = test.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const line = backend === 'device' && device ? ['--port', quote(device), ...(baud === undefined ? [] : ['--baud', String(baud)])] : [];
  return ['cax', 'regress', quote(test.manifest), '--backend', backend, ...line, '--filter', quote(`^${escaped}$`), '--no-cache'].join(' ');
}

export async function runRegression(options: RegressOptions): Promise<RegressRun> {
  const t0 = performance.now();
  if (options.suites.length === 0) throw new CaxError('E_USAGE', 'name at least one suite');
  const cases = options.suites.flatMap((s) => loadSuite(s, options.store));
  const matrix = buildMatrix(cases, { ...(options.backends ? { backends: options.backends } : {}), ...(options.filter ? { filter: options.filter } : {}) });
  if (matrix.length === 0) throw new CaxError('E_USAGE', `no test in ${options.suites.join(', ')} matches the filter and backends`);
  if (matrix.some((t) => t.backend === 'device' && !t.skip) && !options.device && !cases.some((c) => c.device) && !options.boardsOnPool)
    throw new CaxError('E_USAGE', 'the device backend needs a serial port (--port PATH or `device:` in the suite)');

  const portOf = (t: MatrixTest): string | undefined => (options.boardsOnPool ? undefined : (options.device ?? t.test.device));
  const keys = new Map(matrix.map((t) => [t.id, testKey(t, portOf(t))]));
  const reused = new Map<string, Outcome>();
  const toRun: MatrixTest[] = [];
  for (const t of matrix) {
    if (t.skip) continue;
    const hit = await options.cache?.get(keys.get(t.id)!);
    if (hit) reused.set(t.id, hit);
    else toRun.push(t);
  }
  options.onStart?.(toRun.length);
  const device = options.boardsOnPool ? undefined : (options.device ?? cases.find((c) => c.device)?.device);
  const ran =
    toRun.length === 0
      ? new Map()
      : await (options.pool ?? runPool)(toRun, {
          jobs: options.jobs,
          retries: options.retries,
          failFast: options.failFast,
          ...(device ? { device } : {}),
          ...(options.baud === undefined ? {} : { baud: options.baud }),
          onResult: () => options.onResult?.(),
        });

  const tests: TestRecord[] = [];
  for (const t of matrix) {
    const key = keys.get(t.id)!;
    const fromPool = ran.get(t.id);
    const outcome: Outcome = t.skip
      ? { status: 'skipped', expected: {}, actual: {}, message: t.skip, cycles: null, durationMs: 0 }
      : (reused.get(t.id) ?? fromPool?.outcome ?? { status: 'skipped', expected: {}, actual: {}, message: 'not run (--fail-fast stopped the run)', cycles: null, durationMs: 0 });
    if (fromPool && outcome.status === 'pass') options.cache?.put(key, outcome);
    const reproduce = reproduceCommand(t.test, t.backend, device, options.baud);
    const artifacts = options.artifacts && fromPool && (outcome.status === 'fail' || outcome.status === 'error') ? await writeArtifacts(options.artifacts, t, outcome, reproduce) : [];
    tests.push({
      id: t.id,
      name: t.test.name,
      suite: t.test.suite,
      backend: t.backend,
      tags: t.test.tags,
      status: outcome.status,
      reused: reused.has(t.id),
      flaky: fromPool?.flaky ?? false,
      attempts: fromPool?.attempts ?? 0,
      entryHash: key.entry,
      backendHash: key.backend,
      cycles: outcome.cycles,
      durationMs: outcome.durationMs,
      expected: outcome.expected,
      actual: outcome.actual,
      ...(outcome.message === undefined ? {} : { message: outcome.message }),
      ...(outcome.code === undefined ? {} : { code: outcome.code }),
      ...(fromPool ? { host: fromPool.host } : {}),
      artifacts,
      reproduce,
    });
  }
  await options.cache?.save();
  const count = (s: Outcome['status']): number => tests.filter((r) => r.status === s).length;
  return {
    tests,
    counts: {
      total: tests.length,
      passed: count('pass'),
      failed: count('fail'),
      errors: count('error'),
      skipped: count('skipped'),
      flaky: tests.filter((r) => r.flaky).length,
      reused: reused.size,
      ran: ran.size,
    },
    durationMs: performance.now() - t0,
  };
}
