// The debugger's view of a run (docs/debugging.md): the run as a list of events —
// every interpreted call of one of the program's definitions and every effect
// just before it reaches the world — each with its continuation depth, steps,
// logical clock and how many effects were logged before it. `recordRun` runs
// once to list them (light: no values kept); `stopAt` rebuilds the full state
// at one event by replaying the run from its start and stopping there (runs
// are deterministic; the replay is checked against the recorded steps), so
// going backward is a replay exactly like going forward. At a call, the
// binders in scope where its value returns to — the enclosing function's
// parameters, its `let`/`where` binders and the `do` binders bound so far,
// read from the frames the machine keeps — are visible to `print` and watches
// besides the call's arguments, each with its type as the checker inferred it
// for its declaration (the frame tells where each slot's binder is declared).
import { CaxError } from '../errors.js';
import type { Decl, Expr } from '../tel/ast.js';
import type { CLam, FrameInfo } from '../tel/compile.js';
import type { Env } from '../tel/runtime.js';
import { runMain, type LoadedProgram, type RunResult } from '../tel/interp.js';
import { DEFAULT_BUDGET } from '../tel/machine.js';
import { binderKey, checkProgramAll } from '../tel/infer.js';
import { prelude } from '../tel/prelude.js';
import type { EffectEntry } from '../tel/scheduler.js';
import { generalize, metered, prune, schemeToString, typeToString, type Scheme, type Type } from '../tel/types.js';
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

/** A name bound where a call's value returns to: a parameter, a `let`/`where` or a `do` binder, with its inferred type. */
export interface Binder {
  readonly name: string;
  readonly value: string;
  readonly type: string;
}

/** A binder's value in a frame, and the key of its declaration (infer.ts binderKey) when the frame tells it. */
export interface ScopedValue {
  readonly value: Value;
  readonly key: string | undefined;
}

/** The full state at an event, rebuilt by replay. */
export interface Stop {
  readonly event: TraceEvent;
  /** A call's arguments (empty at an effect). */
  readonly locals: readonly Local[];
  /** At a call, the binders in scope where its value returns to, innermost first (each name once). */
  readonly scope: readonly Binder[];
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
  /** The inferred scheme of every binder of the program, by binderKey. */
  readonly binderTypes: ReadonlyMap<string, Scheme>;
}

export function debuggee(spec: RunSpec): Debuggee {
  const { loaded, args } = loadSpec(spec);
  const inferred = new Map<string, Scheme>();
  checkProgramAll(loaded.program, { globals: prelude().types, hashTypes: loaded.resolver.hashTypes, binders: inferred });
  // closed over their type variables: a watch checked against them instantiates them and leaves them as they are
  const binderTypes = new Map([...inferred].map(([key, scheme]) => [key, metered(() => generalize(scheme.type, -1))]));
  return { spec, loaded, args, decls: new Map(loaded.program.decls.map((d) => [d.name, d])), binderTypes };
}

/** A binder's type as the checker inferred it (`?` when its declaration is not known). */
export function binderType(d: Debuggee, key: string | undefined): string {
  const scheme = key === undefined ? undefined : d.binderTypes.get(key);
  return scheme ? schemeToString(scheme) : '?';
}

/** Thrown by the hooks to end a replay at its target event (not a CaxError: it passes through the scheduler). */
class Reached extends Error {
  constructor(readonly stop: Stop) {
    super('reached');
  }
}

/** Thrown when a recording passes MAX_EVENTS. */
class TooLong extends Error {}

/** A binder name as the source wrote it (not one the desugaring made up). */
const SOURCE_NAME = /^[a-z_][A-Za-z0-9_']*$/;

/**
 * The name a binder has in the source, or undefined for one the desugaring made up. A lifted where-group is
 * renamed apart by the compiler (codegen.ts liftGroup: `go` becomes `go$12`, a binder of the same name inside
 * the group with it), so the suffix is dropped to show it as written.
 */
export function sourceName(name: string): string | undefined {
  const written = /^(.*)\$\d+$/.exec(name)?.[1] ?? name;
  return SOURCE_NAME.test(written) ? written : undefined;
}

/**
 * The names bound in `env` and the environments around it, innermost first (a name once: the innermost binding,
 * within a frame its latest slot), from the frames of calls `frames` knows; a slot not bound yet is left out.
 */
export function bindersIn(env: Env | null, frames: WeakMap<Env, FrameInfo>): Map<string, ScopedValue> {
  const found = new Map<string, ScopedValue>();
  for (let e = env; e !== null && e !== undefined; e = e[0] as Env | null) {
    const info = frames.get(e);
    const names = info?.names ?? [];
    for (let slot = names.length - 1; slot >= 1; slot--) {
      const written = names[slot];
      const name = written === undefined ? undefined : sourceName(written);
      if (name === undefined || found.has(name) || e[slot] === undefined) continue;
      const span = info?.spans?.[slot];
      found.set(name, { value: e[slot] as Value, key: span === undefined ? undefined : binderKey(name, span) });
    }
  }
  return found;
}

/** Runs the debuggee once; `visit` hears every event with a way to read its state and, at a call, its arguments and the binders in scope where it returns; it may end the run by throwing. */
function run(d: Debuggee, visit: (event: TraceEvent, state: () => Omit<Stop, 'event'>, args: readonly Value[], scope: () => Map<string, ScopedValue>) => void): RunResult {
  const world = new MemoryWorld(d.spec.world ?? {});
  let index = 0;
  let scheduler: { readonly clock: number; readonly log: readonly EffectEntry[] } | null = null;
  let machineSteps = (): number => 0;
  const handlers = atBoundaries(
    () => world,
    (kind, timeline) => {
      const s = scheduler!;
      const event: TraceEvent = { index: index++, kind: 'effect', name: kind, depth: 0, steps: machineSteps(), clock: s.clock, effects: s.log.length, timeline };
      visit(
        event,
        () => ({ locals: [], scope: [], log: s.log.map((e) => ({ ...e })) }),
        [],
        () => new Map(),
      );
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
      // the frames of the calls so far, with the names of their slots
      const frames = new WeakMap<Env, FrameInfo>();
      machine.onFrame = (frame, info) => frames.set(frame, info);
      machine.onCall = (lam: CLam, args: readonly Value[], depth: number, frame: Env, site: Env | null) => {
        frames.set(frame, lam.frame);
        const decl = d.decls.get(lam.name);
        if (!decl || decl.equations[0]!.params.length !== args.length) return;
        const event: TraceEvent = { index: index++, kind: 'call', name: lam.name, depth, steps: machine.steps, clock: sched.clock, effects: sched.log.length, timeline: null };
        const scope = (): Map<string, ScopedValue> => bindersIn(site, frames);
        const state = () => ({
          locals: localsOf(d, decl, args.map(showValue)),
          scope: [...scope()].map(([name, b]) => ({ name, value: showValue(b.value), type: binderType(d, b.key) })),
          log: sched.log.map((e) => ({ ...e })),
        });
        visit(event, state, args, scope);
      };
    },
  });
}

/** Runs the debuggee to its end and lists its events, with the values of the `watches` in scope at each call. */
export function recordRun(d: Debuggee, watches: readonly Watch[] = []): { readonly events: readonly TraceEvent[]; readonly result: RunResult } {
  const events: TraceEvent[] = [];
  try {
    const result = run(d, (e, _state, args, scope) => {
      if (events.length >= MAX_EVENTS) throw new TooLong();
      const values =
        e.kind === 'call'
          ? watches.flatMap((w) => {
              const v = evaluateWatch(d, w, e.name, args, scope);
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
