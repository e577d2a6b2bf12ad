// The type checker's bounds (issues 24.12, 26.4): programs whose types double
// at every definition end with E_TYPE_SIZE at the definition that passes the
// limit, within a second — in `checkProgram`, in an argument of `cax run`
// (whose wallClockMs cannot stop the checker) and in `cax check`; shared
// types that stay small are checked in time linear in their size.
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaxError } from '../../host/errors.js';
import { checkExpression, checkProgram } from '../../host/tel/infer.js';
import { parseExpression, parseProgram } from '../../host/tel/parser.js';
import { prelude } from '../../host/tel/prelude.js';
import { MAX_TYPE_SIZE, TYPE_WORK_BASE, TYPE_WORK_PER_NODE, TypeMeter } from '../../host/tel/types.js';
import { runCli } from '../../host/cli/program.js';
import { captureIO } from '../helpers/cli-io.js';

/** `let f0 = \x -> (x, x) in let f1 = \x -> f0 (f0 x) in …` up to f`n` (about 250 bytes at n = 7). */
function doublingFunctions(n: number): string {
  let s = 'let f0 = \\x -> (x, x) in ';
  for (let i = 1; i <= n; i++) s += `let f${i} = \\x -> f${i - 1} (f${i - 1} x) in `;
  return `${s}f${n} 1`;
}

/** `let x1 = (x0, x0) in let x2 = (x1, x1) in …` up to x`n`. */
function nestedPairs(n: number): string {
  let s = 'let x0 = 1 in ';
  for (let i = 1; i <= n; i++) s += `let x${i} = (x${i - 1}, x${i - 1}) in `;
  return `${s}x${n}`;
}

/** The same doubling through lambda parameters: the types are shared, the result is small. */
function sharedPairs(n: number): string {
  let s = '';
  for (let i = 1; i <= n; i++) s += `(\\y${i} -> `;
  s += '1';
  for (let i = n; i >= 1; i--) s += `) ${i === 1 ? '(0, 0)' : `(y${i - 1}, y${i - 1})`}`;
  return s;
}

function typeError(check: () => unknown): CaxError {
  try {
    check();
  } catch (e) {
    if (e instanceof CaxError) return e;
    throw e;
  }
  throw new Error('expected an error');
}

const checkMain = (body: string): unknown => checkProgram(parseProgram(`main = ${body}\n`, 't.tel'), { globals: prelude().types });

describe('type checker bounds', () => {
  it('stops the 250-byte doubling program at f4 with E_TYPE_SIZE and a location, within a second', () => {
    expect(doublingFunctions(7).length).toBeLessThan(260);
    const t0 = Date.now();
    const e = typeError(() => checkMain(doublingFunctions(7)));
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(e.code).toBe('E_TYPE_SIZE');
    expect(e.message).toBe(`the type of f4 has more than ${MAX_TYPE_SIZE} parts`);
    expect(e.span).toMatchObject({ file: 't.tel', line: 1 });
    // f3's type (256 leaves) is still fine
    expect(() => checkMain(doublingFunctions(3))).not.toThrow();
  });

  it.each([16, 20, 200])('stops a chain of %i nested-pair lets at x13 within a second', (n) => {
    const t0 = Date.now();
    const e = typeError(() => checkMain(nestedPairs(n)));
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(e.code).toBe('E_TYPE_SIZE');
    expect(e.message).toContain('the type of x13 ');
    expect(() => checkMain(nestedPairs(12))).not.toThrow();
  });

  it('checks shared types in linear time: 100 doublings through lambda parameters', () => {
    const t0 = Date.now();
    expect(() => checkMain(sharedPairs(100))).not.toThrow();
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('bounds the type of an expression checked alone (an argument)', () => {
    const e = typeError(() => checkExpression(parseExpression(nestedPairs(40), 'argument 1'), prelude().types));
    expect(e.code).toBe('E_TYPE_SIZE');
    expect(e.span?.file).toBe('argument 1');
  });

  it("meters the checker's work: past its allowance E_TYPE_SIZE at the expression being checked", () => {
    const meter = new TypeMeter();
    const span = { file: 't.tel', line: 3, col: 7 };
    meter.node(span);
    meter.charge(TYPE_WORK_BASE + TYPE_WORK_PER_NODE);
    const e = typeError(() => meter.charge(1));
    expect(e.code).toBe('E_TYPE_SIZE');
    expect(e.span).toEqual(span);
  });

  describe('through the CLI', () => {
    let dir = '';
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'cax-bounds-'));
      writeFileSync(join(dir, 'id.tel'), 'identity x = x\n');
      writeFileSync(join(dir, 'doubling.tel'), `main = ${doublingFunctions(7)}\n`);
      writeFileSync(join(dir, 'policy.json'), JSON.stringify({ wallClockMs: 2000 }));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const cax = async (...argv: string[]): Promise<{ code: number; out: string; err: string }> => {
      const io = captureIO({ cwd: dir, env: { CAX_HOME: join(dir, 'home') } });
      const code = await runCli(argv, io);
      return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
    };

    it('a 1 KB argument to cax run ends with E_TYPE_SIZE within seconds', async () => {
      expect((await cax('add', 'id.tel')).code).toBe(0);
      const argument = nestedPairs(45);
      expect(argument.length).toBeGreaterThan(1000);
      const t0 = Date.now();
      const r = await cax('--json', 'run', 'identity', argument, '--policy', 'policy.json');
      expect(Date.now() - t0).toBeLessThan(3000);
      expect(r.code).toBe(1);
      expect(JSON.stringify(JSON.parse(r.out))).toContain('E_TYPE_SIZE');
    });

    it('cax check reports it with file, line and column; cax add and cax eval refuse it the same way', async () => {
      const r = await cax('check', 'doubling.tel');
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/doubling\.tel:1:\d+: E_TYPE_SIZE the type of f4/);
      for (const argv of [
        ['add', 'doubling.tel'],
        ['eval', 'doubling.tel', '--main', 'main'],
      ]) {
        const t0 = Date.now();
        const other = await cax(...argv);
        expect(Date.now() - t0).toBeLessThan(3000);
        expect(other.code).toBe(1);
        expect(other.err).toContain('E_TYPE_SIZE');
      }
    });
  });
});
