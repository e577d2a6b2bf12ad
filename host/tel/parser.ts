// TEL parser (sections 2 and 4): recursive descent over the lexer's tokens
// with precedence climbing for the operator table and the off-side rule
// applied while parsing (an implicit block's items are cut at a line that
// starts at or left of the block's column; a token that cannot continue an
// item closes the block, as Haskell's parse-error(t) rule). Nesting is capped
// at MAX_DEPTH so that absurd inputs give E_PARSE, never a stack overflow;
// parsing is linear in the input. `parseProgramAll` recovers at the next
// column-1 line and reports every error.
import { CaxError, type SourceSpan } from '../errors.js';
import type { Alt, BinaryOp, Decl, Equation, Expr, Guard, LedgerKind, Literal, Pattern, Program, Rhs, Stmt, TimeUnit, TypeConstraint, TypeExpr, TypeScheme } from './ast.js';
import { lex, type Token } from './lexer.js';

/** Deepest nesting of expressions, patterns and types the parser accepts. */
export const MAX_DEPTH = 600;

const PRECEDENCE: Readonly<Record<BinaryOp, readonly [number, 'left' | 'right' | 'none']>> = {
  $: [0, 'right'],
  '>>': [1, 'left'],
  '<|': [2, 'right'],
  '<|>': [3, 'left'],
  '||': [4, 'right'],
  '&&': [5, 'right'],
  '==': [6, 'none'],
  '/=': [6, 'none'],
  '<': [6, 'none'],
  '>': [6, 'none'],
  '<=': [6, 'none'],
  '>=': [6, 'none'],
  ':': [7, 'right'],
  '++': [7, 'right'],
  '+': [8, 'left'],
  '-': [8, 'left'],
  '*': [9, 'left'],
  '/': [9, 'left'],
  mod: [9, 'left'],
};

export function precedenceOf(op: BinaryOp): readonly [number, 'left' | 'right' | 'none'] {
  return PRECEDENCE[op];
}

const TIME_UNIT_WORDS: ReadonlySet<string> = new Set(['milliseconds', 'seconds', 'minutes', 'hours', 'days']);
const BASE_TYPES: ReadonlySet<string> = new Set(['Int', 'Double', 'Bool', 'Text', 'Hash', 'Time']);

/** Parses a whole program; throws the first E_PARSE error. */
export function parseProgram(source: string, file: string): Program {
  const { program, errors } = parseProgramAll(source, file);
  if (errors.length > 0) throw errors[0]!;
  return program;
}

/** Parses a whole program, recovering at each top-level definition; returns all errors. */
export function parseProgramAll(source: string, file: string): { program: Program; errors: CaxError[] } {
  let tokens: Token[];
  try {
    tokens = lex(source, file);
  } catch (e) {
    if (e instanceof CaxError) return { program: { file, decls: [] }, errors: [e] };
    throw e;
  }
  return new Parser(tokens, file).program();
}

/** Parses one expression (a CLI argument, a REPL line). */
export function parseExpression(source: string, file: string): Expr {
  const p = new Parser(lex(source, file), file);
  return p.standaloneExpr();
}

/** Parses a type signature text such as `Ord a => [a] -> a` (stored types). */
export function parseTypeScheme(source: string, file: string): TypeScheme {
  const p = new Parser(lex(source, file), file);
  return p.standaloneType();
}

type Item = { kind: 'sig'; name: string; scheme: TypeScheme; span: SourceSpan } | { kind: 'eq'; eq: Equation };

class Parser {
  private pos = 0;
  private depth = 0;
  /** Columns of the enclosing layout blocks; 0 marks explicit braces. */
  private layout: number[] = [1];
  /** Position of the first token of the current block item: the layout rule does not cut there. */
  private itemStart = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly file: string,
  ) {}

  // ---- token access and layout ---------------------------------------

  private raw(): Token {
    return this.tokens[this.pos]!;
  }

  /** The current token, or a virtual end (kind 'eof') when the layout rule ends the current item here. */
  private peek(): Token {
    const t = this.tokens[this.pos]!;
    const top = this.layout[this.layout.length - 1]!;
    if (top > 0 && t.firstOnLine && t.col <= top && t.kind !== 'eof' && this.pos !== this.itemStart) return { ...t, kind: 'eof', text: `end of block (line ${t.line})` };
    return t;
  }

  private peekAt(k: number): Token {
    return this.tokens[Math.min(this.pos + k, this.tokens.length - 1)]!;
  }

  private next(): Token {
    const t = this.tokens[this.pos]!;
    if (this.pos < this.tokens.length - 1) this.pos++;
    return t;
  }

  private last(): Token {
    return this.tokens[Math.max(0, this.pos - 1)]!;
  }

  private is(kind: Token['kind'], text?: string): boolean {
    const t = this.peek();
    return t.kind === kind && (text === undefined || t.text === text);
  }

  private accept(kind: Token['kind'], text: string): boolean {
    if (this.is(kind, text)) {
      this.next();
      return true;
    }
    return false;
  }

  private expect(kind: Token['kind'], text: string, what = `'${text}'`): Token {
    if (!this.is(kind, text)) this.fail(`expected ${what}, found ${describe(this.peek())}`);
    return this.next();
  }

  /** `then`/`else` may start a line at the column of an enclosing do block (Haskell 2010's DoAndIfThenElse). */
  private expectLayoutKeyword(word: string): void {
    const t = this.raw();
    const top = this.layout[this.layout.length - 1]!;
    if (t.kind === 'keyword' && t.text === word && t.firstOnLine && t.col === top) {
      this.next();
      return;
    }
    this.expect('keyword', word);
  }

  private fail(message: string, at: Token = this.peek()): never {
    throw new CaxError('E_PARSE', message, { span: { file: this.file, line: at.line, col: at.col } });
  }

  private span(start: Token): SourceSpan {
    const end = this.pos > 0 ? this.last() : start;
    return { file: this.file, line: start.line, col: start.col, endLine: end.endLine, endCol: end.endCol };
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH} levels`);
  }

  private leave(): void {
    this.depth--;
  }

  /** An implicit (layout) or explicit `{ ; }` block of items. */
  private block<T>(item: () => T): T[] {
    const items: T[] = [];
    if (this.accept('punct', '{')) {
      this.layout.push(0);
      while (!this.is('punct', '}')) {
        if (this.accept('punct', ';')) continue;
        items.push(item());
        if (!this.is('punct', '}')) this.expect('punct', ';', "';' or '}'");
      }
      this.layout.pop();
      this.next();
      return items;
    }
    const first = this.peek();
    const enclosing = this.layout.reduce((m, c) => (c > 0 ? c : m), 0);
    if (first.kind === 'eof' || first.col <= this.layout[this.layout.length - 1]! || first.col <= enclosing) return items;
    const col = first.col;
    this.layout.push(col);
    try {
      for (;;) {
        this.itemStart = this.pos;
        items.push(item());
        const t = this.raw();
        if (t.kind === 'punct' && t.text === ';') {
          this.next();
          if (this.raw().kind === 'eof' || (this.raw().firstOnLine && this.raw().col < col)) break;
          continue;
        }
        if (t.kind !== 'eof' && t.firstOnLine && t.col === col && !closesBlock(t)) continue;
        break;
      }
    } finally {
      this.layout.pop();
    }
    return items;
  }

  // ---- programs and declarations --------------------------------------

  program(): { program: Program; errors: CaxError[] } {
    const errors: CaxError[] = [];
    const items: Item[] = [];
    while (this.raw().kind !== 'eof') {
      const start = this.raw();
      try {
        if (start.col !== 1) this.fail('a top-level definition starts in column 1', start);
        this.itemStart = this.pos;
        items.push(this.declItem());
        const t = this.raw();
        if (!(t.kind === 'eof' || (t.firstOnLine && t.col === 1))) this.fail(`unexpected ${describe(t)}`, t);
      } catch (e) {
        if (!(e instanceof CaxError)) throw e;
        errors.push(e);
        this.layout = [1];
        this.depth = 0;
        do this.next();
        while (!(this.raw().kind === 'eof' || (this.raw().firstOnLine && this.raw().col === 1)));
      }
    }
    let decls: Decl[] = [];
    try {
      decls = this.group(items);
    } catch (e) {
      if (!(e instanceof CaxError)) throw e;
      errors.push(e);
    }
    return { program: { file: this.file, decls }, errors };
  }

  standaloneExpr(): Expr {
    this.layout = [0];
    const e = this.expr();
    if (this.raw().kind !== 'eof') this.fail(`unexpected ${describe(this.raw())}`, this.raw());
    return e;
  }

  standaloneType(): TypeScheme {
    this.layout = [0];
    const s = this.scheme();
    if (this.raw().kind !== 'eof') this.fail(`unexpected ${describe(this.raw())}`, this.raw());
    return s;
  }

  /** Groups signatures and consecutive equations into declarations. */
  private group(items: readonly Item[]): Decl[] {
    const decls: Decl[] = [];
    const seen = new Map<string, SourceSpan>();
    let i = 0;
    while (i < items.length) {
      const it = items[i]!;
      let signature: TypeScheme | null = null;
      let name: string;
      let span: SourceSpan;
      if (it.kind === 'sig') {
        signature = it.scheme;
        name = it.name;
        span = it.span;
        i++;
      } else {
        name = it.eq.name;
        span = it.eq.span;
      }
      const equations: Equation[] = [];
      while (i < items.length) {
        const e = items[i]!;
        if (e.kind !== 'eq' || e.eq.name !== name) break;
        equations.push(e.eq);
        i++;
      }
      if (equations.length === 0) throw new CaxError('E_PARSE', `the signature of ${name} has no equations after it`, { span });
      const prev = seen.get(name);
      if (prev) throw new CaxError('E_PARSE', `${name} is defined twice (first at line ${prev.line})`, { span });
      seen.set(name, span);
      const arity = equations[0]!.params.length;
      for (const eq of equations) {
        if (eq.params.length !== arity) throw new CaxError('E_PARSE', `equations of ${name} have different numbers of arguments`, { span: eq.span });
      }
      const lastEq = equations[equations.length - 1]!.span;
      decls.push({ name, signature, equations, span: { ...span, endLine: lastEq.endLine, endCol: lastEq.endCol } });
    }
    return decls;
  }

  private decls(): Decl[] {
    return this.group(this.block(() => this.declItem()));
  }

  private declItem(): Item {
    const start = this.peek();
    if (start.kind !== 'ident') this.fail(`expected a definition, found ${describe(start)}`);
    this.next();
    if (this.accept('op', '::')) {
      const scheme = this.scheme();
      return { kind: 'sig', name: start.text, scheme, span: this.span(start) };
    }
    const params: Pattern[] = [];
    while (!this.is('op', '=') && !this.is('op', '|')) {
      if (!this.atomicPatternStart()) this.fail(`expected an argument pattern, '=' or '|', found ${describe(this.peek())}`);
      params.push(this.atomicPattern());
    }
    checkLinear(params);
    const rhs = this.rhs('=');
    const where = this.accept('keyword', 'where') ? this.decls() : [];
    return { kind: 'eq', eq: { name: start.text, params, rhs, where, span: this.span(start) } };
  }

  private rhs(sep: '=' | '->'): Rhs {
    if (this.is('op', '|')) {
      const guards: Guard[] = [];
      while (this.is('op', '|')) {
        const g = this.next();
        const cond = this.expr();
        this.expect('op', sep);
        const body = this.expr();
        guards.push({ cond, body, span: this.span(g) });
      }
      return { tag: 'Guarded', guards };
    }
    this.expect('op', sep);
    return { tag: 'Plain', expr: this.expr() };
  }

  // ---- types ------------------------------------------------------------

  private scheme(): TypeScheme {
    const start = this.peek();
    const constraints = this.context();
    const type = this.type();
    return { constraints, type, span: this.span(start) };
  }

  /** `C a =>` or `(C a, D b) =>`, if present. */
  private context(): TypeConstraint[] {
    const save = this.pos;
    const out: TypeConstraint[] = [];
    const one = (): boolean => {
      const c = this.peek();
      const v = this.peekAt(1);
      if (c.kind !== 'conid' || !['Eq', 'Ord', 'Num', 'Concat'].includes(c.text) || v.kind !== 'ident') return false;
      this.next();
      this.next();
      out.push({ cls: c.text === 'Eq' ? 'Ord' : (c.text as 'Ord' | 'Num' | 'Concat'), name: v.text });
      return true;
    };
    if (this.accept('punct', '(')) {
      if (one()) {
        while (this.accept('punct', ',')) if (!one()) break;
        if (this.accept('punct', ')') && this.accept('op', '=>')) return out;
      }
    } else if (one() && this.accept('op', '=>')) {
      return out;
    }
    this.pos = save;
    return [];
  }

  private type(): TypeExpr {
    this.enter();
    const start = this.peek();
    const from = this.btype();
    let result = from;
    if (this.accept('op', '->')) result = { tag: 'TFun', from, to: this.type(), span: this.span(start) };
    this.leave();
    return result;
  }

  private btype(): TypeExpr {
    const t = this.peek();
    if (t.kind === 'conid' && t.text === 'Effect') {
      this.next();
      const arg = this.atype();
      return { tag: 'TCon', name: 'Effect', args: [arg], span: this.span(t) };
    }
    return this.atype();
  }

  private atype(): TypeExpr {
    const t = this.peek();
    if (t.kind === 'conid') {
      this.next();
      if (t.text === 'Effect') this.fail('Effect needs a type argument: write (Effect a)', t);
      if (!BASE_TYPES.has(t.text)) this.fail(`unknown type ${t.text}`, t);
      return { tag: 'TCon', name: t.text, args: [], span: this.span(t) };
    }
    if (t.kind === 'ident') {
      this.next();
      return { tag: 'TVar', name: t.text, span: this.span(t) };
    }
    if (this.accept('punct', '[')) {
      this.enter();
      const elem = this.type();
      this.expect('punct', ']');
      this.leave();
      return { tag: 'TList', elem, span: this.span(t) };
    }
    if (this.accept('punct', '(')) {
      if (this.accept('punct', ')')) return { tag: 'TTuple', items: [], span: this.span(t) };
      this.enter();
      const items = [this.type()];
      while (this.accept('punct', ',')) items.push(this.type());
      this.expect('punct', ')');
      this.leave();
      if (items.length === 1) return items[0]!;
      return { tag: 'TTuple', items, span: this.span(t) };
    }
    return this.fail(`expected a type, found ${describe(t)}`);
  }

  // ---- patterns -----------------------------------------------------------

  private atomicPatternStart(): boolean {
    const t = this.peek();
    return (
      t.kind === 'ident' ||
      t.kind === 'int' ||
      t.kind === 'double' ||
      t.kind === 'text' ||
      t.kind === 'conid' ||
      (t.kind === 'punct' && (t.text === '_' || t.text === '(' || t.text === '[')) ||
      (t.kind === 'op' && t.text === '-')
    );
  }

  private pattern(): Pattern {
    this.enter();
    const start = this.peek();
    const head = this.atomicPattern();
    let result = head;
    if (this.accept('op', ':')) result = { tag: 'PCons', head, tail: this.pattern(), span: this.span(start) };
    this.leave();
    return result;
  }

  private atomicPattern(): Pattern {
    const t = this.peek();
    if (t.kind === 'punct' && t.text === '_') {
      this.next();
      return { tag: 'PWild', span: this.span(t) };
    }
    if (t.kind === 'ident') {
      this.next();
      return { tag: 'PVar', name: t.text, span: this.span(t) };
    }
    if (t.kind === 'int' || t.kind === 'double' || t.kind === 'text' || t.kind === 'conid') {
      return { tag: 'PLit', lit: this.literal(), span: this.span(t) };
    }
    if (t.kind === 'op' && t.text === '-') {
      this.next();
      const n = this.peek();
      if (n.kind === 'int') {
        this.next();
        return { tag: 'PLit', lit: { kind: 'int', value: -n.num | 0 }, span: this.span(t) };
      }
      if (n.kind === 'double') {
        this.next();
        return { tag: 'PLit', lit: { kind: 'double', value: -n.num }, span: this.span(t) };
      }
      this.fail('a negative pattern must be a number literal', n);
    }
    if (this.accept('punct', '(')) {
      if (this.accept('punct', ')')) return { tag: 'PLit', lit: { kind: 'unit' }, span: this.span(t) };
      this.enter();
      const items = [this.pattern()];
      while (this.accept('punct', ',')) items.push(this.pattern());
      this.expect('punct', ')');
      this.leave();
      if (items.length === 1) return items[0]!;
      return { tag: 'PTuple', items, span: this.span(t) };
    }
    if (this.accept('punct', '[')) {
      const items: Pattern[] = [];
      if (!this.is('punct', ']')) {
        this.enter();
        items.push(this.pattern());
        while (this.accept('punct', ',')) items.push(this.pattern());
        this.leave();
      }
      this.expect('punct', ']');
      return { tag: 'PList', items, span: this.span(t) };
    }
    return this.fail(`expected a pattern, found ${describe(t)}`);
  }

  private literal(): Literal {
    const t = this.next();
    switch (t.kind) {
      case 'int':
        return { kind: 'int', value: t.num };
      case 'double':
        return { kind: 'double', value: t.num };
      case 'text':
        return { kind: 'text', value: t.text };
      case 'conid':
        if (t.text === 'True') return { kind: 'bool', value: true };
        if (t.text === 'False') return { kind: 'bool', value: false };
        return this.fail(`unknown constructor ${t.text}`, t);
      default:
        return this.fail(`expected a literal, found ${describe(t)}`, t);
    }
  }

  // ---- expressions ----------------------------------------------------------

  expr(): Expr {
    return this.binary(0);
  }

  /** The infix operator at the current token, if any. */
  private operatorHere(): BinaryOp | null {
    const t = this.peek();
    if (t.kind === 'op' && t.text in PRECEDENCE) return t.text as BinaryOp;
    if (t.kind === 'punct' && t.text === '`') {
      const name = this.peekAt(1);
      if (name.kind === 'ident' && name.text === 'mod' && this.peekAt(2).text === '`') return 'mod';
      this.fail('only `mod` may be written between backquotes');
    }
    return null;
  }

  private consumeOperator(op: BinaryOp): void {
    if (op === 'mod') {
      this.next();
      this.next();
    }
    this.next();
  }

  private binary(minPrec: number): Expr {
    this.enter();
    const depthBefore = this.depth;
    const start = this.peek();
    let left: Expr;
    if (this.is('op', '-')) {
      this.next();
      left = { tag: 'Neg', expr: this.binary(9), span: this.span(start) };
    } else {
      left = this.operand();
    }
    for (;;) {
      const op = this.operatorHere();
      if (op === null) break;
      const [prec, assoc] = PRECEDENCE[op];
      if (prec < minPrec) break;
      this.consumeOperator(op);
      const right = this.binary(assoc === 'right' ? prec : prec + 1);
      left = { tag: 'BinOp', op, left, right, span: this.span(start) };
      if (assoc === 'none') {
        const again = this.operatorHere();
        if (again !== null && PRECEDENCE[again][0] === prec) this.fail(`${op} and ${again} cannot be chained without parentheses`);
      }
      this.enter(); // a left-nested chain deepens the tree
    }
    this.depth = depthBefore - 1;
    return left;
  }

  /** An application, or a form that extends as far right as possible (lambda, let, if, case, do, effects). */
  private operand(): Expr {
    const t = this.peek();
    if (t.kind === 'op' && t.text === '\\') return this.lambda();
    if (t.kind === 'keyword') {
      switch (t.text) {
        case 'let': {
          this.next();
          const decls = this.decls();
          this.expect('keyword', 'in');
          const body = this.expr();
          return { tag: 'Let', decls, body, span: this.span(t) };
        }
        case 'if': {
          this.next();
          const cond = this.expr();
          this.expectLayoutKeyword('then');
          const then = this.expr();
          this.expectLayoutKeyword('else');
          const otherwise = this.expr();
          return { tag: 'If', cond, then, else: otherwise, span: this.span(t) };
        }
        case 'case': {
          this.next();
          const scrutinee = this.expr();
          this.expect('keyword', 'of');
          const alts = this.block(() => this.alt());
          if (alts.length === 0) this.fail('a case needs at least one alternative');
          return { tag: 'Case', scrutinee, alts, span: this.span(t) };
        }
        case 'do': {
          this.next();
          const stmts = this.block(() => this.stmt());
          if (stmts.length === 0) this.fail('a do block needs at least one statement');
          const lastStmt = stmts[stmts.length - 1]!;
          if (lastStmt.tag !== 'ExprStmt') throw new CaxError('E_PARSE', 'the last statement of a do block must be an expression', { span: lastStmt.span });
          return { tag: 'Do', stmts, span: this.span(t) };
        }
        case 'deposit':
        case 'withdraw':
        case 'transfer':
          return this.ledger(t.text);
        case 'observe': {
          this.next();
          const key = this.application();
          this.expect('keyword', 'on');
          const timeline = this.application();
          return { tag: 'Observe', key, timeline, span: this.span(t) };
        }
        case 'invoke': {
          this.next();
          const fn = this.atomWithUnit();
          const args: Expr[] = [];
          while (this.atomStart()) args.push(this.atomWithUnit());
          return { tag: 'Invoke', fn, args, span: this.span(t) };
        }
        default:
          break;
      }
    }
    return this.application();
  }

  private ledger(kind: LedgerKind): Expr {
    const t = this.next();
    const amount = this.application();
    const asset = this.accept('keyword', 'of') ? this.application() : null;
    let from: Expr | null = null;
    let to: Expr | null = null;
    if (kind !== 'deposit') {
      this.expect('keyword', 'from');
      from = this.application();
    }
    if (kind !== 'withdraw') {
      this.expect('keyword', 'to');
      to = this.application();
    }
    this.expect('keyword', 'on');
    const timeline = this.application();
    return { tag: 'Ledger', kind, amount, asset, from, to, timeline, span: this.span(t) };
  }

  private lambda(): Expr {
    const t = this.next();
    const params: Pattern[] = [];
    while (!this.is('op', '->')) {
      if (!this.atomicPatternStart()) this.fail(`expected a lambda parameter or '->', found ${describe(this.peek())}`);
      params.push(this.atomicPattern());
    }
    if (params.length === 0) this.fail('a lambda needs at least one parameter');
    checkLinear(params);
    this.next();
    const body = this.expr();
    return { tag: 'Lam', params, body, span: this.span(t) };
  }

  private alt(): Alt {
    const start = this.peek();
    const pattern = this.pattern();
    checkLinear([pattern]);
    let guard: Expr | null = null;
    if (this.accept('op', '|')) guard = this.expr();
    this.expect('op', '->');
    const body = this.expr();
    return { pattern, guard, body, span: this.span(start) };
  }

  private stmt(): Stmt {
    const start = this.peek();
    if (this.accept('keyword', 'let')) {
      const decls = this.decls();
      if (this.accept('keyword', 'in')) {
        const body = this.expr();
        const letExpr: Expr = { tag: 'Let', decls, body, span: this.span(start) };
        return { tag: 'ExprStmt', expr: letExpr, span: this.span(start) };
      }
      return { tag: 'LetStmt', decls, span: this.span(start) };
    }
    // `pattern <- expr`, else an expression: try the pattern first.
    const save = this.pos;
    const depth = this.depth;
    if (this.atomicPatternStart()) {
      let pattern: Pattern | null = null;
      try {
        pattern = this.pattern();
      } catch (e) {
        if (!(e instanceof CaxError)) throw e;
      }
      if (pattern && this.accept('op', '<-')) {
        checkLinear([pattern]);
        const expr = this.expr();
        return { tag: 'Bind', pattern, expr, span: this.span(start) };
      }
      this.pos = save;
      this.depth = depth;
    }
    return { tag: 'ExprStmt', expr: this.expr(), span: this.span(start) };
  }

  private atomStart(): boolean {
    const t = this.peek();
    return t.kind === 'int' || t.kind === 'double' || t.kind === 'text' || t.kind === 'ident' || t.kind === 'conid' || t.kind === 'hash' || (t.kind === 'punct' && (t.text === '(' || t.text === '['));
  }

  /** Function application: atoms, left-nested. */
  private application(): Expr {
    const start = this.peek();
    if (!this.atomStart()) this.fail(`expected an expression, found ${describe(start)}`);
    const depthBefore = this.depth;
    let fn = this.atomWithUnit();
    while (this.atomStart()) {
      this.enter();
      const arg = this.atomWithUnit();
      fn = { tag: 'App', fn, arg, span: this.span(start) };
    }
    this.depth = depthBefore;
    return fn;
  }

  /** An atom, optionally followed by a time unit: `10 seconds`. */
  private atomWithUnit(): Expr {
    const start = this.peek();
    const a = this.atom();
    const u = this.peek();
    if (u.kind === 'keyword' && TIME_UNIT_WORDS.has(u.text)) {
      this.next();
      return { tag: 'Duration', amount: a, unit: u.text as TimeUnit, span: this.span(start) };
    }
    return a;
  }

  private atom(): Expr {
    const t = this.peek();
    switch (t.kind) {
      case 'int':
      case 'double':
      case 'text':
      case 'conid':
        return { tag: 'Lit', lit: this.literal(), span: this.span(t) };
      case 'ident':
        this.next();
        return { tag: 'Var', name: t.text, span: this.span(t) };
      case 'hash':
        this.next();
        return { tag: 'HashRef', hash: t.text, span: this.span(t) };
      default:
        break;
    }
    if (this.accept('punct', '[')) {
      const items: Expr[] = [];
      if (!this.is('punct', ']')) {
        this.enter();
        items.push(this.expr());
        while (this.accept('punct', ',')) items.push(this.expr());
        this.leave();
      }
      this.expect('punct', ']');
      return { tag: 'List', items, span: this.span(t) };
    }
    if (this.accept('punct', '(')) {
      if (this.accept('punct', ')')) return { tag: 'Lit', lit: { kind: 'unit' }, span: this.span(t) };
      const o = this.peek();
      if (o.kind === 'op' && o.text in PRECEDENCE && this.peekAt(1).kind === 'punct' && this.peekAt(1).text === ')') {
        this.next();
        this.next();
        return { tag: 'OpRef', op: o.text as BinaryOp, span: this.span(t) };
      }
      this.enter();
      const items = [this.expr()];
      while (this.accept('punct', ',')) items.push(this.expr());
      this.expect('punct', ')', "')'");
      this.leave();
      if (items.length === 1) return items[0]!;
      return { tag: 'Tuple', items, span: this.span(t) };
    }
    return this.fail(`expected an expression, found ${describe(t)}`);
  }
}

/** Tokens that cannot start a block item: at the block's column they close it (parse-error(t)). */
function closesBlock(t: Token): boolean {
  return (t.kind === 'keyword' && ['where', 'in', 'then', 'else', 'of'].includes(t.text)) || (t.kind === 'punct' && [')', ']', ',', '}'].includes(t.text));
}

function describe(t: Token): string {
  switch (t.kind) {
    case 'eof':
      return t.text;
    case 'text':
      return 'a text literal';
    case 'hash':
      return 'a hash reference';
    default:
      return `'${t.text}'`;
  }
}

/** The variables a pattern binds, left to right. */
export function patternVars(p: Pattern, out: { name: string; span: SourceSpan }[] = []): { name: string; span: SourceSpan }[] {
  const stack: Pattern[] = [p];
  while (stack.length > 0) {
    const q = stack.pop()!;
    switch (q.tag) {
      case 'PVar':
        out.push({ name: q.name, span: q.span });
        break;
      case 'PTuple':
      case 'PList':
        for (let i = q.items.length - 1; i >= 0; i--) stack.push(q.items[i]!);
        break;
      case 'PCons':
        stack.push(q.tail, q.head);
        break;
      default:
        break;
    }
  }
  return out;
}

/** A variable may be bound only once in one set of patterns. */
function checkLinear(patterns: readonly Pattern[]): void {
  const seen = new Set<string>();
  for (const p of patterns) {
    for (const v of patternVars(p)) {
      if (seen.has(v.name)) throw new CaxError('E_PARSE', `${v.name} is bound twice in one pattern`, { span: v.span });
      seen.add(v.name);
    }
  }
}
