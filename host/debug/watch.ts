// Watch expressions of `cax debug` (docs/debugging.md): a TEL expression over
// the arguments of the program's definitions and its global names. It is in
// scope at the calls of every definition whose parameters include all of its
// free names that are not global (a bare argument name is the simplest
// watch), type-checked there once, and evaluated at each such call on a
// machine of its own (so the debugged run's steps and memory are untouched)
// under a small budget: an evaluation that fails shows as `<E_CODE>`. A
// watch whose names are not all parameters of one definition is a binder
// watch: evaluated at every call where each of its names is an argument of
// the call or bound where the call returns to (`let`/`where`, `do` binders,
// the enclosing parameters: record.ts), type-checked ahead against the
// inferred types of the program's binders of those names (E_TYPE when no
// choice of them types it) and at each such call against the types of the
// binders it sees there (`<E_TYPE>` when it is ill-typed there). A
// WatchList keeps a session's watches along its recorded events: where each
// changes (its hits) and what was last printed at a stop — the same for the
// interpreter's session (session.ts) and the compiled run's (iss-session.ts).
import { CaxError, type SourceSpan } from '../errors.js';
import type { Decl, Expr } from '../tel/ast.js';
import { compileExpression, type Globals } from '../tel/compile.js';
import { freeNames } from '../tel/deps.js';
import { checkExpression } from '../tel/infer.js';
import { binderKey } from '../tel/infer.js';
import { compiledHash } from '../tel/interp.js';
import { Machine, type Budget } from '../tel/machine.js';
import { parseExpression } from '../tel/parser.js';
import { prune, schemeToString, typeToString, type Scheme, type Type } from '../tel/types.js';
import { showValue, type Value } from '../tel/values.js';
import type { Debuggee, ScopedValue } from './record.js';
import type { Answer } from './timeline.js';

/** What one evaluation of a watch may use: a watch is a look at the state, not a computation of its own. */
export const WATCH_BUDGET: Budget = { steps: 1_000_000, memory: 1_000_000 };

export interface Watch {
  readonly id: number;
  readonly text: string;
  readonly expr: Expr;
  /** The definitions at whose calls it is evaluated: their parameter positions by name (the free names it uses). */
  readonly scopes: ReadonlyMap<string, ReadonlyMap<string, number>>;
  /** A binder watch (no definition has all its names as parameters): its free names that are not global; else empty. */
  readonly binders: readonly string[];
}

/** Parses `text`, finds the definitions it is in scope at and type-checks it there (E_PARSE, E_BREAKPOINT, E_TYPE). */
export function compileWatch(d: Debuggee, id: number, text: string): Watch {
  const span: SourceSpan = { file: '<watch>', line: 1, col: 1 };
  const expr = parseExpression(text, '<watch>');
  const wrapper: Decl = { name: '$watch', signature: null, equations: [{ name: '$watch', params: [], rhs: { tag: 'Plain', expr }, where: [], span }], span };
  const free = [...freeNames(wrapper)];
  const scopes = new Map<string, ReadonlyMap<string, number>>();
  let typeError: CaxError | null = null;
  for (const decl of d.decls.values()) {
    const params = new Map<string, number>();
    decl.equations[0]!.params.forEach((p, i) => p.tag === 'PVar' && params.set(p.name, i));
    if (params.size === 0 || !free.every((n) => params.has(n) || d.loaded.types.has(n))) continue;
    const used = new Map(free.filter((n) => params.has(n)).map((n) => [n, params.get(n)!]));
    try {
      const t = prune(checkExpression(expr, scopeTypes(d, decl, used), d.loaded.resolver.hashTypes));
      if (t.tag === 'con' && t.name === 'Effect') throw new CaxError('E_TYPE', `a watch is a value; ${text} is an effect (${typeToString(t)})`, { span });
      scopes.set(decl.name, used);
    } catch (e) {
      if (!(e instanceof CaxError)) throw e;
      typeError ??= e;
    }
  }
  if (typeError && scopes.size === 0) throw typeError;
  const binders = scopes.size === 0 ? free.filter((n) => !d.loaded.types.has(n)) : [];
  if (scopes.size === 0 && binders.length === 0) throw new CaxError('E_BREAKPOINT', `${text} uses no argument or binder: a watch looks at a call's arguments or the binders in scope there`);
  if (binders.length > 0) checkBinderWatch(d, text, expr, binders);
  return { id, text, expr, scopes, binders };
}

/** The most choices of binder types a binder watch is checked against ahead. */
const MAX_BINDER_CHOICES = 256;

/** The type error of `expr` with the `binders` typed by `types` (name → scheme), or null when it is a value there. */
function binderTypeError(d: Debuggee, text: string, expr: Expr, types: ReadonlyMap<string, Scheme>): CaxError | null {
  try {
    const t = prune(checkExpression(expr, new Map([...d.loaded.types, ...types]), d.loaded.resolver.hashTypes));
    return t.tag === 'con' && t.name === 'Effect' ? new CaxError('E_TYPE', `a watch is a value; ${text} is an effect (${typeToString(t)})`) : null;
  } catch (e) {
    if (!(e instanceof CaxError)) throw e;
    return e;
  }
}

/**
 * Ahead of the run: E_TYPE when the watch is ill-typed for every choice of a declared binder per name (the
 * program's binders of those names, their inferred types); a name no binder has is left to the run (E_BREAKPOINT).
 */
function checkBinderWatch(d: Debuggee, text: string, expr: Expr, binders: readonly string[]): void {
  const candidates = binders.map((name) => [...new Map([...d.binderTypes].filter(([key]) => key.endsWith(`:${name}`)).map(([, s]) => [schemeToString(s), s])).values()]);
  if (candidates.some((c) => c.length === 0)) return;
  let choices: Map<string, Scheme>[] = [new Map()];
  binders.forEach((name, i) => {
    choices = choices.flatMap((m) => candidates[i]!.map((s) => new Map(m).set(name, s))).slice(0, MAX_BINDER_CHOICES);
  });
  let first: CaxError | null = null;
  for (const choice of choices) {
    const error = binderTypeError(d, text, expr, choice);
    if (error === null) return;
    first ??= error;
  }
  if (first) throw first;
}

/** The checker's scope at a call of `decl`: the globals, and the used parameters typed by the definition's type (its type variables kept general). */
function scopeTypes(d: Debuggee, decl: Decl, used: ReadonlyMap<string, number>): ReadonlyMap<string, Scheme> {
  const scheme = d.loaded.types.get(decl.name);
  const types = new Map(d.loaded.types);
  const params: Type[] = [];
  for (let t: Type | null = scheme ? prune(scheme.type) : null; t && t.tag === 'con' && t.name === '->'; t = prune(t.args[1]!)) params.push(t.args[0]!);
  for (const [name, i] of used) {
    const type = params[i];
    if (!scheme || !type) throw new CaxError('E_TYPE', `the type of argument ${name} of ${decl.name} is not known`);
    types.set(name, { vars: scheme.vars, type });
  }
  return types;
}

/**
 * The watch's value (shown) at a call of `definition` with `args`, or undefined when it is not in scope there; a
 * binder watch sees the call's arguments (by parameter name) and the binders `scope` gives (where the call returns).
 */
export function evaluateWatch(d: Debuggee, w: Watch, definition: string, args: readonly Value[], scope?: () => ReadonlyMap<string, ScopedValue>): string | undefined {
  const used = w.scopes.get(definition);
  let locals: Map<string, Value>;
  if (used) locals = new Map([...used].map(([name, i]) => [name, args[i]!]));
  else if (w.binders.length > 0 && scope) {
    const seen = new Map([...scope()].map(([name, b]) => [name, b]));
    d.decls.get(definition)?.equations[0]!.params.forEach((p, i) => p.tag === 'PVar' && seen.set(p.name, { value: args[i]!, key: binderKey(p.name, p.span) }));
    if (!w.binders.every((n) => seen.has(n))) return undefined;
    // checked against the types of the binders seen here (those whose declaration the frames tell)
    const types = new Map(
      w.binders.flatMap((n) => {
        const key = seen.get(n)!.key;
        const scheme = key === undefined ? undefined : d.binderTypes.get(key);
        return scheme ? [[n, scheme] as const] : [];
      }),
    );
    const error = types.size === w.binders.length ? binderTypeError(d, w.text, w.expr, types) : null;
    if (error) return `<${error.code}>`;
    locals = new Map([...seen].map(([name, b]) => [name, b.value]));
  } else return undefined;
  const globals: Globals = { lookup: (n) => (locals.has(n) ? locals.get(n) : d.loaded.globals.lookup(n)) };
  const machine = new Machine(WATCH_BUDGET, (hash, at) => compiledHash(d.loaded, hash, at));
  try {
    const { code, frame } = compileExpression(w.expr, globals);
    return showValue(machine.evaluate(code, machine.newFrame(frame.size, null)));
  } catch (e) {
    if (!(e instanceof CaxError)) throw e;
    return `<${e.code}>`;
  }
}

/** One change of a watch's value at a stop, as the sessions print it. */
export interface WatchChange {
  readonly id: number;
  readonly expression: string;
  readonly value: string | null;
  readonly was: string | null;
}

/** A watch as a session's breakpoint: it hits where the value changes. */
export interface WatchBreakpoint {
  readonly id: number;
  readonly kind: 'watch';
  readonly expression: string;
}

/** An event as a watch list reads it: the values of the watches in scope there, by watch id. */
interface Watched {
  readonly watched?: Readonly<Record<number, string>>;
}

/** A session's watches: their values along the recorded events, where each changes (its hits), and what was last printed at a stop. */
export class WatchList {
  private readonly byId = new Map<number, Watch>();
  /** For each event, the watches whose value differs from their previous evaluation. */
  private changed: readonly ReadonlySet<number>[] = [];
  /** Each watch's value as last printed at a stop. */
  private readonly shown = new Map<number, string | undefined>();

  get all(): readonly Watch[] {
    return [...this.byId.values()];
  }

  private add(w: Watch): void {
    this.byId.set(w.id, w);
  }

  remove(id: number): void {
    this.byId.delete(id);
    this.shown.delete(id);
  }

  /** Marks, for each event, the watches whose value differs from their previous evaluation. */
  mark(events: readonly Watched[]): void {
    const last = new Map<number, string>();
    this.changed = events.map((e) => {
      const hits = new Set<number>();
      for (const [key, value] of Object.entries(e.watched ?? {})) {
        const id = Number(key);
        if (last.has(id) && last.get(id) !== value) hits.add(id);
        last.set(id, value);
      }
      return hits;
    });
  }

  /**
   * `watch EXPR` in a session over `d`'s program: compiles the watch as breakpoint `id` and adds it, lets `rewatch`
   * record the events with its values (the watch is removed again when that fails), and answers with the definitions
   * it is in scope at and its value at `pos`.
   */
  watch(d: Debuggee, id: number, args: readonly string[], rewatch: () => readonly Watched[], pos: number): { readonly breakpoint: WatchBreakpoint; readonly answer: Answer } {
    const text = args.join(' ');
    if (text === '') throw new CaxError('E_USAGE', 'watch EXPR (an expression over the arguments of a definition)');
    const watch = compileWatch(d, id, text);
    this.add(watch);
    let events: readonly Watched[];
    try {
      events = rewatch();
    } catch (e) {
      this.remove(id);
      throw e;
    }
    if (watch.binders.length > 0 && !events.some((e) => e.watched?.[id] !== undefined)) {
      this.remove(id);
      rewatch();
      throw new CaxError(
        'E_BREAKPOINT',
        `no call of the run has ${watch.binders.join(', ')} in scope (the arguments of a definition, the let/where and do binders where a call returns; on the iss also the arguments of a lambda or local function)`,
      );
    }
    const breakpoint: WatchBreakpoint = { id, kind: 'watch', expression: text };
    const value = this.valueAt(events, pos, id);
    this.printed(id, value);
    const scopes = [...watch.scopes.keys()];
    const where = watch.binders.length > 0 ? `calls with ${watch.binders.join(', ')} in scope` : `calls of ${scopes.join(', ')}`;
    return {
      breakpoint,
      answer: {
        text: `watchpoint ${id}: ${text} changes, evaluated at ${where}${value === undefined ? '' : ` (now ${value})`}`,
        data: { breakpoint, scopes, value: value ?? null },
      },
    };
  }

  /** Whether watch `id` changes at event `index` (a watch breakpoint hits there). */
  hits(index: number, id: number): boolean {
    return this.changed[index]?.has(id) === true;
  }

  /** A watch's value at `pos`: at the latest event at or before it where the watch was in scope (undefined before the first). */
  valueAt(events: readonly Watched[], pos: number, id: number): string | undefined {
    for (let i = Math.min(pos, events.length - 1); i >= 0; i--) {
      const v = events[i]!.watched?.[id];
      if (v !== undefined) return v;
    }
    return undefined;
  }

  /** Records `value` as what was printed of watch `id` (when it is set). */
  private printed(id: number, value: string | undefined): void {
    this.shown.set(id, value);
  }

  /** The watches whose value at `pos` differs from the one last printed, now printed. */
  changesAt(events: readonly Watched[], pos: number): WatchChange[] {
    return this.all.flatMap((w) => {
      const value = this.valueAt(events, pos, w.id);
      const was = this.shown.get(w.id);
      if (value === was) return [];
      this.shown.set(w.id, value);
      return [{ id: w.id, expression: w.text, value: value ?? null, was: was ?? null }];
    });
  }

  /** `here`, with a line for each watch that changed at this stop (and the changes as `watches` in its data). */
  report(here: Answer, events: readonly Watched[], pos: number): Answer {
    const changes = this.changesAt(events, pos);
    if (changes.length === 0) return here;
    const lines = changes.map((c) => `watch ${c.id}: ${c.expression} = ${c.value ?? '(not evaluated yet)'}${c.was === null ? '' : ` (was ${c.was})`}`);
    return { text: [here.text, ...lines].join('\n'), data: { ...here.data, watches: changes } };
  }
}
