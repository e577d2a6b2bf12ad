// `cax check FILE…` (parse and type-check TEL, every error at once, each
// shown with its source line and a caret) and `cax eval FILE --main NAME
// [ARGS…]` (run a definition on the reference interpreter under a world,
// print the value, the effect log and the final clock). docs/tel.md.
import { z } from 'zod';
import { CaxError, ErrorCodeSchema } from '../../errors.js';
import { parseOptions } from '../options.js';
import { formatDiagnostic } from '../../tel/diagnostics.js';
import { checkProgramAll } from '../../tel/infer.js';
import { loadProgram, runMain, runToJson } from '../../tel/interp.js';
import { DEFAULT_BUDGET } from '../../tel/machine.js';
import { parseExpression, parseProgramAll } from '../../tel/parser.js';
import { prelude } from '../../tel/prelude.js';
import type { EffectEntry } from '../../tel/scheduler.js';
import { parseWorld, replayHandlers, type LoggedEffect } from '../../tel/world.js';
import { progress, ShownError } from '../io.js';
import { readJson, readText } from '../files.js';
import type { Register } from '../program.js';

const EvalOptions = z.object({
  main: z.string().regex(/^[a-z_][A-Za-z0-9_']*$/, 'a definition name'),
  world: z.string().min(1).optional(),
  replay: z.string().min(1).optional(),
  start: z.coerce.number().int().min(-2147483648).max(2147483647).optional(),
  steps: z.coerce.number().int().positive().default(DEFAULT_BUDGET.steps),
  memory: z.coerce.number().int().positive().default(DEFAULT_BUDGET.memory),
  jit: z.enum(['auto', 'off', 'eager']).default('auto'),
});

/** A previous `cax eval --json` output: what replay needs from it. */
const RecordedRun = z.object({
  effects: z.array(
    z.object({
      kind: z.string(),
      timeline: z.string().nullable(),
      args: z.array(z.union([z.string(), z.number()])),
      result: z.union([z.string(), z.number()]).nullable(),
      error: z.object({ code: ErrorCodeSchema, message: z.string() }).optional(),
    }),
  ),
  latencies: z.record(z.string(), z.number().int().min(0)),
  start: z.number().int().optional(),
});

function describeEffect(e: EffectEntry): string {
  const where = e.timeline === null ? '' : ` on ${e.timeline}`;
  const outcome = e.error ? `failed ${e.error.code} ${e.error.message}` : e.result === null ? '' : `-> ${JSON.stringify(e.result)}`;
  return `  t=${e.time} ${e.kind} ${e.args.map((a) => JSON.stringify(a)).join(' ')}${where} ${outcome}${e.rolledBack ? ' (rolled back)' : ''}`.trimEnd();
}

export const registerTel: Register = (program, ctx) => {
  program
    .command('check <files...>')
    .description('parse and type-check TEL files; reports every error with its location (docs/tel.md)')
    .exitOverride()
    .action((files: string[]) => {
      const reports: { file: string; errors: unknown[]; types: Record<string, string> }[] = [];
      const human: string[] = [];
      let first: CaxError | null = null;
      let count = 0;
      const bar = progress(ctx.io, ctx.json(), 'check', files.length);
      for (const path of files) {
        const source = readText(ctx.io, path);
        const { program: parsed, errors } = parseProgramAll(source, path);
        const checked = checkProgramAll(parsed, { globals: prelude().types });
        const all = [...errors, ...checked.errors].sort((a, b) => (a.span?.line ?? 0) - (b.span?.line ?? 0) || (a.span?.col ?? 0) - (b.span?.col ?? 0));
        first ??= all[0] ?? null;
        count += all.length;
        for (const e of all) human.push(formatDiagnostic(e, source));
        const types = Object.fromEntries([...checked.checked.signatures].filter(([name]) => parsed.decls.some((d) => d.name === name)));
        if (all.length === 0) human.push(`${path}: ok (${Object.keys(types).length} definitions)`);
        reports.push({ file: path, errors: all.map((e) => e.toJSON()), types });
        bar.tick();
      }
      bar.done();
      if (first) {
        if (!ctx.json()) ctx.io.err(human.join('\n'));
        throw new CaxError(first.code, `${count} error${count === 1 ? '' : 's'} in ${files.join(', ')}`, { details: { files: reports } });
      }
      ctx.emit({ files: reports }, () => human.join('\n'));
    });

  program
    .command('eval <file> [args...]')
    .description('run a TEL definition on the reference interpreter: prints its value, effect log and final clock (docs/tel.md)')
    .requiredOption('--main <name>', 'the definition to run; ARGS are TEL expressions passed to it')
    .option('--world <file>', 'the world as JSON: balances, facts, latencies, start (docs/tel.md)')
    .option('--replay <file>', 'answer world effects from a previous `cax --json eval` output instead of a world')
    .option('--start <ms>', "logical start time in milliseconds (default: the world's, else 0)")
    .option('--steps <n>', `step budget (default ${DEFAULT_BUDGET.steps})`)
    .option('--memory <cells>', `memory budget in cells (default ${DEFAULT_BUDGET.memory})`)
    .option('--jit <mode>', 'JIT tier: auto (compile hot definitions), off, eager (docs/jit.md)', 'auto')
    .exitOverride()
    .action((path: string, args: string[], raw: Record<string, unknown>) => {
      const o = parseOptions(EvalOptions, raw);
      if (o.world && o.replay) throw new CaxError('E_USAGE', '--world and --replay exclude each other');
      const source = readText(ctx.io, path);
      const withSource = (e: unknown): never => {
        if (!(e instanceof CaxError) || ctx.json() || e.span?.file !== path) throw e;
        ctx.io.err(formatDiagnostic(e, source));
        throw new ShownError(e);
      };
      let loaded;
      let argExprs;
      try {
        const { program: prog, errors } = parseProgramAll(source, path);
        if (errors.length > 0) throw errors[0]!;
        loaded = loadProgram(prog);
        argExprs = args.map((a, i) => parseExpression(a, `<argument ${i + 1}>`));
      } catch (e) {
        return withSource(e);
      }
      const world = o.world ? parseWorld(readJson(ctx.io, o.world), o.world) : undefined;
      let handlers;
      let start = o.start;
      if (o.replay) {
        const rec = RecordedRun.safeParse(readJson(ctx.io, o.replay));
        if (!rec.success) throw new CaxError('E_USAGE', `${o.replay} is not a recorded run: ${rec.error.issues[0]!.message}`);
        handlers = replayHandlers(rec.data.effects as LoggedEffect[], rec.data.latencies);
        start ??= rec.data.start;
      }
      start ??= world?.start ?? 0;
      const result = runMain(loaded, o.main, argExprs, { world, handlers, start, budget: { steps: o.steps, memory: o.memory }, jit: o.jit });
      const json = { ...runToJson(result), start, steps: result.steps, memory: result.memory };
      const human = () =>
        [
          result.error ? `error: ${result.error.format()}` : `${result.shown!} :: ${result.type}`,
          ...(result.effects.length > 0 ? ['effects:', ...result.effects.map(describeEffect)] : []),
          `clock: ${result.clock}  steps: ${result.steps}`,
        ].join('\n');
      if (result.error) {
        const error = new CaxError(result.error.code, result.error.message, { span: result.error.span, details: json });
        if (ctx.json()) throw error;
        ctx.io.out(human());
        throw new ShownError(error);
      }
      ctx.emit(json, human);
    });
};
