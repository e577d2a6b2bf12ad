// Prints a TEL AST back to source that parses to the same AST (spans
// aside): every compound expression is parenthesised and every block uses
// explicit braces, so the output does not depend on layout or precedence.
import type { Decl, Equation, Expr, Literal, Pattern, Program, Stmt, TypeExpr, TypeScheme } from './ast.js';
import { showDouble, showText } from './values.js';

export function printProgram(p: Program): string {
  return p.decls.map((d) => printDecl(d, '\n')).join('\n\n') + '\n';
}

/** A declaration: its signature and equations, separated by `sep` (a newline at top level, `; ` inside braces). */
export function printDecl(d: Decl, sep: string): string {
  const lines: string[] = [];
  if (d.signature) lines.push(`${d.name} :: ${printScheme(d.signature)}`);
  for (const eq of d.equations) lines.push(printEquation(eq));
  return lines.join(sep);
}

function printEquation(eq: Equation): string {
  const head = [eq.name, ...eq.params.map(atomicPattern)].join(' ');
  const rhs = eq.rhs.tag === 'Plain' ? ` = ${printExpr(eq.rhs.expr)}` : eq.rhs.guards.map((g) => ` | ${printExpr(g.cond)} = ${printExpr(g.body)}`).join('');
  const where = eq.where.length > 0 ? ` where ${block(eq.where)}` : '';
  return `${head}${rhs}${where}`;
}

function block(decls: readonly Decl[]): string {
  return `{ ${decls.map((d) => printDecl(d, '; ')).join('; ')} }`;
}

export function printLiteral(lit: Literal): string {
  switch (lit.kind) {
    case 'int':
      return String(lit.value >>> 0);
    case 'double':
      return showDouble(lit.value);
    case 'text':
      return showText(lit.value);
    case 'bool':
      return lit.value ? 'True' : 'False';
    case 'unit':
      return '()';
  }
}

export function printPattern(p: Pattern): string {
  switch (p.tag) {
    case 'PCons':
      return `${atomicPattern(p.head)} : ${printPattern(p.tail)}`;
    default:
      return atomicPattern(p);
  }
}

function atomicPattern(p: Pattern): string {
  switch (p.tag) {
    case 'PWild':
      return '_';
    case 'PVar':
      return p.name;
    case 'PLit': {
      const lit = p.lit;
      if (lit.kind === 'int' && lit.value < 0) return `(-${String(-lit.value)})`;
      if (lit.kind === 'double' && (lit.value < 0 || Object.is(lit.value, -0))) return `(-${showDouble(-lit.value)})`;
      return printLiteral(lit);
    }
    case 'PTuple':
      return `(${p.items.map(printPattern).join(', ')})`;
    case 'PList':
      return `[${p.items.map(printPattern).join(', ')}]`;
    case 'PCons':
      return `(${printPattern(p)})`;
  }
}

/** An expression in a position that needs an atom. */
function atom(e: Expr): string {
  switch (e.tag) {
    case 'Lit':
    case 'Var':
    case 'HashRef':
    case 'Tuple':
    case 'List':
    case 'OpRef':
      return printExpr(e);
    default:
      return `(${printExpr(e)})`;
  }
}

export function printExpr(e: Expr): string {
  switch (e.tag) {
    case 'Lit':
      return printLiteral(e.lit);
    case 'Var':
      return e.name;
    case 'HashRef':
      return `@${e.hash}`;
    case 'App':
      return `${atom(e.fn)} ${atom(e.arg)}`;
    case 'Lam':
      return `\\${e.params.map(atomicPattern).join(' ')} -> ${printExpr(e.body)}`;
    case 'Let':
      return `let ${block(e.decls)} in ${printExpr(e.body)}`;
    case 'If':
      return `if ${printExpr(e.cond)} then ${printExpr(e.then)} else ${printExpr(e.else)}`;
    case 'Case':
      return `case ${printExpr(e.scrutinee)} of { ${e.alts.map((a) => `${printPattern(a.pattern)}${a.guard ? ` | ${printExpr(a.guard)}` : ''} -> ${printExpr(a.body)}`).join('; ')} }`;
    case 'Do':
      return `do { ${e.stmts.map(printStmt).join('; ')} }`;
    case 'BinOp':
      return `${atom(e.left)} ${e.op === 'mod' ? '`mod`' : e.op} ${atom(e.right)}`;
    case 'OpRef':
      return e.op === 'mod' ? 'mod' : `(${e.op})`;
    case 'Neg':
      return `- ${atom(e.expr)}`;
    case 'Tuple':
      return `(${e.items.map(printExpr).join(', ')})`;
    case 'List':
      return `[${e.items.map(printExpr).join(', ')}]`;
    case 'Duration':
      return `${atom(e.amount)} ${e.unit}`;
    case 'Ledger': {
      const parts = [e.kind, atom(e.amount)];
      if (e.asset) parts.push('of', atom(e.asset));
      if (e.from) parts.push('from', atom(e.from));
      if (e.to) parts.push('to', atom(e.to));
      parts.push('on', atom(e.timeline));
      return parts.join(' ');
    }
    case 'Observe':
      return `observe ${atom(e.key)} on ${atom(e.timeline)}`;
    case 'Invoke':
      return ['invoke', atom(e.fn), ...e.args.map(atom)].join(' ');
  }
}

function printStmt(s: Stmt): string {
  switch (s.tag) {
    case 'Bind':
      return `${printPattern(s.pattern)} <- ${printExpr(s.expr)}`;
    case 'LetStmt':
      return `let ${block(s.decls)}`;
    case 'ExprStmt':
      return s.expr.tag === 'Let' ? `(${printExpr(s.expr)})` : printExpr(s.expr);
  }
}

export function printScheme(s: TypeScheme): string {
  const ctx = s.constraints.length === 0 ? '' : `(${s.constraints.map((c) => `${c.cls} ${c.name}`).join(', ')}) => `;
  return `${ctx}${printType(s.type)}`;
}

export function printType(t: TypeExpr): string {
  switch (t.tag) {
    case 'TCon':
      return t.args.length === 0 ? t.name : `(${t.name} ${t.args.map(printType).join(' ')})`;
    case 'TVar':
      return t.name;
    case 'TFun':
      return `(${printType(t.from)} -> ${printType(t.to)})`;
    case 'TList':
      return `[${printType(t.elem)}]`;
    case 'TTuple':
      return `(${t.items.map(printType).join(', ')})`;
  }
}
