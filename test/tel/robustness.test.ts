// Bad input never crashes, hangs or overflows the stack: random bytes,
// unterminated literals and comments, 100,000 nested parentheses, a 10 MB
// source, ill-typed programs — always a CaxError with a code and a location.
import { describe, it, expect } from '@jest/globals';
import fc from 'fast-check';
import { CaxError } from '../../host/errors.js';
import { checkProgramAll } from '../../host/tel/infer.js';
import { parseProgram, parseProgramAll } from '../../host/tel/parser.js';
import { prelude } from '../../host/tel/prelude.js';
import { evalShown } from './helpers.js';

/** Parses and checks; returns the error codes (empty when the source is fine). */
function diagnose(source: string): CaxError[] {
  const { program, errors } = parseProgramAll(source, 'fuzz.tel');
  const checked = checkProgramAll(program, { globals: prelude().types });
  const all = [...errors, ...checked.errors];
  for (const e of all) {
    expect(e).toBeInstanceOf(CaxError);
    expect(e.code).toMatch(/^E_[A-Z_]+$/);
    expect(e.span?.file).toBe('fuzz.tel');
    expect(e.span!.line).toBeGreaterThanOrEqual(1);
  }
  return all;
}

function parseError(source: string): CaxError {
  try {
    parseProgram(source, 'fuzz.tel');
  } catch (e) {
    expect(e).toBeInstanceOf(CaxError);
    return e as CaxError;
  }
  throw new Error('expected a parse error');
}

describe('robustness', () => {
  it('random bytes give located errors or a program, never a crash', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        diagnose(Buffer.from(bytes).toString('latin1'));
      }),
      { numRuns: 500 },
    );
  });

  it('random token soup gives located errors, never a crash', () => {
    const token = fc.constantFrom(
      'f',
      'x',
      '=',
      '(',
      ')',
      '[',
      ']',
      ',',
      'do',
      'let',
      'in',
      'case',
      'of',
      '->',
      '<-',
      '\\',
      '|',
      '1',
      '2.5',
      '"t"',
      '+',
      '<|>',
      '\n',
      '\n  ',
      ' ',
      'where',
      'if',
      'then',
      'else',
      '{',
      '}',
      ';',
      'deposit',
      'on',
      'to',
      '::',
      'Int',
      '`mod`',
      '@',
    );
    fc.assert(
      fc.property(fc.array(token, { maxLength: 60 }), (toks) => {
        diagnose(`main = ${toks.join(' ')}`);
        diagnose(toks.join(''));
      }),
      { numRuns: 500 },
    );
  });

  it('unterminated text, comments and escapes are E_PARSE at their start', () => {
    const e1 = parseError('main = "abc\n');
    expect([e1.code, e1.span!.line, e1.span!.col]).toEqual(['E_PARSE', 1, 8]);
    const e2 = parseError('x = 1\n{- never {- closed -}\ny = 2\n');
    expect([e2.code, e2.span!.line, e2.span!.col]).toEqual(['E_PARSE', 2, 1]);
    expect(parseError('x = "\\q"').message).toMatch(/escape/);
    expect(parseError('x = "\\u{110000}"').message).toMatch(/scalar/);
    expect(parseError('x = @abc').code).toBe('E_PARSE');
    expect(parseError('x = 4294967296').message).toMatch(/32 bits/);
  });

  it('100,000 nested parentheses are E_PARSE, not a stack overflow', () => {
    const deep = `main = ${'('.repeat(100_000)}1${')'.repeat(100_000)}\n`;
    const e = parseError(deep);
    expect(e.code).toBe('E_PARSE');
    expect(e.message).toMatch(/nesting/);
    const list = `main = ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`;
    expect(parseError(list).code).toBe('E_PARSE');
    const chain = `main = ${Array.from({ length: 100_000 }, () => '1').join(' + ')}\n`;
    expect(parseError(chain).code).toBe('E_PARSE');
    const pat = `f ${'('.repeat(50_000)}x${')'.repeat(50_000)} = x\n`;
    expect(parseError(pat).code).toBe('E_PARSE');
  });

  it('a 10 MB source parses and checks in linear time', () => {
    const defs: string[] = [];
    let size = 0;
    for (let i = 0; size < 10_000_000; i++) {
      const d = `f${i} :: Int -> Int\nf${i} x = if x > ${i} then x * 2 else f${i} (x + 1) -- ${i}\n`;
      defs.push(d);
      size += d.length;
    }
    const src = defs.join('');
    const { program, errors } = parseProgramAll(src, 'big.tel');
    expect(errors).toEqual([]);
    expect(program.decls.length).toBe(defs.length);
    const checked = checkProgramAll(program, { globals: prelude().types });
    expect(checked.errors).toEqual([]);
  });

  it('a do block of 20,000 statements checks and runs in linear time', () => {
    const n = 20_000;
    const stmts = Array.from({ length: n }, (_, i) => `  x${i} <- return ${i}\n`).join('');
    expect(evalShown(`main :: Effect Int\nmain = do\n${stmts}  return (x0 + x${n - 1})\n`)).toBe(String(n - 1));
  });

  it('ill-typed programs are E_TYPE with location and both types, every error reported', () => {
    const src = 'a = 1 + "x"\nb :: Int\nb = True\nc = if 1 then 2 else 3\nd = [1, 2.5]\ne = undefinedName\n';
    const errs = diagnose(src);
    expect(errs.map((e) => [e.code, e.span!.line])).toEqual([
      ['E_TYPE', 1],
      ['E_TYPE', 3],
      ['E_TYPE', 4],
      ['E_TYPE', 5],
      ['E_UNBOUND', 6],
    ]);
    expect(errs[0]!.message).toMatch(/expected Int, found Text/);
    expect(errs[0]!.details).toEqual({ expected: 'Int', actual: 'Text' });
  });

  it('parse errors are all reported, recovering at the next definition', () => {
    const errs = diagnose('a = (1\nb = 2\nc = ]\nd = 4\n');
    expect(errs.map((e) => [e.code, e.span!.line])).toEqual([
      ['E_PARSE', 2],
      ['E_PARSE', 3],
    ]);
  });
});
