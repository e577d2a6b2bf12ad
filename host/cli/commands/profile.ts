// `cax profile REF|FILE [ARGS…]`: profiles a TEL definition on the
// interpreter (steps) or compiled on the ISS or the simulated core (cycles) and writes the
// profile as speedscope JSON, a Chrome trace, an SVG flame graph or a
// self-contained HTML report; prints the bottlenecks (docs/profiling.md).
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { z } from 'zod';
import { CaxError } from '../../errors.js';
import { storedResolver } from '../../coprocessor/stored.js';
import { bottlenecks } from '../../profile/bottlenecks.js';
import { toChromeTrace } from '../../profile/chrome-trace.js';
import { flameGraphSvg } from '../../profile/flamegraph.js';
import { htmlReport } from '../../profile/html-report.js';
import type { Profile } from '../../profile/model.js';
import { DEFAULT_CYCLES, profileCompiled } from '../../profile/profile-compiled.js';
import { profileInterp } from '../../profile/profile-interp.js';
import { profileStored } from '../../profile/profile-stored.js';
import { toSpeedscope } from '../../profile/speedscope.js';
import { Loader } from '../../store/loader.js';
import type { Hash } from '../../store/hash.js';
import type { Repository } from '../../store/repository.js';
import type { Program } from '../../tel/ast.js';
import type { Resolver } from '../../tel/interp.js';
import { DEFAULT_BUDGET } from '../../tel/machine.js';
import { parseProgram } from '../../tel/parser.js';
import { parseWorld } from '../../tel/world.js';
import { readJson, readText } from '../files.js';
import { parseOptions } from '../options.js';
import type { Register } from '../program.js';
import { withStore } from './store.js';

export const PROFILE_FORMATS = ['html', 'svg', 'speedscope', 'chrome'] as const;
type ProfileFormat = (typeof PROFILE_FORMATS)[number];

const ProfileOptions = z.object({
  main: z
    .string()
    .regex(/^[a-z_][A-Za-z0-9_']*$/, 'a definition name')
    .default('main'),
  world: z.string().min(1).optional(),
  start: z.coerce.number().int().min(0).max(2147483647).optional(),
  backend: z.enum(['interp', 'iss', 'sim']).default('interp'),
  format: z.enum(PROFILE_FORMATS).optional(),
  output: z.string().min(1).optional(),
  steps: z.coerce.number().int().positive().default(DEFAULT_BUDGET.steps),
  memory: z.coerce.number().int().positive().default(DEFAULT_BUDGET.memory),
  cycles: z.coerce.number().int().positive().default(DEFAULT_CYCLES),
});

/** The format: given, else from the output's extension (.html, .svg; .json needs --format), else html. */
function formatFor(format: ProfileFormat | undefined, output: string | undefined): ProfileFormat {
  if (format) return format;
  const ext = output ? extname(output).toLowerCase() : '.html';
  if (ext === '.html' || ext === '.htm') return 'html';
  if (ext === '.svg') return 'svg';
  throw new CaxError('E_USAGE', `cannot tell the format of ${output}: give --format ${PROFILE_FORMATS.join('|')}`);
}

export function renderProfile(p: Profile, format: ProfileFormat): string {
  switch (format) {
    case 'html':
      return htmlReport(p);
    case 'svg':
      return `${flameGraphSvg(p)}\n`;
    case 'speedscope':
      return `${JSON.stringify(toSpeedscope(p))}\n`;
    case 'chrome':
      return `${JSON.stringify(toChromeTrace(p))}\n`;
  }
}

/** A stored definition's hash; E_USAGE when `ref` is neither a file nor in the store. */
function storedTarget(repo: Repository, ref: string): Hash {
  try {
    return new Loader(repo).find(ref).hash;
  } catch (e) {
    if (e instanceof CaxError && e.code === 'E_NOT_FOUND') throw new CaxError('E_USAGE', `${ref} is neither a file nor a stored definition: ${e.message}`);
    throw e;
  }
}

export const registerProfile: Register = (program, ctx) => {
  program
    .command('profile <target> [args...]')
    .description(
      'profile a TEL definition (a .tel FILE with --main, or a stored REF) applied to ARGS: steps on the interpreter or cycles on the ISS per definition, as HTML, SVG flame graph, speedscope or Chrome trace (docs/profiling.md)',
    )
    .option('--main <name>', 'with a FILE: the definition to run', 'main')
    .option('--world <file>', 'the world as JSON: balances, facts, latencies, start (docs/tel.md)')
    .option('--start <ms>', "logical start time in milliseconds (default: the world's, else 0)")
    .option('--backend <name>', 'interp (steps), or the cycles of the compiled code on iss or sim (the Verilator model, from its retirement trace)', 'interp')
    .option('--format <format>', `output format: ${PROFILE_FORMATS.join(', ')} (default: from the output's extension, else html)`)
    .option('-o, --output <file>', 'where to write the profile (default: only print the bottlenecks)')
    .option('--steps <n>', `interp: step budget (default ${DEFAULT_BUDGET.steps})`)
    .option('--memory <cells>', `interp: memory budget in cells (default ${DEFAULT_BUDGET.memory})`)
    .option('--cycles <n>', `iss, sim: cycle budget (default ${DEFAULT_CYCLES})`)
    .exitOverride()
    .action(async (target: string, args: string[], raw: Record<string, unknown>) => {
      const o = parseOptions(ProfileOptions, raw);
      const format = formatFor(o.format, o.output);
      const world = o.world ? parseWorld(readJson(ctx.io, o.world), o.world) : undefined;
      const path = resolve(ctx.io.cwd, target);
      const profileOf = (prog: Program, main: string, resolver?: Resolver): Promise<Profile> | Profile => {
        const common = { program: prog, main, args, ...(resolver ? { resolver } : {}), ...(world ? { world } : {}), ...(o.start === undefined ? {} : { start: o.start }) };
        return o.backend !== 'interp' ? profileCompiled({ ...common, backend: o.backend, cycles: o.cycles }) : profileInterp({ ...common, budget: { steps: o.steps, memory: o.memory } });
      };
      const profile =
        existsSync(path) && statSync(path).isFile()
          ? await profileOf(parseProgram(readText(ctx.io, target), target), o.main)
          : await withStore(ctx, (repo) => {
              const hash = storedTarget(repo, target);
              // on the interpreter as `cax run` runs it: in the executor's contexts, a resource graph per context
              if (o.backend === 'interp')
                return profileStored({ repo, hash, args, ...(world || o.start !== undefined ? { world: { ...world, ...(o.start === undefined ? {} : { start: o.start }) } } : {}) });
              const { linked, resolver } = storedResolver(repo, hash);
              return profileOf({ file: `@${linked.root.hash.slice(0, 12)}`, decls: [linked.root.decl] }, linked.root.decl.name, resolver);
            });
      if (o.output) writeFileSync(resolve(ctx.io.cwd, o.output), renderProfile(profile, format));
      const findings = bottlenecks(profile);
      const json = {
        title: profile.title,
        backend: profile.backend,
        unit: profile.unit,
        total: profile.total,
        outcome: profile.outcome,
        clock: profile.clock,
        definitions: [...profile.frames]
          .sort((a, b) => b.self - a.self)
          .map((f) => ({ name: f.name, where: f.where, kind: f.kind, self: f.self, total: f.total, calls: f.calls, loopIterations: f.selfTailCalls, alloc: f.alloc })),
        findings,
        metrics: profile.metrics,
        ...(o.output ? { output: o.output, format } : {}),
      };
      ctx.emit(json, () =>
        [
          `${profile.title} on ${profile.backend}: ${profile.total} ${profile.unit}, outcome ${profile.outcome}`,
          ...findings.map((f) => `  ${f.kind}: ${f.text}`),
          ...(o.output ? [`wrote ${o.output} (${format})`] : []),
        ].join('\n'),
      );
    });
};
