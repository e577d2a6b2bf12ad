// Profiles a stored definition on the interpreter as `cax run` runs it: in
// the executor's context tree, each `invoke` of a stored definition in a
// child context with its own grant. The machine's steps are attributed as
// for a file (collect-interp.ts), stored definitions named by their store
// names; the resource graphs have one series per context — its compute
// (steps) and memory (bytes) against its grant at each effect, and at the
// end what it consumed in all.
import { CaxError } from '../errors.js';
import { Executor, type ContextUse } from '../execution/executor.js';
import { OPEN_POLICY, type Policy } from '../execution/policy.js';
import type { Hash } from '../store/hash.js';
import type { Repository } from '../store/repository.js';
import type { Machine } from '../tel/machine.js';
import type { WorldInput } from '../tel/world.js';
import { InterpCollector } from './collect-interp.js';
import { CodeLabels } from './labels.js';
import { MetricsRecorder } from './metrics.js';
import type { EffectSpan, Profile } from './model.js';
import { ProbedWorld, type ContextSample } from './world-probe.js';

export interface StoredProfileRequest {
  readonly repo: Repository;
  readonly hash: Hash;
  /** TEL expressions passed to the definition. */
  readonly args: readonly string[];
  readonly world?: WorldInput;
  readonly policy?: Policy;
  readonly metrics?: MetricsRecorder;
}

const sampleOf = (u: ContextUse): ContextSample => ({
  context: `${u.context} ${u.label}`,
  grant: { compute: u.limits.computeSteps, memory: u.limits.memoryBytes },
  compute: u.used.computeSteps,
  memory: u.used.memoryBytes,
});

export async function profileStored(req: StoredProfileRequest): Promise<Profile> {
  const metrics = req.metrics ?? new MetricsRecorder();
  const showName = (name: string): string => (name.startsWith('@') ? (req.repo.namesOf(name.slice(1))[0] ?? name.slice(0, 13)) : name);
  let collector: InterpCollector | null = null;
  let machine: Machine | null = null;
  let probe: ProbedWorld | null = null;
  const start = req.world?.start ?? 0;
  const result = await new Executor({ repo: req.repo, policy: req.policy ?? OPEN_POLICY }).executeByHash(req.hash, {
    args: req.args,
    ...(req.world ? { world: req.world } : {}),
    profile: {
      attach(m, loaded) {
        machine = m;
        collector = new InterpCollector(new CodeLabels(loaded, showName));
        return collector.attach(m);
      },
      wrap(handlers, contexts) {
        probe = new ProbedWorld(handlers, () => contexts().map(sampleOf), metrics, 'bytes');
        probe.sample(start);
        return probe;
      },
    },
  });
  // the run never reached the machine (a refused invocation, a type error in the arguments)
  if (collector === null || machine === null || probe === null) throw result.error ?? new CaxError('E_INTERNAL', 'the executor ran no interpreter');
  const m: Machine = machine;
  const c: InterpCollector = collector;
  const p: ProbedWorld = probe;
  const { frames, root, edges } = c.finish(m.steps);
  const charged = frames.reduce((s, f) => s + f.self, 0);
  if (charged !== m.steps) throw new CaxError('E_INTERNAL', `the profile charged ${charged} steps of the run's ${m.steps}`);
  frames[0]!.total = m.steps;
  // the contexts' totals at the end, as the executor reported them when it closed them
  p.record(
    result.clock,
    result.contexts
      .filter((r) => r.hash !== undefined)
      .map((r) => ({
        context: `${r.context} ${r.name ?? `@${r.hash!.slice(0, 12)}`}`,
        grant: { compute: r.limits.computeSteps ?? 0, memory: r.limits.memoryBytes ?? 0 },
        compute: r.consumed.computeSteps ?? 0,
        memory: r.consumed.memoryBytes ?? 0,
      })),
  );
  const effects: EffectSpan[] = result.effects.map((e) => ({ kind: e.kind, timeline: e.timeline, args: e.args, start: e.start, end: e.time, failed: e.error !== undefined }));
  return {
    title: `${result.name ?? `@${req.hash.slice(0, 12)}`} ${req.args.join(' ')}`.trim(),
    backend: 'interp',
    unit: 'steps',
    total: m.steps,
    frames,
    tree: root,
    edges,
    effects,
    clock: { start, end: result.clock },
    resources: p.resources(),
    metrics: metrics.all(),
    repeated: [...c.repeats].map(([frame, repeats]) => ({ frame, calls: frames[frame]!.calls, repeats, pure: false })),
    lines: [],
    outcome: result.error ? result.error.code : (result.value ?? ''),
  };
}
