// `cax regress SUITE…`: runs regression suites (docs/regress.md) across
// backends on worker processes, reuses unchanged results, and writes a
// terminal summary, JUnit XML, an HTML report, failure artefacts and --json.
import { storeDirectory } from '../../store/repository.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { CaxError } from '../../errors.js';
import { parseFarmUrl } from '../../farm/connection.js';
import { runOnFarm } from '../../farm/submit.js';
import { JsonFileCache, type ResultCache } from '../../regress/cache.js';
import { htmlReport } from '../../regress/html.js';
import { junitXml } from '../../regress/junit.js';
import { BaudRate } from '../../protocol/serial.js';
import { REGRESS_BACKENDS } from '../../regress/manifest.js';
import { runRegression, type RegressRun } from '../../regress/runner.js';
import { TieredResultCache } from '../../regress/tiered-cache.js';
import { progress, type Progress } from '../io.js';
import type { Register } from '../program.js';

const RegressOptions = z.object({
  jobs: z.coerce.number().int().min(1).max(256).default(availableParallelism()),
  backend: z.array(z.enum(REGRESS_BACKENDS)).optional(),
  filter: z.string().optional(),
  junit: z.string().min(1).optional(),
  html: z.string().min(1).optional(),
  artifacts: z.string().min(1).optional(),
  retries: z.coerce.number().int().min(0).max(100).default(0),
  failFast: z.boolean().default(false),
  cache: z.union([z.boolean(), z.string().min(1)]).default(true),
  port: z.string().min(1).optional(),
  baud: BaudRate.optional(),
  farm: z.string().min(1).optional(),
});

/** Where results are kept between runs unless --cache PATH says otherwise (relative to the working directory): the result cache of a directory. */
export const DEFAULT_CACHE = 'build/regress/cache';

/** `--cache PATH`: a `.json` file (one JSON file), else a directory holding the project's result cache (SQLite there, Redis when configured). */
async function openResultCache(path: string, ctx: Parameters<Register>[1]): Promise<ResultCache> {
  if (path.endsWith('.json')) return new JsonFileCache(path);
  return TieredResultCache.open(path, ctx.io.env, (m) => ctx.io.err(`warning: ${m}`));
}

function summary(run: RegressRun): string {
  const c = run.counts;
  const lines = run.tests
    .filter((t) => t.status === 'fail' || t.status === 'error')
    .map(
      (t) =>
        `${t.status.toUpperCase()} ${t.id}: ${t.message ?? ''}\n  expected ${JSON.stringify(t.expected)}\n  actual   ${JSON.stringify(t.actual)}\n  reproduce: ${t.reproduce}${t.artifacts.length > 0 ? `\n  artefacts: ${t.artifacts.join(', ')}` : ''}`,
    );
  const flaky = run.tests.filter((t) => t.flaky).map((t) => `FLAKY ${t.id} (passed on attempt ${t.attempts})`);
  const reuse = c.ran === 0 ? `nothing changed: all ${c.reused} results reused, nothing ran` : `${c.ran} ran, ${c.reused} reused`;
  return [
    ...lines,
    ...flaky,
    `${c.total} tests: ${c.passed} passed, ${c.failed} failed, ${c.errors} errors, ${c.skipped} skipped, ${c.flaky} flaky; ${reuse} (${(run.durationMs / 1000).toFixed(2)} s)`,
  ].join('\n');
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export const registerRegress: Register = (program, ctx) => {
  program
    .command('regress <suites...>')
    .description('run regression suites across backends in parallel, reusing unchanged results; JUnit, HTML and failure artefacts (docs/regress.md)')
    .option('--jobs <n>', 'worker processes (default: the number of cores)')
    .option('--backend <b>', `run on this backend instead of the suites' (${REGRESS_BACKENDS.join(', ')}); repeatable`, collect)
    .option('--filter <re>', 'only tests whose name or a tag matches this regular expression')
    .option('--junit <file>', 'write JUnit XML')
    .option('--html <file>', 'write a self-contained HTML report')
    .option('--artifacts <dir>', 'write failure artefacts (trace, VCD, divergence, reproducing command) here')
    .option('--retries <n>', 'retry a failing test up to N times; a pass on a retry is flaky (default 0)')
    .option('--fail-fast', 'start nothing new after the first failure')
    .option('--cache <path>', `reused results: a directory holding the result cache (docs/cache.md; Redis with CAX_REDIS_URL), or a FILE.json (default ${DEFAULT_CACHE})`)
    .option('--no-cache', 'run every test, reuse and store nothing')
    .option('--port <path>', 'serial port of the board for the device backend (as for cax device)')
    .option('--baud <n>', 'line rate of the board, asked for at HELLO as cax device --baud does (default 115200)')
    .option('--farm <url>', "run the tests on the farm's workers through Redis (redis://[user:password@]host:port; docs/farm.md) instead of local processes")
    .exitOverride()
    .action(async (suites: string[], raw: Record<string, unknown>) => {
      const parsed = RegressOptions.safeParse(raw);
      if (!parsed.success) throw new CaxError('E_USAGE', `bad option: ${parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ')}`);
      const o = parsed.data;
      let filter: RegExp | undefined;
      try {
        filter = o.filter === undefined ? undefined : new RegExp(o.filter);
      } catch (e) {
        throw new CaxError('E_USAGE', `--filter is not a regular expression: ${(e as Error).message}`);
      }
      const at = (p: string): string => resolve(ctx.io.cwd, p);
      const farm = o.farm === undefined ? undefined : parseFarmUrl(o.farm);
      if (farm && (o.port || o.baud !== undefined))
        throw new CaxError('E_USAGE', `${o.port ? '--port' : '--baud'} with --farm: the device tests run on the farm workers' boards (cax farm worker --board PORT --baud N)`);
      if (o.baud !== undefined && !o.port) throw new CaxError('E_USAGE', '--baud is the rate of the board on --port: give --port PATH too');
      const cache = o.cache === false ? undefined : await openResultCache(at(o.cache === true ? DEFAULT_CACHE : o.cache), ctx);
      let bar: Progress | undefined;
      let run: RegressRun;
      try {
        run = await runRegression({
          suites: suites.map(at),
          store: storeDirectory(ctx.io.cwd, ctx.io.env),
          jobs: o.jobs,
          retries: o.retries,
          failFast: o.failFast,
          cache,
          ...(o.backend ? { backends: o.backend } : {}),
          ...(filter ? { filter } : {}),
          ...(o.artifacts ? { artifacts: at(o.artifacts) } : {}),
          ...(o.port ? { device: o.port } : {}),
          ...(o.baud === undefined ? {} : { baud: o.baud }),
          ...(farm ? { pool: (tests, options) => runOnFarm(farm, tests, options), boardsOnPool: true } : {}),
          onStart: (n) => (bar = progress(ctx.io, ctx.json(), 'regress', n)),
          onResult: () => bar?.tick(),
        });
      } catch (e) {
        // what was put so far stays (the cache is closed)
        await cache?.save();
        throw e;
      }
      bar?.done();
      const write = (file: string, text: string): void => {
        mkdirSync(dirname(at(file)), { recursive: true });
        writeFileSync(at(file), text);
      };
      if (o.junit) write(o.junit, junitXml(run));
      if (o.html) write(o.html, htmlReport(run, dirname(at(o.html)), o.artifacts ? at(o.artifacts) : undefined));
      const failing = run.counts.failed + run.counts.errors;
      if (failing > 0) {
        if (!ctx.json()) ctx.io.out(summary(run));
        throw new CaxError('E_REGRESS', `${failing} of ${run.counts.total} tests did not pass`, { details: { ...run } });
      }
      ctx.emit(run, () => summary(run));
    });
};
