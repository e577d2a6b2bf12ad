// The debugger's view of a run (docs/debug.md): the run as a list of events —
// every interpreted call of one of the program's definitions and every effect
// just before it reaches the world — each with its continuation depth, steps,
// logical clock and how many effects were logged before it. `recordRun` runs
// once to list them (light: no values kept); `stopAt` rebuilds the full state
// at one event by replaying the run from its start and stopping there (runs
// are deterministic; the replay is checked against the recorded steps), so
// going backward is a replay exactly like going forward.
import { CaxError } from '../errors.js';
import type { Decl, Expr } from '../tel/ast.js';
import type { CLam } from '../tel/compile.js';
import { runMain, type LoadedProgram, type RunResult } from '../tel/interp.js';
import { DEFAULT_BUDGET } from '../tel/machine.js';
import type { EffectEntry } from '../tel/scheduler.js';
import { prune, typeToString, type Type } from '../tel/types.js';
import { showValue, type Value } from '../tel/values.js';
import { MemoryWorld } from '../tel/world.js';
import { atBoundaries, loadSpec, type RunSpec } from './snapshot.js';
import { evaluateWatch, type Watch } from './watch.js';

/** How many events a debugged run may have: past it the recording stops loudly. */
export const MAX_EVENTS = 200_000;

export interface TraceEvent {
  readonly index: number;
  readonly kind: 'call' | 'effect';
  /** The definition called, or the effect's kind. */
  readonly name: string;
  /** Continuation depth of a call (0 for effects, which the scheduler runs between evaluations). */
  readonly depth: number;
  readonly steps: number;
  readonly clock: number;
  /** Effects in the log before this event (for an effect event: its index in the log). */
  readonly effects: number;
  readonly timeline: string | null;
  /** The values (shown) of the watches in scope at this call, by watch id (recordRun's `watches`). */
  readonly watched?: Readonly<Record<number, string>>;
}

/** One argument of a stopped call: its parameter name, value and TEL type. */
export interface Local {
  readonly name: string;
  readonly value: string;
  readonly type: string;
}

/** The full state at an event, rebuilt by replay. */
export interface Stop {
  readonly event: TraceEvent;
  /** A call's arguments (empty at an effect). */
  readonly locals: readonly Local[];
  /** The effect log at the event (the effects before it). */
  readonly log: readonly EffectEntry[];
}

/** A loaded program ready to be run again and again. */
export interface Debuggee {
  readonly spec: RunSpec;
  readonly loaded: LoadedProgram;
  readonly args: readonly Expr[];
  /** The program's own definitions, by name. */
  readonly decls: ReadonlyMap<string, Decl>;
}

export function debuggee(spec: RunSpec): Debuggee {
  const { loaded, args } = loadSpec(spec);
  return { spec, loaded, args, decls: new Map(loaded.program.decls.map((d) => [d.name, d])) };
}

/** Thrown by the hooks to end a replay at its target event (not a CaxError: it passes through the scheduler). */
class Reached extends Error {
  constructor(readonly stop: Stop) {
    super('reached');
  }
}

/** Thrown when a recording passes MAX_EVENTS. */
class TooLong extends Error {}

/** Runs the debuggee once; `visit` hears every event with a way to read its state, and may end the run by throwing. */
function run(d: Debuggee, visit: (event: TraceEvent, state: () => Omit<Stop, 'event'>, args: readonly Value[]) => void): RunResult {
  const world = new MemoryWorld(d.spec.world ?? {});
  let index = 0;
  let scheduler: { readonly clock: number; readonly log: readonly EffectEntry[] } | null = null;
  let machineSteps = (): number => 0;
  const handlers = atBoundaries(
    () => world,
    (kind, timeline) => {
      const s = scheduler!;
      const event: TraceEvent = { index: index++, kind: 'effect', name: kind, depth: 0, steps: machineSteps(), clock: s.clock, effects: s.log.length, timeline };
      visit(event, () => ({ locals: [], log: s.log.map((e) => ({ ...e })) }), []);
    },
  );
  return runMain(d.loaded, d.spec.main, d.args, {
    handlers,
    start: d.spec.start ?? d.spec.world?.start ?? 0,
    budget: d.spec.budget ?? DEFAULT_BUDGET,
    jit: 'off',
    attach: (machine, sched) => {
      scheduler = sched;
      machineSteps = () => machine.steps;
      machine.onCall = (lam: CLam, args: readonly Value[], depth: number) => {
        const decl = d.decls.get(lam.name);
        if (!decl || decl.equations[0]!.params.length !== args.length) return;
        const event: TraceEvent = { index: index++, kind: 'call', name: lam.name, depth, steps: machine.steps, clock: sched.clock, effects: sched.log.length, timeline: null };
        visit(event, () => ({ locals: localsOf(d, decl, args.map(showValue)), log: sched.log.map((e) => ({ ...e })) }), args);
      };
    },
  });
}

/** Runs the debuggee to its end and lists its events, with the values of the `watches` in scope at each call. */
export function recordRun(d: Debuggee, watches: readonly Watch[] = []): { readonly events: readonly TraceEvent[]; readonly result: RunResult } {
  const events: TraceEvent[] = [];
  try {
    const result = run(d, (e, _state, args) => {
      if (events.length >= MAX_EVENTS) throw new TooLong();
      const values =
        e.kind === 'call'
          ? watches.flatMap((w) => {
              const v = evaluateWatch(d, w, e.name, args);
              return v === undefined ? [] : [[w.id, v] as const];
            })
          : [];
      events.push(values.length > 0 ? { ...e, watched: Object.fromEntries(values) } : e);
    });
    return { events, result };
  } catch (e) {
    if (e instanceof TooLong) throw new CaxError('E_UNSUPPORTED', `debugging runs of more than ${MAX_EVENTS} calls and effects is not supported`);
    throw e;
  }
}

/** The state at `target`, rebuilt by replaying the run from its start. */
export function stopAt(d: Debuggee, target: TraceEvent): Stop {
  try {
    run(d, (event, state) => {
      if (event.index === target.index) throw new Reached({ event, ...state() });
    });
  } catch (e) {
    if (!(e instanceof Reached)) throw e;
    if (e.stop.event.steps !== target.steps || e.stop.event.name !== target.name) {
      throw new CaxError('E_SNAPSHOT', `the replay diverged at event ${target.index}: ${e.stop.event.name} after ${e.stop.event.steps} steps, recorded ${target.name} after ${target.steps}`);
    }
    return e.stop;
  }
  throw new CaxError('E_SNAPSHOT', `the replay ended before event ${target.index}`);
}

/** A call's arguments (`shown`) named after the definition's first equation (a pattern parameter is `argN`) and typed by its checked type. */
export function localsOf(d: Debuggee, decl: Decl, shown: readonly string[]): Local[] {
  const scheme = d.loaded.types.get(decl.name);
  const names = new Map<number, string>();
  let t: Type | null = scheme ? prune(scheme.type) : null;
  return shown.map((value, i) => {
    const p = decl.equations[0]!.params[i]!;
    let type = '?';
    if (t && t.tag === 'con' && t.name === '->') {
      type = typeToString(t.args[0]!, names);
      t = prune(t.args[1]!);
    }
    return { name: p.tag === 'PVar' ? p.name : `arg${i + 1}`, value, type };
  });
}
