// Pattern variables the type checker shows to be Ints (CodegenOptions.inferredInts, docs/compiler.md "Inferred
// Ints"): the checker's type of each binder, read once the whole program is checked, is Int — or a type
// variable of a let-polymorphic local function that every use of that function instantiates at Int (the merge
// sort's `go`, whose elements are its type variable, is used once, at [Int]). A local function's code runs only
// where the program uses it, so there its variable holds an Int in every run; a top-level function's variables are
// not refined that way (the host and stored definitions may call it at any type). Binders are found by their span
// object and name in the program's own declarations, so the prelude's and stored definitions' binders, checked
// elsewhere, are never taken for them.
import type { SourceSpan } from '../errors.js';
import type { Decl, Program } from '../tel/ast.js';
import { binderKey, checkProgramAll, type HashTypes } from '../tel/infer.js';
import { prelude } from '../tel/prelude.js';
import { prune, type Scheme, type TVar, type Type } from '../tel/types.js';

/** Which pattern variables (name and declaring span) hold an Int whenever the code that binds them runs. */
export interface IntBinders {
  has(name: string, span: SourceSpan): boolean;
}

export const NO_INT_BINDERS: IntBinders = { has: () => false };

/** The AST nodes under `node` that `pick` takes (spans are not looked into). */
function collect(node: unknown, pick: (o: Record<string, unknown>) => boolean, out: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (Array.isArray(node)) {
    for (const x of node) collect(x, pick, out);
    return out;
  }
  if (node === null || typeof node !== 'object') return out;
  const o = node as Record<string, unknown>;
  if (pick(o)) out.push(o);
  for (const [k, v] of Object.entries(o)) if (k !== 'span') collect(v, pick, out);
  return out;
}

const isInt = (t: Type): boolean => {
  const p = prune(t);
  return p.tag === 'con' && p.rigid === undefined && p.name === 'Int' && p.args.length === 0;
};

/** The type each quantified variable of `s` takes in its instance `t` (the instance is `s.type` with them replaced). */
function instanceOf(s: Scheme, t: Type, out = new Map<TVar, Type>()): Map<TVar, Type> {
  const walk = (general: Type, inst: Type): void => {
    const g = prune(general);
    const i = prune(inst);
    if (g.tag === 'var') {
      if (s.vars.includes(g)) out.set(g, i);
      return;
    }
    if (i.tag === 'con' && i.name === g.name && i.args.length === g.args.length) g.args.forEach((a, k) => walk(a, i.args[k]!));
  };
  walk(s.type, t);
  return out;
}

/** The program's pattern variables that are Ints (see the top of the file); the program must type-check. */
export function inferredInts(program: Program, hashTypes?: HashTypes): IntBinders {
  const binders = new Map<string, Scheme>();
  const instances = new Map<Scheme, Type[]>();
  const { errors } = checkProgramAll(program, { globals: prelude().types, hashTypes, binders, instances });
  if (errors.length > 0) throw errors[0]!;
  const top = new Set<unknown>(program.decls);
  const locals = new Set<Scheme>();
  for (const d of collect(program.decls, (o) => o.tag === undefined && typeof o.name === 'string' && Array.isArray(o.equations)) as unknown as Decl[]) {
    const s = top.has(d) ? undefined : binders.get(binderKey(d.name, d.span));
    if (s !== undefined) locals.add(s);
  }
  // a variable is an Int when every scheme that quantifies it is a local function's and every use instantiates it at Int
  const ints = new Set<TVar>();
  const not = new Set<TVar>();
  for (const [s, uses] of instances) {
    const found = uses.map((u) => instanceOf(s, u));
    for (const v of s.vars) {
      if (locals.has(s) && found.every((m) => m.has(v) && isInt(m.get(v)!))) ints.add(v);
      else not.add(v);
    }
  }
  const int = (t: Type): boolean => {
    const p = prune(t);
    return isInt(p) || (p.tag === 'var' && ints.has(p) && !not.has(p));
  };
  const found = new Map<SourceSpan, Set<string>>();
  for (const p of collect(program.decls, (o) => o.tag === 'PVar')) {
    const name = p.name as string;
    const span = p.span as SourceSpan;
    const s = binders.get(binderKey(name, span));
    if (s === undefined || !int(s.type)) continue;
    const names = found.get(span) ?? new Set<string>();
    names.add(name);
    found.set(span, names);
  }
  return { has: (name, span) => found.get(span)?.has(name) === true };
}
