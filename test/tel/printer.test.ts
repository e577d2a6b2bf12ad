// parse(print(ast)) == ast for generated ASTs (spans aside), and printing is
// stable: print(parse(print(ast))) == print(ast).
import { describe, it, expect } from '@jest/globals';
import fc from 'fast-check';
import type { Alt, BinaryOp, Decl, Equation, Expr, Literal, Pattern, Program, Stmt, TypeExpr, TypeScheme } from '../../host/tel/ast.js';
import { BINARY_OPS } from '../../host/tel/ast.js';
import { parseProgram, patternVars } from '../../host/tel/parser.js';
import { printProgram } from '../../host/tel/printer.js';
import { CaxError } from '../../host/errors.js';
import { checkProgramAll } from '../../host/tel/infer.js';
import { prelude } from '../../host/tel/prelude.js';
import { stripSpans } from './helpers.js';

const span = { file: 'gen.tel', line: 1, col: 1 };
const varName = fc.constantFrom('x', 'y', 'f', 'go', 'acc', "x'", 'a_1', 'xs');
const literal: fc.Arbitrary<Literal> = fc.oneof(
  fc.integer({ min: -2147483648, max: 2147483647 }).map((value) => ({ kind: 'int' as const, value })),
  fc
    .double({ min: 0, noNaN: true, noDefaultInfinity: true })
    .filter((d) => !Object.is(d, -0))
    .map((value) => ({ kind: 'double' as const, value })),
  fc.string({ unit: 'binary', maxLength: 6 }).map((value) => ({ kind: 'text' as const, value })),
  fc.boolean().map((value) => ({ kind: 'bool' as const, value })),
  fc.constant({ kind: 'unit' as const }),
);
const patLiteral: fc.Arbitrary<Literal> = fc.oneof(
  literal,
  fc.double({ max: 0, noNaN: true, noDefaultInfinity: true }).map((value) => ({ kind: 'double' as const, value })),
);

function linear(ps: readonly Pattern[]): boolean {
  const names = ps.flatMap((p) => patternVars(p).map((v) => v.name));
  return new Set(names).size === names.length;
}

const { pattern } = fc.letrec<{ pattern: Pattern }>((tie) => ({
  pattern: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant<Pattern>({ tag: 'PWild', span }),
    varName.map((name): Pattern => ({ tag: 'PVar', name, span })),
    patLiteral.map((lit): Pattern => ({ tag: 'PLit', lit, span })),
    fc.array(tie('pattern'), { minLength: 2, maxLength: 3 }).map((items): Pattern => ({ tag: 'PTuple', items, span })),
    fc.array(tie('pattern'), { maxLength: 3 }).map((items): Pattern => ({ tag: 'PList', items, span })),
    fc.tuple(tie('pattern'), tie('pattern')).map(([head, tail]): Pattern => ({ tag: 'PCons', head, tail, span })),
  ),
}));
const linearPattern = pattern.filter((p) => linear([p]));

const { type } = fc.letrec<{ type: TypeExpr }>((tie) => ({
  type: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom('Int', 'Double', 'Bool', 'Text', 'Hash', 'Time').map((name): TypeExpr => ({ tag: 'TCon', name, args: [], span })),
    fc.constantFrom('a', 'b').map((name): TypeExpr => ({ tag: 'TVar', name, span })),
    tie('type').map((t): TypeExpr => ({ tag: 'TCon', name: 'Effect', args: [t], span })),
    fc.tuple(tie('type'), tie('type')).map(([from, to]): TypeExpr => ({ tag: 'TFun', from, to, span })),
    tie('type').map((elem): TypeExpr => ({ tag: 'TList', elem, span })),
    fc.oneof(fc.constant([]), fc.array(tie('type'), { minLength: 2, maxLength: 3 })).map((items): TypeExpr => ({ tag: 'TTuple', items, span })),
  ),
}));
const scheme: fc.Arbitrary<TypeScheme> = fc.record({
  constraints: fc.array(fc.record({ cls: fc.constantFrom('Num' as const, 'Ord' as const, 'Concat' as const), name: fc.constantFrom('a', 'b') }), { maxLength: 2 }),
  type,
  span: fc.constant(span),
});

const ops = BINARY_OPS;
const hash = fc.stringMatching(/^[0-9a-f]{64}$/);

const tree = fc.letrec<{ expr: Expr; decls: Decl[]; stmts: Stmt[] }>((tie) => {
  const expr = tie('expr');
  const equation = (name: string, arity: number): fc.Arbitrary<Equation> =>
    fc
      .record({
        params: fc.array(pattern, { minLength: arity, maxLength: arity }).filter(linear),
        rhs: fc.oneof(
          expr.map((e) => ({ tag: 'Plain' as const, expr: e })),
          fc.array(fc.record({ cond: expr, body: expr, span: fc.constant(span) }), { minLength: 1, maxLength: 2 }).map((guards) => ({ tag: 'Guarded' as const, guards })),
        ),
        where: fc.oneof({ weight: 3, arbitrary: fc.constant([] as Decl[]) }, { weight: 1, arbitrary: tie('decls') }),
      })
      .map((r) => ({ name, ...r, span }));
  const decl = (name: string): fc.Arbitrary<Decl> =>
    fc
      .integer({ min: 0, max: 2 })
      .chain((arity) => fc.record({ signature: fc.option(scheme, { nil: null }), equations: fc.array(equation(name, arity), { minLength: 1, maxLength: 2 }) }))
      .map((r) => ({ name, ...r, span }));
  const stmt: fc.Arbitrary<Stmt> = fc.oneof(
    fc.record({ pattern: linearPattern, expr }).map((r): Stmt => ({ tag: 'Bind', ...r, span })),
    tie('decls').map((decls): Stmt => ({ tag: 'LetStmt', decls, span })),
    expr.map((e): Stmt => ({ tag: 'ExprStmt', expr: e, span })),
  );
  return {
    decls: fc.uniqueArray(varName, { minLength: 1, maxLength: 2 }).chain((names) => fc.tuple(...names.map(decl))),
    stmts: fc.tuple(fc.array(stmt, { maxLength: 2 }), expr).map(([s, last]) => [...s, { tag: 'ExprStmt', expr: last, span } as Stmt]),
    expr: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      literal.map((lit): Expr => ({ tag: 'Lit', lit, span })),
      varName.map((name): Expr => ({ tag: 'Var', name, span })),
      hash.map((h): Expr => ({ tag: 'HashRef', hash: h, span })),
      fc.tuple(expr, expr).map(([fn, arg]): Expr => ({ tag: 'App', fn, arg, span })),
      fc.tuple(fc.array(pattern, { minLength: 1, maxLength: 2 }).filter(linear), expr).map(([params, body]): Expr => ({ tag: 'Lam', params, body, span })),
      fc.tuple(tie('decls'), expr).map(([decls, body]): Expr => ({ tag: 'Let', decls, body, span })),
      fc.tuple(expr, expr, expr).map(([c, t, e]): Expr => ({ tag: 'If', cond: c, then: t, else: e, span })),
      fc
        .tuple(expr, fc.array(fc.record({ pattern: linearPattern, guard: fc.option(expr, { nil: null }), body: expr }), { minLength: 1, maxLength: 2 }))
        .map(([scrutinee, alts]): Expr => ({ tag: 'Case', scrutinee, alts: alts.map((a): Alt => ({ ...a, span })), span })),
      tie('stmts').map((stmts): Expr => ({ tag: 'Do', stmts, span })),
      fc.tuple(fc.constantFrom(...ops), expr, expr).map(([op, left, right]): Expr => ({ tag: 'BinOp', op, left, right, span })),
      fc.constantFrom(...ops.filter((o): o is Exclude<BinaryOp, 'mod'> => o !== 'mod')).map((op): Expr => ({ tag: 'OpRef', op, span })),
      expr.map((e): Expr => ({ tag: 'Neg', expr: e, span })),
      fc.array(expr, { minLength: 2, maxLength: 3 }).map((items): Expr => ({ tag: 'Tuple', items, span })),
      fc.array(expr, { maxLength: 3 }).map((items): Expr => ({ tag: 'List', items, span })),
      fc
        .tuple(expr, fc.constantFrom('milliseconds' as const, 'seconds' as const, 'minutes' as const, 'hours' as const, 'days' as const))
        .map(([amount, unit]): Expr => ({ tag: 'Duration', amount, unit, span })),
      fc
        .tuple(fc.constantFrom('deposit' as const, 'withdraw' as const, 'transfer' as const), expr, fc.option(expr, { nil: null }), expr, expr, expr)
        .map(([kind, amount, asset, a, b, timeline]): Expr => ({
          tag: 'Ledger',
          kind,
          amount,
          asset,
          from: kind === 'deposit' ? null : a,
          to: kind === 'withdraw' ? null : b,
          timeline,
          span,
        })),
      fc.tuple(expr, expr).map(([key, timeline]): Expr => ({ tag: 'Observe', key, timeline, span })),
      fc.tuple(expr, fc.array(expr, { maxLength: 2 })).map(([fn, args]): Expr => ({ tag: 'Invoke', fn, args, span })),
    ),
  };
});

const program: fc.Arbitrary<Program> = tree.decls.map((decls) => ({ file: 'gen.tel', decls }));

describe('printer', () => {
  it('parse(print(ast)) equals ast for generated programs', () => {
    fc.assert(
      fc.property(program, (p) => {
        const text = printProgram(p);
        const back = parseProgram(text, 'gen.tel');
        expect(stripSpans(back)).toEqual(stripSpans(p));
        expect(printProgram(back)).toBe(text);
      }),
      { numRuns: 150 },
    );
  });

  it('generated programs are type-checked without crashing: every error a located CaxError', () => {
    fc.assert(
      fc.property(program, (p) => {
        for (const e of checkProgramAll(p, { globals: prelude().types }).errors) {
          expect(e).toBeInstanceOf(CaxError);
          expect(e.code).toMatch(/^E_(TYPE|UNBOUND|MISSING_HASH)$/);
          expect(e.span).toBeDefined();
        }
      }),
      { numRuns: 300 },
    );
  });

  it('prints a hand-written program that parses back the same', () => {
    const src = 'f :: Int -> Int\nf 0 = 1\nf n | n > 0 = n * f (n - 1)\n  | otherwise = 0\n\nmain = do\n  x <- return (-5)\n  let y = x `mod` 3\n  deposit 1 of "A" to "b" on "c"\n';
    const p = parseProgram(src, 't.tel');
    expect(stripSpans(parseProgram(printProgram(p), 't.tel'))).toEqual(stripSpans(p));
  });
});
