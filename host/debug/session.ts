// The `cax debug` command language (docs/debugging.md): one session over one
// recorded run. Positions are the run's events (calls of the program's
// definitions and effects, record.ts) plus "start" and "end"; forward and
// backward moves pick the target event from the recording, and the state at
// it (arguments, effect log, clock) is rebuilt by replay, so `rstep` lands
// exactly where the `step` before it started. Each command line gives one
// reply: its human text and its JSON form; a bad command is a reply with an
// error code, and the session goes on.
import { CaxError } from '../errors.js';
import { showValue } from '../tel/values.js';
import type { EffectEntry } from '../tel/scheduler.js';
import type { RunResult } from '../tel/interp.js';
import { debuggee, recordRun, stopAt, type Debuggee, type Stop, type TraceEvent } from './record.js';
import { encodeSnapshot, runWithSnapshots, type RunSpec } from './snapshot.js';
import { WatchList, type WatchBreakpoint } from './watch.js';
import { Timeline, type Answer } from './timeline.js';

type Breakpoint =
  | { readonly id: number; readonly kind: 'definition'; readonly name: string }
  | { readonly id: number; readonly kind: 'line'; readonly line: number; readonly name: string }
  | { readonly id: number; readonly kind: 'effect'; readonly effect: string; readonly timeline: string | null }
  | { readonly id: number; readonly kind: 'time'; readonly time: number }
  | WatchBreakpoint;

const EFFECT_KINDS = ['deposit', 'withdraw', 'transfer', 'observe', 'emit'];

export class DebugSession extends Timeline<TraceEvent> {
  private readonly d: Debuggee;
  private recorded: readonly TraceEvent[];
  private readonly result: RunResult;
  /** The watch expressions (their ids are their breakpoints'). */
  private readonly watches = new WatchList();
  private stop: Stop | null = null;
  private readonly breakpoints: Breakpoint[] = [];
  private nextId = 1;
  private readonly lines: readonly string[];

  constructor(
    spec: RunSpec,
    /** Writes a file for `snapshot FILE` (relative to the command's directory). */
    private readonly write: (path: string, bytes: Uint8Array) => void,
  ) {
    super();
    this.d = debuggee(spec);
    const { events, result } = recordRun(this.d);
    this.recorded = events;
    this.result = result;
    this.lines = spec.source.split('\n');
  }

  protected get events(): readonly TraceEvent[] {
    return this.recorded;
  }

  protected command(verb: string, args: readonly string[]): Answer {
    switch (verb) {
      case 'break':
      case 'b':
        return this.addBreakpoint(args);
      case 'delete':
        return this.deleteBreakpoint(args);
      case 'breakpoints':
        return { text: this.breakpoints.map((b) => `${b.id}: ${describeBreakpoint(b)}`).join('\n') || 'no breakpoints', data: { breakpoints: this.breakpoints } };
      case 'locals':
      case 'args':
        return this.showLocals();
      case 'print':
      case 'p':
        return this.print(args);
      case 'effects':
        return this.showEffects();
      case 'clock':
        return this.showClock();
      case 'where':
        return this.describe();
      case 'list':
        return this.list();
      case 'snapshot':
        return this.snapshot(args);
      case 'watch':
        return this.addWatch(args);
      case '':
        return this.describe();
      default:
        throw new CaxError(
          'E_USAGE',
          `unknown command ${verb} (step next finish continue, rstep rnext rfinish rcontinue, break watch delete breakpoints, locals print effects clock where list snapshot quit)`,
        );
    }
  }

  protected move(to: number): Answer {
    this.pos = to;
    this.stop = to >= 0 && to < this.events.length ? stopAt(this.d, this.events[to]!) : null;
    return this.watches.report(this.describe(), this.events, this.pos);
  }

  protected hits(e: TraceEvent): boolean {
    const prev = e.index > 0 ? this.events[e.index - 1]! : null;
    return this.breakpoints.some((b) => {
      switch (b.kind) {
        case 'definition':
        case 'line':
          return e.kind === 'call' && e.name === b.name;
        case 'effect':
          return e.kind === 'effect' && e.name === b.effect && (b.timeline === null || e.timeline === b.timeline);
        case 'time':
          return e.clock >= b.time && (prev === null || prev.clock < b.time);
        case 'watch':
          return this.watches.hits(e.index, b.id);
      }
    });
  }

  private addBreakpoint(args: readonly string[]): Answer {
    const [what, arg] = args;
    let b: Breakpoint;
    if (what === 'effect') {
      const [effect = '', timeline] = (arg ?? '').split('@');
      if (!EFFECT_KINDS.includes(effect)) throw new CaxError('E_BREAKPOINT', `no effect kind ${JSON.stringify(effect)} (${EFFECT_KINDS.join(', ')})`);
      b = { id: this.nextId++, kind: 'effect', effect, timeline: timeline ?? null };
    } else if (what === 'time') {
      const time = Number(arg);
      if (!Number.isInteger(time) || time < 0) throw new CaxError('E_BREAKPOINT', `a logical time is a non-negative integer, not ${JSON.stringify(arg)}`);
      b = { id: this.nextId++, kind: 'time', time };
    } else if (what !== undefined && /^\d+$/.test(what)) {
      const line = Number(what);
      const decl = [...this.d.decls.values()].find((x) => x.equations.some((eq) => eq.span.line <= line && line <= (eq.span.endLine ?? eq.span.line)));
      if (!decl || decl.equations[0]!.params.length === 0) throw new CaxError('E_BREAKPOINT', `no function definition at line ${line}`);
      b = { id: this.nextId++, kind: 'line', line, name: decl.name };
    } else {
      const decl = what === undefined ? undefined : this.d.decls.get(what);
      if (!decl) throw new CaxError('E_BREAKPOINT', `no definition ${what ?? '(none given)'} in ${this.d.spec.file}`);
      if (decl.equations[0]!.params.length === 0) throw new CaxError('E_BREAKPOINT', `${decl.name} is a value, not a function: break on the calls of a function`);
      b = { id: this.nextId++, kind: 'definition', name: decl.name };
    }
    this.breakpoints.push(b);
    return { text: `breakpoint ${b.id}: ${describeBreakpoint(b)}`, data: { breakpoint: b } };
  }

  /** `watch EXPR` (watch.ts): the run's events are marked again with its values. */
  private addWatch(args: readonly string[]): Answer {
    const { breakpoint, answer } = this.watches.watch(this.d, this.nextId, args, () => (this.rewatch(), this.events), this.pos);
    this.nextId++;
    this.breakpoints.push(breakpoint);
    return answer;
  }

  /** Records the run again with the watches' values and marks where each changes. */
  private rewatch(): void {
    const { events } = recordRun(this.d, this.watches.all);
    if (events.length !== this.events.length) throw new CaxError('E_SNAPSHOT', `the run recorded again has ${events.length} events, not ${this.events.length}`);
    this.recorded = events;
    this.watches.mark(events);
  }

  private deleteBreakpoint(args: readonly string[]): Answer {
    const i = this.breakpoints.findIndex((b) => String(b.id) === args[0]);
    if (i < 0) throw new CaxError('E_BREAKPOINT', `no breakpoint ${args[0] ?? '(none given)'}`);
    const [removed] = this.breakpoints.splice(i, 1);
    if (removed!.kind === 'watch') {
      this.watches.remove(removed!.id);
      this.rewatch();
    }
    return { text: `deleted breakpoint ${args[0]!}`, data: { deleted: Number(args[0]) } };
  }

  private requireStop(): Stop {
    if (!this.stop) throw new CaxError('E_USAGE', this.pos < 0 ? 'the run has not started: step or continue first' : 'the run has ended');
    return this.stop;
  }

  /** The call's arguments with their types, then the binders in scope where it returns. */
  private showLocals(): Answer {
    const s = this.requireStop();
    const args = s.locals.map((l) => `${l.name} = ${l.value} :: ${l.type}`).join('\n') || '(no arguments here)';
    const scope = s.scope.length > 0 ? `\nin scope where it returns:\n${s.scope.map((b) => `  ${b.name} = ${b.value} :: ${b.type}`).join('\n')}` : '';
    return { text: `${args}${scope}`, data: { locals: s.locals, scope: s.scope } };
  }

  /** An argument of the call (with its type), else a binder in scope where it returns. */
  private print(args: readonly string[]): Answer {
    const s = this.requireStop();
    const l = s.locals.find((x) => x.name === args[0]);
    if (l) return { text: `${l.name} = ${l.value} :: ${l.type}`, data: { local: l } };
    const b = s.scope.find((x) => x.name === args[0]);
    if (b) return { text: `${b.name} = ${b.value} :: ${b.type}`, data: { binder: b } };
    throw new CaxError('E_UNBOUND', `${args[0] ?? '(no name)'} is neither an argument of ${s.event.name} nor bound where it returns (print shows those)`);
  }

  /** The effect log at the position: before the current event, or the whole log at the end. */
  private logHere(): readonly EffectEntry[] {
    if (this.stop) return this.stop.log;
    return this.pos < 0 ? [] : this.result.effects;
  }

  private showEffects(): Answer {
    const log = this.logHere();
    return { text: log.map(describeEffect).join('\n') || '(no effects yet)', data: { effects: log } };
  }

  private clockHere(): number {
    if (this.stop) return this.stop.event.clock;
    return this.pos < 0 ? (this.d.spec.start ?? this.d.spec.world?.start ?? 0) : this.result.clock;
  }

  private showClock(): Answer {
    return { text: `clock: ${this.clockHere()}`, data: { clock: this.clockHere() } };
  }

  private describe(): Answer {
    if (this.pos < 0) return { text: `at the start (${this.events.length} events recorded)`, data: { at: 'start', events: this.events.length } };
    if (!this.stop) {
      const r = this.result;
      const end = r.error ? `error: ${r.error.format()}` : `${r.shown!} :: ${r.type}`;
      return {
        text: `the run has ended: ${end}\nclock: ${r.clock}  steps: ${r.steps}  effects: ${r.effects.length}`,
        data: { at: 'end', value: r.shown, type: r.type, error: r.error?.toJSON() ?? null, clock: r.clock, steps: r.steps },
      };
    }
    const e = this.stop.event;
    const what =
      e.kind === 'call' ? `call ${e.name} ${this.stop.locals.map((l) => `${l.name}=${l.value}`).join(' ')}`.trimEnd() : `effect ${e.effects}: ${describeEffect(this.result.effects[e.effects]!)}`;
    const line = e.kind === 'call' ? this.d.decls.get(e.name)!.equations[0]!.span.line : null;
    const source = line === null ? '' : `\n  ${this.d.spec.file}:${line}  ${this.lines[line - 1]!.trim()}`;
    return { text: `#${e.index} ${what}  [depth ${e.depth}, clock ${e.clock}, effects ${e.effects}, steps ${e.steps}]${source}`, data: { at: e, locals: this.stop.locals, line } };
  }

  private list(): Answer {
    const e = this.requireStop().event;
    if (e.kind !== 'call') throw new CaxError('E_USAGE', 'an effect has no source line here: list works at calls');
    const line = this.d.decls.get(e.name)!.equations[0]!.span.line;
    const from = Math.max(1, line - 2);
    const to = Math.min(this.lines.length, line + 4);
    const shown: string[] = [];
    for (let i = from; i <= to; i++) shown.push(`${i === line ? '>' : ' '}${String(i).padStart(4)} | ${this.lines[i - 1]!}`);
    return { text: shown.join('\n'), data: { file: this.d.spec.file, line, from, to } };
  }

  /** Writes the snapshot at the nearest effect boundary at or before the position (docs/debugging.md). */
  private snapshot(args: readonly string[]): Answer {
    const path = args[0];
    if (!path) throw new CaxError('E_USAGE', 'snapshot FILE');
    const e = this.stop?.event;
    const boundary = e ? (e.kind === 'effect' ? e.effects : e.effects - 1) : this.pos < 0 ? -1 : this.result.effects.length - 1;
    if (boundary < 0) throw new CaxError('E_USAGE', 'no effect boundary at or before this point');
    const snap = runWithSnapshots(this.d.spec, (i) => i === boundary).snapshots[0]!;
    const { bytes, id } = encodeSnapshot(snap);
    this.write(path, bytes);
    return { text: `snapshot ${id} before effect ${boundary} written to ${path}`, data: { id, boundary, bytes: bytes.length } };
  }
}

function describeBreakpoint(b: Breakpoint): string {
  switch (b.kind) {
    case 'definition':
      return `calls of ${b.name}`;
    case 'line':
      return `line ${b.line} (calls of ${b.name})`;
    case 'effect':
      return `effect ${b.effect}${b.timeline ? ` on ${b.timeline}` : ''}`;
    case 'time':
      return `logical time ${b.time}`;
    case 'watch':
      return `${b.expression} changes`;
  }
}

/** An effect of the log as the debuggers print it. */
export function describeEffect(e: EffectEntry): string {
  const where = e.timeline === null ? '' : ` on ${e.timeline}`;
  const outcome = e.error ? ` failed ${e.error.code}` : e.result === null ? '' : ` -> ${showValue(e.result)}`;
  return `t=${e.time} ${e.kind} ${e.args.map((a) => JSON.stringify(a)).join(' ')}${where}${outcome}${e.rolledBack ? ' (rolled back)' : ''}`;
}
