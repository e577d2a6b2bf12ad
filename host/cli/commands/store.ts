// The store's commands (docs/store.md): `cax add FILE…`, `cax ls`,
// `cax show NAME|HASH`, `cax deps NAME`, `cax history NAME`, `cax update`
// and `cax run NAME|HASH [ARGS…]` (memoized through the result cache, docs/cache.md). The store is `.cax/` of the working
// directory or `$CAX_HOME`; the prelude is added to it on first use.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { CaxError } from '../../errors.js';
import { loadCacheConfig, openCache } from '../../cache/config.js';
import { DEFAULT_MIN_COST, Memo, MEMO_MODES } from '../../cache/memo.js';
import { parseOptions } from '../options.js';
import { BACKENDS } from '../../coprocessor/backend.js';
import { BaudRate, DEFAULT_BAUD } from '../../protocol/serial.js';
import { imageWarning } from '../../coprocessor/cache.js';
import { Executor, type ExecutionResult } from '../../execution/executor.js';
import { effectLine } from '../../execution/effect-line.js';
import { parsePolicy, OPEN_POLICY } from '../../execution/policy.js';
import { TRACE_KINDS, type TraceKind } from '../../execution/trace.js';
import { addProgram, behindDependents, type AddReport } from '../../store/add.js';
import { shortHash, type Hash } from '../../store/hash.js';
import { Loader } from '../../store/loader.js';
import { Repository, storeDirectory } from '../../store/repository.js';
import { resolveStored } from '../../store/resolve.js';
import { showDefinition } from '../../store/show.js';
import { addContext, ensurePrelude } from '../../store/tel-env.js';
import { updateDependents } from '../../store/update.js';
import { parseProgram } from '../../tel/parser.js';
import { parseWorld } from '../../tel/world.js';
import { progress } from '../io.js';
import { readJson, readText } from '../files.js';
import type { CommandContext, Register } from '../program.js';

/** Opens the store (with the prelude in it), runs `work`, closes it on every path. */
export async function withStore<T>(ctx: Pick<CommandContext, 'io'>, work: (repo: Repository) => T | Promise<T>): Promise<T> {
  const repo = Repository.open(storeDirectory(ctx.io.cwd, ctx.io.env));
  try {
    ensurePrelude(addContext(repo));
    return await work(repo);
  } finally {
    repo.close();
  }
}

/** Runs `work` with a Memo over the result cache of the store (none for --memo off), closing the cache on every path; cache warnings go to stderr. */
async function withMemo<T>(ctx: Pick<CommandContext, 'io'>, mode: (typeof MEMO_MODES)[number], work: (memo: Memo | undefined) => Promise<T>): Promise<T> {
  if (mode === 'off') return work(undefined);
  const dir = storeDirectory(ctx.io.cwd, ctx.io.env);
  const config = loadCacheConfig(dir, ctx.io.env);
  const cache = await openCache(dir, config, (m) => ctx.io.err(`warning: ${m}`));
  try {
    return await work(new Memo(cache, mode, config.minCost ?? DEFAULT_MIN_COST));
  } finally {
    await cache.close();
  }
}

/** A name in the store, or a hash / unique prefix (E_USAGE when neither). */
export function target(repo: Repository, ref: string): Hash {
  try {
    return new Loader(repo).find(ref).hash;
  } catch (e) {
    if (e instanceof CaxError && e.code === 'E_NOT_FOUND') throw new CaxError('E_USAGE', e.message, { details: e.details });
    throw e;
  }
}

const label = (repo: Repository, hash: Hash): string => {
  const names = repo.namesOf(hash);
  return names.length > 0 ? `${names.join(', ')} ${shortHash(hash)}` : shortHash(hash);
};

function describeAdd(file: string, report: AddReport): string[] {
  const lines = [`${file}:`];
  for (const d of report.definitions) {
    const what = d.status === 'new' ? 'new' : d.status === 'unchanged' ? 'unchanged' : `updated, was ${shortHash(d.previous!)}`;
    lines.push(`  ${d.name} → ${shortHash(d.hash)}  (${what})  :: ${d.type}`);
  }
  for (const b of report.behind) {
    lines.push(`  ${b.name} ${shortHash(b.hash)} still uses ${b.dependency} ${shortHash(b.pinned)}, now ${shortHash(b.current)} (cax update brings it onto the new hash)`);
  }
  return lines;
}

const RunOptions = z.object({
  world: z.string().min(1).optional(),
  policy: z.string().min(1).optional(),
  trace: z.string().min(1).optional(),
  traceKinds: z.string().optional(),
  backend: z.enum(['interp', ...BACKENDS]).default('interp'),
  port: z.string().min(1).optional(),
  baud: BaudRate.optional(),
  jit: z.enum(['auto', 'off', 'eager']).default('auto'),
  memo: z.enum(MEMO_MODES).default('auto'),
});

/** The run for people; a failed run's error line is printed by the CLI itself. */
function describeRun(r: ExecutionResult): string {
  const lines = r.effects.map((e) => `  ${effectLine(e)}`);
  const usage = r.contexts.map(
    (c) =>
      `  ${c.context}${c.parent ? ` (in ${c.parent})` : ''} ${c.name ?? (c.hash ? shortHash(c.hash) : 'root')}: ${c.consumed.computeSteps} steps, ${c.consumed.memoryBytes} bytes, ${c.consumed.effects} effects, ${c.consumed.ioOps} I/O`,
  );
  return [
    ...(r.error ? [] : [`${r.value} :: ${r.type}`]),
    `clock: ${r.clock}`,
    ...(lines.length > 0 ? ['effects:', ...lines] : []),
    'contexts:',
    ...usage,
    ...(r.coprocessor ? [`co-processor: ${r.coprocessor.cycles} cycles on ${r.coprocessor.backend}${r.coprocessor.cached ? ' (cached image)' : ''}`] : []),
    ...(r.memo?.hit ? [`memo: hit in ${r.memo.level} (key ${shortHash(r.memo.key)}, ${r.memo.saved} steps saved)`] : []),
  ].join('\n');
}

function runToJson(r: ExecutionResult): Record<string, unknown> {
  return {
    hash: r.hash,
    name: r.name ?? null,
    value: r.value,
    type: r.type,
    ...(r.error ? { error: r.error.toJSON() } : {}),
    clock: r.clock,
    effects: r.effects.map((e) => ({ ...e })),
    contexts: r.contexts,
    ...(r.coprocessor ? { coprocessor: r.coprocessor } : {}),
    ...(r.memo ? { memo: r.memo } : {}),
  };
}

/** Prints an executor run (value, clock, effects, usage per context); a failed run is its error, with the run in the details. */
export function emitRun(ctx: CommandContext, result: ExecutionResult): void {
  if (result.error) {
    if (!ctx.json()) ctx.io.err(describeRun(result));
    throw new CaxError(result.error.code, result.error.message, { ...(result.error.span ? { span: result.error.span } : {}), details: { ...result.error.details, run: runToJson(result) } });
  }
  ctx.emit(runToJson(result), () => describeRun(result));
}

export const registerStore: Register = (program, ctx) => {
  program
    .command('add <files...>')
    .description('add TEL files to the store: prints each name → hash, what changed, and dependents left behind (docs/store.md)')
    .exitOverride()
    .action((files: string[]) =>
      withStore(ctx, (repo) => {
        const addCtx = addContext(repo);
        const bar = progress(ctx.io, ctx.json(), 'add', files.length);
        const reports: { file: string; report: AddReport }[] = [];
        for (const file of files) {
          reports.push({ file, report: addProgram(addCtx, parseProgram(readText(ctx.io, file), file)) });
          bar.tick();
        }
        bar.done();
        ctx.emit({ files: reports.map((r) => ({ file: r.file, ...r.report })) }, () => reports.flatMap((r) => describeAdd(r.file, r.report)).join('\n'));
      }),
    );

  program
    .command('ls')
    .description('list the names in the store with their hashes and types; * marks a definition behind its dependencies')
    .exitOverride()
    .action(() =>
      withStore(ctx, (repo) => {
        const behind = new Set(behindDependents(repo).map((b) => b.name));
        const rows = repo.names().map(({ name, hash }) => ({ name, hash, type: repo.get(hash).type, behind: behind.has(name) }));
        ctx.emit({ definitions: rows }, () => rows.map((r) => `${r.behind ? '*' : ' '} ${r.name.padEnd(16)} ${shortHash(r.hash)}  :: ${r.type}`).join('\n'));
      }),
    );

  program
    .command('show <ref>')
    .description('print a stored definition (by name, hash or unique hash prefix) as source, with names restored')
    .exitOverride()
    .action((ref: string) =>
      withStore(ctx, (repo) => {
        const hash = target(repo, ref);
        const def = repo.get(hash);
        const source = showDefinition(repo, hash);
        ctx.emit(
          { hash, group: def.group, index: def.index, names: repo.namesOf(hash), type: def.type, source },
          () => `-- ${label(repo, hash)}${def.groupSize > 1 ? ` (member ${def.index} of group @${def.group.slice(0, 12)})` : ''}\n${source}`,
        );
      }),
    );

  program
    .command('deps <ref>')
    .description('what a definition uses (or, with --dependents, what uses it); --transitive for the whole closure')
    .option('--transitive', 'the whole closure, dependencies first')
    .option('--dependents', 'definitions that use it instead of those it uses')
    .exitOverride()
    .action((ref: string, opts: { transitive?: boolean; dependents?: boolean }) =>
      withStore(ctx, (repo) => {
        const hash = target(repo, ref);
        let hashes: Hash[];
        if (opts.dependents) {
          const seen = new Set<Hash>();
          const queue = [hash];
          while (queue.length > 0) {
            for (const d of repo.dependents(queue.shift()!)) {
              if (seen.has(d)) continue;
              seen.add(d);
              if (opts.transitive) queue.push(d);
            }
          }
          hashes = [...seen];
        } else {
          hashes = opts.transitive ? resolveStored(repo, [hash]).order.filter((h) => h !== hash) : repo.dependencies(hash);
        }
        const rows = hashes.map((h) => ({ hash: h, names: repo.namesOf(h), formerNames: repo.namesOf(h).length === 0 ? repo.formerNamesOf(h) : [] }));
        ctx.emit({ hash, [opts.dependents ? 'dependents' : 'dependencies']: rows }, () =>
          [
            `${label(repo, hash)} ${opts.dependents ? 'is used by' : 'uses'}${opts.transitive ? ' (transitively)' : ''}:`,
            ...rows.map((r) => `  ${r.names.length > 0 ? r.names.join(', ') : r.formerNames.length > 0 ? `(formerly ${r.formerNames.join(', ')})` : '(unnamed)'} ${shortHash(r.hash)}`),
          ].join('\n'),
        );
      }),
    );

  program
    .command('history <name>')
    .description('every hash a name has had, when, and why')
    .exitOverride()
    .action((name: string) =>
      withStore(ctx, (repo) => {
        const events = repo.history(name);
        if (events.length === 0) throw new CaxError('E_USAGE', `${name} has no history in the store`);
        ctx.emit({ name, history: events }, () => events.map((e) => `${e.at}  ${shortHash(e.hash)}${e.previous ? ` (was ${shortHash(e.previous)})` : ''}  ${e.reason}`).join('\n'));
      }),
    );

  program
    .command('update [names...]')
    .description('bring definitions that still use older hashes of their dependencies onto the current ones (all, or only NAMES)')
    .option('--dry-run', 'only list what is behind')
    .exitOverride()
    .action((names: string[], opts: { dryRun?: boolean }) =>
      withStore(ctx, (repo) => {
        const only = names.length > 0 ? new Set(names) : undefined;
        if (opts.dryRun) {
          const behind = behindDependents(repo).filter((b) => only === undefined || only.has(b.name));
          ctx.emit({ behind }, () =>
            behind.length === 0 ? 'nothing is behind' : behind.map((b) => `${b.name} ${shortHash(b.hash)} uses ${b.dependency} ${shortHash(b.pinned)}, now ${shortHash(b.current)}`).join('\n'),
          );
          return;
        }
        const steps = updateDependents(addContext(repo), only);
        ctx.emit({ updated: steps }, () =>
          steps.length === 0 ? 'nothing to update' : steps.map((s) => `${s.name}: ${shortHash(s.from)} → ${shortHash(s.to)} (${s.because.join(', ')} moved)`).join('\n'),
        );
      }),
    );

  program
    .command('run <ref> [args...]')
    .description('run a stored definition (name, hash or unique prefix) applied to ARGS (TEL expressions) in a sandbox; prints value, effects, clock and usage per context')
    .option('--world <file>', 'the world as JSON: balances, facts, latencies, start (docs/tel.md)')
    .option('--policy <file>', 'the sandbox policy as JSON (docs/store.md); default: everything allowed')
    .option('--trace <out>', 'write the trace (invocations, returns, effects, denials, errors) to this JSON file')
    .option('--trace-kinds <kinds>', `only these trace kinds, comma-separated (${TRACE_KINDS.join(',')})`)
    .option('--backend <name>', `where to run: interp, or compiled on the co-processor: ${BACKENDS.join(', ')} (docs/compiler.md)`, 'interp')
    .option('--port <path>', 'serial port of the device backend (as for cax device)')
    .option('--baud <n>', `line rate of the device backend, asked for at HELLO as cax device --baud does (default ${DEFAULT_BAUD})`)
    .option('--jit <mode>', 'JIT tier of the interpreter: auto (compile hot definitions), off, eager (docs/jit.md)', 'auto')
    .option('--memo <mode>', 'memoize through the result cache: auto (pure runs and effect-free invokes that cost enough), on (effectful runs too), off (docs/cache.md)', 'auto')
    .exitOverride()
    .action((ref: string, args: string[], raw: Record<string, unknown>) =>
      withStore(ctx, async (repo) => {
        const o = parseOptions(RunOptions, raw);
        const kinds = o.traceKinds?.split(',').map((k) => k.trim()) ?? [...TRACE_KINDS];
        const unknown = kinds.filter((k) => !(TRACE_KINDS as readonly string[]).includes(k));
        if (unknown.length > 0) throw new CaxError('E_USAGE', `unknown trace kinds: ${unknown.join(', ')}`);
        const world = o.world ? parseWorld(readJson(ctx.io, o.world), o.world) : undefined;
        const policy = o.policy ? parsePolicy(readJson(ctx.io, o.policy), o.policy) : OPEN_POLICY;
        const hash = target(repo, ref);
        if (o.baud !== undefined && o.backend !== 'device') throw new CaxError('E_USAGE', '--baud is for the device backend (--backend device --port PATH)');
        const backend = o.backend === 'interp' ? undefined : { name: o.backend, ...(o.port ? { device: o.port } : {}), ...(o.baud === undefined ? {} : { baud: o.baud }) };
        const result = await withMemo(ctx, o.memo, (memo) =>
          new Executor({ repo, policy, ...(memo ? { memo } : {}) }).executeByHash(hash, { args, jit: o.jit, ...(world ? { world } : {}), ...(backend ? { backend } : {}) }),
        );
        if (result.coprocessor?.rebuiltImage) ctx.io.err(`warning: ${imageWarning(result.coprocessor.imageKey, result.coprocessor.rebuiltImage)}`);
        if (o.trace) {
          const events = result.trace.filter({ kinds: kinds as TraceKind[] });
          writeFileSync(resolve(ctx.io.cwd, o.trace), `${JSON.stringify({ hash, events }, null, 2)}\n`);
        }
        emitRun(ctx, result);
      }),
    );
};
