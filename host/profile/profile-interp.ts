// Profiles a TEL definition on the reference interpreter: loads the program,
// runs `main ARGS…` with the collector attached (JIT off: the same steps)
// and the world probed, and assembles the Profile: frames, call tree and
// graph, effects in logical time, steps and cells against the budget over
// logical time, metrics and repeated pure calls. The frames' exclusive steps
// add up to the run's steps exactly (checked: E_INTERNAL otherwise).
import { CaxError } from '../errors.js';
import type { Program } from '../tel/ast.js';
import { loadProgram, runMain, type Resolver } from '../tel/interp.js';
import { DEFAULT_BUDGET, type Budget, type Machine } from '../tel/machine.js';
import { parseExpression } from '../tel/parser.js';
import { typeToString } from '../tel/types.js';
import { MemoryWorld, type WorldInput } from '../tel/world.js';
import { InterpCollector } from './collect-interp.js';
import { CodeLabels } from './labels.js';
import { MetricsRecorder } from './metrics.js';
import type { EffectSpan, Profile, RepeatedCalls } from './model.js';
import { ProbedWorld } from './world-probe.js';

export interface ProfileRequest {
  readonly program: Program;
  /** Resolves the program's `@hash` references (a stored definition's closure). */
  readonly resolver?: Resolver;
  readonly main: string;
  /** TEL expressions passed to `main`. */
  readonly args: readonly string[];
  readonly world?: WorldInput;
  readonly start?: number;
  readonly budget?: Budget;
  /** Where host code records its own metrics during the run (default: a fresh recorder). */
  readonly metrics?: MetricsRecorder;
}

export function profileInterp(req: ProfileRequest): Profile {
  const loaded = loadProgram(req.program, req.resolver);
  const argExprs = req.args.map((a, i) => parseExpression(a, `<argument ${i + 1}>`));
  const collector = new InterpCollector(new CodeLabels(loaded));
  const metrics = req.metrics ?? new MetricsRecorder();
  const budget = req.budget ?? DEFAULT_BUDGET;
  let machine: Machine | null = null;
  const grant = { compute: budget.steps, memory: budget.memory };
  const usage = () => [{ context: 'root', grant, compute: machine?.steps ?? 0, memory: machine?.heap ?? 0 }];
  const probe = new ProbedWorld(new MemoryWorld(req.world ?? {}), usage, metrics, 'cells');
  const start = req.start ?? req.world?.start ?? 0;
  probe.sample(start);
  const r = runMain(loaded, req.main, argExprs, {
    handlers: probe,
    start,
    budget,
    profile: {
      attach(m) {
        machine = m;
        return collector.attach(m);
      },
    },
  });
  probe.sample(r.clock);
  const { frames, root, edges } = collector.finish(r.steps);
  const charged = frames.reduce((s, f) => s + f.self, 0);
  if (charged !== r.steps) throw new CaxError('E_INTERNAL', `the profile charged ${charged} steps of the run's ${r.steps}`);
  frames[0]!.total = r.steps;

  const repeated: RepeatedCalls[] = [...collector.repeats].map(([frame, repeats]) => {
    const scheme = loaded.types.get(frames[frame]!.name);
    return { frame, calls: frames[frame]!.calls, repeats, pure: scheme !== undefined && !typeToString(scheme.type).includes('Effect') };
  });
  const effects: EffectSpan[] = r.effects.map((e) => ({ kind: e.kind, timeline: e.timeline, args: e.args, start: e.start, end: e.time, failed: e.error !== undefined }));
  return {
    title: `${req.main} ${req.args.join(' ')}`.trim(),
    backend: 'interp',
    unit: 'steps',
    total: r.steps,
    frames,
    tree: root,
    edges,
    effects,
    clock: { start, end: r.clock },
    resources: probe.resources(),
    metrics: metrics.all(),
    repeated,
    lines: [],
    outcome: r.error ? r.error.code : (r.shown ?? ''),
  };
}
