// TEL AST → RV32IM code. Each function (top-level definition with
// parameters, local function, lambda, operator section) becomes one code
// block with a frame (docs/compiler.md): arguments in the caller's outgoing
// area at s0+8i, locals and temporaries at s0-24-8k, captured variables in
// the closure (env) object. Free variables are converted to captures when a
// closure is built; patterns with guards compile to test-and-branch chains
// that fall through to the next clause; calls of known functions with all
// their arguments are direct, and in tail position become jumps; every other
// application goes through the runtime's rt_apply.
import { CaxError, unsupported, type SourceSpan } from '../errors.js';
import { TIME_UNITS, type Alt, type BinaryOp, type Decl, type Equation, type Expr, type Literal, type Pattern, type Stmt, type TypeExpr, type TypeScheme } from '../tel/ast.js';
import { bindingGroups, freeNames } from '../tel/deps.js';
import { Asm, REG, type BranchOp, type Reg } from './asm.js';
import { ARG_REGS, directEntry, RegisterFacts } from './calls.js';
import { freshAccumulator } from './fresh.js';
import { fusePipeline } from './fuse.js';
import { literalIntParams } from './int-params.js';
import { NO_INT_BINDERS, type IntBinders } from './inferred-ints.js';
import { renameIn } from './namespace.js';
import { emitInlineAlloc, emitRememberReversed, emitWritten, INLINE_ALLOC_MAX_BYTES } from './inline-alloc.js';
import { ALLOC_STATE, EFFECT_KIND, ERR, SETTLE, TAG, T_ERROR_SITE_BITS } from './layout.js';
import { FrameMaps } from './frame-maps.js';
import { SlotMapRecorder, type BinderHome } from './slot-map.js';
import { applicationSpine } from './spine.js';

/** The mcycle CSR (docs/soc.md): cycles of the current run, zeroed by the loader. */
const MCYCLE = 0xb00;

const { zero, ra, sp, t0, t1, t2, s0, a0, a1, a2, a3, a4, a5, s11 } = REG;

/** The largest object rt_alloc_small takes (8 * ALLOC_CLASSES of firmware/tel-runtime/tel.h: the free lists' sizes). */
const SMALL_OBJECT_BYTES = 8 * ALLOC_STATE.classes;
/**
 * The arguments a continuation's callers leave room for in their outgoing area: rt_call's area is a multiple of 16
 * bytes, rt_settle's 16 (entry.S SETTLE_STACK), so a continuation of one parameter can jump to a function of two.
 */
const CONTINUATION_AREA = 2;

/** The runtime's entry points the code calls. */
const RT = {
  alloc: 'rt_alloc',
  allocFilled: 'rt_alloc_filled',
  allocSmall: 'rt_alloc_small',
  allocCarve: 'rt_alloc_carve',
  apply: 'rt_apply',
  arith: 'rt_arith',
  negate: 'rt_negate',
  abs: 'rt_abs',
  compare: 'rt_compare',
  rememberReversed: 'rt_remember_reversed',
  append: 'rt_append',
  show: 'rt_show',
  toDouble: 'rt_to_double',
  truncate: 'rt_truncate',
  fail: 'rt_fail',
  hashOf: 'rt_hash_of',
  overflow: 'rt_stack_overflow',
  cycles: 'rt_out_of_cycles',
} as const;

/** Builtins that are one call into the runtime with their argument in a0/a1. */
const RUNTIME_PRIMS: Readonly<Record<string, string>> = {
  toDouble: RT.toDouble,
  truncate: RT.truncate,
  primShow: RT.show,
  hashOf: RT.hashOf,
  primNegate: RT.negate,
  primAbs: RT.abs,
};

/** Effect node kinds (layout.ts EFFECT_KIND) of the effect builtins and of the desugared `>>`, `<|`, `do`. */
const EFFECT_PRIMS: Readonly<Record<string, { kind: number; arity: number }>> = {
  return: { kind: EFFECT_KIND.PURE, arity: 1 },
  fail: { kind: EFFECT_KIND.FAIL, arity: 1 },
  now: { kind: EFFECT_KIND.NOW, arity: 0 },
  emit: { kind: EFFECT_KIND.EMIT, arity: 1 },
  after: { kind: EFFECT_KIND.AFTER, arity: 2 },
  at: { kind: EFFECT_KIND.AT, arity: 2 },
  within: { kind: EFFECT_KIND.WITHIN, arity: 2 },
  timeout: { kind: EFFECT_KIND.WITHIN, arity: 2 },
  race: { kind: EFFECT_KIND.RACE, arity: 2 },
  '%bind': { kind: EFFECT_KIND.BIND, arity: 2 },
  '%choice': { kind: EFFECT_KIND.CHOICE, arity: 2 },
  '%par': { kind: EFFECT_KIND.PAR, arity: 2 },
  '%ledger': { kind: EFFECT_KIND.LEDGER, arity: 6 },
  '%observe': { kind: EFFECT_KIND.OBSERVE, arity: 2 },
  '%invoke': { kind: EFFECT_KIND.INVOKE, arity: 2 },
};

/** Builtins compiled inline, with their arity (others of host/tel/builtins.ts are E_UNSUPPORTED here). */
const PRIMS: Readonly<Record<string, number>> = {
  mod: 2,
  toDouble: 1,
  truncate: 1,
  primShow: 1,
  primNegate: 1,
  primAbs: 1,
  primTextLength: 1,
  primEmpty: 1,
  hashOf: 1,
  ...Object.fromEntries(Object.entries(EFFECT_PRIMS).map(([name, e]) => [name, e.arity])),
};

export interface CodegenOptions {
  /** Fold operators on literal operands at compile time. */
  readonly constantFolding: boolean;
  /** Direct calls and tail jumps for known functions (off: every call goes through rt_apply). */
  readonly directCalls: boolean;
  /** Inline saturated calls of small non-recursive top-level functions (one equation, variable parameters). */
  readonly inlining: boolean;
  /**
   * Keep the first parameters (a variable or a wildcard in every equation, a variable in one) of loops (functions that call themselves in tail
   * position) in callee-saved register pairs instead of frame slots; a self tail call writes them directly.
   */
  readonly registers: boolean;
  /**
   * Use the types: where an operand is known to be an Int (docs/compiler.md "Ints known from the types"), no tag test;
   * quiet Int arithmetic on payloads in registers; Int comparisons in conditions as one branch.
   */
  readonly typedInts: boolean;
  /** Check mcycle against the cycle budget (s10) at function entries and loop back edges (default on; off in proving images, docs/proofs.md). */
  readonly budgetChecks?: boolean;
  /**
   * A list pattern skips the constructor test where the clauses before it tell the constructor: a clause whose only
   * refutable pattern is `[]` (or a cons of variables) on a value, without guards, fell through only if the value is a
   * cons (or `[]`) (default on).
   */
  readonly knownConstructors?: boolean;
  /**
   * A tail call's arguments that are literals or variables go straight into the parameters (in an order that reads
   * each parameter before it is overwritten; one of a cycle goes through a slot), not first into frame slots
   * (default on).
   */
  readonly directArguments?: boolean;
  /**
   * A lambda without captures is a static closure (no allocation), and a top-level function called with such a
   * lambda for a parameter that is a variable in every equation is compiled again for it (a specialisation, one per
   * function and lambdas): in it, calls of that parameter are direct calls of the lambda's code, or its body inlined
   * (CodegenOptions.inlining) — `map (\x -> x * 3) xs` calls no closure through the generic path (default on).
   */
  readonly specialize?: boolean;
  /**
   * Build cons cells, tuples and lists straight from their items (default on): items that are literals, local
   * variables or quiet Int arithmetic are written into the new object after it is allocated, not first into frame
   * slots; only the others wait in slots.
   */
  readonly directObjects?: boolean;
  /** `h : t` where `(h : t)` is a cons pattern that matched (same variables): the matched cell, not a new one (default on). */
  readonly reuseCons?: boolean;
  /**
   * A cons pattern of variables and wildcards binds its variables to the cell's head and tail where they are, read
   * through the matched value (which stays in its slot while the clause runs), instead of copying both into slots
   * (default on).
   */
  readonly matchInPlace?: boolean;
  /**
   * A run's effect result is begun on the core as the host's scheduler would run it (the runtime's rt_settle,
   * docs/compiler.md "Effects and time"): `return v >>= k` is k applied to v, and `emit`/`now` bound to a continuation
   * are performed by the host through an ecall in the same run (default on; the image's `tel$$settle` word).
   */
  readonly settleEffects?: boolean;
  /**
   * `p <- return e; rest` in a `do` block, with p a variable or `_`, is `let p = e in do { rest }` where that is exact:
   * in a block that runs as soon as it is built (the rest of a block), or where `return e` and the rest are built
   * without evaluating anything that could fail (variables, literals, lambdas, quiet Int arithmetic, effect builtins
   * of such): no `return` node, bind node or continuation closure (default on).
   */
  readonly foldReturnBinds?: boolean;
  /**
   * `foldl f z (map g (filter p … SOURCE))` of the prelude's functions, over `range a b` or another list, is one loop
   * that builds no intermediate list (fuse.ts; default on).
   */
  readonly fuse?: boolean;
  /**
   * `reverse (go [] …)` of the prelude's reverse, where every cell `go` returns is one its own calls consed onto that
   * `[]` (fresh.ts), turns those cells' tails around instead of allocating a reversed copy (default on).
   */
  readonly reverseInPlace?: boolean;
  /**
   * A known function's Int parameters (calls.ts) are passed as their payload only: a direct call does not write their
   * tag word, the callee reads none and its frame maps do not mark them (default on).
   */
  readonly untaggedArguments?: boolean;
  /**
   * A top-level function that is no loop takes its first three untagged Int arguments in a1–a3 at a direct entry
   * (callers compute them straight into those registers), and what registers are known to hold at a function's start
   * is used until overwritten: those parameters are read from their registers, and an epilogue on a path that made no
   * call keeps `ra` (calls.ts; default on).
   */
  readonly registerArguments?: boolean;
  /**
   * Objects built by a loop (or by a bind whose continuation calls its function again: an effect loop) take the free
   * list of their size (objects of at most 64 bytes) or the heap's top at the allocation site (inline-alloc.ts), calling
   * the runtime's allocator only when both are empty (default on).
   */
  readonly inlineAlloc?: boolean;
  /**
   * A `where`/`let` group of functions that capture no local variable but each other is compiled like top-level
   * functions (renamed apart, namespace.ts): static closures, no allocation per evaluation, called without an env
   * (default on).
   */
  readonly staticClosures?: boolean;
  /**
   * A `do` block's continuation (the lambda of a bind) that ends in a call of a known function of two parameters
   * jumps to it instead of calling it: every caller of a continuation (the runtime's rt_settle and rt_call) gives it
   * an outgoing area of CONTINUATION_AREA arguments, so the callee's arguments fit its incoming area (default on).
   */
  readonly continuationJumps?: boolean;
  /**
   * Pattern variables the type checker shows to be Ints (inferred-ints.ts: an Int, or the type variable of a
   * let-polymorphic local function that every use instantiates at Int) are used as Ints, like typedInts' (default on;
   * nothing without typedInts).
   */
  readonly inferredInts?: boolean;
  /**
   * A loop's parameter matched by `[]` or a cons of variables and wildcards (matched in place) is kept in a register
   * pair like a variable one (registers): its constructor tested on the tag register, its head and tail read through
   * the payload register (default on; nothing without registers or matchInPlace).
   */
  readonly matchRegisters?: boolean;
  /**
   * A comparison of operands whose type is not known, as a condition, branches on its Int fast path (tag test,
   * one branch) instead of building a Bool and testing it; other values still go through rt_compare (default on).
   */
  readonly compareBranches?: boolean;
  /**
   * A lambda captures each location once: names that share one (`x <- return n` folded, x naming n's slot) read the
   * same capture of its closure (default on).
   */
  readonly sharedCaptures?: boolean;
}

export const DEFAULT_OPTIONS: CodegenOptions = { constantFolding: true, directCalls: true, inlining: true, registers: true, typedInts: true };

/** Most words of code and data an image may have: more than any co-processor's RAM holds; it bounds the compiler's work. */
const MAX_IMAGE_WORDS = 1 << 18;

/** Largest frame in bytes: every slot's s0 offset fits a 12-bit immediate. */
const MAX_FRAME = 2032;

/** Where a function's prologue keeps its env (a closure's object, in a0 at the entry): s0-12. */
const ENV_WORD = -12;

/** Largest body (in expression nodes) inlined. */
const INLINE_NODES = 12;

/** The nodes of a body small enough to inline (at most `budget`, no binders or effects), or undefined. */
function inlineNodes(e: Expr, budget: number): Expr[] | undefined {
  const nodes: Expr[] = [];
  const stack: Expr[] = [e];
  while (stack.length > 0) {
    if (nodes.length >= budget) return undefined;
    const x = stack.pop()!;
    nodes.push(x);
    switch (x.tag) {
      case 'App':
        stack.push(x.fn, x.arg);
        break;
      case 'BinOp':
        stack.push(x.left, x.right);
        break;
      case 'If':
        stack.push(x.cond, x.then, x.else);
        break;
      case 'Neg':
        stack.push(x.expr);
        break;
      case 'Tuple':
      case 'List':
        stack.push(...x.items);
        break;
      case 'Lit':
      case 'Var':
      case 'HashRef':
      case 'OpRef':
        break;
      default:
        return undefined; // binders and effects: not inlined
    }
  }
  return nodes;
}

/** The value of an Int literal (negated ones included), or undefined. */
function intLiteral(e: Expr): number | undefined {
  if (e.tag === 'Lit' && e.lit.kind === 'int') return e.lit.value;
  if (e.tag === 'Neg' && e.expr.tag === 'Lit' && e.expr.lit.kind === 'int') return -e.expr.lit.value | 0;
  return undefined;
}

/**
 * Which parameters a signature declares `Int` (its arrows' argument types, up to `arity`): their values need no
 * tag test (the program is type-checked).
 */
function intParams(signature: TypeScheme | null, arity: number): boolean[] {
  const ints: boolean[] = [];
  let t = signature?.type;
  for (let i = 0; i < arity && t?.tag === 'TFun'; i++, t = t.to) ints.push(isIntType(t.from));
  return ints;
}

/** The Int parameters of a definition: declared so by its signature, or shown so by its equations (int-params.ts). */
function declIntParams(d: Decl, arity: number): boolean[] {
  const declared = intParams(d.signature, arity);
  const shown = literalIntParams(d);
  return Array.from({ length: arity }, (_, i) => declared[i] === true || shown[i] === true);
}

const isIntType = (t: TypeExpr | undefined): boolean => t?.tag === 'TCon' && t.name === 'Int' && t.args.length === 0;

/** How an inlined body is compiled, in the scope of its parameters: as a value, in tail position or as a condition. */
type InlineEmit = (body: Expr, inner: Scope) => void;

/** Registers for the payloads of quiet Int expressions (Codegen.intExpr): caller-saved ones no other code keeps values in across them. */
const INT_TEMPS: readonly Reg[] = [REG.t3, REG.t4, REG.t5, REG.t6, REG.a4, REG.a5, REG.a6, REG.a7];

/** How deep a quiet Int expression may nest (one temporary per level and operand). */
const INT_DEPTH = 4;

/** Whether the quiet Int expression `e` reads the parameter kept in register pair `pair` (or a field of its cell). */
function readsPair(e: Expr, scope: Scope, pair: number): boolean {
  if (e.tag === 'Var') {
    const loc = scope.get(e.name);
    return (loc?.k === 'reg' && loc.pair === pair) || (loc?.k === 'field' && loc.off === 8 * pair);
  }
  if (e.tag === 'Neg') return readsPair(e.expr, scope, pair);
  return e.tag === 'BinOp' && (readsPair(e.left, scope, pair) || readsPair(e.right, scope, pair));
}

/** Int + - * of two literals, as constant folding computes them; undefined for anything else. */
function foldInt(op: BinaryOp, x: number | undefined, y: number | undefined): number | undefined {
  if (x === undefined || y === undefined) return undefined;
  if (op === '+') return (x + y) | 0;
  if (op === '-') return (x - y) | 0;
  if (op === '*') return Math.imul(x, y);
  return undefined;
}

/** k when `n` is 2^k for 1 <= k <= 30 (a divisor that shifts and masks replace), else undefined. */
function powerOfTwo(n: number | undefined): number | undefined {
  if (n === undefined || n < 2 || (n & (n - 1)) !== 0) return undefined;
  return 31 - Math.clz32(n);
}

/** Whether `n` fits a 12-bit signed immediate. */
const fitsImm = (n: number): boolean => n >= -2048 && n <= 2047;

/** A literal, or a negated Int literal: it cannot fail, act or depend on evaluation order. */
function isLiteral(e: Expr): boolean {
  return e.tag === 'Lit' || (e.tag === 'Neg' && e.expr.tag === 'Lit' && e.expr.lit.kind === 'int');
}

/**
 * Where a variable lives. `box`: the location holds a pointer to a heap box with the value, for the values of a
 * recursive binding group — filled once the value is computed, read through a check (E_CYCLE before that), and
 * captured by reference like the interpreter's environments.
 */
/** A clause to match, as genClauses takes them: patterns on the scrutinees, where-bindings, a right-hand side. */
type Clause = { readonly patterns: readonly Pattern[]; readonly where: readonly Decl[]; readonly rhs: Equation['rhs']; readonly span: SourceSpan };

/** The alternatives of a `case` as clauses of one pattern each (a guard becomes a guarded right-hand side). */
function caseClauses(alts: readonly Alt[]): Clause[] {
  return alts.map((alt) => ({
    patterns: [alt.pattern],
    where: [],
    rhs: alt.guard ? { tag: 'Guarded' as const, guards: [{ cond: alt.guard, body: alt.body, span: alt.span }] } : { tag: 'Plain' as const, expr: alt.body },
    span: alt.span,
  }));
}

type Loc =
  /** `bare`: a parameter passed without its tag word (CodegenOptions.untaggedArguments): an Int, its payload at off+4. */
  | { readonly k: 'slot'; readonly off: number; readonly fn?: KnownFn; readonly box?: true; readonly int?: boolean; readonly bare?: true }
  | { readonly k: 'cap'; readonly index: number; readonly fn?: KnownFn; readonly box?: true; readonly int?: boolean }
  | { readonly k: 'reg'; readonly pair: number; readonly fn?: undefined; readonly box?: undefined; readonly int?: boolean }
  /** A variable of a cons pattern matched in place (CodegenOptions.matchInPlace): the value at byte `at` of the cell whose value is at s0+`off`. */
  | { readonly k: 'field'; readonly off: number; readonly at: number; readonly fn?: undefined; readonly box?: undefined; readonly int?: boolean };

/**
 * Callee-saved register pairs (tag, payload) for parameters (CodegenOptions.registers): s1…s8; s10/s11 hold the
 * cycle budget and the stack limit. The collector sees them: rt_collect spills s0…s11 onto the scanned stack.
 */
const PAIRS: readonly (readonly [number, number])[] = [
  [REG.s1, REG.s2],
  [REG.s3, REG.s4],
  [REG.s5, REG.s6],
  [REG.s7, REG.s8],
];

/** The tag word of a box whose value is not defined yet (no value has this tag). */
const UNDEFINED_TAG = -1;

/**
 * The tag word next to a pointer to a box (a frame slot, a closure's capture): no value has this tag, and it is not
 * an immediate's (0–2), after which the collector takes a word for a payload, not a pointer (gc.c mark_from).
 */
const BOX_REFERENCE_TAG = 12;

/** A function whose code and arity are known at a call site (env: where its closure value is, for local ones). */
interface KnownFn {
  /** The name calls use (a top-level or local definition; `\\` for a lambda). */
  readonly name: string;
  readonly label: string;
  readonly arity: number;
  readonly global: boolean;
  /** A lambda without captures (CodegenOptions.specialize): its code, and its body for inlining. */
  readonly lambda?: Extract<Expr, { tag: 'Lam' }>;
  /** A local function's declaration (CodegenOptions.reverseInPlace reads its equations). */
  readonly decl?: Decl;
  /** Its parameters passed without their tag word (CodegenOptions.untaggedArguments), by index. */
  readonly bare?: readonly boolean[];
  /** Its parameters whose payloads a direct call passes in ARG_REGS (CodegenOptions.registerArguments), by index. */
  readonly regs?: readonly boolean[];
  /** Arguments its callers' outgoing area always has room for, if more than its arity (a continuation: CONTINUATION_AREA). */
  readonly area?: number;
}

type Global = { readonly k: 'fn'; readonly fn: KnownFn; readonly decl: Decl } | { readonly k: 'caf'; readonly label: string; readonly cell: string; readonly decl: Decl };

/** A cons pattern `(h : t)` of two variables that matched the value at s0+`off` (CodegenOptions.reuseCons). */
interface MatchedCons {
  readonly head: Loc;
  readonly tail: Loc;
  readonly off: number;
}

class Scope {
  private readonly vars = new Map<string, Loc>();
  private readonly conses: MatchedCons[] = [];
  private readonly singletons: { readonly head: Loc; readonly off: number }[] = [];
  constructor(readonly parent: Scope | null) {}
  set(name: string, loc: Loc): void {
    this.vars.set(name, loc);
  }
  get(name: string): Loc | undefined {
    return this.vars.get(name) ?? this.parent?.get(name);
  }
  matched(cons: MatchedCons): void {
    this.conses.push(cons);
  }
  /** The offset of a matched cons cell whose head and tail are the variables bound at `head` and `tail`, if any. */
  matchedCell(head: Loc, tail: Loc): number | undefined {
    return this.conses.find((c) => c.head === head && c.tail === tail)?.off ?? this.parent?.matchedCell(head, tail);
  }
  /** A one-item list pattern `[x]` matched in place at s0+`off`, `x` bound at `head` (CodegenOptions.reuseCons). */
  matchedSingleton(head: Loc, off: number): void {
    this.singletons.push({ head, off });
  }
  /** The offset of a matched one-item list whose item is the variable bound at `head`, if any. */
  singletonCell(head: Loc): number | undefined {
    return this.singletons.find((c) => c.head === head)?.off ?? this.parent?.singletonCell(head);
  }
}

/**
 * `f = \x -> e` as `f x = e` (span of the lambda): the interpreter binds a local lambda like a local function,
 * before the values of its binding, so it may refer to itself.
 */
function lambdaAsFunction(d: Decl): Decl {
  const eq = d.equations[0]!;
  if (d.equations.length !== 1 || eq.params.length > 0 || eq.where.length > 0 || eq.rhs.tag !== 'Plain' || eq.rhs.expr.tag !== 'Lam') return d;
  const lam = eq.rhs.expr;
  return { ...d, equations: [{ ...eq, params: lam.params, rhs: { tag: 'Plain', expr: lam.body }, span: lam.span }], span: lam.span };
}

/** Whether an equation calls `name` with `arity` arguments in tail position: a loop (a self tail call is a jump). */
function loops(equations: readonly Equation[], name: string, arity: number): boolean {
  const tail = (e: Expr): boolean => {
    switch (e.tag) {
      case 'If':
        return tail(e.then) || tail(e.else);
      case 'Let':
        return tail(e.body);
      case 'Case':
        return e.alts.some((alt) => tail(alt.body));
      case 'BinOp':
        if (e.op === '&&' || e.op === '||') return tail(e.right);
        if (e.op !== '$') return false;
        break;
      case 'App':
        break;
      default:
        return false;
    }
    let n = 0;
    let h: Expr = e;
    for (;;) {
      if (h.tag === 'App') h = h.fn;
      else if (h.tag === 'BinOp' && h.op === '$') h = h.left;
      else break;
      n++;
    }
    return n === arity && ((h.tag === 'Var' && h.name === name) || (h.tag === 'HashRef' && `@${h.hash}` === name));
  };
  return equations.some((eq) => (eq.rhs.tag === 'Plain' ? tail(eq.rhs.expr) : eq.rhs.guards.some((g) => tail(g.body))));
}

/** A pattern that matches every value: a variable or a wildcard. */
const irrefutable = (p: Pattern): boolean => p.tag === 'PVar' || p.tag === 'PWild';

/** E_UNSUPPORTED with the construct's source span. */
const unsupportedAt = (what: string, span: SourceSpan): CaxError => new CaxError('E_UNSUPPORTED', `${what} is not supported yet`, { span });

const isFunctionDecl = (d: Decl): boolean => d.equations[0]!.params.length > 0;

/** A call site of a compiled function: the label after the call, and what of the frame holds values there. */
interface CallSite {
  readonly label: string;
  /** The s0 offsets of the slots whose value is live (written since taken, not moved away). */
  readonly slots: readonly number[];
  /** False at a call in tail position that cannot reuse the frame: only the caller's saved pairs are live there. */
  readonly whole: boolean;
}

/**
 * One function being compiled: its body assembler, frame usage, call sites (for its frame maps) and out-of-line
 * failure stubs. Parameters in registers (`regArgs`, by index = pair) have their caller's pair saved at
 * s0-24-8i; the slots come below.
 */
class FnCtx {
  readonly body = new Asm();
  private taken = 0;
  maxSlots = 0;
  maxOut = 0;
  readonly stubs: { label: string; code: number; site: number }[] = [];
  readonly start: string;
  /** Frame words (pairs) below env taken by the saved registers. */
  readonly saved: number;
  /**
   * The slots (s0 offsets) whose tag word was stored since they were taken: at a call, the slots the collector marks
   * (gc.c, frame maps). Stores are seen in the order the code is emitted, which may put a store of one path before a
   * call on another: such a slot is marked there too (it may hold a stale value, never a value that is not one).
   */
  private written = new Set<number>();
  readonly sites: CallSite[] = [];
  /** Set just before a call in tail position that cannot reuse the frame (genTail): nothing of the frame is live there. */
  frameDead = false;
  /** What registers hold (calls.ts), where followed. */
  readonly facts: RegisterFacts | undefined;
  /** Whether the function is a loop (it calls itself in tail position): where inline allocation pays its code bytes. */
  loop = false;
  /** The arguments its incoming area has room for (its arity, or more: KnownFn.area): a tail call of up to as many jumps. */
  area = 0;
  constructor(
    readonly label: string,
    readonly arity: number,
    readonly selfFn: KnownFn | undefined,
    readonly regArgs: readonly number[],
    /** Which arguments are known to be Ints (from the signature). */
    readonly intArgs: readonly boolean[] = [],
    /** Arguments known to be a lambda without captures (a specialisation, CodegenOptions.specialize), by index. */
    readonly knownArgs: ReadonlyMap<number, KnownFn> = new Map(),
    /** Arguments passed without their tag word (KnownFn.bare), by index. */
    readonly bare: readonly boolean[] = [],
    /** Whether what registers hold is followed (CodegenOptions.registerArguments; not in a loop, whose start self tail calls jump back to). */
    follow = false,
  ) {
    this.start = `${label}$body`;
    this.saved = regArgs.length === 0 ? 0 : Math.max(...regArgs) + 1;
    this.facts = follow ? new RegisterFacts(label, this.body) : undefined;
    this.body.onStore = (base, off) => {
      if (base === s0 && off <= this.slotOff(0) && (off & 7) === 0) this.written.add(off);
      if (base === s0) this.facts?.stored(off);
    };
    this.body.onCall = (target) => {
      // rt_compare never allocates, so no collection finds its caller's frame
      if (target === RT.compare) return;
      const label = this.body.fresh('fm');
      this.body.mark(label);
      this.sites.push({ label, slots: this.frameDead ? [] : [...this.written], whole: !this.frameDead });
      this.frameDead = false;
    };
  }
  /** Slots taken (a stack: setting it lower gives the slots above back, with the values they held). */
  get next(): number {
    return this.taken;
  }
  set next(n: number) {
    this.taken = n;
    for (const off of this.written) if (off <= this.slotOff(n)) this.written.delete(off);
  }
  /** The s0 offset of slot k. */
  slotOff(k: number): number {
    return -24 - 8 * (this.saved + k);
  }
  slots(n: number): number {
    const k = this.next;
    this.next += n;
    this.maxSlots = Math.max(this.maxSlots, this.next);
    // checked here, before a slot's offset outgrows an instruction's 12-bit field (the whole frame is checked at the end)
    this.checkRoom(0);
    // the block's lowest address is its last slot; items go upward from there
    return this.slotOff(k + n - 1);
  }
  /**
   * The value of the slot at `off` was moved elsewhere (into the outgoing area): the calls emitted from here until it
   * is written again or given back do not mark it. Only where no path from other code comes in before then.
   */
  forget(off: number): void {
    this.written.delete(off);
  }
  /** The slots written so far, to go back to at the start of another path (`restore`). */
  snapshot(): ReadonlySet<number> {
    return new Set(this.written);
  }
  restore(written: ReadonlySet<number>): void {
    this.written = new Set(written);
  }
  /**
   * E_UNSUPPORTED when `n` more slots would outgrow the frame: also for the items of a tuple or list that are
   * written straight into it (CodegenOptions.directObjects), so that the limit is the same with the option on and off.
   */
  checkRoom(n: number): void {
    if (16 + 8 * (this.saved + Math.max(this.maxSlots, this.next + n)) > MAX_FRAME)
      throw unsupported(`${this.label}: more than ${MAX_FRAME} bytes of frame (about 250 locals or items of one literal)`);
  }
}

export interface Generated {
  readonly asm: Asm;
  /** Source spans of failure sites, by site number. */
  readonly sites: readonly SourceSpan[];
  /** Label of the entry stub the runtime calls. */
  readonly entry: string;
  /** Code labels of the compiled top-level definitions. */
  readonly definitions: ReadonlyMap<string, string>;
  /** Where the named binders live over which code (slot-map.ts). */
  readonly binders: SlotMapRecorder;
  /** The code makes Doubles from literals (with the runtime's entries it calls, what decides its runtime: link.ts). */
  readonly doubleLiterals: boolean;
}

export class Codegen {
  private readonly out = new Asm();
  private readonly data = new Asm();
  private readonly globals = new Map<string, Global>();
  /** Globals that are `where`/`let` functions compiled like top-level ones (liftGroup): no definitions of the program. */
  private readonly lifted = new Set<string>();
  private readonly pending: (() => void)[] = [];
  private readonly binders = new SlotMapRecorder();
  private readonly frameMaps = new FrameMaps();
  private readonly sites: SourceSpan[] = [];
  private readonly texts = new Map<string, string>();
  private readonly staticClosures = new Set<string>();
  private doubleLiterals = false;
  private readonly cafCells: string[] = [];
  private counter = 0;
  private fn!: FnCtx;
  /** Definitions whose bodies are being inlined now. */
  private readonly inlining = new Set<Decl>();
  /** Lambdas without captures, compiled once each as a static closure (CodegenOptions.specialize). */
  private readonly closedLambdas = new Map<Expr, KnownFn>();
  /** `do` blocks whose effect runs as soon as it is built (the rest of a block, in its continuation): built as they are (genDo). */
  private readonly runAtOnce = new WeakSet<Expr>();
  /** The lambdas of a `do` block's binds (desugarDo): called only as a bind's continuation (CodegenOptions.continuationJumps). */
  private readonly continuations = new WeakSet<Expr>();
  /** Specialisations of top-level functions on such lambdas, by function and lambdas. */
  private readonly specialisations = new Map<string, KnownFn>();

  constructor(
    decls: readonly Decl[],
    private readonly options: CodegenOptions = DEFAULT_OPTIONS,
    /** Stored definitions behind `@hash` references (their own references are `@hash`es again). */
    private readonly hashDecl: (hash: string) => Decl | undefined = () => undefined,
    /** The prelude's definitions (as renamed apart from the program's, namespace.ts): the pipelines fuse.ts fuses are theirs. */
    private readonly prelude: ReadonlySet<Decl> = new Set(),
    /** The program's pattern variables the type checker shows to be Ints (CodegenOptions.inferredInts). */
    private readonly intBinders: IntBinders = NO_INT_BINDERS,
  ) {
    for (const d of decls) this.declare(d.name, d);
  }

  private declare(name: string, d: Decl): Global {
    const label = `tel$${name}`;
    const arity = d.equations[0]!.params.length;
    const bare = this.bareParams(d, arity);
    // not a loop's: its self tail calls jump back to its start, where the registers hold their arguments no more
    const regs = this.options.registerArguments === false || loops(d.equations, name, arity) ? [] : bare.map((b, i) => b && i < ARG_REGS.length);
    const g: Global = isFunctionDecl(d) ? { k: 'fn', fn: { name, label, arity, global: true, bare, regs }, decl: d } : { k: 'caf', label, cell: `${label}$cell`, decl: d };
    this.globals.set(name, g);
    return g;
  }

  /** The parameters of a function declared as `d` that its callers pass without their tag word: its Int ones. */
  private bareParams(d: Decl, arity: number): boolean[] {
    return this.options.untaggedArguments === false || !this.options.typedInts ? [] : declIntParams(d, arity);
  }

  /** A top-level definition by name, `@hash` ones resolved on first use. */
  private global(name: string, span?: SourceSpan): Global | undefined {
    const g = this.globals.get(name);
    if (g || !name.startsWith('@')) return g;
    const d = this.hashDecl(name.slice(1));
    if (!d) throw new CaxError('E_MISSING_HASH', `no stored definition ${name}`, { span });
    return this.declare(name, d);
  }

  /** Compiles `main` and everything it reaches. */
  generate(main: string): Generated {
    const g = this.global(main);
    if (!g) throw new CaxError('E_UNBOUND', `no definition named ${main}`);
    const entry = 'tel$$entry';
    this.emitEntry(entry, g);
    const compiled = new Set<string>();
    this.request = (name: string): void => {
      if (compiled.has(name)) return;
      compiled.add(name);
      this.pending.push(() => this.compileGlobal(this.globals.get(name)!));
    };
    this.request(main);
    while (this.pending.length > 0) {
      this.pending.shift()!();
      if (this.out.size + this.data.size > MAX_IMAGE_WORDS) {
        throw new CaxError('E_BUDGET', `the compiled image outgrew ${MAX_IMAGE_WORDS} words (${4 * MAX_IMAGE_WORDS} bytes, more than the co-processor's RAM)`);
      }
    }
    this.finishData();
    const asm = new Asm();
    asm.append(this.out);
    asm.align(8);
    // where the code ends (bench/tel-vs-c.bench.ts measures definitions up to here, not into the frame maps)
    asm.label('tel$$data');
    asm.append(this.data);
    const definitions = new Map<string, string>();
    for (const name of compiled) {
      if (this.lifted.has(name)) continue;
      const gl = this.globals.get(name)!;
      definitions.set(name, gl.k === 'fn' ? gl.fn.label : gl.label);
    }
    return { asm, sites: this.sites, entry, definitions, binders: this.binders, doubleLiterals: this.doubleLiterals };
  }

  private request: (name: string) => void = () => undefined;

  // ---- functions ------------------------------------------------------------------

  private emitEntry(label: string, main: Global): void {
    const o = this.out;
    o.label(label);
    o.addi(sp, sp, -16);
    o.sw(ra, 12, sp);
    o.sw(REG.s2, 8, sp);
    o.sw(REG.s3, 4, sp);
    // the frame's last word too: the collector scans this frame conservatively (gc.c mark_frames)
    o.sw(zero, 0, sp);
    o.mv(REG.s2, a0);
    o.mv(REG.s3, a1);
    // the constants' cells are the garbage collector's static roots (gc.c rt_roots)
    o.la(t0, 'tel$$cafs');
    o.la(t1, 'tel$$cafs$end');
    o.la(t2, 'rt_roots');
    o.sw(t0, 0, t2);
    o.sw(t1, 4, t2);
    // the frame maps, by which the collector finds the values in compiled frames (frame-maps.ts, gc.c rt_frame_maps)
    o.la(t0, 'tel$$frames');
    o.la(t2, 'rt_frame_maps');
    o.sw(t0, 0, t2);
    // a4/a5 = a function value: a continuation run applies it to the arguments, keeping heap and constants
    const continuation = o.fresh('continuation');
    const apply = o.fresh('apply');
    o.branch('bne', a4, zero, continuation);
    // forget the values of top-level constants from an earlier run
    const loop = o.fresh('zero');
    const done = o.fresh('zeroed');
    o.label(loop);
    o.branch('bgeu', t0, t1, done);
    o.sw(zero, 0, t0);
    o.sw(zero, 4, t0); // a run that failed computing it left it marked as being computed
    o.addi(t0, t0, 12);
    o.j(loop);
    o.label(done);
    if (main.k === 'fn') {
      this.staticClosure(main.fn);
      o.li(a0, TAG.CLOSURE);
      o.la(a1, `${main.fn.label}$closure`);
    } else {
      o.li(a0, 0);
      o.call(main.label);
    }
    o.j(apply);
    o.label(continuation);
    o.mv(a0, a4);
    o.mv(a1, a5);
    o.label(apply);
    const noArgs = o.fresh('noargs');
    o.branch('beq', REG.s3, zero, noArgs);
    o.mv(a2, REG.s3);
    o.mv(a3, REG.s2);
    o.call(RT.apply);
    o.label(noArgs);
    o.lw(ra, 12, sp);
    o.lw(REG.s2, 8, sp);
    o.lw(REG.s3, 4, sp);
    o.addi(sp, sp, 16);
    o.ret();
  }

  private compileGlobal(g: Global): void {
    if (g.k === 'fn') {
      this.compileFunction(g.fn.label, g.fn.arity, g.decl.equations, new Scope(null), g.fn, g.decl.span, declIntParams(g.decl, g.fn.arity));
      return;
    }
    this.cafCells.push(g.cell);
    // a constant: its value is computed on first use in a run and kept in its cell
    this.compileFunction(g.label, 0, g.decl.equations, new Scope(null), undefined, g.decl.span);
  }

  /** Emits a whole function: prologue, clause matching over its arguments, epilogue, failure stubs. */
  private compileFunction(
    label: string,
    arity: number,
    equations: readonly Equation[],
    scope: Scope,
    self: KnownFn | undefined,
    span: SourceSpan,
    intArgs: readonly boolean[] = [],
    knownArgs: ReadonlyMap<number, KnownFn> = new Map(),
  ): void {
    const saved = this.fn;
    const regArgs: number[] = [];
    // only loops: elsewhere saving and restoring the caller's pairs costs more than the loads a register saves
    if (this.options.registers && this.options.directCalls && self && loops(equations, self.name, arity)) {
      for (let i = 0; i < Math.min(arity, PAIRS.length); i++) {
        if (!knownArgs.has(i) && equations.every((eq) => this.inPair(eq.params[i]!)) && equations.some((eq) => eq.params[i]!.tag !== 'PWild')) regArgs.push(i);
      }
    }
    const follow = this.options.registerArguments !== false && !(self && loops(equations, self.name, arity));
    const fn = new FnCtx(label, arity, self, regArgs, intArgs, knownArgs, self?.bare, follow);
    fn.loop = self !== undefined && loops(equations, self.name, arity);
    fn.area = Math.max(arity, self?.area ?? 0);
    this.fn = fn;
    const b = fn.body;
    const inRegs = (self?.regs ?? []).flatMap((r, i) => (r ? [{ reg: ARG_REGS[i]!, off: 8 * i }] : []));
    // a top-level function has no env (callers leave a0 as it is): its frame maps do not mark the env word
    const env = self?.global !== true;
    // a closure's env stays in a0, which the prologue stores at s0-12, until overwritten: its captures read through it
    fn.facts?.start(env ? [...inRegs, { reg: a0, off: ENV_WORD - 4 }] : inRegs);
    b.span(span);
    // the cycle budget, checked on function entry and on every loop back edge (self tail call)
    if (this.options.budgetChecks !== false) {
      b.csrr(t0, MCYCLE);
      b.branch('bgeu', t0, REG.s10, RT.cycles);
    }
    const args: number[] = [];
    for (let i = 0; i < arity; i++) args.push(8 * i);
    this.binders.openCaptures(b, scope);
    this.genClauses(
      equations.map((eq) => ({ patterns: eq.params, where: eq.where, rhs: eq.rhs, span: eq.span })),
      args,
      scope,
      true,
      '',
      span,
    );
    this.binders.close(b, scope);
    this.fn = saved;
    const frame = Math.ceil((16 + 8 * (fn.saved + fn.maxSlots) + 8 * fn.maxOut) / 16) * 16;
    if (frame > MAX_FRAME) throw unsupported(`${label}: a frame of ${frame} bytes (more than ${MAX_FRAME}: about 250 locals)`);
    const o = this.out;
    o.align(4);
    o.label(label);
    if (inRegs.length > 0) {
      // the generic entry (closures, rt_apply, tail calls) loads what direct callers pass in registers as well as in the
      // parameters' payload words
      for (const p of inRegs) o.lw(p.reg, p.off + 4, sp);
      o.label(directEntry(label));
    }
    o.addi(sp, sp, -frame);
    o.sw(ra, frame - 4, sp);
    o.sw(s0, frame - 8, sp);
    o.addi(s0, sp, frame);
    if (env) o.sw(a0, ENV_WORD, s0);
    o.branch('bltu', sp, s11, RT.overflow);
    for (const i of regArgs) {
      o.sw(PAIRS[i]![0], -24 - 8 * i, s0);
      o.sw(PAIRS[i]![1], -20 - 8 * i, s0);
    }
    for (const i of regArgs) {
      if (fn.bare[i] === true) o.li(PAIRS[i]![0], TAG.INT);
      else o.lw(PAIRS[i]![0], 8 * i, s0);
      o.lw(PAIRS[i]![1], 8 * i + 4, s0);
    }
    this.frameMaps.add(fn, frame, env);
    // self tail calls come back here with their arguments in the slots and register pairs
    o.label(fn.start);
    o.append(b);
    for (const stub of fn.stubs) {
      o.label(stub.label);
      o.li(a0, stub.code);
      o.li(a1, stub.site);
      o.j(RT.fail);
    }
  }

  /**
   * Whether a loop's parameter matched by `p` in an equation may live in a register pair: a variable or a wildcard,
   * or (CodegenOptions.matchRegisters) `[]` or a cons of variables and wildcards, matched in place on the pair.
   */
  private inPair(p: Pattern): boolean {
    if (irrefutable(p)) return true;
    if (this.options.matchRegisters === false || this.options.matchInPlace === false) return false;
    return (p.tag === 'PList' && p.items.length === 0) || (p.tag === 'PCons' && irrefutable(p.head) && irrefutable(p.tail));
  }

  /** The register pair a parameter whose argument slot is at s0+`off` is kept in, if it is (else undefined: a slot). */
  private paramPair(off: number): readonly [Reg, Reg] | undefined {
    return off >= 0 && this.fn.regArgs.includes(off / 8) ? PAIRS[off / 8] : undefined;
  }

  /** Gives the caller its register pairs back (before the frame goes). */
  private restoreRegisters(): void {
    const b = this.fn.body;
    for (const i of this.fn.regArgs) {
      b.lw(PAIRS[i]![0], -24 - 8 * i, s0);
      b.lw(PAIRS[i]![1], -20 - 8 * i, s0);
    }
  }

  /**
   * The literal a top-level constant is defined as (CodegenOptions.constantFolding) when `e` names one: the
   * prelude's `otherwise = True`, read in a guard, is no code at all instead of a read of its cell. Such a
   * constant cannot fail or refer to itself, so nobody can tell.
   */
  private constantLiteral(e: Expr, scope: Scope): Literal | undefined {
    if (!this.options.constantFolding || e.tag !== 'Var' || scope.get(e.name) !== undefined) return undefined;
    const g = this.globals.get(e.name);
    const eq = g?.k === 'caf' && g.decl.equations.length === 1 ? g.decl.equations[0]! : undefined;
    if (eq === undefined || eq.where.length > 0 || eq.rhs.tag !== 'Plain' || eq.rhs.expr.tag !== 'Lit') return undefined;
    const lit = eq.rhs.expr.lit;
    return lit.kind === 'int' || lit.kind === 'bool' || lit.kind === 'unit' ? lit : undefined;
  }

  /** Tears the frame down and returns a0/a1. */
  private epilogue(): void {
    const b = this.fn.body;
    this.restoreRegisters();
    this.popFrame();
    b.ret();
  }

  /**
   * Pops the frame: `ra` and the caller's `s0` back, `sp` to the caller's. Four instructions, not five through a
   * temporary: the saved `s0` is read after `sp` is above it, which is safe since the core has no interrupts
   * (docs/soc.md) and nothing else runs between the two.
   */
  private popFrame(): void {
    const b = this.fn.body;
    // on a path that made no call, ra still holds the return address (calls.ts)
    if (this.fn.facts?.returnAddress !== true) b.lw(ra, -4, s0);
    b.mv(sp, s0);
    b.lw(s0, -8, s0);
  }

  /** A branch to a failure stub reporting `code` at `span`. */
  private failTarget(code: number, span: SourceSpan): string {
    const site = this.sites.length;
    if (site >= 2 ** (32 - T_ERROR_SITE_BITS)) throw unsupported('too many failure sites');
    this.sites.push(span);
    const label = this.fn.body.fresh('fail');
    this.fn.stubs.push({ label, code, site });
    return label;
  }

  // ---- clauses and patterns -----------------------------------------------------------

  /**
   * Tries clauses top to bottom against the values at s0-relative offsets `scruts`; the chosen body's value ends
   * in a0/a1 and is returned (tail) or control goes to `done`. No match is E_MATCH at `span`.
   */
  private genClauses(clauses: readonly Clause[], scruts: readonly number[], outer: Scope, tail: boolean, done: string, span: SourceSpan): void {
    const b = this.fn.body;
    const mark = this.fn.next;
    // the constructors of list scrutinees that the clauses so far tell (offset -> tag)
    const known = new Map<number, number>();
    for (const clause of clauses) {
      const next = b.fresh('next');
      const scope = new Scope(outer);
      clause.patterns.forEach((p, i) => this.genMatch(p, scruts[i]!, scope, next, known));
      this.genBindings(clause.where, scope);
      const guards = clause.rhs.tag === 'Plain' ? [{ cond: null, body: clause.rhs.expr }] : clause.rhs.guards.map((g) => ({ cond: g.cond as Expr | null, body: g.body }));
      for (const g of guards) {
        const nextGuard = b.fresh('guard');
        if (g.cond) this.genCondition(g.cond, scope, nextGuard);
        this.genResult(g.body, scope, tail, done);
        b.label(nextGuard);
      }
      this.binders.close(b, scope);
      b.label(next);
      this.fn.next = mark;
      const refutable = clause.patterns.flatMap((p, i) => (irrefutable(p) ? [] : [i]));
      if (this.options.knownConstructors !== false && clause.rhs.tag === 'Plain' && refutable.length === 1) {
        const p = clause.patterns[refutable[0]!]!;
        if (p.tag === 'PList' && p.items.length === 0) known.set(scruts[refutable[0]!]!, TAG.CONS);
        else if (p.tag === 'PCons' && irrefutable(p.head) && irrefutable(p.tail)) known.set(scruts[refutable[0]!]!, TAG.NIL);
      }
    }
    b.j(this.failTarget(ERR.MATCH, span));
  }

  /** The value of `e` as the result: returned in tail position, else left in a0/a1 with a jump to `done`. */
  private genResult(e: Expr, scope: Scope, tail: boolean, done: string): void {
    if (tail) {
      this.genTail(e, scope);
    } else {
      this.gen(e, scope);
      this.fn.body.j(done);
    }
  }

  /** Matches the value at s0+`off` against `p`, binding its variables; jumps to `fail` when it does not match. */
  private genMatch(p: Pattern, off: number, scope: Scope, fail: string, known: ReadonlyMap<number, number> = new Map()): void {
    const b = this.fn.body;
    switch (p.tag) {
      case 'PWild':
        return;
      case 'PVar':
        // a parameter kept in a register pair (the arguments are at s0+8i, everything else below s0)
        {
          const int = (off >= 0 && this.fn.intArgs[off / 8] === true) || this.inferredInt(p.name, p.span);
          const known = off >= 0 ? this.fn.knownArgs.get(off / 8) : undefined;
          const bare = off >= 0 && this.fn.bare[off / 8] === true;
          this.bindVar(
            scope,
            p.name,
            p.span,
            off >= 0 && this.fn.regArgs.includes(off / 8) ? { k: 'reg', pair: off / 8, int } : { k: 'slot', off, int, ...(known ? { fn: known } : {}), ...(bare ? { bare: true as const } : {}) },
          );
        }
        return;
      case 'PLit':
        this.genLitTest(p.lit, off, fail);
        return;
      case 'PTuple': {
        const block = this.fn.slots(p.items.length);
        b.lw(t1, off + 4, s0);
        p.items.forEach((_, i) => this.copyWords(t1, 4 + 8 * i, block + 8 * i));
        p.items.forEach((item, i) => this.genMatch(item, block + 8 * i, scope, fail));
        return;
      }
      case 'PCons': {
        const varOrWild = (q: Pattern): boolean => q.tag === 'PVar' || q.tag === 'PWild';
        if (this.options.matchInPlace !== false && varOrWild(p.head) && varOrWild(p.tail)) {
          if (known.get(off) !== TAG.CONS) {
            // a parameter in a register pair (CodegenOptions.matchRegisters) is tested there
            const pair = this.paramPair(off);
            if (pair === undefined) b.lw(t0, off, s0);
            b.li(t1, TAG.CONS);
            b.branch('bne', pair?.[0] ?? t0, t1, fail);
          }
          if (p.head.tag === 'PVar') this.bindVar(scope, p.head.name, p.head.span, { k: 'field', off, at: 0, int: this.inferredInt(p.head.name, p.head.span) });
          if (p.tail.tag === 'PVar') this.bindVar(scope, p.tail.name, p.tail.span, { k: 'field', off, at: 8 });
          if (p.head.tag === 'PVar' && p.tail.tag === 'PVar' && p.head.name !== p.tail.name) scope.matched({ head: scope.get(p.head.name)!, tail: scope.get(p.tail.name)!, off });
          return;
        }
        const block = this.fn.slots(2);
        this.consCell(off, block, fail, known.get(off) === TAG.CONS);
        this.genMatch(p.head, block, scope, fail);
        this.genMatch(p.tail, block + 8, scope, fail);
        // the cell stays at s0+off while the clause runs (parameters change only when a call leaves the clause)
        if (p.head.tag === 'PVar' && p.tail.tag === 'PVar' && p.head.name !== p.tail.name) scope.matched({ head: scope.get(p.head.name)!, tail: scope.get(p.tail.name)!, off });
        return;
      }
      case 'PList': {
        const only = p.items.length === 1 ? p.items[0]! : undefined;
        if (only !== undefined && this.options.matchInPlace !== false && (only.tag === 'PVar' || only.tag === 'PWild')) {
          // `[x]` matched in place: the cell's tag, then its tail's, read through the matched value
          const pair = this.paramPair(off);
          if (known.get(off) !== TAG.CONS) {
            if (pair === undefined) b.lw(t0, off, s0);
            b.li(t1, TAG.CONS);
            b.branch('bne', pair?.[0] ?? t0, t1, fail);
          }
          if (pair === undefined) b.lw(t0, off + 4, s0);
          b.lw(t0, 8, pair?.[1] ?? t0);
          b.li(t1, TAG.NIL);
          b.branch('bne', t0, t1, fail);
          if (only.tag === 'PVar') {
            this.bindVar(scope, only.name, only.span, { k: 'field', off, at: 0, int: this.inferredInt(only.name, only.span) });
            scope.matchedSingleton(scope.get(only.name)!, off);
          }
          return;
        }
        let at = off;
        for (const item of p.items) {
          const block = this.fn.slots(2);
          this.consCell(at, block, fail, at === off && known.get(off) === TAG.CONS);
          this.genMatch(item, block, scope, fail);
          at = block + 8;
        }
        if (at === off && known.get(off) === TAG.NIL) return;
        const pair = at === off ? this.paramPair(off) : undefined;
        if (pair === undefined) b.lw(t0, at, s0);
        b.li(t1, TAG.NIL);
        b.branch('bne', pair?.[0] ?? t0, t1, fail);
        return;
      }
    }
  }

  /** Whether the pattern variable `name` declared at `span` holds an Int in every run (CodegenOptions.inferredInts). */
  private inferredInt(name: string, span: SourceSpan): boolean {
    return this.options.typedInts === true && this.options.inferredInts !== false && this.intBinders.has(name, span);
  }

  /** Checks that s0+`off` is a cons cell (unless `known`) and copies its head and tail to the block at `block`. */
  private consCell(off: number, block: number, fail: string, known = false): void {
    const b = this.fn.body;
    if (!known) {
      b.lw(t0, off, s0);
      b.li(t1, TAG.CONS);
      b.branch('bne', t0, t1, fail);
    }
    b.lw(t1, off + 4, s0);
    this.copyWords(t1, 0, block);
    this.copyWords(t1, 8, block + 8);
  }

  /** Copies the two words at base+`from` to s0+`to`. */
  private copyWords(base: number, from: number, to: number): void {
    const b = this.fn.body;
    b.lw(t2, from, base);
    b.sw(t2, to, s0);
    b.lw(t2, from + 4, base);
    b.sw(t2, to + 4, s0);
  }

  private genLitTest(lit: Literal, off: number, fail: string): void {
    const b = this.fn.body;
    switch (lit.kind) {
      case 'unit':
        return;
      case 'int':
      case 'bool': {
        // an Int parameter still in the register it came in (CodegenOptions.registerArguments) is tested there
        const held = this.fn.facts?.payload(off);
        if (held === undefined) b.lw(t0, off + 4, s0);
        b.li(t1, lit.kind === 'int' ? lit.value : lit.value ? 1 : 0);
        b.branch('bne', held ?? t0, t1, fail);
        return;
      }
      default:
        this.genLit(lit);
        b.mv(a2, a0);
        b.mv(a3, a1);
        b.lw(a0, off, s0);
        b.lw(a1, off + 4, s0);
        b.call(RT.compare);
        b.branch('bne', a0, zero, fail);
    }
  }

  // ---- let / where -----------------------------------------------------------------------

  /**
   * Binds declarations in dependency order: functions of a group as closures capturing each other, then values. The
   * values of a recursive group live in boxes (Loc.box): reading one before it is computed is E_CYCLE at the use,
   * as in the interpreter.
   */
  private genBindings(decls: readonly Decl[], scope: Scope): void {
    if (decls.length === 0) return;
    const b = this.fn.body;
    for (const group of bindingGroups(decls.map(lambdaAsFunction))) {
      const recursive = group.length > 1 || freeNames(group[0]!).has(group[0]!.name);
      if (!recursive && !isFunctionDecl(group[0]!)) {
        const d = group[0]!;
        const slot = this.fn.slots(1);
        this.genValue(d, scope);
        this.storeSlot(slot);
        const rhs = d.equations[0]!.rhs;
        this.bindVar(scope, d.name, d.span, { k: 'slot', off: slot, int: isIntType(d.signature?.type) || (rhs.tag === 'Plain' && this.knownInt(rhs.expr, scope)) });
        continue;
      }
      if (this.options.staticClosures !== false && group.every(isFunctionDecl)) {
        const names = new Set(group.map((d) => d.name));
        if (group.every((d) => this.capturesOf(freeNames(d), scope).every((n) => names.has(n)))) {
          this.liftGroup(group, scope);
          continue;
        }
      }
      // closures and boxes first (closures allocated, then their captures filled in, so members can capture each other)
      const made = group.map((d) => {
        const slot = this.fn.slots(1);
        if (!isFunctionDecl(d)) {
          b.li(a0, 8);
          b.call(RT.alloc);
          b.li(t0, UNDEFINED_TAG);
          b.sw(t0, 0, a0);
          b.li(t0, BOX_REFERENCE_TAG);
          b.sw(t0, slot, s0);
          b.sw(a0, slot + 4, s0);
          this.bindVar(scope, d.name, d.span, { k: 'slot', off: slot, box: true });
          return { d, slot, fnInfo: undefined };
        }
        const arity = d.equations[0]!.params.length;
        const fnInfo: KnownFn = { name: d.name, label: `tel$${d.name}$${this.counter++}`, arity, global: false, decl: d, bare: this.bareParams(d, arity) };
        this.bindVar(scope, d.name, d.span, { k: 'slot', off: slot, fn: fnInfo });
        return { d, slot, fnInfo };
      });
      const caps = made.map(({ d }) => this.capturesOf(freeNames(d), scope));
      // the last closure's captures are written before anything else allocates (loading a variable never does), so it
      // needs no zeroing; an earlier one's would be seen unwritten by a collection in a later one's allocation
      const lastClosure = made.reduce((last, { fnInfo }, i) => (fnInfo ? i : last), -1);
      made.forEach(({ slot, fnInfo }, i) => {
        if (!fnInfo) return;
        const n = caps[i]!.length;
        if (i === lastClosure) {
          this.allocObject([fnInfo.label, fnInfo.arity, n], n);
        } else {
          b.li(a0, 12 + 8 * n);
          b.call(RT.alloc);
          b.la(t0, fnInfo.label);
          b.sw(t0, 0, a0);
          b.li(t0, fnInfo.arity);
          b.sw(t0, 4, a0);
          b.li(t0, n);
          b.sw(t0, 8, a0);
        }
        b.li(t0, TAG.CLOSURE);
        b.sw(t0, slot, s0);
        b.sw(a0, slot + 4, s0);
      });
      made.forEach(({ d, slot, fnInfo }, i) => {
        if (!fnInfo) return;
        this.fillCaptures(caps[i]!, slot, scope);
        this.defer(fnInfo, d.equations, caps[i]!, scope, d.span, declIntParams(d, fnInfo.arity));
      });
      // a closure allocated before the last one may have been made old by a collection in a later one's allocation
      if (made.filter(({ fnInfo }) => fnInfo).length > 1) emitWritten(b);
      // then the values, in the group's order, each into its box
      for (const { d, slot, fnInfo } of made) {
        if (fnInfo) continue;
        this.genValue(d, scope);
        b.lw(t0, slot + 4, s0);
        b.sw(a0, 0, t0);
        b.sw(a1, 4, t0);
        // the box was allocated before the value was computed, which may have collected
        emitWritten(b);
      }
    }
  }

  /**
   * A binding group of functions that capture no local variable but each other (CodegenOptions.staticClosures),
   * compiled like top-level functions: renamed apart to fresh names no source can spell (their references to each
   * other with them), so that inside they are globals, called directly without an env; in `scope` each name is bound
   * to a slot holding its static closure. Nothing is allocated when the group is evaluated.
   */
  private liftGroup(group: readonly Decl[], scope: Scope): void {
    const b = this.fn.body;
    const names = new Map(group.map((d) => [d.name, `${d.name}$${this.counter++}`]));
    for (const d of group) {
      const decl = renameIn(d, names);
      const fn: KnownFn = { name: decl.name, label: `tel$${decl.name}`, arity: decl.equations[0]!.params.length, global: true, decl };
      this.globals.set(decl.name, { k: 'fn', fn, decl });
      this.lifted.add(decl.name);
      this.request(decl.name);
      this.staticClosure(fn);
      const slot = this.fn.slots(1);
      b.li(a0, TAG.CLOSURE);
      b.la(a1, `${fn.label}$closure`);
      this.storeSlot(slot);
      this.bindVar(scope, d.name, d.span, { k: 'slot', off: slot, fn });
    }
  }

  /** The value of a local value declaration into a0/a1 (its own `where` and guards; no match is E_MATCH). */
  private genValue(d: Decl, scope: Scope): void {
    const done = this.fn.body.fresh('bound');
    this.genClauses(
      d.equations.map((eq) => ({ patterns: [], where: eq.where, rhs: eq.rhs, span: eq.span })),
      [],
      scope,
      false,
      done,
      d.span,
    );
    this.fn.body.label(done);
  }

  /** Binds `name` (declared at `span`) to `loc` in `scope`, and records where it lives from here on (slot-map.ts). */
  private bindVar(scope: Scope, name: string, span: SourceSpan, loc: Loc): void {
    scope.set(name, loc);
    const home: BinderHome | undefined =
      loc.k === 'slot'
        ? { k: 'slot', off: loc.off, ...(loc.box ? { box: true as const } : {}), ...(loc.bare ? { int: true as const } : {}) }
        : loc.k === 'reg'
          ? { k: 'reg', tag: PAIRS[loc.pair]![0], payload: PAIRS[loc.pair]![1] }
          : loc.k === 'field' && this.paramPair(loc.off) === undefined
            ? { k: 'field', off: loc.off, at: loc.at }
            : undefined;
    if (home) this.binders.bind(this.fn.body, scope, name, span, home, loc);
  }

  /** Local variables among `names`, in a fixed order. */
  private capturesOf(names: Iterable<string>, scope: Scope): string[] {
    return [...names].filter((n) => scope.get(n) !== undefined).sort();
  }

  /** Stores the captured values into the closure object whose value is at s0+`slot`. */
  private fillCaptures(caps: readonly string[], slot: number, scope: Scope): void {
    const b = this.fn.body;
    caps.forEach((name, i) => {
      this.loadVar(scope.get(name)!);
      b.lw(t1, slot + 4, s0);
      b.sw(a0, 12 + 8 * i, t1);
      b.sw(a1, 16 + 8 * i, t1);
    });
  }

  /**
   * Queues the code of a closure: its captures are read from its env object, capture i holding the value of caps[i];
   * `shared` names more names each bound to the capture of another with the same location (CodegenOptions.sharedCaptures).
   */
  private defer(
    fnInfo: KnownFn,
    equations: readonly Equation[],
    caps: readonly string[],
    scope: Scope,
    span: SourceSpan,
    intArgs: readonly boolean[] = [],
    shared: readonly (readonly [string, number])[] = [],
  ): void {
    const inner = new Scope(null);
    [...caps.map((name, index) => [name, index] as const), ...shared].forEach(([name, index]) => {
      const loc = scope.get(name)!;
      // an Int captured stays known to be one (CodegenOptions.typedInts: no tag test where the closure's code uses it)
      const cap: Loc = { k: 'cap', index, ...(loc.fn ? { fn: loc.fn } : {}), ...(loc.box ? { box: true as const } : loc.int ? { int: true } : {}) };
      inner.set(name, cap);
      this.binders.capture(inner, name, loc, cap, { k: 'cap', index, ...(loc.box ? { box: true as const } : {}) });
    });
    this.pending.push(() => this.compileFunction(fnInfo.label, fnInfo.arity, equations, inner, fnInfo, span, intArgs));
  }

  // ---- expressions -------------------------------------------------------------------------

  private storeSlot(off: number): void {
    this.fn.body.sw(a0, off, s0);
    this.fn.body.sw(a1, off + 4, s0);
  }

  private loadSlot(off: number, tag: number = a0, val: number = a1): void {
    this.fn.body.lw(tag, off, s0);
    this.fn.body.lw(val, off + 4, s0);
  }

  /** A matched cell reused (reusedCell) at s0+`off`, or in its parameter's register pair (CodegenOptions.matchRegisters). */
  private loadCell(off: number, tag: Reg = a0, val: Reg = a1): void {
    const pair = this.paramPair(off);
    if (pair === undefined) return this.loadSlot(off, tag, val);
    this.fn.body.mv(tag, pair[0]);
    this.fn.body.mv(val, pair[1]);
  }

  /** The two words at a variable's location (for a boxed value: the box, as captures copy it). */
  private loadVar(loc: Loc): void {
    this.loadVarInto(loc, a0, a1);
  }

  /** The two words at a variable's location into `tag` and `val`, or only its payload without `tag` (t0 may be used on the way). */
  private loadVarInto(loc: Loc, tag: Reg | undefined, val: Reg): void {
    const b = this.fn.body;
    if (loc.k === 'slot' && loc.bare) {
      const held = this.fn.facts?.payload(loc.off);
      if (held === undefined) b.lw(val, loc.off + 4, s0);
      else if (held !== val) b.mv(val, held);
      if (tag !== undefined) b.li(tag, TAG.INT);
      return;
    }
    if (loc.k === 'slot') {
      if (tag === undefined) return b.lw(val, loc.off + 4, s0);
      return this.loadSlot(loc.off, tag, val);
    }
    if (loc.k === 'reg') {
      if (tag !== undefined) b.mv(tag, PAIRS[loc.pair]![0]);
      b.mv(val, PAIRS[loc.pair]![1]);
      return;
    }
    if (loc.k === 'field') {
      // the cell is the payload of the matched value: in its slot, or in a parameter's register pair (read tag first)
      const cell = this.paramPair(loc.off)?.[1] ?? t0;
      if (cell === t0) b.lw(t0, loc.off + 4, s0);
      // an Int the type checker shows (CodegenOptions.inferredInts): its tag is known
      if (tag !== undefined && loc.int === true) b.li(tag, TAG.INT);
      else if (tag !== undefined) b.lw(tag, loc.at, cell);
      b.lw(val, loc.at + 4, cell);
      return;
    }
    const envAt = this.envRegister(t0);
    // the word of the register holding the env last (it may be the tag's or the payload's)
    if (tag !== undefined && tag !== envAt) b.lw(tag, 12 + 8 * loc.index, envAt);
    b.lw(val, 16 + 8 * loc.index, envAt);
    if (tag !== undefined && tag === envAt) b.lw(tag, 12 + 8 * loc.index, envAt);
  }

  /** A register holding the closure's env: the one known to (CodegenOptions.registerArguments), else `into`, loaded. */
  private envRegister(into: Reg): Reg {
    const held = this.fn.facts?.payload(ENV_WORD - 4);
    if (held !== undefined) return held;
    this.fn.body.lw(into, ENV_WORD, s0);
    return into;
  }

  /** A variable's value; a boxed one not defined yet is E_CYCLE at `span` (the use). */
  private readVar(loc: Loc, span: SourceSpan): void {
    this.loadVar(loc);
    if (!loc.box) return;
    const b = this.fn.body;
    b.lw(a0, 0, a1);
    b.lw(a1, 4, a1);
    b.li(t0, UNDEFINED_TAG);
    b.branch('beq', a0, t0, this.failTarget(ERR.CYCLE, span));
  }

  private setValue(tag: number, value: number): void {
    this.fn.body.li(a0, tag);
    this.fn.body.li(a1, value);
  }

  private genLit(lit: Literal): void {
    const b = this.fn.body;
    switch (lit.kind) {
      case 'int':
        return this.setValue(TAG.INT, lit.value);
      case 'bool':
        return this.setValue(TAG.BOOL, lit.value ? 1 : 0);
      case 'unit':
        return this.setValue(TAG.UNIT, 0);
      case 'double': {
        this.doubleLiterals = true;
        const label = `dbl$${this.counter++}`;
        const bytes = new Uint8Array(8);
        new DataView(bytes.buffer).setFloat64(0, lit.value, true);
        this.data.align(8);
        this.data.label(label);
        this.data.bytes(bytes);
        b.li(a0, TAG.DOUBLE);
        b.la(a1, label);
        return;
      }
      case 'text': {
        let label = this.texts.get(lit.value);
        if (!label) {
          label = `txt$${this.counter++}`;
          this.texts.set(lit.value, label);
          const utf8 = Buffer.from(lit.value, 'utf8');
          this.data.align(4);
          this.data.label(label);
          this.data.word(utf8.length);
          this.data.bytes(utf8);
        }
        b.li(a0, TAG.TEXT);
        b.la(a1, label);
      }
    }
  }

  /** A constant closure object for a top-level function used as a value. */
  private staticClosure(fn: KnownFn): void {
    if (this.staticClosures.has(fn.label)) return;
    this.staticClosures.add(fn.label);
    this.data.align(4);
    this.data.label(`${fn.label}$closure`);
    this.data.addr(fn.label);
    this.data.word(fn.arity);
    this.data.word(0);
  }

  /** Evaluates `e` in tail position: known calls become jumps, everything else returns. */
  private genTail(e: Expr, scope: Scope): void {
    const b = this.fn.body;
    switch (e.tag) {
      case 'If': {
        const other = b.fresh('else');
        this.genCondition(e.cond, scope, other);
        this.genTail(e.then, scope);
        b.label(other);
        this.genTail(e.else, scope);
        return;
      }
      case 'Let': {
        const mark = this.fn.next;
        const inner = new Scope(scope);
        this.genBindings(e.decls, inner);
        this.genTail(e.body, inner);
        this.binders.close(this.fn.body, inner);
        this.fn.next = mark;
        return;
      }
      case 'Case': {
        const mark = this.fn.next;
        const slot = this.fn.slots(1);
        this.gen(e.scrutinee, scope);
        this.storeSlot(slot);
        this.genClauses(caseClauses(e.alts), [slot], scope, true, '', e.span);
        this.fn.next = mark;
        return;
      }
      case 'App':
      case 'BinOp': {
        if (e.tag === 'BinOp' && (e.op === '&&' || e.op === '||')) {
          // the right operand is in tail position: `ordered (b : rest)` after `&&` runs in constant stack
          const short = b.fresh('sc');
          this.gen(e.left, scope);
          b.branch(e.op === '&&' ? 'beq' : 'bne', a1, zero, short);
          this.genTail(e.right, scope);
          b.label(short);
          this.epilogue();
          return;
        }
        const fused = this.fused(e, scope);
        if (fused) return this.genTail(fused, scope);
        if (this.reversible(e, scope)) {
          this.gen(e, scope);
          this.epilogue();
          return;
        }
        const spine = applicationSpine(e);
        if (spine) {
          if (this.inlineCall(spine.head, spine.args, scope, (body, inner) => this.genTail(body, inner))) return;
          const known = this.specialised(this.knownFn(spine.head, scope), spine.args, scope);
          if (
            known &&
            this.options.directCalls &&
            spine.args.length === known.fn.arity &&
            known.fn.arity <= this.fn.area &&
            (known.fn.global || known.loc !== undefined || known.fn.label === this.fn.selfFn?.label)
          ) {
            this.tailCall(known.fn, known.loc, spine.args, scope, e.span);
            return;
          }
          if (known && this.options.directCalls && spine.args.length === known.fn.arity) {
            // a call in tail position that cannot reuse the frame: nothing in the frame is needed once the arguments
            // are evaluated, so its frame map marks none of it (and the loop's registers forget their payloads)
            const mark = this.fn.next;
            b.span(e.span);
            const block = this.genBlock(spine.args, scope);
            for (const i of this.fn.regArgs) b.mv(PAIRS[i]![1], zero);
            this.fn.maxOut = Math.max(this.fn.maxOut, spine.args.length);
            for (let i = 0; i < spine.args.length; i++) {
              this.loadSlot(block + 8 * i, t1, t2);
              b.sw(t1, 8 * i, sp);
              b.sw(t2, 8 * i + 4, sp);
            }
            if (known.loc) {
              this.loadVar(known.loc);
              b.mv(a0, a1);
            }
            this.fn.frameDead = true;
            b.call(known.fn.label);
            this.fn.next = mark;
            this.epilogue();
            return;
          }
        }
        break;
      }
      default:
        break;
    }
    this.gen(e, scope);
    this.epilogue();
  }

  /**
   * A pipeline of the prelude's foldl, map, filter and range as one loop (CodegenOptions.fuse, fuse.ts), in the scope
   * of the call; undefined when `e` is none or the option is off.
   */
  private fused(e: Expr, scope: Scope): Expr | undefined {
    if (this.options.fuse === false) return undefined;
    return fusePipeline(e, {
      preludeFn: (head) => {
        const name = this.preludeName(head, scope);
        return name !== undefined && ['foldl', 'map', 'filter', 'range'].includes(name) ? name : undefined;
      },
      plainVar: (name) => {
        const loc = scope.get(name);
        return loc !== undefined ? !loc.box : this.globals.get(name)?.k === 'fn';
      },
      knownInt: (x) => this.knownInt(x, scope),
      fresh: () => this.counter++,
    });
  }

  /** The prelude definition's own name (`foldl` also when renamed apart, namespace.ts) when `head` names one in `scope`. */
  private preludeName(head: Expr, scope: Scope): string | undefined {
    if (head.tag !== 'Var' || scope.get(head.name) !== undefined) return undefined;
    const g = this.globals.get(head.name);
    return g !== undefined && this.prelude.has(g.decl) ? g.decl.name.replace(/^prelude\$/, '') : undefined;
  }

  /**
   * The call `go … [] …` when `e` is `reverse (go … [] …)` of the prelude's reverse and `go` (a known function) makes
   * every cell of its result itself, consed onto that `[]` (CodegenOptions.reverseInPlace, fresh.ts).
   */
  private reversible(e: Expr, scope: Scope): Expr | undefined {
    if (this.options.reverseInPlace === false) return undefined;
    const outer = applicationSpine(e);
    if (outer?.args.length !== 1 || this.preludeName(outer.head, scope) !== 'reverse') return undefined;
    const inner = outer.args[0]!;
    const call = applicationSpine(inner);
    if (call?.head.tag !== 'Var') return undefined;
    const loc = scope.get(call.head.name);
    const g = loc === undefined ? this.globals.get(call.head.name) : undefined;
    const decl = loc !== undefined ? loc.fn?.decl : g?.k === 'fn' ? g.decl : undefined;
    if (decl === undefined || call.args.length !== decl.equations[0]!.params.length) return undefined;
    // a name free in go's equations that the call's scope does not bind is not bound where go is defined either
    const i = call.args.findIndex((arg) => arg.tag === 'List' && arg.items.length === 0);
    return i >= 0 && freshAccumulator(decl, i, (head) => this.preludeName(head, scope) === 'foldl') ? inner : undefined;
  }

  /**
   * Reverses the list in a0/a1, whose cells nobody else holds (reversible), by turning each cell's tail around: no
   * allocation, two loads, two stores and four moves a cell.
   */
  private reverseCells(): void {
    const b = this.fn.body;
    const loop = b.fresh('rev');
    const done = b.fresh('reversed');
    b.li(t1, TAG.NIL);
    b.mv(t2, zero);
    b.li(t0, TAG.CONS);
    b.branch('bne', a0, t0, done);
    b.label(loop);
    b.lw(a0, 8, a1);
    b.lw(a2, 12, a1);
    b.sw(t1, 8, a1);
    b.sw(t2, 12, a1);
    b.mv(t1, t0);
    b.mv(t2, a1);
    b.mv(a1, a2);
    b.branch('beq', a0, t0, loop);
    b.label(done);
    emitRememberReversed(b, RT.rememberReversed);
    b.mv(a0, t1);
    b.mv(a1, t2);
  }

  private knownFn(head: Expr, scope: Scope): { fn: KnownFn; loc: Loc | undefined } | undefined {
    if (head.tag === 'HashRef') return this.knownFn({ tag: 'Var', name: `@${head.hash}`, span: head.span }, scope);
    if (head.tag !== 'Var') return undefined;
    const loc = scope.get(head.name);
    if (loc) return loc.fn ? { fn: loc.fn, loc } : undefined;
    const g = this.global(head.name, head.span);
    if (g?.k === 'fn') {
      this.request(head.name);
      return { fn: g.fn, loc: undefined };
    }
    return undefined;
  }

  /** The definition to inline for a call of `head` with `n` arguments, if the option is on and it qualifies. */
  private inlinable(head: Expr, scope: Scope, n: number): Decl | undefined {
    if (!this.options.inlining) return undefined;
    const name = head.tag === 'Var' ? head.name : head.tag === 'HashRef' ? `@${head.hash}` : undefined;
    if (name === undefined || scope.get(name)) return undefined;
    const g = this.global(name, head.span);
    if (g?.k !== 'fn' || g.fn.arity !== n || g.decl.equations.length !== 1) return undefined;
    const eq = g.decl.equations[0]!;
    if (eq.rhs.tag !== 'Plain' || eq.where.length > 0 || !eq.params.every((p) => p.tag === 'PVar')) return undefined;
    // A recursive definition is called, not inlined: by name, or (a stored definition) by its own hash, which a
    // body compiled later (a thunk, a lambda) would otherwise inline again and again without end.
    const nodes = inlineNodes(eq.rhs.expr, INLINE_NODES);
    if (!nodes || this.inlining.has(g.decl) || freeNames(g.decl).has(name)) return undefined;
    if (nodes.some((x) => x.tag === 'HashRef' && `@${x.hash}` === name)) return undefined;
    return g.decl;
  }

  /** The body of `d` in the current frame: arguments in slots, seen only by the body (lexical scope of the definition). */
  private genInline(d: Decl, args: readonly Expr[], scope: Scope, emit: InlineEmit): void {
    const eq = d.equations[0]!;
    const body = (eq.rhs as Extract<Equation['rhs'], { tag: 'Plain' }>).expr;
    this.inlining.add(d);
    try {
      this.genInlineBody(eq.params, declIntParams(d, eq.params.length), body, args, scope, emit);
    } finally {
      this.inlining.delete(d);
    }
  }

  /** A body whose only local variables are its parameters (variable patterns), in the current frame: the arguments (evaluated in `scope`) in slots. */
  private genInlineBody(params: readonly Pattern[], ints: readonly boolean[], body: Expr, args: readonly Expr[], scope: Scope, emit: InlineEmit): void {
    // an argument that is a local variable (no box: reading it cannot fail) is the parameter itself, where it is
    // (CodegenOptions.directArguments); the others are evaluated left to right into slots
    const aliases = args.map((arg) => (this.options.directArguments !== false && arg.tag === 'Var' ? scope.get(arg.name) : undefined)).map((loc) => (loc?.box ? undefined : loc));
    const block = this.fn.slots(args.length);
    args.forEach((arg, i) => {
      if (aliases[i] !== undefined) return;
      this.gen(arg, scope);
      this.storeSlot(block + 8 * i);
    });
    const inner = new Scope(null);
    params.forEach((p, i) => {
      const alias = aliases[i];
      const int = ints[i] === true;
      const loc: Loc = alias === undefined ? { k: 'slot', off: block + 8 * i, int } : int && (alias.k === 'slot' || alias.k === 'reg') ? { ...alias, int } : { ...alias };
      this.bindVar(inner, (p as Extract<Pattern, { tag: 'PVar' }>).name, p.span, loc);
    });
    emit(body, inner);
    this.binders.close(this.fn.body, inner);
  }

  /**
   * A saturated call of a small definition or of a lambda without captures, inlined: its body, in the scope of its
   * parameters, compiled by `emit` (in tail position, or as a condition) — false when the call is not inlined.
   */
  private inlineCall(head: Expr, args: readonly Expr[], scope: Scope, emit: InlineEmit): boolean {
    const mark = this.fn.next;
    const inline = this.inlinable(head, scope, args.length);
    const known = inline ? undefined : this.specialised(this.knownFn(head, scope), args, scope);
    if (inline) this.genInline(inline, args, scope, emit);
    else if (known?.fn.lambda && args.length === known.fn.arity && this.lambdaInlinable(known.fn.lambda)) this.genInlineBody(known.fn.lambda.params, [], known.fn.lambda.body, args, scope, emit);
    else return false;
    this.fn.next = mark;
    return true;
  }

  /** Whether a call of a lambda without captures is inlined: as small as an inlined definition, variable parameters. */
  private lambdaInlinable(lambda: Extract<Expr, { tag: 'Lam' }>): boolean {
    return this.options.inlining && lambda.params.every((p) => p.tag === 'PVar') && inlineNodes(lambda.body, INLINE_NODES) !== undefined;
  }

  /** A lambda without captures in `scope` as a static closure, compiled once (CodegenOptions.specialize); undefined for others. */
  private closedLambda(e: Extract<Expr, { tag: 'Lam' }>, scope: Scope): KnownFn | undefined {
    if (this.options.specialize === false) return undefined;
    const known = this.closedLambdas.get(e);
    if (known) return known;
    const eq: Equation = { name: '\\', params: e.params, rhs: { tag: 'Plain', expr: e.body }, where: [], span: e.span };
    if (this.capturesOf(freeNames({ name: '\\', signature: null, equations: [eq], span: e.span }), scope).length > 0) return undefined;
    const fn: KnownFn = { name: '\\', label: `tel$lambda$${this.counter++}`, arity: e.params.length, global: true, lambda: e, ...this.continuationArea(e) };
    this.closedLambdas.set(e, fn);
    this.staticClosure(fn);
    this.pending.push(() => this.compileFunction(fn.label, fn.arity, [eq], new Scope(null), fn, e.span));
    return fn;
  }

  /**
   * A call of a top-level function with lambdas without captures for parameters that are variables (or wildcards)
   * in every equation: the function's specialisation on them (compiled once each), else `known` itself.
   */
  private specialised(known: { fn: KnownFn; loc: Loc | undefined } | undefined, args: readonly Expr[], scope: Scope): { fn: KnownFn; loc: Loc | undefined } | undefined {
    if (!known || known.loc || !known.fn.global || known.fn.lambda || this.options.specialize === false) return known;
    const g = this.globals.get(known.fn.name);
    if (g?.k !== 'fn') return known;
    const lambdas = new Map<number, KnownFn>();
    for (let i = 0; i < Math.min(args.length, g.fn.arity); i++) {
      if (!g.decl.equations.every((eq) => eq.params[i]!.tag === 'PVar' || eq.params[i]!.tag === 'PWild')) continue;
      const arg = args[i]!;
      const lambda = arg.tag === 'Lam' ? this.closedLambda(arg, scope) : arg.tag === 'Var' ? scope.get(arg.name)?.fn : undefined;
      if (lambda?.lambda) lambdas.set(i, lambda);
    }
    if (lambdas.size === 0) return known;
    const key = `${g.fn.label}|${[...lambdas].map(([i, fn]) => `${i}:${fn.label}`).join(',')}`;
    let fn = this.specialisations.get(key);
    if (!fn) {
      const spec: KnownFn = { ...g.fn, label: `${g.fn.label}$spec$${this.counter++}` };
      fn = spec;
      this.specialisations.set(key, spec);
      this.pending.push(() => this.compileFunction(spec.label, spec.arity, g.decl.equations, new Scope(null), spec, g.decl.span, declIntParams(g.decl, spec.arity), lambdas));
    }
    return { fn, loc: undefined };
  }

  /** Evaluates the expressions into a fresh block of slots; returns its offset. */
  private genBlock(items: readonly Expr[], scope: Scope): number {
    const block = this.fn.slots(items.length);
    items.forEach((item, i) => {
      this.gen(item, scope);
      this.storeSlot(block + 8 * i);
    });
    return block;
  }

  private tailCall(fn: KnownFn, loc: Loc | undefined, args: readonly Expr[], scope: Scope, span: SourceSpan): void {
    const b = this.fn.body;
    const mark = this.fn.next;
    b.span(span);
    // (where registers are followed, the function is no loop: a call of itself goes through its entry, which reloads them)
    const self = this.fn.selfFn?.label === fn.label && this.fn.facts === undefined;
    // a local function's call of itself without its closure at hand needs the jump back past its prologue (a loop's)
    if (!self && !fn.global && loc === undefined) throw new CaxError('E_INTERNAL', `${this.fn.label}: a tail call of itself where registers are followed`, { span });
    // a quiet Int argument of a loop's Int parameter kept in a register pair is computed after the others (it cannot
    // fail or act) into a temporary of its own, then moved into the pair's payload register (its tag is an Int's); of
    // another function's parameter (CodegenOptions.directArguments), stored from its temporary into the parameter
    const inRegs: boolean[] = [];
    for (const [i, arg] of args.entries()) {
      const taken = inRegs.filter(Boolean).length;
      const room = INT_TEMPS.length - taken >= INT_DEPTH + 2;
      const other = !self && this.options.directArguments !== false && room && this.quietInt(arg, scope, fn.bare?.[i] === true);
      inRegs.push(other || (self && this.fn.regArgs.includes(i) && this.fn.intArgs[i] === true && room && this.quietInt(arg, scope, true)));
    }
    const moves = this.directMoves(args, scope, self, inRegs);
    const intoPair = this.lastIntoPair(args, scope, self, inRegs, moves);
    const block = this.fn.slots(args.length);
    args.forEach((arg, i) => {
      if (inRegs[i] || moves.includes(i)) return;
      if (i === intoPair) return this.genIntoPair(arg, scope, PAIRS[i]!);
      this.gen(arg, scope);
      this.storeSlot(block + 8 * i);
    });
    // one whose parameter register no argument still to come reads is computed straight into it (its last
    // instruction writes it, after every read); where they read each other's in a cycle, one goes to a temporary
    const results = new Map<number, Reg>();
    let free = INT_TEMPS;
    const pending = args.flatMap((_, i) => (inRegs[i] ? [i] : []));
    while (pending.length > 0) {
      const at = self ? pending.findIndex((i) => pending.every((j) => j === i || !readsPair(args[j]!, scope, i)) && moves.every((j) => this.readsParam(args[j]!, scope, self) !== i)) : -1;
      const i = pending.splice(Math.max(at, 0), 1)[0]!;
      if (at >= 0) {
        this.intExprInto(args[i]!, scope, PAIRS[i]![1], free);
        results.set(i, PAIRS[i]![1]);
        continue;
      }
      const r = this.intExpr(args[i]!, scope, free);
      if (r !== free[0]) b.mv(free[0]!, r);
      results.set(i, free[0]!);
      free = free.slice(1);
    }
    // a local function (a where- or let-bound one, e.g. of a mutually recursive group) needs its closure as env in
    // a0: read before the arguments overwrite the parameter slots (the moves below use only t1/t2, so a0 survives)
    const local = !self && loc !== undefined;
    if (local) {
      this.loadVar(loc);
      b.mv(a0, a1);
    }
    // literals and variables first, each read before its parameter is overwritten (the moves below read only slots and temporaries)
    for (const i of moves) {
      const source = args[i]!.tag === 'Var' ? scope.get((args[i] as Extract<Expr, { tag: 'Var' }>).name) : undefined;
      if (source?.k === 'slot' && source.off === 8 * i && source.bare && fn.bare?.[i] !== true) {
        // an Int parameter passed on in its own place to a callee that reads its tag word: the tag written
        b.li(t1, TAG.INT);
        b.sw(t1, 8 * i, s0);
        continue;
      }
      if ((source?.k === 'slot' && source.off === 8 * i) || (self && source?.k === 'reg' && source.pair === i)) continue; // the parameter itself, passed on
      if (this.reusedCell(args[i]!, scope) === 8 * i) continue; // `h : t` of the cell matched in this very parameter
      const load = this.operandLoad(args[i]!, scope)!;
      if (self && this.fn.regArgs.includes(i)) {
        load(PAIRS[i]![0], PAIRS[i]![1]);
        continue;
      }
      load(t1, t2);
      b.sw(t1, 8 * i, s0);
      b.sw(t2, 8 * i + 4, s0);
    }
    args.forEach((_, i) => {
      if (moves.includes(i) || i === intoPair) return;
      const result = results.get(i);
      if (result !== undefined && !self) {
        if (fn.bare?.[i] !== true) {
          b.li(t1, TAG.INT);
          b.sw(t1, 8 * i, s0);
        }
        b.sw(result, 8 * i + 4, s0);
        return;
      }
      if (result !== undefined) {
        if (result !== PAIRS[i]![1]) b.mv(PAIRS[i]![1], result);
        return;
      }
      if (self && this.fn.regArgs.includes(i)) {
        this.loadSlot(block + 8 * i, PAIRS[i]![0], PAIRS[i]![1]);
      } else {
        this.loadSlot(block + 8 * i, t1, t2);
        b.sw(t1, 8 * i, s0);
        b.sw(t2, 8 * i + 4, s0);
      }
    });
    this.fn.next = mark;
    if (self) {
      b.j(this.fn.start);
      return;
    }
    this.restoreRegisters();
    this.popFrame();
    b.j(fn.label);
  }

  /** `e` into the register pair `into` (a loop's parameter): a cons cell built straight into it (directObjects), anything else through a0/a1. */
  private genIntoPair(e: Expr, scope: Scope, into: readonly [Reg, Reg]): void {
    if (e.tag === 'BinOp' && e.op === ':' && this.options.directObjects !== false && this.reusedCell(e, scope) === undefined) {
      const mark = this.fn.next;
      this.genObject(TAG.CONS, [], [e.left, e.right], scope, e.span, into);
      this.fn.next = mark;
      return;
    }
    this.gen(e, scope);
    this.fn.body.mv(into[0], a0);
    this.fn.body.mv(into[1], a1);
  }

  /**
   * Which parameter of the current function the argument `e` of a tail call reads, if it is a variable in one (its
   * slot, its register pair — written only by a self call — or the slot of the cell a matched variable is in).
   */
  private readsParam(e: Expr, scope: Scope, self: boolean): number | undefined {
    const cell = this.reusedCell(e, scope);
    if (cell !== undefined) return cell >= 0 ? cell / 8 : undefined;
    const loc = e.tag === 'Var' ? scope.get(e.name) : undefined;
    if (loc?.k === 'reg') return self ? loc.pair : undefined;
    if ((loc?.k === 'slot' || loc?.k === 'field') && loc.off >= 0) return loc.off / 8;
    return undefined;
  }

  /**
   * The argument of a loop's self tail call that goes straight from a0/a1 into its parameter's register pair
   * (CodegenOptions.directArguments), not through a slot: the last one evaluated into a slot (no evaluation comes
   * after it), of a parameter kept in a pair that no argument moved or computed after it reads — `go (y : acc) ys`.
   */
  private lastIntoPair(args: readonly Expr[], scope: Scope, self: boolean, inRegs: readonly boolean[], moves: readonly number[]): number | undefined {
    if (!self || this.options.directArguments === false) return undefined;
    const evaluated = args.flatMap((_, i) => (inRegs[i] || moves.includes(i) ? [] : [i]));
    const i = evaluated[evaluated.length - 1];
    if (i === undefined || !this.fn.regArgs.includes(i)) return undefined;
    if (moves.some((j) => this.readsParam(args[j]!, scope, self) === i)) return undefined;
    return args.some((arg, j) => inRegs[j] && readsPair(arg, scope, i)) ? undefined : i;
  }

  /**
   * The arguments of a tail call moved straight into the parameters (CodegenOptions.directArguments): literals and
   * variables, in an order where each parameter is read before it is overwritten; where they read each other's in a
   * cycle, one goes through a slot instead.
   */
  private directMoves(args: readonly Expr[], scope: Scope, self: boolean, inRegs: readonly boolean[]): number[] {
    if (this.options.directArguments === false) return [];
    const left = args.flatMap((arg, i) => (!inRegs[i] && this.operandLoad(arg, scope) !== undefined ? [i] : []));
    const order: number[] = [];
    while (left.length > 0) {
      const at = left.findIndex((i) => left.every((j) => j === i || this.readsParam(args[j]!, scope, self) !== i));
      if (at < 0) left.shift();
      else order.push(left.splice(at, 1)[0]!);
    }
    return order;
  }

  /**
   * Calls a known function with exactly its arity of arguments, evaluated left to right into the outgoing area.
   * An argument whose evaluation may call compiled code (which writes its own arguments there) waits in a frame
   * slot until the last such one is evaluated; arguments that cannot fail or call (quiet) are evaluated last,
   * straight into place, which nobody can tell from left to right.
   */
  private directCall(fn: KnownFn, loc: Loc | undefined, args: readonly Expr[], scope: Scope): void {
    const b = this.fn.body;
    const n = args.length;
    this.fn.maxOut = Math.max(this.fn.maxOut, n);
    const loud = args.map((arg, i) => (this.quiet(arg, scope) ? -1 : i)).filter((i) => i >= 0);
    const last = loud.pop();
    const block = this.fn.slots(loud.length);
    loud.forEach((i, j) => {
      this.gen(args[i]!, scope);
      this.storeSlot(block + 8 * j);
    });
    const bare = (i: number): boolean => fn.bare?.[i] === true;
    const toOutgoing = (i: number): void => {
      if (!bare(i)) b.sw(a0, 8 * i, sp);
      b.sw(a1, 8 * i + 4, sp);
    };
    if (last !== undefined) {
      this.gen(args[last]!, scope);
      toOutgoing(last);
    }
    loud.forEach((i, j) => {
      if (!bare(i)) {
        b.lw(t1, block + 8 * j, s0);
        b.sw(t1, 8 * i, sp);
      }
      b.lw(t2, block + 8 * j + 4, s0);
      b.sw(t2, 8 * i + 4, sp);
      this.fn.forget(block + 8 * j);
    });
    // an argument passed in a register that is quiet Int arithmetic is computed into it last (CodegenOptions.registerArguments)
    const inReg = (i: number): boolean => fn.regs?.[i] === true;
    const intoReg = (i: number): boolean => inReg(i) && i !== last && !loud.includes(i) && this.quietInt(args[i]!, scope, true);
    args.forEach((arg, i) => {
      if (i === last || loud.includes(i) || intoReg(i)) return;
      // an untagged Int argument that is quiet Int arithmetic: its payload only, no tag made
      if (bare(i) && this.quietInt(arg, scope, true)) this.intExprInto(arg, scope, a1, INT_TEMPS);
      else this.gen(arg, scope);
      toOutgoing(i);
    });
    if (!args.some((_, i) => inReg(i))) return this.callKnown(fn, loc);
    args.forEach((arg, i) => {
      if (intoReg(i)) {
        this.intExprInto(arg, scope, ARG_REGS[i]!, INT_TEMPS);
        b.sw(ARG_REGS[i]!, 8 * i + 4, sp);
      } else if (inReg(i)) b.lw(ARG_REGS[i]!, 8 * i + 4, sp);
    });
    // a top-level function: no env
    b.call(directEntry(fn.label));
  }

  /** Calls a known function whose arguments are in the outgoing area (a local one with its closure as env). */
  private callKnown(fn: KnownFn, loc: Loc | undefined): void {
    const b = this.fn.body;
    // a local function's closure is its env; a top-level one has none
    if (loc) {
      this.loadVar(loc);
      b.mv(a0, a1);
    }
    b.call(fn.label);
  }

  private genApp(e: Expr, head: Expr, args: readonly Expr[], scope: Scope): void {
    const fused = this.fused(e, scope);
    if (fused) return this.gen(fused, scope);
    const fresh = this.reversible(e, scope);
    if (fresh) {
      this.gen(fresh, scope);
      this.reverseCells();
      return;
    }
    const b = this.fn.body;
    const mark = this.fn.next;
    b.span(e.span);
    if (head.tag === 'Var' && !scope.get(head.name) && !this.global(head.name, head.span) && PRIMS[head.name] !== undefined && args.length >= PRIMS[head.name]!) {
      const k = PRIMS[head.name]!;
      const eff = EFFECT_PRIMS[head.name];
      if (head.name === '%bind' && this.bindFuses(args[0]!, args[1]!, scope)) this.genFusedBind(args[0]!, args[1] as Extract<Expr, { tag: 'Lam' }>, scope, e.span);
      else if (eff) this.genObject(TAG.EFFECT, [eff.kind, eff.arity], args.slice(0, k), scope, e.span);
      else this.genPrim(head.name, this.genBlock(args.slice(0, k), scope), e.span);
      this.applyRest(args.slice(k), scope);
      this.fn.next = mark;
      return;
    }
    const inline = this.inlinable(head, scope, args.length);
    if (inline) {
      this.genInline(inline, args, scope, (body, inner) => this.gen(body, inner));
      this.fn.next = mark;
      return;
    }
    const known = this.options.directCalls ? this.specialised(this.knownFn(head, scope), args, scope) : undefined;
    if (known?.fn.lambda && args.length >= known.fn.arity && this.lambdaInlinable(known.fn.lambda)) {
      this.genInlineBody(known.fn.lambda.params, [], known.fn.lambda.body, args.slice(0, known.fn.arity), scope, (body, inner) => this.gen(body, inner));
      this.applyRest(args.slice(known.fn.arity), scope);
      this.fn.next = mark;
      return;
    }
    if (known && args.length >= known.fn.arity) {
      const k = known.fn.arity;
      this.directCall(known.fn, known.loc, args.slice(0, k), scope);
      this.applyRest(args.slice(k), scope);
      this.fn.next = mark;
      return;
    }
    const block = this.fn.slots(args.length + 1);
    this.gen(head, scope);
    this.storeSlot(block);
    args.forEach((arg, i) => {
      this.gen(arg, scope);
      this.storeSlot(block + 8 + 8 * i);
    });
    this.loadSlot(block);
    // a closure of exactly this arity is called here, as rt_call would (its code, env in a0, the arguments in the
    // outgoing area); anything else goes through rt_apply
    const n = args.length;
    const general = b.fresh('apply');
    const done = b.fresh('applied');
    b.li(t0, TAG.CLOSURE);
    b.branch('bne', a0, t0, general);
    b.lw(t0, 4, a1);
    b.li(t1, n);
    b.branch('bne', t0, t1, general);
    this.fn.maxOut = Math.max(this.fn.maxOut, n);
    // the arguments move to the outgoing area here; rt_apply below reads them in the block
    const before = this.fn.snapshot();
    for (let i = 0; i < n; i++) {
      this.loadSlot(block + 8 + 8 * i, t1, t2);
      b.sw(t1, 8 * i, sp);
      b.sw(t2, 8 * i + 4, sp);
      this.fn.forget(block + 8 + 8 * i);
    }
    b.mv(a0, a1);
    b.lw(t0, 0, a0);
    b.jalr(ra, t0, 0);
    b.j(done);
    b.label(general);
    this.fn.restore(before);
    b.li(a2, n);
    b.addi(a3, s0, block + 8);
    b.call(RT.apply);
    b.label(done);
    this.fn.next = mark;
  }

  /** Applies the function value in a0/a1 to further arguments. */
  private applyRest(args: readonly Expr[], scope: Scope): void {
    if (args.length === 0) return;
    const b = this.fn.body;
    const block = this.fn.slots(args.length + 1);
    this.storeSlot(block);
    args.forEach((arg, i) => {
      this.gen(arg, scope);
      this.storeSlot(block + 8 + 8 * i);
    });
    this.loadSlot(block);
    b.li(a2, args.length);
    b.addi(a3, s0, block + 8);
    b.call(RT.apply);
  }

  private genPrim(name: string, block: number, span: SourceSpan): void {
    const b = this.fn.body;
    const eff = EFFECT_PRIMS[name];
    if (eff) {
      // an effect node {kind, n, values…} (layout.ts EFFECT_KIND) from the argument block
      this.buildObject(TAG.EFFECT, [eff.kind, eff.arity], block, eff.arity);
      return;
    }
    this.loadSlot(block);
    const inRuntime = RUNTIME_PRIMS[name];
    if (inRuntime) {
      b.call(inRuntime);
      return;
    }
    switch (name) {
      case 'mod':
        this.loadSlot(block + 8, a2, a3);
        b.branch('beq', a3, zero, this.failTarget(ERR.DIV_ZERO, span));
        b.rem(a1, a1, a3);
        return;
      case 'primTextLength':
        b.lw(a1, 0, a1);
        b.li(a0, TAG.INT);
        return;
      case 'primEmpty':
        b.j(this.failTarget(ERR.EMPTY, span));
        return;
      default:
        throw unsupportedAt(`the builtin ${name} on the co-processor`, span);
    }
  }

  /** Builds a heap object from header words and the values in a block: a0/a1 = (tag, pointer). */
  private buildObject(tag: number, header: readonly number[], block: number, n: number): void {
    const b = this.fn.body;
    this.allocObject(header, n);
    for (let i = 0; i < n; i++) this.slotToObject(block + 8 * i, 4 * header.length + 8 * i);
    b.mv(a1, a0);
    b.li(a0, tag);
  }

  /**
   * An object of `size` bytes (a multiple of 8) into a0, not zeroed: the caller writes every word before anything else
   * can allocate. In a loop, or where `repeated` (a site the function runs again through a continuation), at the site
   * (CodegenOptions.inlineAlloc: about 90 bytes of code a site, which the board's heap loses, so only where a site runs
   * many times), else through the runtime's fast path.
   */
  private allocFilled(size: number, repeated = false): void {
    const b = this.fn.body;
    if (size <= INLINE_ALLOC_MAX_BYTES && (this.fn.loop || repeated) && this.options.inlineAlloc !== false) return emitInlineAlloc(b, size, RT.allocCarve);
    b.li(a0, size);
    b.call(size <= SMALL_OBJECT_BYTES ? RT.allocSmall : RT.allocFilled);
  }

  /**
   * Allocates an object of header words (a number, or a label's address: a closure's code) and `n` values (a cons cell
   * by default) into a0, its header written; the caller writes every value before anything else can allocate, so it is
   * not zeroed (but an odd header's padding).
   */
  private allocObject(header: readonly (number | string)[], n = 2): void {
    const b = this.fn.body;
    const bytes = 4 * header.length + 8 * n;
    const size = (bytes + 7) & ~7; // the allocator takes the chunk's size, a multiple of 8
    this.allocFilled(size);
    header.forEach((w, i) => {
      if (typeof w === 'string') b.la(t0, w);
      else b.li(t0, w);
      b.sw(t0, 4 * i, a0);
    });
    if (bytes % 8 !== 0) b.sw(zero, bytes, a0);
  }

  /** Copies the value at s0+`from` into the object at a0, at byte `to`. */
  private slotToObject(from: number, to: number): void {
    const b = this.fn.body;
    this.loadSlot(from, t1, t2);
    b.sw(t1, to, a0);
    b.sw(t2, to + 4, a0);
  }

  /**
   * Whether an item of an object can be written into it after the allocation (CodegenOptions.directObjects): a
   * literal, a local variable that is no box, a matched cell reused (reusedCell), or quiet Int arithmetic — nothing that can fail, act, allocate or
   * call, so it may be evaluated out of order, and loaded without a0.
   */
  private lateItem(e: Expr, scope: Scope): boolean {
    return this.operandLoad(e, scope) !== undefined || this.quietInt(e, scope);
  }

  /** Writes a late item (lateItem) into the object at a0, at byte `to` (a0 is kept). */
  private storeItem(e: Expr, scope: Scope, to: number): void {
    const b = this.fn.body;
    // a parameter in a register pair is stored from there, a quiet Int's payload from the register it is computed in
    const loc = e.tag === 'Var' ? scope.get(e.name) : undefined;
    if (loc?.k === 'reg') {
      b.sw(PAIRS[loc.pair]![0], to, a0);
      b.sw(PAIRS[loc.pair]![1], to + 4, a0);
      return;
    }
    const load = this.operandLoad(e, scope);
    if (load) {
      load(t1, t2);
      b.sw(t1, to, a0);
      b.sw(t2, to + 4, a0);
      return;
    }
    b.span(e.span);
    const r = this.intExpr(e, scope, INT_TEMPS);
    b.li(t1, TAG.INT);
    b.sw(t1, to, a0);
    b.sw(r, to + 4, a0);
  }

  /**
   * A heap object of header words and `items` into a0/a1 = (tag, pointer): items evaluated left to right into a
   * block and copied in, or (directObjects) only the items that are not late, the late ones written in directly.
   */
  private genObject(tag: number, header: readonly number[], items: readonly Expr[], scope: Scope, span?: SourceSpan, into: readonly [Reg, Reg] = [a0, a1]): void {
    const b = this.fn.body;
    if (this.options.directObjects === false) {
      this.buildObject(tag, header, this.genBlock(items, scope), items.length);
      if (into[0] !== a0) {
        b.mv(into[0], a0);
        b.mv(into[1], a1);
      }
      return;
    }
    this.fn.checkRoom(items.length);
    const late = items.map((item) => this.lateItem(item, scope));
    const block = this.genBlock(
      items.filter((_, i) => !late[i]),
      scope,
    );
    if (span) b.span(span);
    this.allocObject(header, items.length);
    let k = 0;
    items.forEach((item, i) => {
      const to = 4 * header.length + 8 * i;
      if (late[i]) this.storeItem(item, scope, to);
      else this.slotToObject(block + 8 * k++, to);
    });
    b.mv(into[1], a0);
    b.li(into[0], tag);
  }

  private genLambda(e: Extract<Expr, { tag: 'Lam' }>, scope: Scope): void {
    const b = this.fn.body;
    const closed = this.closedLambda(e, scope);
    if (closed) {
      b.li(a0, TAG.CLOSURE);
      b.la(a1, `${closed.label}$closure`);
      return;
    }
    const { fnInfo, caps } = this.newLambda(e, scope);
    if (this.options.directObjects !== false) {
      // the captured values are loaded straight into the new closure, whose every word is written before anything allocates
      this.allocObject([fnInfo.label, fnInfo.arity, caps.length], caps.length);
      this.writeCaptures(caps, scope, 12);
      b.mv(a1, a0);
      b.li(a0, TAG.CLOSURE);
      return;
    }
    const mark = this.fn.next;
    const block = this.fn.slots(Math.max(1, caps.length));
    caps.forEach((name, i) => {
      this.loadVar(scope.get(name)!);
      this.storeSlot(block + 8 * i);
    });
    b.li(a0, 12 + 8 * caps.length);
    b.call(RT.alloc);
    b.la(t0, fnInfo.label);
    b.sw(t0, 0, a0);
    b.li(t0, fnInfo.arity);
    b.sw(t0, 4, a0);
    b.li(t0, caps.length);
    b.sw(t0, 8, a0);
    caps.forEach((_, i) => {
      this.loadSlot(block + 8 * i, t1, t2);
      b.sw(t1, 12 + 8 * i, a0);
      b.sw(t2, 16 + 8 * i, a0);
    });
    b.mv(a1, a0);
    b.li(a0, TAG.CLOSURE);
    this.fn.next = mark;
  }

  /**
   * Whether `bind first k` is built in one allocation (genFusedBind, CodegenOptions.directObjects): `first` an effect
   * builtin applied to exactly its arguments, each a late item (lateItem), and `k` a lambda.
   */
  private bindFuses(first: Expr, k: Expr, scope: Scope): boolean {
    if (this.options.directObjects === false || k.tag !== 'Lam') return false;
    const spine = applicationSpine(first) ?? { head: first, args: [] };
    if (spine.head.tag !== 'Var' || this.effectPrim(spine.head.name, scope)?.arity !== spine.args.length) return false;
    return spine.args.every((a) => this.lateItem(a, scope));
  }

  /**
   * `bind first k` (bindFuses) as one chunk: the bind node {BIND, 2, first, k} at its start, then first's node
   * {kind, n, items…}, then k's closure {code, arity, ncap, captures…} (none for a closed lambda: its static closure),
   * each value written straight in before anything allocates. The bind points into its own chunk; the collector marks
   * a chunk from any pointer into it, and the three live and die together (docs/compiler.md "Effects and time").
   */
  private genFusedBind(first: Expr, k: Extract<Expr, { tag: 'Lam' }>, scope: Scope, span: SourceSpan): void {
    const b = this.fn.body;
    const spine = applicationSpine(first) ?? { head: first, args: [] };
    const eff = EFFECT_PRIMS[(spine.head as Extract<Expr, { tag: 'Var' }>).name]!;
    const closed = this.closedLambda(k, scope);
    const lambda = closed ? undefined : this.newLambda(k, scope);
    const at = 24; // first's node
    const closureAt = at + 8 + 8 * eff.arity;
    const closureBytes = lambda ? 12 + 8 * lambda.caps.length : 0;
    const size = closureAt + ((closureBytes + 7) & ~7);
    b.span(span);
    // an effect loop (`loop n = … do { emit n; loop (n - 1) }`): the chunk is built once an iteration
    const self = this.fn.selfFn;
    const continued: Equation = { name: '\\', params: k.params, rhs: { tag: 'Plain', expr: k.body }, where: [], span: k.span };
    this.allocFilled(size, self !== undefined && loops([continued], self.name, self.arity));
    // the constant words [value, offset], written in the order of their values: one `li` for words of the same value;
    // among them the tag of each item or capture that is a variable known to be an Int (typedInts), whose payload
    // alone is loaded after
    const words: [number, number][] = [
      [EFFECT_KIND.BIND, 0],
      [2, 4],
      [TAG.EFFECT, 8],
      [TAG.CLOSURE, 16],
      [eff.kind, at],
      [eff.arity, at + 4],
    ];
    if (lambda) words.push([lambda.fnInfo.arity, closureAt + 4], [lambda.caps.length, closureAt + 8]);
    const intVar = (name: string): Loc | undefined => {
      const loc = scope.get(name);
      return this.options.typedInts && loc !== undefined && !loc.box && loc.int === true ? loc : undefined;
    };
    const values: { to: number; item?: Expr; name?: string; int?: Loc }[] = [
      ...spine.args.map((item, i) => ({ to: at + 8 + 8 * i, item, ...(item.tag === 'Var' ? { int: intVar(item.name) } : {}) })),
      ...(lambda?.caps ?? []).map((name, i) => ({ to: closureAt + 12 + 8 * i, name, int: intVar(name) })),
    ];
    for (const v of values) if (v.int) words.push([TAG.INT, v.to]);
    let held: number | undefined;
    for (const [value, to] of words.sort((x, y) => x[0] - y[0])) {
      if (value !== 0 && value !== held) b.li(t0, value);
      held = value;
      b.sw(value === 0 ? zero : t0, to, a0);
    }
    b.addi(t0, a0, at);
    b.sw(t0, 12, a0);
    if (lambda) b.addi(t0, a0, closureAt);
    else b.la(t0, `${closed!.label}$closure`);
    b.sw(t0, 20, a0);
    if (lambda) {
      b.la(t0, lambda.fnInfo.label);
      b.sw(t0, closureAt, a0);
    }
    // the Int payloads grouped by where they are, each slot's loaded once (`x <- return n; emit x` captures x and n,
    // which name one slot, and the emitted item is n too)
    const place = (loc: Loc | undefined): string | undefined => (loc?.k === 'slot' ? `slot ${loc.off}` : undefined);
    const order = values.map((v, i) => ({ v, i, at: place(v.int) ?? `#${i}` })).sort((x, y) => (x.at === y.at ? x.i - y.i : x.at < y.at ? -1 : 1));
    let loaded: string | undefined;
    for (const { v } of order) {
      if (v.int) {
        const at = place(v.int);
        if (at === undefined || at !== loaded) this.loadVarInto(v.int, undefined, t2);
        loaded = at;
        b.sw(t2, v.to + 4, a0);
        continue;
      }
      loaded = undefined;
      if (v.item) this.storeItem(v.item, scope, v.to);
      else {
        this.loadVarInto(scope.get(v.name!)!, t1, t2);
        b.sw(t1, v.to, a0);
        b.sw(t2, v.to + 4, a0);
      }
    }
    if (lambda && closureBytes % 8 !== 0) b.sw(zero, closureAt + closureBytes, a0);
    b.mv(a1, a0);
    b.li(a0, TAG.EFFECT);
  }

  /** The code of a lambda that captures (not a closed one), queued: its label and arity, and the names it captures from `scope`. */
  private newLambda(e: Extract<Expr, { tag: 'Lam' }>, scope: Scope): { fnInfo: KnownFn; caps: readonly string[] } {
    const eq: Equation = { name: '\\', params: e.params, rhs: { tag: 'Plain', expr: e.body }, where: [], span: e.span };
    const names = this.capturesOf(freeNames({ name: '\\', signature: null, equations: [eq], span: e.span }), scope);
    // names of one location (`x <- return n` folded: x is n's slot) captured once (CodegenOptions.sharedCaptures)
    const caps: string[] = [];
    const shared: [string, number][] = [];
    const at = new Map<string, number>();
    for (const name of names) {
      const loc = scope.get(name)!;
      const place = this.options.sharedCaptures !== false && loc.k === 'slot' && !loc.fn ? JSON.stringify(loc) : undefined;
      const index = place === undefined ? undefined : at.get(place);
      if (index !== undefined) {
        shared.push([name, index]);
        continue;
      }
      if (place !== undefined) at.set(place, caps.length);
      caps.push(name);
    }
    const fnInfo: KnownFn = { name: '\\', label: `tel$lambda$${this.counter++}`, arity: e.params.length, global: false, ...this.continuationArea(e) };
    this.defer(fnInfo, [eq], caps, scope, e.span, [], shared);
    return { fnInfo, caps };
  }

  /** A bind's continuation's incoming area (CodegenOptions.continuationJumps): room for CONTINUATION_AREA arguments. */
  private continuationArea(e: Expr): { area?: number } {
    return this.options.continuationJumps !== false && this.continuations.has(e) ? { area: CONTINUATION_AREA } : {};
  }

  /** Writes the values of `caps` into the closure at a0 from byte `at` on (a0 is kept). */
  private writeCaptures(caps: readonly string[], scope: Scope, at: number): void {
    const b = this.fn.body;
    caps.forEach((name, i) => {
      this.loadVarInto(scope.get(name)!, t1, t2);
      b.sw(t1, at + 8 * i, a0);
      b.sw(t2, at + 4 + 8 * i, a0);
    });
  }

  /** A primitive or operator used as a value: the lambda that applies it. */
  private etaExpand(arity: number, body: (vars: Expr[]) => Expr, span: SourceSpan): Extract<Expr, { tag: 'Lam' }> {
    const names = Array.from({ length: arity }, (_, i) => `%${i}`);
    return { tag: 'Lam', params: names.map((name) => ({ tag: 'PVar' as const, name, span })), body: body(names.map((name) => ({ tag: 'Var' as const, name, span }))), span };
  }

  private genVar(e: Extract<Expr, { tag: 'Var' }>, scope: Scope): void {
    const b = this.fn.body;
    const loc = scope.get(e.name);
    if (loc) return this.readVar(loc, e.span);
    const constant = this.constantLiteral(e, scope);
    if (constant !== undefined) return this.genLit(constant);
    const g = this.global(e.name, e.span);
    if (g) {
      this.request(e.name);
      if (g.k === 'fn') {
        this.staticClosure(g.fn);
        b.li(a0, TAG.CLOSURE);
        b.la(a1, `${g.fn.label}$closure`);
        return;
      }
      const cached = b.fresh('cached');
      b.la(t0, g.cell);
      b.lw(t1, 0, t0);
      b.branch('bne', t1, zero, cached);
      // not computed yet: the tag word marks it as being computed, so that a constant defined in terms of itself is
      // E_CYCLE at the use that comes back to it (as in the interpreter), not an endless recursion
      b.lw(t1, 4, t0);
      b.li(t2, UNDEFINED_TAG);
      b.branch('beq', t1, t2, this.failTarget(ERR.CYCLE, e.span));
      b.sw(t2, 4, t0);
      b.li(a0, 0);
      b.call(g.label);
      b.la(t0, g.cell);
      b.li(t1, 1);
      b.sw(t1, 0, t0);
      b.sw(a0, 4, t0);
      b.sw(a1, 8, t0);
      b.label(cached);
      b.lw(a0, 4, t0);
      b.lw(a1, 8, t0);
      return;
    }
    const arity = PRIMS[e.name];
    if (arity === 0) return this.genPrim(e.name, 0, e.span);
    if (arity !== undefined) {
      return this.genLambda(
        this.etaExpand(arity, (vars) => vars.reduce<Expr>((f, arg) => ({ tag: 'App', fn: f, arg, span: e.span }), e), e.span),
        scope,
      );
    }
    throw unsupportedAt(`${e.name} on the co-processor`, e.span);
  }

  /** Evaluates `e` into a0 (tag) / a1 (payload). */
  gen(e: Expr, scope: Scope): void {
    const b = this.fn.body;
    if ((e.tag === 'BinOp' || e.tag === 'Neg') && this.quietInt(e, scope)) {
      b.span(e.span);
      const r = this.intExpr(e, scope, [a1, ...INT_TEMPS]);
      if (r !== a1) b.mv(a1, r);
      b.li(a0, TAG.INT);
      return;
    }
    switch (e.tag) {
      case 'Lit':
        return this.genLit(e.lit);
      case 'Var':
        return this.genVar(e, scope);
      case 'HashRef':
        return this.genVar({ tag: 'Var', name: `@${e.hash}`, span: e.span }, scope);
      case 'App': {
        const sp_ = applicationSpine(e)!;
        return this.genApp(e, sp_.head, sp_.args, scope);
      }
      case 'Lam':
        return this.genLambda(e, scope);
      case 'Let': {
        const mark = this.fn.next;
        const inner = new Scope(scope);
        this.genBindings(e.decls, inner);
        this.gen(e.body, inner);
        this.binders.close(this.fn.body, inner);
        this.fn.next = mark;
        return;
      }
      case 'If': {
        const other = b.fresh('else');
        const done = b.fresh('fi');
        this.genCondition(e.cond, scope, other);
        this.gen(e.then, scope);
        b.j(done);
        b.label(other);
        this.gen(e.else, scope);
        b.label(done);
        return;
      }
      case 'Case': {
        const mark = this.fn.next;
        const slot = this.fn.slots(1);
        const done = b.fresh('esac');
        this.gen(e.scrutinee, scope);
        this.storeSlot(slot);
        this.genClauses(caseClauses(e.alts), [slot], scope, false, done, e.span);
        b.label(done);
        this.fn.next = mark;
        return;
      }
      case 'BinOp':
        return this.genBinOp(e, scope);
      case 'OpRef': {
        const op = e.op;
        return this.genLambda(
          this.etaExpand(2, ([x, y]) => ({ tag: 'BinOp', op, left: x!, right: y!, span: e.span }), e.span),
          scope,
        );
      }
      case 'Neg': {
        if (this.options.constantFolding && e.expr.tag === 'Lit' && e.expr.lit.kind === 'int') return this.setValue(TAG.INT, -e.expr.lit.value | 0);
        this.gen(e.expr, scope);
        const slow = b.fresh('negslow');
        const done = b.fresh('negdone');
        b.li(t0, TAG.INT);
        b.branch('bne', a0, t0, slow);
        b.sub(a1, zero, a1);
        b.j(done);
        b.label(slow);
        b.call(RT.negate);
        b.label(done);
        return;
      }
      case 'Tuple': {
        const mark = this.fn.next;
        this.genObject(TAG.TUPLE, [e.items.length], e.items, scope);
        this.fn.next = mark;
        return;
      }
      case 'List': {
        const reused = this.reusedCell(e, scope);
        if (reused !== undefined) return this.loadCell(reused);
        const mark = this.fn.next;
        // Items are evaluated left to right into a block of slots, then consed right to left. Literals cannot fail or
        // act, so the order is free: each is made as it is consed, and a list of any length needs one cell of the frame.
        const literal = e.items.every(isLiteral);
        const direct = this.options.directObjects !== false;
        // directObjects: items that are literals, variables or quiet Ints are written into their cells (late); the
        // others wait in slots (a literal list's Text or Double item in the cell's head slot, as it is consed)
        if (!literal) this.fn.checkRoom(e.items.length);
        const late = e.items.map((item) => direct && this.lateItem(item, scope));
        const early = e.items.filter((_, i) => !literal && !late[i]);
        const block = this.genBlock(early, scope);
        const cell = this.fn.slots(2);
        b.li(t0, TAG.NIL);
        b.sw(t0, cell + 8, s0);
        b.sw(zero, cell + 12, s0);
        for (let i = e.items.length - 1; i >= 0; i--) {
          const item = e.items[i]!;
          const at = literal ? cell : block + 8 * e.items.slice(0, i).filter((_, j) => !late[j]).length;
          if (literal && !late[i]) {
            this.gen(item, scope);
            this.storeSlot(cell);
          }
          if (direct) {
            this.allocObject([]);
            if (late[i]) this.storeItem(item, scope, 0);
            else this.slotToObject(at, 0);
            this.slotToObject(cell + 8, 8);
            b.sw(a0, cell + 12, s0);
            b.li(t0, TAG.CONS);
            b.sw(t0, cell + 8, s0);
            continue;
          }
          if (!literal) {
            this.loadSlot(at);
            this.storeSlot(cell);
          }
          this.buildObject(TAG.CONS, [], cell, 2);
          this.storeSlot(cell + 8);
        }
        this.loadSlot(cell + 8);
        this.fn.next = mark;
        return;
      }
      case 'Duration': {
        const factor = TIME_UNITS[e.unit];
        if (this.options.constantFolding && e.amount.tag === 'Lit' && e.amount.lit.kind === 'int') return this.setValue(TAG.INT, Math.imul(e.amount.lit.value, factor));
        this.gen(e.amount, scope);
        b.li(t0, factor);
        b.mul(a1, a1, t0);
        return;
      }
      case 'Do':
        return this.genDo(e, scope);
      case 'Ledger': {
        const text = (value: string): Expr => ({ tag: 'Lit', lit: { kind: 'text', value }, span: e.span });
        const unit: Expr = { tag: 'Lit', lit: { kind: 'unit' }, span: e.span };
        const kind: Expr = { tag: 'Lit', lit: { kind: 'int', value: ['deposit', 'withdraw', 'transfer'].indexOf(e.kind) }, span: e.span };
        return this.gen(this.call('%ledger', [kind, e.amount, e.asset ?? text('native'), e.from ?? unit, e.to ?? unit, e.timeline], e.span), scope);
      }
      case 'Observe':
        return this.gen(this.call('%observe', [e.key, e.timeline], e.span), scope);
      case 'Invoke':
        // the host runs it (the executor's InvokeHook: a child context for a stored definition), the arguments as a list
        return this.gen(this.call('%invoke', [e.fn, { tag: 'List', items: e.args, span: e.span }], e.span), scope);
    }
  }

  /** `name a b …` as an expression (for the internal effect builders). */
  private call(name: string, args: readonly Expr[], span: SourceSpan): Expr {
    return args.reduce<Expr>((f, arg) => ({ tag: 'App', fn: f, arg, span }), { tag: 'Var', name, span });
  }

  /** `\_ -> e`: a continuation (or thunk) that ignores its argument. */
  private ignoring(e: Expr, span: SourceSpan): Expr {
    return { tag: 'Lam', params: [{ tag: 'PWild', span }], body: e, span };
  }

  /** `do` as binds: `p <- e; rest` is bind e (\p -> rest), `e; rest` is bind e (\_ -> rest), `let ds; rest` is let ds in rest. */
  private desugarDo(stmts: readonly Stmt[], span: SourceSpan): Expr {
    const [first, ...rest] = stmts;
    if (!first) throw new CaxError('E_PARSE', 'an empty do block', { span });
    if (rest.length === 0) {
      if (first.tag !== 'ExprStmt') throw new CaxError('E_PARSE', 'the last statement of a do block must be an expression', { span: first.span });
      return first.expr;
    }
    // the rest stays a block of its own (the same binds), so that gen folds a `p <- return e` at its start; it runs as
    // soon as the continuation builds it
    const tail: Expr = rest.length > 1 ? this.atOnce({ tag: 'Do', stmts: rest, span }) : this.desugarDo(rest, span);
    switch (first.tag) {
      case 'LetStmt':
        return { tag: 'Let', decls: first.decls, body: tail, span: first.span };
      case 'Bind':
        return this.call('%bind', [first.expr, this.continuation({ tag: 'Lam', params: [first.pattern], body: tail, span: first.span })], first.span);
      default:
        return this.call('%bind', [first.expr, this.continuation(this.ignoring(tail, first.span))], first.span);
    }
  }

  /** `e`, a lambda a bind is given for its continuation, marked as one (continuations). */
  private continuation(e: Expr): Expr {
    this.continuations.add(e);
    return e;
  }

  private atOnce(e: Extract<Expr, { tag: 'Do' }>): Extract<Expr, { tag: 'Do' }> {
    this.runAtOnce.add(e);
    return e;
  }

  /**
   * A `do` block. Its statements run when its effect runs, as in the interpreter, not when it is built (`let e = do
   * { x <- return (1 / 0); emit x } in return 5` is 5): a block whose first statement is not built quietly
   * (blockBuiltQuietly: a `let`, a call, a division…) is `return () >>= \_ -> block`, unless it runs as soon as it is
   * built (runAtOnce: the rest of a block); `p <- return e` at its start may fold (returnFolds).
   */
  private genDo(e: Extract<Expr, { tag: 'Do' }>, scope: Scope): void {
    if (this.returnFolds(e, scope)) return this.genReturnFolded(e, scope);
    if (this.runAtOnce.has(e) || this.blockBuiltQuietly(e.stmts, scope)) return this.gen(this.desugarDo(e.stmts, e.span), scope);
    const unit: Expr = { tag: 'Lit', lit: { kind: 'unit' }, span: e.span };
    const block = this.atOnce({ tag: 'Do', stmts: e.stmts, span: e.span });
    this.gen(this.call('%bind', [this.call('return', [unit], e.span), this.continuation(this.ignoring(block, e.span))], e.span), scope);
  }

  /** The effect builtin (EFFECT_PRIMS) `name` is in `scope`, unless a local or a definition of that name hides it. */
  private effectPrim(name: string, scope: Scope): { kind: number; arity: number } | undefined {
    return scope.get(name) || this.global(name) ? undefined : EFFECT_PRIMS[name];
  }

  /**
   * Whether the effect `e` is built without evaluating anything that could fail, loop or allocate without bound
   * (CodegenOptions.foldReturnBinds): a literal, a local variable (no box) or a top-level function, quiet Int
   * arithmetic (quietInt), a lambda, an effect builtin applied to exactly its arguments of those (`observe` and the
   * ledger forms included), or a `do` block or
   * `>>` whose first effect is one (what follows it waits in a continuation).
   */
  private builtQuietly(e: Expr, scope: Scope): boolean {
    switch (e.tag) {
      case 'Lit':
      case 'Lam':
        return true;
      case 'Var': {
        const loc = scope.get(e.name);
        if (loc) return !loc.box;
        const g = this.global(e.name, e.span);
        return g ? g.k === 'fn' : this.effectPrim(e.name, scope)?.arity === 0;
      }
      case 'App': {
        const spine = applicationSpine(e)!;
        if (spine.head.tag !== 'Var' || this.effectPrim(spine.head.name, scope)?.arity !== spine.args.length) return false;
        return spine.args.every((a) => this.builtQuietly(a, scope));
      }
      case 'Do':
        return this.blockBuiltQuietly(e.stmts, scope);
      case 'Observe':
        return this.builtQuietly(e.key, scope) && this.builtQuietly(e.timeline, scope);
      case 'Ledger':
        return [e.amount, e.asset, e.from, e.to, e.timeline].every((a) => a === null || this.builtQuietly(a, scope));
      case 'BinOp':
        return e.op === '>>' ? this.builtQuietly(e.left, scope) : this.quietInt(e, scope);
      default:
        return this.quietInt(e, scope);
    }
  }

  /** A `do` block's statements are built quietly: its first is an effect built quietly (the rest waits in a continuation). */
  private blockBuiltQuietly(stmts: readonly Stmt[], scope: Scope): boolean {
    const first = stmts[0];
    if (!first || first.tag === 'LetStmt' || (stmts.length === 1 && first.tag !== 'ExprStmt')) return false;
    return this.builtQuietly(first.expr, scope);
  }

  /**
   * Whether the `do` block `block` begins `p <- return e; rest` (p a variable or `_`, `return` the builtin) that may
   * be `let p = e in do { rest }` (genReturnFolded): when the block runs as soon as it is built (runAtOnce), or when
   * `return e` and the rest are built quietly (builtQuietly, with p bound). Exact: bind (return v) k runs as k v does,
   * and k v is the effect built here — built when the interpreter would evaluate it (at once), or built early where
   * that can neither fail nor be seen; only the allocations differ (fewer: no `return` node, no bind node, no
   * continuation closure and no call of it when the effect runs).
   */
  private returnFolds(block: Extract<Expr, { tag: 'Do' }>, scope: Scope): boolean {
    const [first, ...rest] = block.stmts;
    if (this.options.foldReturnBinds === false || first?.tag !== 'Bind' || rest.length === 0) return false;
    if (first.pattern.tag !== 'PVar' && first.pattern.tag !== 'PWild') return false;
    const e = first.expr;
    if (e.tag !== 'App' || e.fn.tag !== 'Var' || e.fn.name !== 'return' || this.effectPrim('return', scope) === undefined) return false;
    if (this.runAtOnce.has(block)) return true;
    const inner = new Scope(scope);
    if (first.pattern.tag === 'PVar') inner.set(first.pattern.name, { k: 'slot', off: 0, int: this.knownInt(e.arg, scope) });
    return this.builtQuietly(e, scope) && this.blockBuiltQuietly(rest, inner);
  }

  /**
   * `p <- return e; rest` (returnFolds) as `let p = e in do { rest }`, the rest run at once if the block is. A local
   * variable e (no box) is not copied: p names its location (what the rest builds in this function — effect nodes,
   * closures, a continuation's code — reads it before anything could write it).
   */
  private genReturnFolded(block: Extract<Expr, { tag: 'Do' }>, scope: Scope): void {
    const [first, ...stmts] = block.stmts as [Extract<Stmt, { tag: 'Bind' }>, ...Stmt[]];
    const value = (first.expr as Extract<Expr, { tag: 'App' }>).arg;
    const mark = this.fn.next;
    const inner = new Scope(scope);
    const local = value.tag === 'Var' ? scope.get(value.name) : undefined;
    if (local !== undefined && !local.box) {
      // a location of its own (the same place): the debugger's record of v's declaration stays v's (slot-map.ts)
      if (first.pattern.tag === 'PVar') this.bindVar(inner, first.pattern.name, first.pattern.span, { ...local });
    } else {
      const slot = this.fn.slots(1);
      this.gen(value, scope);
      this.storeSlot(slot);
      if (first.pattern.tag === 'PVar') this.bindVar(inner, first.pattern.name, first.pattern.span, { k: 'slot', off: slot, int: this.knownInt(value, scope) });
    }
    const rest: Extract<Expr, { tag: 'Do' }> = { tag: 'Do', stmts, span: block.span };
    this.gen(this.runAtOnce.has(block) ? this.atOnce(rest) : rest, inner);
    this.binders.close(this.fn.body, inner);
    this.fn.next = mark;
  }

  private genBinOp(e: Extract<Expr, { tag: 'BinOp' }>, scope: Scope): void {
    const b = this.fn.body;
    const op = e.op;
    if (op === '$') {
      const sp_ = applicationSpine(e)!;
      return this.genApp(e, sp_.head, sp_.args, scope);
    }
    if (op === '&&' || op === '||') {
      const done = b.fresh('sc');
      this.gen(e.left, scope);
      b.branch(op === '&&' ? 'beq' : 'bne', a1, zero, done);
      this.gen(e.right, scope);
      b.label(done);
      return;
    }
    if (op === '>>' || op === '<|' || op === '<|>') {
      // a >> b: bind a to a continuation that ignores its value; a <| b: b as a thunk run only when a fails
      const later = this.ignoring(e.right, e.span);
      const call =
        op === '>>' ? this.call('%bind', [e.left, this.continuation(later)], e.span) : op === '<|' ? this.call('%choice', [e.left, later], e.span) : this.call('%par', [e.left, e.right], e.span);
      return this.gen(call, scope);
    }
    if (this.options.constantFolding && this.fold(op, e.left, e.right)) return;
    const mark = this.fn.next;
    const cell = this.reusedCell(e, scope);
    if (cell !== undefined) return this.loadCell(cell);
    if (op === ':' && this.options.directObjects !== false) {
      this.genObject(TAG.CONS, [], [e.left, e.right], scope, e.span);
      this.fn.next = mark;
      return;
    }
    // an operand known to be an Int makes both Ints (the program is type-checked): no tag test, no runtime call
    const ints = this.knownInt(e.left, scope) || this.knownInt(e.right, scope);
    const imm = this.options.typedInts ? intLiteral(e.right) : undefined;
    if ((op === '+' || op === '-') && imm !== undefined && fitsImm(op === '+' ? imm : -imm)) {
      this.gen(e.left, scope);
      b.span(e.span);
      b.addi(a1, a1, op === '+' ? imm : -imm);
      return;
    }
    const [l, r] = this.genOperands(e.left, e.right, scope, ints && ['+', '-', '*', '/', 'mod', '==', '/=', '<', '>', '<=', '>='].includes(op));
    b.span(e.span);
    switch (op) {
      case ':': {
        const block = this.fn.slots(2);
        this.storeSlot(block);
        b.sw(a2, block + 8, s0);
        b.sw(a3, block + 12, s0);
        this.buildObject(TAG.CONS, [], block, 2);
        this.fn.next = mark;
        return;
      }
      case '++':
        b.call(RT.append);
        return;
      case 'mod':
        if (!imm) b.branch('beq', r, zero, this.failTarget(ERR.DIV_ZERO, e.span));
        b.rem(a1, l, r);
        return;
      case '+':
      case '-':
      case '*':
      case '/': {
        const slow = b.fresh('dbl');
        const done = b.fresh('num');
        if (!ints) {
          b.li(t0, TAG.INT);
          b.branch('bne', a0, t0, slow);
        }
        if (op === '+') b.add(a1, l, r);
        else if (op === '-') b.sub(a1, l, r);
        else if (op === '*') b.mul(a1, l, r);
        else {
          if (!imm) b.branch('beq', r, zero, this.failTarget(ERR.DIV_ZERO, e.span));
          b.div(a1, l, r);
        }
        if (ints) return;
        b.j(done);
        b.label(slow);
        b.li(a4, ['+', '-', '*', '/'].indexOf(op));
        b.call(RT.arith);
        b.label(done);
        return;
      }
      default:
        return this.genCompare(op, ints, l, r);
    }
  }

  /**
   * Evaluates `left` into a0/a1 and `right` into a2/a3. An operand that is a literal or a local variable (nothing
   * to evaluate: it cannot fail, act or allocate) is loaded where it goes, after the other one is evaluated;
   * otherwise the left value waits in a frame slot while the right one is evaluated — only its payload when
   * `payloads` (two Ints, of which only the payloads are used; the tags in a0/a2 are then not set). Returns the
   * registers of the left and the right payload: a1 and a3, or a3 and a1 when the left one waited alone (it is
   * loaded into a3 beside the right one in a1, no move).
   */
  private genOperands(left: Expr, right: Expr, scope: Scope, payloads = false): readonly [Reg, Reg] {
    const b = this.fn.body;
    if (payloads && this.operandLoad(right, scope) === undefined && this.operandLoad(left, scope) === undefined) {
      // only the payloads are used (Int arithmetic or comparison): the left one waits alone, the tags stay Ints'
      const mark = this.fn.next;
      const slot = this.fn.slots(1);
      this.gen(left, scope);
      b.sw(a1, slot + 4, s0);
      this.gen(right, scope);
      b.lw(a3, slot + 4, s0);
      this.fn.next = mark;
      return [a3, a1];
    }
    if (this.operandLoad(right, scope) !== undefined) {
      this.gen(left, scope);
      this.operandLoad(right, scope)!(a2, a3);
      return [a1, a3];
    }
    const loadLeft = this.operandLoad(left, scope);
    if (payloads && loadLeft !== undefined) {
      // the right one stays in a0/a1 (its tag an Int's); the left one is loaded beside it
      this.gen(right, scope);
      loadLeft(a2, a3);
      return [a3, a1];
    }
    const mark = this.fn.next;
    const slot = loadLeft === undefined ? this.fn.slots(1) : 0;
    if (loadLeft === undefined) {
      this.gen(left, scope);
      this.storeSlot(slot);
    }
    this.gen(right, scope);
    b.mv(a2, a0);
    b.mv(a3, a1);
    if (loadLeft === undefined) this.loadSlot(slot);
    else loadLeft(a0, a1);
    this.fn.next = mark;
    return [a1, a3];
  }

  /**
   * Whether `e` is known to be an Int without running it: a literal, an Int variable, Int arithmetic on one, or a
   * saturated call of a top-level definition (or a constant) whose signature gives an Int.
   */
  private knownInt(e: Expr, scope: Scope): boolean {
    if (!this.options.typedInts) return false;
    switch (e.tag) {
      case 'Lit':
        return e.lit.kind === 'int';
      case 'Neg':
        return this.knownInt(e.expr, scope);
      case 'BinOp':
        if (['+', '-', '*', '/', 'mod'].includes(e.op)) return this.knownInt(e.left, scope) || this.knownInt(e.right, scope);
        break;
      case 'Var':
        if (scope.get(e.name) !== undefined) return scope.get(e.name)!.int === true;
        break;
      case 'App':
        break;
      default:
        return false;
    }
    const spine = applicationSpine(e) ?? { head: e, args: [] };
    if (spine.head.tag !== 'Var' || scope.get(spine.head.name) !== undefined) return false;
    const g = this.globals.get(spine.head.name);
    if (g === undefined || (g.k === 'fn' ? g.fn.arity : 0) !== spine.args.length) return false;
    let t = g.decl.signature?.type;
    for (let i = 0; i < spine.args.length && t?.tag === 'TFun'; i++) t = t.to;
    return isIntType(t);
  }

  /**
   * Whether `e` is Int arithmetic that can neither fail nor call anything (`int`: its type is known to be Int):
   * literals, local Int variables that are no box, + - * and negation of such, / and mod by a literal other than 0;
   * at most INT_DEPTH deep. It is computed on payloads in registers (intExpr), without tags.
   */
  private quietInt(e: Expr, scope: Scope, int = false, depth = 0): boolean {
    if (!this.options.typedInts || depth > INT_DEPTH) return false;
    switch (e.tag) {
      case 'Lit':
        return e.lit.kind === 'int';
      case 'Var': {
        const loc = scope.get(e.name);
        return loc !== undefined && !loc.box && (int || loc.int === true);
      }
      case 'Neg':
        return this.quietInt(e.expr, scope, int, depth + 1);
      case 'BinOp': {
        if (!(int || this.knownInt(e.left, scope) || this.knownInt(e.right, scope))) return false;
        if (e.op === '+' || e.op === '-' || e.op === '*') return this.quietInt(e.left, scope, true, depth + 1) && this.quietInt(e.right, scope, true, depth + 1);
        const divisor = intLiteral(e.right);
        return (e.op === '/' || e.op === 'mod') && divisor !== undefined && divisor !== 0 && this.quietInt(e.left, scope, true, depth + 1);
      }
      default:
        return false;
    }
  }

  /**
   * Computes the payload of a quiet Int expression (quietInt) into a register: `temps[0]` or, for a literal 0 or a
   * variable in a register pair, that register itself (returned); deeper operands use the rest of `temps`.
   */
  private intExpr(e: Expr, scope: Scope, temps: readonly Reg[]): Reg {
    const b = this.fn.body;
    const dest = temps[0];
    if (dest === undefined) throw unsupported('an Int expression deeper than the temporaries');
    const lit = intLiteral(e);
    if (lit !== undefined && (e.tag === 'Lit' || this.options.constantFolding)) {
      if (lit === 0) return zero;
      b.li(dest, lit);
      return dest;
    }
    if (e.tag === 'Var') {
      const loc = scope.get(e.name)!;
      if (loc.k === 'reg') return PAIRS[loc.pair]![1];
      const held = loc.k === 'slot' ? this.fn.facts?.payload(loc.off) : undefined;
      if (held !== undefined) return held;
      if (loc.k === 'slot') b.lw(dest, loc.off + 4, s0);
      else if (loc.k === 'field') {
        const pair = this.paramPair(loc.off);
        if (pair === undefined) b.lw(dest, loc.off + 4, s0);
        b.lw(dest, loc.at + 4, pair?.[1] ?? dest);
      } else {
        b.lw(dest, 16 + 8 * loc.index, this.envRegister(dest));
      }
      return dest;
    }
    if (e.tag === 'Neg') {
      b.sub(dest, zero, this.intExpr(e.expr, scope, temps));
      return dest;
    }
    if (e.tag !== 'BinOp') throw unsupported(`${e.tag} as an Int expression`);
    this.intBinOp(e, scope, dest, temps);
    return dest;
  }

  /** A quiet Int operator into `dest`, written by its last instruction only; its operands use `temps`. */
  private intBinOp(e: Extract<Expr, { tag: 'BinOp' }>, scope: Scope, dest: Reg, temps: readonly Reg[]): void {
    const b = this.fn.body;
    const folded = this.options.constantFolding ? foldInt(e.op, intLiteral(e.left), intLiteral(e.right)) : undefined;
    if (folded !== undefined) return b.li(dest, folded);
    const imm = intLiteral(e.right);
    const left = this.intExpr(e.left, scope, temps);
    if ((e.op === '+' || e.op === '-') && imm !== undefined && fitsImm(e.op === '+' ? imm : -imm)) return b.addi(dest, left, e.op === '+' ? imm : -imm);
    if ((e.op === '/' || e.op === 'mod') && this.shiftDivision(e.op, left, powerOfTwo(imm), dest, temps)) return;
    const right = this.intExpr(e.right, scope, left === temps[0] ? temps.slice(1) : temps);
    const ops = { '+': b.add, '-': b.sub, '*': b.mul, '/': b.div, mod: b.rem } as const;
    ops[e.op as keyof typeof ops].call(b, dest, left, right);
  }

  /**
   * `left / 2^k` or `left mod 2^k` (truncating, as RISC-V's div and rem, which take 35 cycles against 3 for each of
   * these) into `dest`, written last: a negative dividend is biased by 2^k - 1 first (CodegenOptions.typedInts).
   * False (nothing emitted) when `k` is none or two temporaries other than `left` and `dest` are not free.
   */
  private shiftDivision(op: '/' | 'mod', left: Reg, k: number | undefined, dest: Reg, temps: readonly Reg[]): boolean {
    const [bias, biased] = temps.filter((r) => r !== left && r !== dest);
    if (k === undefined || bias === undefined || biased === undefined) return false;
    const b = this.fn.body;
    b.srai(bias, left, 31);
    b.srli(bias, bias, 32 - k);
    b.add(biased, left, bias);
    if (op === '/') {
      b.srai(dest, biased, k);
      return true;
    }
    const mask = 2 ** k - 1;
    if (fitsImm(mask)) {
      b.andi(biased, biased, mask);
      b.sub(dest, biased, bias);
      return true;
    }
    // left - (left / 2^k) * 2^k
    b.srai(biased, biased, k);
    b.slli(biased, biased, k);
    b.sub(dest, left, biased);
    return true;
  }

  /** A quiet Int expression into `dest`, which it writes last (after every read of its operands). */
  private intExprInto(e: Expr, scope: Scope, dest: Reg, temps: readonly Reg[]): void {
    if (e.tag === 'BinOp') return this.intBinOp(e, scope, dest, temps);
    const r = this.intExpr(e, scope, temps);
    if (r !== dest) this.fn.body.mv(dest, r);
  }

  /**
   * Whether evaluating `e` can neither fail, act, allocate nor call compiled code: a literal, a local variable that is
   * no box, or Int arithmetic (+ - *) and comparisons of such — so it may be evaluated out of order.
   */
  private quiet(e: Expr, scope: Scope): boolean {
    if (this.operandLoad(e, scope) !== undefined) return true;
    if (e.tag === 'Neg') return this.knownInt(e.expr, scope) && this.quiet(e.expr, scope);
    if (e.tag !== 'BinOp' || !['+', '-', '*', '==', '/=', '<', '>', '<=', '>='].includes(e.op)) return false;
    return (this.knownInt(e.left, scope) || this.knownInt(e.right, scope)) && this.quiet(e.left, scope) && this.quiet(e.right, scope);
  }

  /** Evaluates the condition `cond` and jumps to `otherwise` when it is False: a comparison of Ints is one branch. */
  private genCondition(cond: Expr, scope: Scope, otherwise: string): void {
    const b = this.fn.body;
    const constant = this.constantLiteral(cond, scope);
    if (constant?.kind === 'bool') {
      if (!constant.value) b.j(otherwise);
      return;
    }
    // an inlined call's body as the condition itself: `p y` with `p = \x -> x \`mod\` 2 == 0` is one branch
    const spine = cond.tag === 'App' ? applicationSpine(cond) : undefined;
    if (spine && this.inlineCall(spine.head, spine.args, scope, (body, inner) => this.genCondition(body, inner, otherwise))) return;
    const branches: Partial<Record<BinaryOp, readonly ['beq' | 'bne' | 'blt' | 'bge', boolean]>> = {
      '==': ['bne', false],
      '/=': ['beq', false],
      '<': ['bge', false],
      '>=': ['blt', false],
      '>': ['bge', true],
      '<=': ['blt', true],
    };
    const branch = cond.tag === 'BinOp' ? branches[cond.op] : undefined;
    if (cond.tag !== 'BinOp' || branch === undefined || !(this.knownInt(cond.left, scope) || this.knownInt(cond.right, scope))) {
      if (cond.tag === 'BinOp' && branch !== undefined && this.options.compareBranches !== false) return this.compareBranch(cond, branch, scope, otherwise);
      this.gen(cond, scope);
      b.branch('beq', a1, zero, otherwise);
      return;
    }
    if (this.options.constantFolding && intLiteral(cond.left) !== undefined && intLiteral(cond.right) !== undefined) {
      this.gen(cond, scope);
      b.branch('beq', a1, zero, otherwise);
      return;
    }
    const [op, swapped] = branch;
    if (this.quietInt(cond.left, scope, true) && this.quietInt(cond.right, scope, true)) {
      b.span(cond.span);
      // `x mod 2^k == 0` (or /=): the low k bits of x, whatever its sign
      const [residue, other] = intLiteral(cond.right) === 0 ? [cond.left, cond.right] : [cond.right, cond.left];
      const k = residue.tag === 'BinOp' && residue.op === 'mod' && intLiteral(other) === 0 && (cond.op === '==' || cond.op === '/=') ? powerOfTwo(intLiteral(residue.right)) : undefined;
      if (k !== undefined && k <= 11 && residue.tag === 'BinOp') {
        const x = this.intExpr(residue.left, scope, INT_TEMPS);
        const low = x === INT_TEMPS[0] ? INT_TEMPS[1]! : INT_TEMPS[0]!;
        b.andi(low, x, 2 ** k - 1);
        b.branch(op, low, zero, otherwise);
        return;
      }
      const left = this.intExpr(cond.left, scope, INT_TEMPS);
      const right = this.intExpr(cond.right, scope, left === INT_TEMPS[0] ? INT_TEMPS.slice(1) : INT_TEMPS);
      b.branch(op, swapped ? right : left, swapped ? left : right, otherwise);
      return;
    }
    const [l, r] = this.genOperands(cond.left, cond.right, scope, true);
    b.span(cond.span);
    b.branch(op, swapped ? r : l, swapped ? l : r, otherwise);
  }

  /**
   * A comparison of operands of unknown type as a condition (CodegenOptions.compareBranches): Ints (the left one's
   * tag; the program is type-checked) one branch to `otherwise`, everything else rt_compare's outcome tested.
   */
  private compareBranch(cond: Extract<Expr, { tag: 'BinOp' }>, [op, swapped]: readonly [BranchOp, boolean], scope: Scope, otherwise: string): void {
    const b = this.fn.body;
    const [l, r] = this.genOperands(cond.left, cond.right, scope);
    b.span(cond.span);
    const slow = b.fresh('cmp');
    const done = b.fresh('cmpd');
    b.li(t0, TAG.INT);
    b.branch('bne', a0, t0, slow);
    b.branch(op, swapped ? r : l, swapped ? l : r, otherwise);
    b.j(done);
    b.label(slow);
    b.call(RT.compare);
    this.compareOutcome(cond.op);
    b.branch('beq', a1, zero, otherwise);
    b.label(done);
  }

  /** How to load an Int, Bool or unit literal, a local variable that is no box or a matched cell reused (reusedCell) into a register pair; undefined for anything else. */
  private operandLoad(e: Expr, scope: Scope): ((tag: Reg, val: Reg) => void) | undefined {
    const b = this.fn.body;
    if (e.tag === 'Lit' && e.lit.kind !== 'text' && e.lit.kind !== 'double') {
      const lit = e.lit;
      const [tag, value] = lit.kind === 'int' ? [TAG.INT, lit.value] : lit.kind === 'bool' ? [TAG.BOOL, lit.value ? 1 : 0] : [TAG.UNIT, 0];
      return (tr, vr) => {
        b.li(tr, tag);
        b.li(vr, value);
      };
    }
    const cell = this.reusedCell(e, scope);
    if (cell !== undefined) return (tr, vr) => this.loadCell(cell, tr, vr);
    const loc = e.tag === 'Var' ? scope.get(e.name) : undefined;
    if (loc === undefined || loc.box) return undefined;
    return (tr, vr) => this.loadVarInto(loc, tr, vr);
  }

  /**
   * The s0 offset of the value that `h : t` is when `(h : t)` is a cons pattern that matched there, with the same
   * variables in scope (CodegenOptions.reuseCons): the matched cell, a value in a slot like a variable's — a tail
   * call passes it on in its own parameter without a move, `go (a : acc) as (b : bs)`; likewise `[x]` where `[x]`
   * matched in place (`sort [x] = [x]` returns its argument).
   */
  private reusedCell(e: Expr, scope: Scope): number | undefined {
    if (this.options.reuseCons === false) return undefined;
    if (e.tag === 'List' && e.items.length === 1 && e.items[0]!.tag === 'Var') {
      // `[x]` where `[x]` is a one-item list pattern that matched (matchInPlace): the matched list itself
      const head = scope.get(e.items[0]!.name);
      return head ? scope.singletonCell(head) : undefined;
    }
    if (e.tag !== 'BinOp' || e.op !== ':' || e.left.tag !== 'Var' || e.right.tag !== 'Var') return undefined;
    const head = scope.get(e.left.name);
    const tail = scope.get(e.right.name);
    return head && tail ? scope.matchedCell(head, tail) : undefined;
  }

  /**
   * Comparison of a0/a1 with a2/a3 to a Bool: Ints inline (`ints`: both are known to be Ints; their payloads in `l`
   * and `r`, as genOperands left them), everything else through rt_compare.
   */
  private genCompare(op: BinaryOp, ints: boolean, l: Reg = a1, r: Reg = a3): void {
    const b = this.fn.body;
    const slow = b.fresh('cmp');
    const done = b.fresh('cmpd');
    if (!ints) {
      b.li(t0, TAG.INT);
      b.branch('bne', a0, t0, slow);
    }
    switch (op) {
      case '==':
        b.xor(a1, l, r);
        b.sltiu(a1, a1, 1);
        break;
      case '/=':
        b.xor(a1, l, r);
        b.sltu(a1, zero, a1);
        break;
      case '<':
        b.slt(a1, l, r);
        break;
      case '>':
        b.slt(a1, r, l);
        break;
      case '<=':
        b.slt(a1, r, l);
        b.xori(a1, a1, 1);
        break;
      case '>=':
        b.slt(a1, l, r);
        b.xori(a1, a1, 1);
        break;
      default:
        throw unsupported(`operator ${op}`);
    }
    if (ints) {
      b.li(a0, TAG.BOOL);
      return;
    }
    b.j(done);
    b.label(slow);
    b.call(RT.compare);
    this.compareOutcome(op);
    b.label(done);
    b.li(a0, TAG.BOOL);
  }

  /** rt_compare's outcome in a0 (-1, 0, 1, or 2 when unordered) as whether `op` holds, into a1 (a Bool's payload). */
  private compareOutcome(op: BinaryOp): void {
    const b = this.fn.body;
    switch (op) {
      case '==':
        b.sltiu(a1, a0, 1);
        break;
      case '/=':
        b.sltu(a1, zero, a0);
        break;
      case '<':
        b.addi(a1, a0, 1);
        b.sltiu(a1, a1, 1);
        break;
      case '>':
        b.xori(a1, a0, 1);
        b.sltiu(a1, a1, 1);
        break;
      case '<=':
        b.addi(a1, a0, 1);
        b.sltiu(a1, a1, 2);
        break;
      default:
        b.sltiu(a1, a0, 2);
        break;
    }
  }

  /** Folds an Int operator on two Int literals; false when it cannot. */
  private fold(op: BinaryOp, left: Expr, right: Expr): boolean {
    if (left.tag !== 'Lit' || right.tag !== 'Lit' || left.lit.kind !== 'int' || right.lit.kind !== 'int') return false;
    const x = left.lit.value;
    const y = right.lit.value;
    const arith: Partial<Record<BinaryOp, () => number>> = {
      '+': () => (x + y) | 0,
      '-': () => (x - y) | 0,
      '*': () => Math.imul(x, y),
    };
    const cmp: Partial<Record<BinaryOp, boolean>> = { '==': x === y, '/=': x !== y, '<': x < y, '>': x > y, '<=': x <= y, '>=': x >= y };
    const f = arith[op];
    if (f) {
      this.setValue(TAG.INT, f());
      return true;
    }
    const c = cmp[op];
    if (c !== undefined) {
      this.setValue(TAG.BOOL, c ? 1 : 0);
      return true;
    }
    return false;
  }

  /** The data words after the code: the constants' cells (zeroed by the entry stub), then what rt_settle does (SETTLE bits, which the host writes into the runtime). */
  private finishData(): void {
    this.data.align(4);
    this.data.label('tel$$cafs');
    for (const cell of this.cafCells) {
      this.data.label(cell);
      this.data.word(0);
      this.data.word(0);
      this.data.word(0);
    }
    this.data.label('tel$$cafs$end');
    this.data.label('tel$$settle');
    this.data.word(this.options.settleEffects === false ? 0 : SETTLE.RETURN | SETTLE.PRIMITIVES);
    this.frameMaps.emit(this.data);
  }
}
