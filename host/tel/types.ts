// TEL types for Hindley–Milner inference: mutable type variables with levels
// (for let-generalisation) and class bits (numeric, ordered, concatenable —
// the overloading of + == ++ without user-defined classes), unification with
// occurs check, schemes, and printing in signature syntax. Types share
// structure (a type is a graph: `let x2 = (x1, x1)` points twice at x1's
// type), and every walk visits a shared part once, so a type whose printed
// form is exponential costs time linear in its graph. The checker's work is
// metered (`TypeMeter`) and the printed size of a definition's type is
// bounded (MAX_TYPE_SIZE): past either, E_TYPE_SIZE.
import { CaxError, type SourceSpan } from '../errors.js';
import type { TypeExpr, TypeScheme } from './ast.js';

/** Largest type a definition may have, in parts (constructors and variables of its printed form). */
export const MAX_TYPE_SIZE = 10_000;

/** Work units of one check: a fixed allowance plus this many per expression checked (legitimate programs use a few dozen). */
export const TYPE_WORK_BASE = 5_000_000;
export const TYPE_WORK_PER_NODE = 20_000;

/**
 * Meters the checker's work (every node a unification, occurs check, instantiation or generalisation visits):
 * one meter per check, the allowance growing with the program checked; past it, E_TYPE_SIZE at `span`.
 */
export class TypeMeter {
  used = 0;
  limit = TYPE_WORK_BASE;
  /** Where the checker is (the expression being checked), for the error. */
  span: SourceSpan | undefined = undefined;

  /** Another expression to check: more allowance. */
  node(span: SourceSpan): void {
    this.limit += TYPE_WORK_PER_NODE;
    this.span = span;
  }

  charge(units: number): void {
    this.used += units;
    if (this.used > this.limit) {
      throw new CaxError('E_TYPE_SIZE', `type checking needs more than ${this.limit} steps here: the types grow too large (a chain of definitions that doubles its type?)`, {
        ...(this.span ? { span: this.span } : {}),
        details: { limit: this.limit },
      });
    }
  }
}

/** The meter of the check in progress (checks do not nest: one runs at a time, synchronously). */
let meter = new TypeMeter();

/** Runs `check` with a fresh meter. */
export function metered<T>(check: (m: TypeMeter) => T): T {
  const saved = meter;
  meter = new TypeMeter();
  try {
    return check(meter);
  } finally {
    meter = saved;
  }
}

/** Class bits a type variable carries. NUM implies ORD (Int and Double are ordered). */
export const NUM = 1;
export const ORD = 2;
export const CAT = 4;

export interface TVar {
  readonly tag: 'var';
  readonly id: number;
  ref: Type | null;
  level: number;
  cls: number;
}

export interface TCon {
  readonly tag: 'con';
  /** Int Double Bool Text Hash () List Tuple -> Effect, or a rigid signature variable. */
  readonly name: string;
  readonly args: readonly Type[];
  /** A signature's type variable while its definition is checked: equal only to itself; `cls` says what it may do. */
  readonly rigid?: { readonly display: string; readonly cls: number };
}

export type Type = TVar | TCon;

export interface Scheme {
  readonly vars: readonly TVar[];
  readonly type: Type;
}

let nextId = 0;

export function freshVar(level: number, cls = 0): TVar {
  return { tag: 'var', id: nextId++, ref: null, level, cls };
}

export function con(name: string, ...args: Type[]): TCon {
  return { tag: 'con', name, args };
}

export const INT = con('Int');
export const DOUBLE = con('Double');
export const BOOL = con('Bool');
export const TEXT = con('Text');
export const HASH = con('Hash');
export const UNIT = con('()');
export const listOf = (t: Type): TCon => con('List', t);
export const tupleOf = (items: readonly Type[]): TCon => con('Tuple', ...items);
export const fn = (a: Type, b: Type): TCon => con('->', a, b);
export const effect = (t: Type): TCon => con('Effect', t);

export function prune(t: Type): Type {
  let r = t;
  while (r.tag === 'var' && r.ref !== null) r = r.ref;
  if (t !== r && t.tag === 'var') t.ref = r;
  return r;
}

/** Raised by unify; the inferencer turns it into an E_TYPE with span and both types. */
export class Mismatch extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** The occurs check, lowering levels on the way; each shared part is visited once. */
function occursAndLower(v: TVar, t: Type): void {
  const seen = new Set<TCon>();
  const stack: Type[] = [t];
  while (stack.length > 0) {
    meter.charge(1);
    const p = prune(stack.pop()!);
    if (p.tag === 'var') {
      if (p === v) throw new Mismatch('infinite type');
      if (p.level > v.level) p.level = v.level;
      continue;
    }
    if (seen.has(p)) continue;
    seen.add(p);
    for (const a of p.args) stack.push(a);
  }
}

function clsName(cls: number): string {
  if (cls & NUM) return 'numeric';
  if (cls & CAT) return cls & ORD ? 'comparable and concatenable' : 'concatenable (Text or a list)';
  return 'comparable';
}

/** Requires `t` to support the class bits `cls`, constraining its variables. */
export function require(t: Type, cls: number, seen: Set<TCon> = new Set()): void {
  if (cls === 0) return;
  meter.charge(1);
  const p = prune(t);
  if (p.tag === 'var') {
    p.cls |= cls;
    return;
  }
  if (p.rigid) {
    if ((p.rigid.cls & cls) !== cls) throw new Mismatch(`${p.rigid.display} must be ${clsName(cls)}: add it to the signature's context`);
    return;
  }
  const ok = (bits: number): boolean => (cls & ~bits) === 0;
  switch (p.name) {
    case 'Int':
    case 'Double':
      if (!ok(NUM | ORD)) break;
      return;
    case 'Bool':
    case 'Hash':
    case '()':
      if (!ok(ORD)) break;
      return;
    case 'Text':
      if (!ok(ORD | CAT)) break;
      return;
    case 'List':
      if (!ok(ORD | CAT)) break;
      if (cls & ORD && !seen.has(p)) {
        seen.add(p);
        require(p.args[0]!, ORD, seen);
      }
      return;
    case 'Tuple':
      if (!ok(ORD)) break;
      if (!seen.has(p)) {
        seen.add(p);
        for (const a of p.args) require(a, ORD, seen);
      }
      return;
    default:
      break;
  }
  throw new Mismatch(`${typeToString(p)} is not ${clsName(cls)}`);
}

/** Unifies two types; a pair of shared parts is unified once (`done`), so shared types unify in time linear in their graphs. */
export function unify(a: Type, b: Type, done: Map<TCon, Set<TCon>> = new Map()): void {
  meter.charge(1);
  const x = prune(a);
  const y = prune(b);
  if (x === y) return;
  if (x.tag === 'var') return bindVar(x, y);
  if (y.tag === 'var') return bindVar(y, x);
  if (x.name !== y.name || x.args.length !== y.args.length || (x.rigid ?? y.rigid)) throw new Mismatch('types differ');
  if (x.args.length === 0) return;
  let partners = done.get(x);
  if (partners?.has(y)) return;
  if (!partners) done.set(x, (partners = new Set()));
  partners.add(y);
  for (let i = 0; i < x.args.length; i++) unify(x.args[i]!, y.args[i]!, done);
}

function bindVar(v: TVar, t: Type): void {
  if (t.tag === 'var') {
    if (t.level > v.level) t.level = v.level;
    t.cls |= v.cls;
    v.ref = t;
    return;
  }
  occursAndLower(v, t);
  require(t, v.cls);
  v.ref = t;
}

/** The size of a type's printed form (constructors and variables), counting shared parts each time; stops counting past `cap`. */
export function typeSize(t: Type, cap = MAX_TYPE_SIZE): number {
  const sizes = new Map<TCon, number>();
  // a type deeper than `cap` is larger than `cap`: the recursion stops there
  const size = (u: Type, depth: number): number => {
    meter.charge(1);
    const p = prune(u);
    if (p.tag === 'var' || p.args.length === 0) return 1;
    if (depth > cap) return cap + 1;
    const known = sizes.get(p);
    if (known !== undefined) return known;
    let n = 1;
    for (const a of p.args) n = Math.min(cap + 1, n + size(a, depth + 1));
    sizes.set(p, n);
    return n;
  };
  return size(t, 0);
}

/** Generalizes `t` at `level`: its variables above the level become the scheme's; each shared part is walked once. */
export function generalize(t: Type, level: number): Scheme {
  const vars = new Set<TVar>();
  const seen = new Set<TCon>();
  const stack: Type[] = [t];
  while (stack.length > 0) {
    meter.charge(1);
    const p = prune(stack.pop()!);
    if (p.tag === 'var') {
      if (p.level > level) vars.add(p);
      continue;
    }
    if (seen.has(p)) continue;
    seen.add(p);
    for (let i = p.args.length - 1; i >= 0; i--) stack.push(p.args[i]!);
  }
  return { vars: [...vars], type: t };
}

/** A fresh instance of a scheme: shared parts stay shared in the copy, parts without the scheme's variables are not copied. */
export function instantiate(s: Scheme, level: number): Type {
  if (s.vars.length === 0) return s.type;
  const map = new Map<TVar, TVar>();
  for (const v of s.vars) map.set(v, freshVar(level, v.cls));
  const copies = new Map<TCon, Type>();
  const copy = (u: Type): Type => {
    meter.charge(1);
    const p = prune(u);
    if (p.tag === 'var') return map.get(p) ?? p;
    if (p.args.length === 0) return p;
    const known = copies.get(p);
    if (known !== undefined) return known;
    const args = p.args.map(copy);
    const out = args.every((a, i) => a === p.args[i]) ? p : { ...p, args };
    copies.set(p, out);
    return out;
  };
  return copy(s.type);
}

export const monoScheme = (t: Type): Scheme => ({ vars: [], type: t });

/** Converts a signature to a scheme; with `rigidLevel` its variables become rigid (for checking a definition against it). */
export function schemeFromSignature(sig: TypeScheme, level: number, rigid: boolean): Scheme {
  const vars = new Map<string, Type>();
  const clsOf = (name: string): number => sig.constraints.filter((c) => c.name === name).reduce((m, c) => m | (c.cls === 'Num' ? NUM | ORD : c.cls === 'Ord' ? ORD : CAT), 0);
  const conv = (t: TypeExpr): Type => {
    switch (t.tag) {
      case 'TCon':
        return con(t.name === 'Time' ? 'Int' : t.name, ...t.args.map(conv));
      case 'TVar': {
        let v = vars.get(t.name);
        if (!v) {
          v = rigid ? { tag: 'con', name: `${t.name}#${nextId++}`, args: [], rigid: { display: t.name, cls: clsOf(t.name) } } : freshVar(level, clsOf(t.name));
          vars.set(t.name, v);
        }
        return v;
      }
      case 'TFun':
        return fn(conv(t.from), conv(t.to));
      case 'TList':
        return listOf(conv(t.elem));
      case 'TTuple':
        return t.items.length === 0 ? UNIT : tupleOf(t.items.map(conv));
    }
  };
  const type = conv(sig.type);
  return { vars: rigid ? [] : [...vars.values()].filter((v): v is TVar => v.tag === 'var'), type };
}

/** Longest printed type; a longer one ends with `…` (error messages about huge types stay short). */
const MAX_PRINTED = 2_000;

/** Prints types in TEL signature syntax, naming variables a, b, c … in order of appearance. */
export function typeToString(t: Type, names: Map<number, string> = new Map()): string {
  let printed = 0;
  const nameOf = (v: TVar): string => {
    let n = names.get(v.id);
    if (!n) {
      const i = names.size;
      n = String.fromCharCode(97 + (i % 26)) + (i >= 26 ? String(Math.floor(i / 26)) : '');
      names.set(v.id, n);
    }
    return n;
  };
  const go = (u: Type, ctx: 'top' | 'arg' | 'fnleft'): string => {
    if (++printed > MAX_PRINTED) return '…';
    const p = prune(u);
    if (p.tag === 'var') return nameOf(p);
    if (p.rigid) return p.rigid.display;
    switch (p.name) {
      case 'List':
        return `[${go(p.args[0]!, 'top')}]`;
      case 'Tuple':
        return `(${p.args.map((a) => go(a, 'top')).join(', ')})`;
      case '->': {
        const s = `${go(p.args[0]!, 'fnleft')} -> ${go(p.args[1]!, 'top')}`;
        return ctx === 'top' ? s : `(${s})`;
      }
      case 'Effect': {
        const s = `Effect ${go(p.args[0]!, 'arg')}`;
        return ctx === 'arg' ? `(${s})` : s;
      }
      default:
        return p.name;
    }
  };
  const out = go(t, 'top');
  return out.length > MAX_PRINTED ? `${out.slice(0, MAX_PRINTED)}…` : out;
}

/** A scheme with its context: `Ord a => [a] -> a`. */
export function schemeToString(s: Scheme): string {
  const names = new Map<number, string>();
  const body = typeToString(s.type, names);
  const ctx: string[] = [];
  for (const v of s.vars) {
    const p = prune(v);
    if (p.tag !== 'var' || !names.has(p.id)) continue;
    const n = names.get(p.id)!;
    if (p.cls & NUM) ctx.push(`Num ${n}`);
    else if (p.cls & ORD) ctx.push(`Ord ${n}`);
    if (p.cls & CAT) ctx.push(`Concat ${n}`);
  }
  if (ctx.length === 0) return body;
  return `${ctx.length === 1 ? ctx[0]! : `(${ctx.join(', ')})`} => ${body}`;
}
