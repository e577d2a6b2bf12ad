// Watch expressions of `cax debug` (docs/debug.md): a TEL expression over
// the arguments of the program's definitions and its global names. It is in
// scope at the calls of every definition whose parameters include all of its
// free names that are not global (a bare argument name is the simplest
// watch), type-checked there once, and evaluated at each such call on a
// machine of its own (so the debugged run's steps and memory are untouched)
// under a small budget: an evaluation that fails shows as `<E_CODE>`.
import { CaxError, type SourceSpan } from '../errors.js';
import type { Decl, Expr } from '../tel/ast.js';
import { compileExpression, type Globals } from '../tel/compile.js';
import { freeNames } from '../tel/deps.js';
import { checkExpression } from '../tel/infer.js';
import { compiledHash } from '../tel/interp.js';
import { Machine, type Budget } from '../tel/machine.js';
import { parseExpression } from '../tel/parser.js';
import { prune, typeToString, type Scheme, type Type } from '../tel/types.js';
import { showValue, type Value } from '../tel/values.js';
import type { Debuggee } from './record.js';

/** What one evaluation of a watch may use: a watch is a look at the state, not a computation of its own. */
export const WATCH_BUDGET: Budget = { steps: 1_000_000, memory: 1_000_000 };

export interface Watch {
  readonly id: number;
  readonly text: string;
  readonly expr: Expr;
  /** The definitions at whose calls it is evaluated: their parameter positions by name (the free names it uses). */
  readonly scopes: ReadonlyMap<string, ReadonlyMap<string, number>>;
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
  if (scopes.size === 0) {
    if (typeError) throw typeError;
    throw new CaxError('E_BREAKPOINT', `no definition of ${d.spec.file} has ${free.filter((n) => !d.loaded.types.has(n)).join(', ') || 'any arguments'} as arguments`);
  }
  return { id, text, expr, scopes };
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

/** The watch's value (shown) at a call of `definition` with `args`, or undefined when it is not in scope there. */
export function evaluateWatch(d: Debuggee, w: Watch, definition: string, args: readonly Value[]): string | undefined {
  const used = w.scopes.get(definition);
  if (!used) return undefined;
  const locals = new Map([...used].map(([name, i]) => [name, args[i]!]));
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
