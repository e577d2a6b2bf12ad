// The TEL abstract syntax tree, as the parser produces it and every later
// stage (type inference, interpreter, content-addressed store, printer)
// consumes it. Every node keeps its source span; parentheses are not nodes.
// This shape is a contract with other subsystems: extend, never reshape.
import type { SourceSpan } from '../errors.js';

export type Span = SourceSpan;

export type Literal =
  | { readonly kind: 'int'; readonly value: number } // already wrapped to signed 32 bits
  | { readonly kind: 'double'; readonly value: number }
  | { readonly kind: 'text'; readonly value: string }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'unit' };

export type Pattern =
  | { readonly tag: 'PWild'; readonly span: Span }
  | { readonly tag: 'PVar'; readonly name: string; readonly span: Span }
  | { readonly tag: 'PLit'; readonly lit: Literal; readonly span: Span }
  | { readonly tag: 'PTuple'; readonly items: readonly Pattern[]; readonly span: Span } // two or more items
  | { readonly tag: 'PList'; readonly items: readonly Pattern[]; readonly span: Span }
  | { readonly tag: 'PCons'; readonly head: Pattern; readonly tail: Pattern; readonly span: Span };

/** Infix operators of section 4; `mod` is written `` `mod` `` infix. */
export type BinaryOp = '$' | '>>' | '<|' | '<|>' | '||' | '&&' | '==' | '/=' | '<' | '>' | '<=' | '>=' | ':' | '++' | '+' | '-' | '*' | '/' | 'mod';

export const BINARY_OPS: readonly BinaryOp[] = ['$', '>>', '<|', '<|>', '||', '&&', '==', '/=', '<', '>', '<=', '>=', ':', '++', '+', '-', '*', '/', 'mod'];

export type TimeUnit = 'milliseconds' | 'seconds' | 'minutes' | 'hours' | 'days';

export const TIME_UNITS: Readonly<Record<TimeUnit, number>> = {
  milliseconds: 1,
  seconds: 1000,
  minutes: 60_000,
  hours: 3_600_000,
  days: 86_400_000,
};

export type LedgerKind = 'deposit' | 'withdraw' | 'transfer';

export type Expr =
  | { readonly tag: 'Lit'; readonly lit: Literal; readonly span: Span }
  | { readonly tag: 'Var'; readonly name: string; readonly span: Span }
  | { readonly tag: 'HashRef'; readonly hash: string; readonly span: Span }
  | { readonly tag: 'App'; readonly fn: Expr; readonly arg: Expr; readonly span: Span }
  | { readonly tag: 'Lam'; readonly params: readonly Pattern[]; readonly body: Expr; readonly span: Span }
  | { readonly tag: 'Let'; readonly decls: readonly Decl[]; readonly body: Expr; readonly span: Span }
  | { readonly tag: 'If'; readonly cond: Expr; readonly then: Expr; readonly else: Expr; readonly span: Span }
  | { readonly tag: 'Case'; readonly scrutinee: Expr; readonly alts: readonly Alt[]; readonly span: Span }
  | { readonly tag: 'Do'; readonly stmts: readonly Stmt[]; readonly span: Span }
  | { readonly tag: 'BinOp'; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr; readonly span: Span }
  /** `(+)`: an operator used as a function. */
  | { readonly tag: 'OpRef'; readonly op: BinaryOp; readonly span: Span }
  /** Unary minus: `negate expr`. */
  | { readonly tag: 'Neg'; readonly expr: Expr; readonly span: Span }
  | { readonly tag: 'Tuple'; readonly items: readonly Expr[]; readonly span: Span } // two or more items
  | { readonly tag: 'List'; readonly items: readonly Expr[]; readonly span: Span }
  /** `N seconds` etc.: a Time in milliseconds. */
  | { readonly tag: 'Duration'; readonly amount: Expr; readonly unit: TimeUnit; readonly span: Span }
  /** `deposit A [of S] to ACC on TL`, `withdraw A [of S] from ACC on TL`, `transfer A [of S] from X to Y on TL`. */
  | {
      readonly tag: 'Ledger';
      readonly kind: LedgerKind;
      readonly amount: Expr;
      readonly asset: Expr | null;
      readonly from: Expr | null;
      readonly to: Expr | null;
      readonly timeline: Expr;
      readonly span: Span;
    }
  | { readonly tag: 'Observe'; readonly key: Expr; readonly timeline: Expr; readonly span: Span }
  | { readonly tag: 'Invoke'; readonly fn: Expr; readonly args: readonly Expr[]; readonly span: Span };

export interface Alt {
  readonly pattern: Pattern;
  readonly guard: Expr | null;
  readonly body: Expr;
  readonly span: Span;
}

export type Stmt =
  | { readonly tag: 'Bind'; readonly pattern: Pattern; readonly expr: Expr; readonly span: Span }
  | { readonly tag: 'LetStmt'; readonly decls: readonly Decl[]; readonly span: Span }
  | { readonly tag: 'ExprStmt'; readonly expr: Expr; readonly span: Span };

export interface Guard {
  readonly cond: Expr;
  readonly body: Expr;
  readonly span: Span;
}

export type Rhs = { readonly tag: 'Plain'; readonly expr: Expr } | { readonly tag: 'Guarded'; readonly guards: readonly Guard[] };

/** One line `name p1 p2 = e` (or guarded) with its `where` declarations. */
export interface Equation {
  readonly name: string;
  readonly params: readonly Pattern[];
  readonly rhs: Rhs;
  readonly where: readonly Decl[];
  readonly span: Span;
}

/** A named definition: optional signature and its consecutive equations (all of the same arity). */
export interface Decl {
  readonly name: string;
  readonly signature: TypeScheme | null;
  readonly equations: readonly Equation[];
  readonly span: Span;
}

export interface Program {
  readonly file: string;
  readonly decls: readonly Decl[];
}

export type TypeExpr =
  /** Int, Double, Bool, Text, Hash, Time, Effect a … */
  | { readonly tag: 'TCon'; readonly name: string; readonly args: readonly TypeExpr[]; readonly span: Span }
  | { readonly tag: 'TVar'; readonly name: string; readonly span: Span }
  | { readonly tag: 'TFun'; readonly from: TypeExpr; readonly to: TypeExpr; readonly span: Span }
  | { readonly tag: 'TList'; readonly elem: TypeExpr; readonly span: Span }
  /** `()` when empty, else two or more items. */
  | { readonly tag: 'TTuple'; readonly items: readonly TypeExpr[]; readonly span: Span };

/** Class constraints a signature may state: `Ord a => …` (Eq is a synonym of Ord), `Num a => …`, `Concat a => …` (Text or a list, for ++). */
export interface TypeConstraint {
  readonly cls: 'Num' | 'Ord' | 'Concat';
  readonly name: string;
}

export interface TypeScheme {
  readonly constraints: readonly TypeConstraint[];
  readonly type: TypeExpr;
  readonly span: Span;
}
