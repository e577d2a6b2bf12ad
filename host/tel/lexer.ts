// TEL lexer (section 1): turns source text into tokens with 1-based line and
// column, marking the first token of each line for the off-side rule. One
// pass over the characters, linear in the input; every malformed input is an
// E_PARSE CaxError with its location.
import { CaxError } from '../errors.js';

export type TokenKind = 'int' | 'double' | 'text' | 'ident' | 'conid' | 'hash' | 'op' | 'punct' | 'keyword' | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /** Identifier/operator/keyword text, decoded Text, hex digits of a hash. */
  readonly text: string;
  /** Value of int (wrapped to 32 bits) and double literals. */
  readonly num: number;
  readonly line: number;
  readonly col: number;
  readonly endLine: number;
  readonly endCol: number;
  /** First token on its line: the layout rule looks at its column. */
  readonly firstOnLine: boolean;
}

export const KEYWORDS: ReadonlySet<string> = new Set([
  'let',
  'in',
  'where',
  'do',
  'of',
  'case',
  'if',
  'then',
  'else',
  'deposit',
  'withdraw',
  'transfer',
  'observe',
  'invoke',
  'to',
  'from',
  'on',
  'milliseconds',
  'seconds',
  'minutes',
  'hours',
  'days',
]);

const OPERATORS: ReadonlySet<string> = new Set(['$', '>>', '<|', '<|>', '||', '&&', '==', '/=', '<', '>', '<=', '>=', ':', '++', '+', '-', '*', '/', '=', '|', '\\', '->', '<-', '::', '=>']);

const SYMBOL_CHARS = '!#$%&*+./<=>?\\^|-~:';
const PUNCT = '(),;[]{}`';

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isHex(c: number): boolean {
  return isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}
function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}
function isIdentChar(c: number): boolean {
  return isLetter(c) || isDigit(c) || c === 95 || c === 39;
}
const SYMBOL_TABLE = new Uint8Array(128);
for (const ch of SYMBOL_CHARS) SYMBOL_TABLE[ch.charCodeAt(0)] = 1;
const PUNCT_TABLE = new Uint8Array(128);
for (const ch of PUNCT) PUNCT_TABLE[ch.charCodeAt(0)] = 1;

function isSymbol(c: number): boolean {
  return c < 128 && SYMBOL_TABLE[c] === 1;
}

export function lex(source: string, file: string): Token[] {
  const tokens: Token[] = [];
  const n = source.length;
  let i = 0;
  let line = 1;
  let col = 1;
  let lastLine = 0;

  const fail = (message: string, l = line, c = col): never => {
    throw new CaxError('E_PARSE', message, { span: { file, line: l, col: c } });
  };
  /** Advances over one character, tracking line and column (tabs to the next multiple of 8). */
  const advance = (): void => {
    const c = source.charCodeAt(i);
    i++;
    if (c === 10) {
      line++;
      col = 1;
    } else if (c === 9) {
      col = (((col - 1) >> 3) << 3) + 9;
    } else if (c === 13 && source.charCodeAt(i) !== 10) {
      line++;
      col = 1;
    } else if (c !== 13) {
      col++;
    }
  };
  const push = (kind: TokenKind, text: string, num: number, l: number, c: number): void => {
    tokens.push({ kind, text, num, line: l, col: c, endLine: line, endCol: col, firstOnLine: l !== lastLine });
    lastLine = l;
  };

  while (i < n) {
    const c = source.charCodeAt(i);
    if (c === 32) {
      i++;
      col++;
      continue;
    }
    if (c === 9 || c === 10 || c === 13) {
      advance();
      continue;
    }
    const startLine = line;
    const startCol = col;
    // comments
    if (c === 45 && source.charCodeAt(i + 1) === 45) {
      const s = i;
      while (i < n && source.charCodeAt(i) !== 10 && source.charCodeAt(i) !== 13) i++;
      col += i - s;
      continue;
    }
    if (c === 123 && source.charCodeAt(i + 1) === 45) {
      let depth = 0;
      do {
        if (i >= n) fail('unterminated block comment', startLine, startCol);
        if (source.charCodeAt(i) === 123 && source.charCodeAt(i + 1) === 45) {
          depth++;
          advance();
          advance();
        } else if (source.charCodeAt(i) === 45 && source.charCodeAt(i + 1) === 125) {
          depth--;
          advance();
          advance();
        } else {
          advance();
        }
      } while (depth > 0);
      continue;
    }
    if (isLetter(c) || c === 95) {
      const s = i;
      while (i < n && isIdentChar(source.charCodeAt(i))) i++;
      col += i - s;
      const word = source.slice(s, i);
      if (word === '_') push('punct', '_', 0, startLine, startCol);
      else if (KEYWORDS.has(word)) push('keyword', word, 0, startLine, startCol);
      else if (c === 95 || (c >= 97 && c <= 122)) push('ident', word, 0, startLine, startCol);
      else if (c >= 65 && c <= 90) push('conid', word, 0, startLine, startCol);
      else fail(`identifier must start with a letter: ${word}`, startLine, startCol);
      continue;
    }
    if (isDigit(c)) {
      lexNumber(startLine, startCol);
      continue;
    }
    if (c === 34) {
      lexText(startLine, startCol);
      continue;
    }
    if (c === 64) {
      advance();
      const s = i;
      while (i < n && isIdentChar(source.charCodeAt(i))) advance();
      const hex = source.slice(s, i);
      if (!/^[0-9a-f]{64}$/.test(hex)) fail('a hash reference is @ followed by 64 lower-case hex digits', startLine, startCol);
      push('hash', hex, 0, startLine, startCol);
      continue;
    }
    if (c < 128 && PUNCT_TABLE[c] === 1) {
      advance();
      push('punct', source[i - 1]!, 0, startLine, startCol);
      continue;
    }
    if (isSymbol(c)) {
      const s = i;
      while (i < n && isSymbol(source.charCodeAt(i))) advance();
      const op = source.slice(s, i);
      if (!OPERATORS.has(op)) fail(`unknown operator ${op}`, startLine, startCol);
      push('op', op, 0, startLine, startCol);
      continue;
    }
    fail(`unexpected character ${JSON.stringify(String.fromCodePoint(source.codePointAt(i)!))}`);
  }
  tokens.push({ kind: 'eof', text: '<end of file>', num: 0, line, col, endLine: line, endCol: col, firstOnLine: true });
  return tokens;

  function lexNumber(l: number, c0: number): void {
    const s = i;
    if (source.charCodeAt(i) === 48 && (source.charCodeAt(i + 1) === 120 || source.charCodeAt(i + 1) === 88)) {
      advance();
      advance();
      const h = i;
      while (i < n && isHex(source.charCodeAt(i))) advance();
      if (i === h) fail('hex literal needs digits', l, c0);
      checkEnd(l, c0);
      pushInt(BigInt(`0x${source.slice(h, i)}`), source.slice(s, i), l, c0);
      return;
    }
    while (i < n && isDigit(source.charCodeAt(i))) advance();
    let isDouble = false;
    if (source.charCodeAt(i) === 46 && isDigit(source.charCodeAt(i + 1))) {
      isDouble = true;
      advance();
      while (i < n && isDigit(source.charCodeAt(i))) advance();
    }
    const e = source.charCodeAt(i);
    if (e === 101 || e === 69) {
      let j = i + 1;
      if (source.charCodeAt(j) === 43 || source.charCodeAt(j) === 45) j++;
      if (isDigit(source.charCodeAt(j))) {
        isDouble = true;
        while (i < j) advance();
        while (i < n && isDigit(source.charCodeAt(i))) advance();
      }
    }
    checkEnd(l, c0);
    const text = source.slice(s, i);
    if (isDouble) push('double', text, Number(text), l, c0);
    else pushInt(BigInt(text), text, l, c0);
  }
  function checkEnd(l: number, c0: number): void {
    if (i < n && isIdentChar(source.charCodeAt(i))) fail('malformed number literal', l, c0);
  }
  function pushInt(v: bigint, text: string, l: number, c0: number): void {
    if (v >= 1n << 32n) fail(`Int literal ${text} does not fit in 32 bits`, l, c0);
    push('int', text, Number(BigInt.asIntN(32, v)), l, c0);
  }
  function lexText(l: number, c0: number): void {
    advance();
    let out = '';
    let s = i;
    for (;;) {
      if (i >= n) fail('unterminated text literal', l, c0);
      const ch = source.charCodeAt(i);
      if (ch === 34) {
        out += source.slice(s, i);
        advance();
        break;
      }
      if (ch === 10 || ch === 13) fail('unterminated text literal (line break inside)', l, c0);
      if (ch === 92) {
        out += source.slice(s, i);
        const el = line;
        const ec = col;
        advance();
        const esc = source[i];
        if (esc === 'n') out += '\n';
        else if (esc === 't') out += '\t';
        else if (esc === 'r') out += '\r';
        else if (esc === '\\') out += '\\';
        else if (esc === '"') out += '"';
        else if (esc === 'u' && source[i + 1] === '{') {
          advance();
          advance();
          const h = i;
          while (i < n && isHex(source.charCodeAt(i))) advance();
          const hex = source.slice(h, i);
          if (source[i] !== '}' || hex.length === 0 || hex.length > 6) fail('malformed \\u{…} escape', el, ec);
          const cp = parseInt(hex, 16);
          if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) fail('\\u{…} escape is not a Unicode scalar value', el, ec);
          out += String.fromCodePoint(cp);
        } else fail(`unknown escape \\${esc ?? ''}`, el, ec);
        advance();
        s = i;
        continue;
      }
      if (ch >= 0xd800 && ch <= 0xdfff) {
        const cp = source.codePointAt(i)!;
        if (cp < 0x10000 || ch >= 0xdc00) fail('text literal contains a lone surrogate (not UTF-8)');
        advance();
      }
      advance();
    }
    push('text', out, 0, l, c0);
  }
}
