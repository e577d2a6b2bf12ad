// `cax debug`: scripted sessions on an example program (the transcript checked
// line by line), piped stdin to the built CLI, bad commands answered without
// ending the session, and on random programs a backward step lands exactly
// where the forward step started.
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCli } from '../../host/cli/program.js';
import type { CliIO } from '../../host/cli/io.js';
import { DebugSession } from '../../host/debug/session.js';
import { effectProgram, pureProgram } from '../../host/tel/generate.js';
import { parseWorld } from '../../host/tel/world.js';
import { PAY_PROGRAM } from './pay-program.js';

const PROGRAM = PAY_PROGRAM;

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cax-debug-'));
  writeFileSync(join(dir, 'pay.tel'), PROGRAM);
  writeFileSync(join(dir, 'w.json'), JSON.stringify({ latency: { tl: 10 } }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function debug(commands: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  writeFileSync(join(dir, 'cmds'), commands);
  let out = '';
  let err = '';
  const io: CliIO = { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`), interactive: false, cwd: dir, env: {} };
  const code = await runCli([...argv, 'debug', 'pay.tel', '3', '--world', 'w.json', '--commands', 'cmds'], io);
  return { code, out, err };
}

describe('cax debug --commands', () => {
  it('breaks at a definition, prints arguments with types, steps forward and back', async () => {
    const r = await debug('break pay\ncontinue\nlocals\nstep\nstep\nrstep\nrstep\ncontinue\nclock\neffects\nlist\nquit\n');
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      [
        'debugging main in pay.tel: 12 events (calls and effects); type a command, quit to leave',
        '(cax) break pay',
        'breakpoint 1: calls of pay',
        '(cax) continue',
        '#1 call pay k=3  [depth 0, clock 0, effects 0, steps 7]',
        '  pay.tel:6  pay k = do',
        '(cax) locals',
        'k = 3 :: Int',
        'in scope where it returns:',
        '  n = 3 :: Int',
        '(cax) step',
        '#2 effect 0: t=10 deposit 3 "native" "a" on tl -> "tl:1"  [depth 0, clock 10, effects 0, steps 24]',
        '(cax) step',
        '#3 call fact n=3  [depth 1, clock 10, effects 1, steps 31]',
        '  pay.tel:3  fact n = if n <= 1 then 1 else n * fact (n - 1)',
        '(cax) rstep',
        '#2 effect 0: t=10 deposit 3 "native" "a" on tl -> "tl:1"  [depth 0, clock 10, effects 0, steps 24]',
        '(cax) rstep',
        '#1 call pay k=3  [depth 0, clock 0, effects 0, steps 7]',
        '  pay.tel:6  pay k = do',
        '(cax) continue',
        '#7 call pay k=2  [depth 0, clock 10, effects 2, steps 59]',
        '  pay.tel:6  pay k = do',
        '(cax) clock',
        'clock: 10',
        '(cax) effects',
        't=10 deposit 3 "native" "a" on tl -> "tl:1"',
        't=10 emit "6"',
        '(cax) list',
        '    4 | ',
        '    5 | pay :: Int -> Effect Int',
        '>   6 | pay k = do',
        '    7 |   deposit k to "a" on "tl"',
        '    8 |   emit (fact k)',
        '    9 |   return k',
        '   10 | ',
        '(cax) quit',
        'bye',
        '',
      ].join('\n'),
    );
  });

  it('effect, time and line breakpoints; finish and reverse continue', async () => {
    const r = await debug('break 3\ncontinue\nstep 2\nrfinish\nrnext\nnext\ndelete 1\nbreak effect emit\nbreak time 20\ncontinue\nrcontinue\ncontinue\ncontinue\ncontinue\n', '--json');
    expect(r.code).toBe(0);
    const replies = (JSON.parse(r.out) as { transcript: { command: string; data: { at?: unknown } }[] }).transcript;
    const at = replies
      .filter((x) => x.data.at !== undefined)
      .map((x) => (typeof x.data.at === 'string' ? x.data.at : `${(x.data.at as { name: string; index: number }).name}#${(x.data.at as { index: number }).index}`));
    expect(at).toEqual(['fact#3', 'fact#5', 'fact#4', 'fact#3', 'emit#6', 'deposit#8', 'emit#6', 'deposit#8', 'emit#11', 'end']);
  });

  it('answers bad commands with an error code and goes on', async () => {
    const r = await debug('break nope\nbreak effect foo\nbreak 99\nwatch k ++ 1\nwatch nowhere\nprint k\nfrobnicate\nstep\nprint zz\nprint n\nwatch (k\nwatch emit k\nwatch\n', '--json');
    const replies = (JSON.parse(r.out) as { transcript: { error?: { code: string }; text: string }[] }).transcript;
    expect(replies.map((x) => x.error?.code ?? 'ok')).toEqual([
      'E_BREAKPOINT',
      'E_BREAKPOINT',
      'E_BREAKPOINT',
      'E_TYPE',
      'E_BREAKPOINT',
      'E_USAGE',
      'E_USAGE',
      'ok',
      'E_UNBOUND',
      'ok',
      'E_PARSE',
      'E_TYPE',
      'E_USAGE',
    ]);
    expect(replies[9]!.text).toBe('n = 3 :: Int');
  });

  it('a watch on an argument stops where its value changes, forward and back', async () => {
    const r = await debug('watch n\ncontinue\ncontinue\ncontinue\ncontinue\nrcontinue\nbreakpoints\ndelete 1\nrcontinue\n', '--json');
    const replies = (JSON.parse(r.out) as { transcript: { data: { at?: unknown; locals?: { name: string; value: string }[] }; text: string }[] }).transcript;
    const stops = replies.filter((x) => x.data.at !== undefined).map((x) => (typeof x.data.at === 'string' ? x.data.at : x.data.locals!.map((l) => `${l.name}=${l.value}`).join(' ')));
    // fact's n goes 3 2 1, then 2 1 for the second pay (main's n is another definition's argument of the same name)
    expect(stops).toEqual(['n=2', 'n=1', 'n=2', 'n=1', 'n=2', 'start']);
    expect(replies[6]!.text).toBe('1: n changes');
  });

  it('a watch expression is printed at the stops where it changed, going forward and back', async () => {
    const r = await debug('watch n * 10 + 1\nwatch k - 1\ncontinue\ncontinue\nstep\nrstep\nrstep\nrcontinue\ndelete 1\ncontinue\n');
    expect(r.out.split('\n').slice(1)).toEqual([
      '(cax) watch n * 10 + 1',
      'watchpoint 1: n * 10 + 1 changes, evaluated at calls of fact, main',
      '(cax) watch k - 1',
      'watchpoint 2: k - 1 changes, evaluated at calls of pay',
      '(cax) continue',
      '#4 call fact n=2  [depth 2, clock 10, effects 1, steps 35]',
      '  pay.tel:3  fact n = if n <= 1 then 1 else n * fact (n - 1)',
      'watch 1: n * 10 + 1 = 21',
      'watch 2: k - 1 = 2',
      '(cax) continue',
      '#5 call fact n=1  [depth 3, clock 10, effects 1, steps 39]',
      '  pay.tel:3  fact n = if n <= 1 then 1 else n * fact (n - 1)',
      'watch 1: n * 10 + 1 = 11 (was 21)',
      '(cax) step',
      '#6 effect 1: t=10 emit "6"  [depth 0, clock 10, effects 1, steps 47]',
      '(cax) rstep',
      '#5 call fact n=1  [depth 3, clock 10, effects 1, steps 39]',
      '  pay.tel:3  fact n = if n <= 1 then 1 else n * fact (n - 1)',
      '(cax) rstep',
      '#4 call fact n=2  [depth 2, clock 10, effects 1, steps 35]',
      '  pay.tel:3  fact n = if n <= 1 then 1 else n * fact (n - 1)',
      'watch 1: n * 10 + 1 = 21 (was 11)',
      '(cax) rcontinue',
      'at the start (12 events recorded)',
      'watch 1: n * 10 + 1 = (not evaluated yet) (was 21)',
      'watch 2: k - 1 = (not evaluated yet) (was 2)',
      '(cax) delete 1',
      'deleted breakpoint 1',
      '(cax) continue',
      '#7 call pay k=2  [depth 0, clock 10, effects 2, steps 59]',
      '  pay.tel:6  pay k = do',
      'watch 2: k - 1 = 1',
      '',
    ]);
  });

  it('let, where and do binders where a call returns are in scope of locals, print and watches', async () => {
    const source = [
      'fact :: Int -> Int',
      'fact n = if n <= 1 then 1 else n * fact (n - 1)',
      '',
      'pay :: Int -> Effect Int',
      'pay k = do',
      '  r <- deposit k to "a" on "tl"',
      '  let f = fact k',
      '  emit f',
      '  return (double f + h)',
      '  where h = k * 100',
      '',
      'double :: Int -> Int',
      'double z = z * 2',
      '',
      'main :: Int -> Effect Int',
      'main n = do',
      '  x <- pay n',
      '  let m = x + 1',
      '  y <- pay (m - 303)',
      '  return (x + y)',
    ].join('\n');
    writeFileSync(join(dir, 'binders.tel'), source);
    writeFileSync(
      join(dir, 'cmds-binders'),
      'break double\ncontinue\nlocals\nprint f\nprint h\nprint zz\nwatch m * 2\nwatch f + k\ncontinue\nrcontinue\nbreak pay\ncontinue\nprint x\nprint m\nwatch r + 1\nwatch r ++ "!"\n',
    );
    let out = '';
    const io: CliIO = { out: (t) => (out += t), err: () => undefined, interactive: false, cwd: dir, env: {} };
    expect(await runCli(['--json', 'debug', 'binders.tel', '3', '--world', 'w.json', '--commands', 'cmds-binders'], io)).toBe(0);
    const replies = (JSON.parse(out) as { transcript: { text: string; data: Record<string, unknown>; error?: { code: string } }[] }).transcript;
    expect(replies[1]!.text).toMatch(/^#\d+ call double z=6 /);
    // innermost first: the do block's let binder f and do binder r, then pay's where binder h and parameter k; fact 3 = 6
    expect(replies[2]!.data.scope).toEqual([
      { name: 'f', value: '6', type: 'Int' },
      { name: 'r', value: '"tl:1"', type: 'Text' },
      { name: 'h', value: '300', type: 'Int' },
      { name: 'k', value: '3', type: 'Int' },
    ]);
    expect(replies[2]!.text).toBe('z = 6 :: Int\nin scope where it returns:\n  f = 6 :: Int\n  r = "tl:1" :: Text\n  h = 300 :: Int\n  k = 3 :: Int');
    expect([replies[3]!.text, replies[4]!.text, replies[5]!.error?.code]).toEqual(['f = 6 :: Int', 'h = 300 :: Int', 'E_UNBOUND']);
    // m is bound in main's do block: in scope at the second call of pay only; f + k at both calls of double
    expect(replies[6]!.text).toBe('watchpoint 2: m * 2 changes, evaluated at calls with m in scope');
    expect(replies[7]!.text).toBe('watchpoint 3: f + k changes, evaluated at calls with f, k in scope (now 9)');
    // x = double 6 + 300 = 312, m = 313: the second pay is of 10, f = fact 10
    expect(replies[8]!.data.watches).toEqual([
      { id: 2, expression: 'm * 2', value: '626', was: null },
      { id: 3, expression: 'f + k', value: '3628810', was: '9' },
    ]);
    expect(replies[9]!.data.watches).toEqual([
      { id: 2, expression: 'm * 2', value: null, was: '626' },
      { id: 3, expression: 'f + k', value: '9', was: '3628810' },
    ]);
    expect(replies[11]!.text).toMatch(/^#\d+ call pay k=10 /);
    expect([replies[12]!.text, replies[13]!.text]).toEqual(['x = 312 :: Int', 'm = 313 :: Int']);
    // binder watches are type-checked ahead against the binders' inferred types: r is Text wherever it is bound
    expect(replies[14]!.error?.code).toBe('E_TYPE');
    expect(replies[15]!.text).toBe('watchpoint 5: r ++ "!" changes, evaluated at calls with r in scope (now "tl:1!")');
  });

  it('a binder watch is checked at each call against the types of the binders it sees there', async () => {
    const source = [
      'inc :: Int -> Int',
      'inc z = z + 1',
      '',
      'f :: Int -> Int',
      'f n = inc v * 10 where v = n * 2',
      '',
      'g :: Text -> Int',
      'g s = inc (if v == "x" then 1 else 2) * 10 where v = s',
      '',
      'main :: Int -> Int',
      'main n = f n + g "x"',
    ].join('\n');
    writeFileSync(join(dir, 'typed.tel'), source);
    writeFileSync(join(dir, 'cmds-typed'), 'watch v + 1\nbreak inc\ncontinue\nprint v\ncontinue\nprint v\n');
    let out = '';
    const io: CliIO = { out: (t) => (out += t), err: () => undefined, interactive: false, cwd: dir, env: {} };
    expect(await runCli(['--json', 'debug', 'typed.tel', '3', '--commands', 'cmds-typed'], io)).toBe(0);
    const replies = (JSON.parse(out) as { transcript: { text: string; data: Record<string, unknown> }[] }).transcript;
    // v is an Int in f (the watch types there) and a Text in g (it does not)
    expect(replies[0]!.text).toMatch(/^watchpoint 1: v \+ 1 changes/);
    expect(replies[2]!.text).toMatch(/^#\d+ call inc z=6 /);
    expect(replies[3]!.text).toBe('v = 6 :: Int');
    expect(replies[4]!.text).toMatch(/^#\d+ call inc z=1 /);
    expect(replies[4]!.data.watches).toEqual([{ id: 1, expression: 'v + 1', value: '<E_TYPE>', was: '7' }]);
    expect(replies[5]!.text).toBe('v = "x" :: Text');
  });

  it('the built CLI reads commands piped to stdin and writes a snapshot', () => {
    const r = spawnSync(process.execPath, [resolve('dist/host/cli/main.js'), 'debug', 'pay.tel', '2', '--world', 'w.json'], {
      cwd: dir,
      input: 'break effect emit\ncontinue\nsnapshot here.snap\nquit\n',
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('#5 effect 1: t=10 emit "2"  [depth 0, clock 10, effects 1');
    expect(r.stdout).toMatch(/snapshot [0-9a-f]{64} before effect 1 written to here.snap/);
    expect(existsSync(join(dir, 'here.snap'))).toBe(true);
  });
});

describe('cax debug REF: a stored definition', () => {
  const cax = async (...argv: string[]): Promise<{ code: number; out: string }> => {
    let out = '';
    const io: CliIO = { out: (t) => (out += `${t}\n`), err: () => undefined, interactive: false, cwd: dir, env: { CAX_HOME: join(dir, 'store') } };
    return { code: await runCli(argv, io), out };
  };

  it('debugs a stored definition by name and by hash prefix, rebuilt as source with its closure', async () => {
    writeFileSync(join(dir, 'stored.tel'), PROGRAM.replace('  return k\n', '  return (k + length (map fact [1, 2]))\n'));
    expect((await cax('add', 'stored.tel')).code).toBe(0);
    const hash = (JSON.parse((await cax('--json', 'ls')).out) as { definitions: { name: string; hash: string }[] }).definitions.find((d) => d.name === 'pay')!.hash;
    writeFileSync(join(dir, 'cmds'), 'break fact\ncontinue\nwatch n - 1\nlist\ndelete 1\ncontinue\ncontinue\ncontinue\nrcontinue\nquit\n');
    const byName = await cax('debug', 'pay', '3', '--world', 'w.json', '--commands', 'cmds');
    expect(byName.code).toBe(0);
    const file = `@${hash.slice(0, 12)}`;
    const at = (n: number, event: string): string[] => [`#${n} call fact ${event}`, `  ${file}:5  fact n = if n <= 1 then 1 else n * (fact (n - 1))`];
    expect(byName.out.split('\n')).toEqual([
      `debugging pay in ${file}: 9 events (calls and effects); type a command, quit to leave`,
      '(cax) break fact',
      'breakpoint 1: calls of fact',
      '(cax) continue',
      ...at(2, 'n=3  [depth 1, clock 10, effects 1, steps 26]'),
      '(cax) watch n - 1',
      'watchpoint 2: n - 1 changes, evaluated at calls of fact (now 2)',
      '(cax) list',
      expect.stringMatching(/^ {4}3 \| -- [0-9a-f]{64}$/),
      '    4 | fact :: (Int -> Int)',
      '>   5 | fact n = if n <= 1 then 1 else n * (fact (n - 1))',
      '    6 | ',
      `    7 | -- ${hash}`,
      '    8 | pay :: (Int -> (Effect Int))',
      '    9 | pay k = do { deposit k to "a" on "tl"; emit (fact k); return (k + (length ((map fact) [1, 2]))) }',
      '(cax) delete 1',
      'deleted breakpoint 1',
      '(cax) continue',
      ...at(3, 'n=2  [depth 2, clock 10, effects 1, steps 30]'),
      'watch 2: n - 1 = 1 (was 2)',
      '(cax) continue',
      ...at(4, 'n=1  [depth 3, clock 10, effects 1, steps 34]'),
      'watch 2: n - 1 = 0 (was 1)',
      '(cax) continue',
      // the prelude's map calls fact 1 (#6, no change) and fact 2
      ...at(7, 'n=2  [depth 6, clock 10, effects 2, steps 101]'),
      'watch 2: n - 1 = 1 (was 0)',
      '(cax) rcontinue',
      ...at(4, 'n=1  [depth 3, clock 10, effects 1, steps 34]'),
      'watch 2: n - 1 = 0 (was 1)',
      '(cax) quit',
      'bye',
      '',
    ]);
    const byHash = await cax('debug', `@${hash.slice(0, 10)}`, '3', '--world', 'w.json', '--commands', 'cmds');
    expect(byHash.out).toBe(byName.out);
  });

  it('two definitions of one name in the closure (a dependent pinned to an older hash) are told apart by their hashes', async () => {
    writeFileSync(join(dir, 'v2.tel'), 'fact :: Int -> Int\nfact n = if n <= 0 then 1 else n * fact (n - 1)\n\nboth :: Int -> Effect Int\nboth k = do\n  x <- pay k\n  return (x + fact k)\n');
    expect((await cax('add', 'v2.tel')).code).toBe(0);
    const hashes = (JSON.parse((await cax('--json', 'history', 'fact')).out) as { history: { hash: string }[] }).history.map((h) => h.hash.slice(0, 8));
    writeFileSync(join(dir, 'cmds'), `break fact_${hashes[1]!}\ncontinue\ncontinue\ncontinue\ncontinue\ncontinue\n`);
    const r = await cax('--json', 'debug', 'both', '3', '--world', 'w.json', '--commands', 'cmds');
    const replies = (JSON.parse(r.out) as { transcript: { text: string }[] }).transcript;
    // the new fact is called by both only (pay keeps the old one): n = 3 2 1 0, then the end, 5 + 6
    expect(
      replies.map((x) =>
        x.text
          .split('\n')[0]!
          .replace(/^#\d+ /, '')
          .replace(/ +\[.*/, ''),
      ),
    ).toEqual([`breakpoint 1: calls of fact_${hashes[1]!}`, ...[3, 2, 1, 0].map((n) => `call fact_${hashes[1]!} n=${n}`), 'the run has ended: 11 :: Effect Int']);
  });

  it('an unknown reference, and --main with a reference, are refused', async () => {
    expect(JSON.parse((await cax('--json', 'debug', 'nosuchname')).out)).toMatchObject({ error: { code: 'E_NOT_FOUND' } });
    expect(JSON.parse((await cax('--json', 'debug', 'fact', '--main', 'pay')).out)).toMatchObject({ error: { code: 'E_USAGE' } });
  });
});

describe('a backward step lands where the forward step started', () => {
  const check = (session: DebugSession, moves: readonly number[]): void => {
    for (const m of moves) {
      // from the start or an event (at the end, `step` has nowhere to go)
      const target = (m % (session.eventCount + 1)) - 1;
      while (session.position < target) session.execute('step');
      while (session.position > target) session.execute('rstep');
      const before = session.execute('where').text;
      const from = session.position;
      session.execute('step');
      session.execute('rstep');
      expect(session.position).toBe(from);
      expect(session.execute('where').text).toBe(before);
      // `next` then `rnext` comes back too when `next` stayed at the same depth (everything between was deeper)
      const depthOf = (): number => (session.execute('where').data.at as { depth?: number } | undefined)?.depth ?? 0;
      const d0 = depthOf();
      session.execute('next');
      if (session.position < session.eventCount && depthOf() === d0) {
        session.execute('rnext');
        expect(session.position).toBe(from);
      }
    }
  };

  it('on random effect programs', () => {
    fc.assert(
      fc.property(effectProgram, fc.array(fc.nat(), { minLength: 1, maxLength: 3 }), ({ source, world }, moves) => {
        check(new DebugSession({ file: 'r.tel', source, main: 'main', args: [], world: parseWorld(world) }, () => undefined), moves);
      }),
      { numRuns: 15 },
    );
  });

  it('on random pure programs', () => {
    fc.assert(
      fc.property(pureProgram, fc.array(fc.nat(), { minLength: 1, maxLength: 3 }), (source, moves) => {
        check(new DebugSession({ file: 'p.tel', source, main: 'main', args: [] }, () => undefined), moves);
      }),
      { numRuns: 10 },
    );
  });
});
