// `cax debug --backend iss`: the program compiled for the co-processor,
// stepped by source position on the real ISS (firmware, loader protocol,
// compiled code, effects through the world): breakpoints on definitions and
// lines, every recursive call stopping, step and rstep landing back exactly,
// finish leaving a call, registers at a stop, and the same end value as the
// interpreter; the arguments of a call read back from the core with their TEL
// types, watch expressions on them (the same values as on the interpreter),
// the binders in scope where a call returns (parameters, let, where and case
// binders, from the compiler's slot map) and watches on them, as on the
// interpreter,
// a co-processor snapshot written at a stop that restores to the end, and the
// effect log and clock at a stop as on the interpreter.
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../host/cli/program.js';
import type { CliIO } from '../../host/cli/io.js';
import { IssDebugSession } from '../../host/debug/iss-session.js';
import { DebugSession } from '../../host/debug/session.js';
import { PAY_PROGRAM } from './pay-program.js';

const PROGRAM = PAY_PROGRAM;
const SPEC = { file: 'pay.tel', source: PROGRAM, main: 'main', args: ['3'], world: { latency: { tl: 10 } } };

let dir = '';

/** The `--json` transcript of `cax debug ARGS… --commands FILE` run in `dir` (exit code 0 checked). */
async function transcript<R>(args: readonly string[], commands: string): Promise<R[]> {
  let out = '';
  const io: CliIO = { out: (t) => (out += `${t}\n`), err: () => undefined, interactive: false, cwd: dir, env: {} };
  expect(await runCli(['--json', 'debug', ...args, '--commands', commands], io)).toBe(0);
  return (JSON.parse(out) as { transcript: R[] }).transcript;
}
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cax-debug-iss-'));
  writeFileSync(join(dir, 'pay.tel'), PROGRAM);
  writeFileSync(join(dir, 'w.json'), JSON.stringify(SPEC.world));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Stop = { at: string | { symbol: string; line: number; depth: number; effects: number; clock: number; pc: number; entry: boolean } };

describe('cax debug --backend iss', () => {
  it('breaks at every call of a compiled definition, steps back and forth, finishes a call, shows registers', async () => {
    writeFileSync(
      join(dir, 'cmds'),
      'break fact\ncontinue\ncontinue\ncontinue\ncontinue\nrcontinue\nstep\nrstep\nfinish\nregisters\ndelete 1\nbreak 14\ncontinue\nlist\nbreak nope\nbreak 99\neffects\ndelete 2\ncontinue\n',
    );
    let out = '';
    const io: CliIO = { out: (t) => (out += `${t}\n`), err: () => undefined, interactive: false, cwd: dir, env: {} };
    expect(await runCli(['--json', 'debug', 'pay.tel', '3', '--world', 'w.json', '--backend', 'iss', '--commands', 'cmds'], io)).toBe(0);
    const replies = (JSON.parse(out) as { transcript: { command: string; text: string; data: Stop & { pc?: number; registers?: { abi: string; value: number }[] }; error?: { code: string } }[] })
      .transcript;
    const stop = (i: number) => replies[i]!.data.at as Exclude<Stop['at'], string>;
    // fact 3, fact 2, fact 1 (deeper each time), then fact 2 of the second pay, after three effects
    expect([1, 2, 3, 4].map((i) => [stop(i).symbol, stop(i).line, stop(i).entry, stop(i).effects, stop(i).clock])).toEqual([
      ['fact', 2, true, 1, 10],
      ['fact', 2, true, 1, 10],
      ['fact', 2, true, 1, 10],
      ['fact', 2, true, 3, 20],
    ]);
    expect(stop(2).depth).toBe(stop(1).depth + 1);
    expect(stop(3).depth).toBe(stop(2).depth + 1);
    expect(stop(5)).toEqual(stop(3));
    expect(stop(6).line).toBe(3);
    expect(stop(7)).toEqual(stop(5));
    expect(stop(8).depth).toBe(stop(7).depth - 1);
    expect(replies[9]!.data.pc).toBe(stop(8).pc);
    expect(replies[9]!.data.registers!.map((r) => r.abi).slice(0, 3)).toEqual(['zero', 'ra', 'sp']);
    expect(stop(12)).toMatchObject({ symbol: expect.stringMatching(/^lambda#/), line: 14 });
    expect(replies[13]!.text).toContain('>  14 |   y <- pay (n - 1)');
    expect(replies.slice(14, 16).map((r) => r.error?.code)).toEqual(['E_BREAKPOINT', 'E_BREAKPOINT']);
    // the effects the world had seen at the stop on line 14: the first pay's deposit and emit
    expect(replies[16]!.text).toBe(`t=10 deposit 3 "native" "a" on tl -> "tl:1"\nt=10 emit "6"`);
    expect(stop(12).effects).toBe(2);
    expect(replies[18]!.data).toMatchObject({ at: 'end', outcome: '5' });
  });

  it('shows the effect log and the clock at a stop as the interpreter does, none at the start, the whole log at the end', async () => {
    writeFileSync(join(dir, 'cmds3'), 'effects\nclock\nbreak fact\ncontinue\ncontinue\ncontinue\ncontinue\neffects\nclock\ndelete 1\ncontinue\neffects\n');
    const debug = (backend: string) => transcript<{ text: string; data: { effects?: unknown[]; clock?: number } }>(['pay.tel', '3', '--world', 'w.json', '--backend', backend], 'cmds3');
    const iss = await debug('iss');
    const interp = await debug('interp');
    expect(iss[0]!.text).toBe('(no effects yet)');
    expect(iss[1]!.data.clock).toBe(0);
    // at the second pay's fact 2: deposit, emit and the second deposit, as on the interpreter
    expect(iss[6]!.text).toMatch(/ in fact n=2 /);
    expect(iss[7]!.data.effects).toHaveLength(3);
    expect(iss[7]!.text).toBe(interp[7]!.text);
    expect(iss[8]!.data.clock).toBe(interp[8]!.data.clock);
    expect(iss[8]!.text).toBe('clock: 20  effects: 3');
    expect(iss[11]!.data.effects).toHaveLength(4);
    expect(iss[11]!.text).toBe(interp[11]!.text);
  });

  it('reads the arguments of lambdas and local functions back from the core, named and typed by their parameters', async () => {
    const source = [
      'twice :: (Int -> Int) -> Int -> Int',
      'twice f x = f (f x)',
      '',
      'main :: Int -> Int',
      'main n = twice (\\y -> y * n + 1) n + go n',
      '  where go k = if k == 0 then 0 else k + go (k - 1)',
    ].join('\n');
    const session = await IssDebugSession.start({ file: 'loc.tel', source, main: 'main', args: ['3'] });
    const run = (command: string) => session.execute(command);
    run('break lambda#1');
    // y = 3, then f 3 = 3 * 3 + 1 = 10; the end: f 10 + go 3 = 31 + 6
    expect(run('continue').text).toMatch(/ in lambda#1 y=3 /);
    expect(run('continue').text).toMatch(/ in lambda#1 y=10 /);
    // twice is inlined into main: where the lambda returns, twice's binders are in scope (not main's)
    expect(run('locals').text).toBe('y = 10 :: Int\nin scope where it returns:\n  x = 3 :: Int\n  f = <function> :: Int -> Int');
    run('delete 1');
    run('break go#0');
    expect(run('continue').text).toMatch(/ in go#0 k=3 /);
    expect(run('continue').text).toMatch(/ in go#0 k=2 /);
    expect(run('print k').text).toBe('k = 2 :: Int');
    run('continue');
    run('continue');
    expect(run('continue').text).toMatch(/^the run has ended: 37/);
    // watches on their arguments (binders of the lambda and of go): back to the start, stopping where each changes
    run('delete 2');
    expect(run('rcontinue').text).toMatch(/^at the start/);
    expect(run('watch y * 2').text).toBe('watchpoint 3: y * 2 changes, evaluated at calls with y in scope');
    run('watch k + 100');
    expect(run('continue').text).toMatch(/ in lambda#1 y=10 [^]*\nwatch 3: y \* 2 = 20$/);
    expect(run('continue').text).toMatch(/ in go#0 k=2 [^]*\nwatch 4: k \+ 100 = 102$/);
    expect(run('continue').text).toMatch(/ in go#0 k=1 [^]*\nwatch 4: k \+ 100 = 101 \(was 102\)$/);
    expect(run('watch nope + 1').error?.code).toBe('E_BREAKPOINT');
  });

  it('shows the binders in scope where a call returns (let, where, case, parameters) with their types, and watches them, as the interpreter does', async () => {
    const source = [
      'fact :: Int -> Int',
      'fact n = if n <= 1 then 1 else n * fact (n - 1)',
      '',
      'walk :: Int -> Int',
      'walk i = if i == 0 then 0 else (let d = i + 1 in fact d + walk (i - 1))',
      '',
      'main :: Int -> Int',
      'main n =',
      '  let a = n + 1',
      '      q = [n, a]',
      '  in case q of',
      '       (h : t) -> fact a + fact h + g (sum t) + walk 2',
      '       [] -> 0',
      '  where g k = let f = fact k in f + 1',
    ].join('\n');
    writeFileSync(join(dir, 'let.tel'), source);
    // 13 calls of fact (a, h, from g, from walk 2 and walk 1, and those below) and the stops of the watches, to the end
    const commands = ['break fact', 'continue', 'print a', 'print t', 'print zz', 'watch a + h', 'watch d * 10 + i', ...Array.from({ length: 16 }, () => ['locals', 'continue']).flat()];
    writeFileSync(join(dir, 'cmds-let'), `${commands.join('\n')}\n`);
    type Replies = { command: string; text: string; data: { locals?: unknown; scope?: { name: string; value: string; type: string }[]; watches?: unknown }; error?: { code: string } }[];
    const debug = (backend: string): Promise<Replies> => transcript<Replies[number]>(['let.tel', '2', '--backend', backend], 'cmds-let');
    const interp = await debug('interp');
    const iss = await debug('iss');
    expect(iss[2]!.text).toBe('a = 3 :: Int');
    expect(iss[3]!.text).toBe('t = [3] :: [Int]');
    expect(iss[4]!.error?.code).toBe('E_UNBOUND');
    expect(iss[7]!.text).toBe(
      ['n = 3 :: Int', 'in scope where it returns:', '  t = [3] :: [Int]', '  h = 2 :: Int', '  q = [2,3] :: [Int]', '  a = 3 :: Int', '  g = <function> :: Int -> Int', '  n = 2 :: Int'].join('\n'),
    );
    expect(iss.at(-1)!.text).toMatch(/^the run has ended: 23/);
    // at the call from the local function g: its own binders (its frame), then main's it did not capture (main's
    // frame, above g's), as the interpreter shows them through g's environment
    const fromG = iss.findIndex((x) => x.data.scope?.[0]?.name === 'k');
    expect(iss[fromG]!.text).toContain('\n  k = 3 :: Int\n  t = [3] :: [Int]\n');
    const same = (r: Replies) => r.map((x) => ({ command: x.command, text: x.error ? x.error.code : x.command === 'continue' ? null : x.text, watches: x.data.watches ?? null }));
    expect(same(iss)).toEqual(same(interp));
    // the watch on walk's binders, at its calls: fact d (d = 3, i = 2), walk (i - 1) (its argument i = 1), then d = 2, i = 1, and i = 0
    const changes = iss.flatMap((x) => (x.data.watches as { expression: string; value: string }[] | undefined) ?? []);
    expect(changes.filter((w) => w.expression === 'd * 10 + i').map((w) => w.value)).toEqual(['32', '31', '21', '20']);
  });

  it('shows a binder inside a lifted where-group by its source name, shadowing the group member it is named after, as the interpreter does', async () => {
    // go captures nothing, so it is compiled as a static closure and renamed apart (go$N), its inner go with it
    const source = ['main :: Int -> Int', 'main n = go n + 1', '  where go k = let go = k * 2 in fact go + k', '', 'fact :: Int -> Int', 'fact m = if m == 0 then 1 else m * fact (m - 1)'].join('\n');
    writeFileSync(join(dir, 'lifted.tel'), source);
    writeFileSync(join(dir, 'cmds-lifted'), 'break fact\ncontinue\nlocals\nprint go\n');
    type Replies = { command: string; text: string; error?: { code: string } }[];
    const debug = (backend: string): Promise<Replies> => transcript<Replies[number]>(['lifted.tel', '3', '--backend', backend], 'cmds-lifted');
    const iss = await debug('iss');
    expect(iss[2]!.text).toBe(['m = 6 :: Int', 'in scope where it returns:', '  go = 6 :: Int', '  k = 3 :: Int', '  n = 3 :: Int'].join('\n'));
    expect(iss[3]!.text).toBe('go = 6 :: Int');
    const interp = await debug('interp');
    expect(iss.slice(2).map((x) => x.text)).toEqual(interp.slice(2).map((x) => x.text));
  });

  it('shows do binders and captured variables where a call returns as the interpreter does, and watches them', async () => {
    const commands = [
      'break pay',
      'continue',
      'locals',
      'continue',
      'locals',
      'print x',
      'print y',
      'delete 1',
      'watch k * 100 + x',
      'break fact',
      ...Array.from({ length: 8 }, () => ['continue', 'locals']).flat(),
    ];
    writeFileSync(join(dir, 'cmds-do'), `${commands.join('\n')}\n`);
    type Replies = { command: string; text: string; data: { watches?: unknown }; error?: { code: string } }[];
    const debug = (backend: string): Promise<Replies> => transcript<Replies[number]>(['pay.tel', '3', '--world', 'w.json', '--backend', backend], 'cmds-do');
    const interp = await debug('interp');
    const iss = await debug('iss');
    // the second pay, called in the continuation of `x <- pay n`: x its parameter, n captured from main
    expect(iss[4]!.text).toBe('k = 2 :: Int\nin scope where it returns:\n  x = 3 :: Int\n  n = 3 :: Int');
    expect(iss[5]!.text).toBe('x = 3 :: Int');
    expect(iss[6]!.error?.code).toBe('E_UNBOUND');
    // fact k in the second pay's continuation: k captured
    expect(iss[11]!.text).toBe('n = 2 :: Int\nin scope where it returns:\n  k = 2 :: Int');
    const same = (r: Replies) => r.map((x) => ({ command: x.command, text: x.error ? x.error.code : x.command === 'continue' ? null : x.text, watches: x.data.watches ?? null }));
    expect(same(iss)).toEqual(same(interp));
  });

  it('shows the arguments of a loop at every pass after its entry (self tail calls jump past the prologue) as the interpreter does, and watches them', async () => {
    const source = [
      'sumTo :: Int -> Int -> Int',
      'sumTo n acc = if n == 0 then acc else sumTo (n - 1) (acc + n)',
      '',
      'total :: [Int] -> Int -> Int',
      'total [] acc = acc',
      'total (x : xs) acc = total xs (acc + x)',
      '',
      'main :: Int -> Int',
      'main k =',
      '  let a = k + 1',
      '      q = [k, a]',
      '  in case q of',
      '       (h : t) -> sumTo a h + total q 0 + h + go k 1',
      '       [] -> 0',
      '  where go i p = if i == 0 then p else go (i - 1) (p * 2)',
    ].join('\n');
    writeFileSync(join(dir, 'loop.tel'), source);
    const commands = ['break sumTo', 'break total', 'watch acc * 10', ...Array.from({ length: 9 }, () => ['continue', 'locals']).flat()];
    writeFileSync(join(dir, 'cmds-loop'), `${commands.join('\n')}\n`);
    type Replies = { command: string; text: string; data: { watches?: unknown }; error?: { code: string } }[];
    const debug = (backend: string): Promise<Replies> => transcript<Replies[number]>(['loop.tel', '3', '--backend', backend], 'cmds-loop');
    const interp = await debug('interp');
    const iss = await debug('iss');
    // the stops: the definition and its arguments (`#7 pc … in sumTo n=3 acc=7  […]` on the iss, `#2 call sumTo n=3 acc=7  […]` on the interpreter)
    const calls = (r: Replies) => r.filter((x) => x.command === 'continue').map((x) => / (?:in|call) (\w+(?: \w+=\S+)*) {2}\[/.exec(x.text)?.[1] ?? x.text.split('\n')[0]!.replace(/ :: Int$/, ''));
    expect(calls(iss)).toEqual([
      'sumTo n=4 acc=3',
      'sumTo n=3 acc=7',
      'sumTo n=2 acc=10',
      'sumTo n=1 acc=12',
      'sumTo n=0 acc=13',
      'total arg1=[3,4] acc=0',
      'total arg1=[4] acc=3',
      'total arg1=[] acc=7',
      'the run has ended: 31',
    ]);
    expect(calls(iss)).toEqual(calls(interp));
    // the arguments (a list in its frame slot, Ints in register pairs), the binders where the loop returns (main's), the watch's changes
    expect(iss[6]!.text).toBe(
      [
        'n = 3 :: Int',
        'acc = 7 :: Int',
        'in scope where it returns:',
        '  t = [4] :: [Int]',
        '  h = 3 :: Int',
        '  q = [3,4] :: [Int]',
        '  a = 4 :: Int',
        '  go = <function> :: Int -> Int -> Int',
        '  k = 3 :: Int',
      ].join('\n'),
    );
    const same = (r: Replies) => r.map((x) => ({ command: x.command, text: x.error ? x.error.code : x.command === 'continue' ? null : x.text, watches: x.data.watches ?? null }));
    expect(same(iss)).toEqual(same(interp));
    // a local loop's arguments at every pass (the interpreter has no events at calls of local functions)
    const session = await IssDebugSession.start({ file: 'loop.tel', source, main: 'main', args: ['3'] });
    session.execute('break go#0');
    expect(Array.from({ length: 4 }, () => / in go#0 (\S+ \S+) {2}/.exec(session.execute('continue').text)?.[1])).toEqual(['i=3 p=1', 'i=2 p=2', 'i=1 p=4', 'i=0 p=8']);
    expect(session.execute('locals').text).toBe(
      [
        'i = 0 :: Int',
        'p = 8 :: Int',
        'in scope where it returns:',
        '  t = [4] :: [Int]',
        '  h = 3 :: Int',
        '  q = [3,4] :: [Int]',
        '  a = 4 :: Int',
        '  go = <function> :: Int -> Int -> Int',
        '  k = 3 :: Int',
      ].join('\n'),
    );
  });

  it('shows the binders of an inlined body where a call from it returns (the inlined definition’s, not its caller’s) as the interpreter does', async () => {
    const source = [
      'fact :: Int -> Int',
      'fact n = if n <= 1 then 1 else n * fact (n - 1)',
      '',
      'double :: Int -> Int',
      'double x = fact x + fact (x + 1)',
      '',
      'main :: Int -> Int',
      'main k =',
      '  let a = k + 1',
      '  in double a + fact k',
    ].join('\n');
    writeFileSync(join(dir, 'inl.tel'), source);
    const commands = ['break fact', ...Array.from({ length: 10 }, () => ['continue', 'locals']).flat()];
    writeFileSync(join(dir, 'cmds-inl'), `${commands.join('\n')}\n`);
    type Replies = { command: string; text: string; data: { watches?: unknown }; error?: { code: string } }[];
    const debug = (backend: string): Promise<Replies> => transcript<Replies[number]>(['inl.tel', '2', '--backend', backend], 'cmds-inl');
    const interp = await debug('interp');
    const iss = await debug('iss');
    // double is inlined into main (no code of its own): fact x returns into its body, where x is in scope, not a or k
    expect(iss[1]!.text).toMatch(/ in fact n=3 /);
    expect(iss[2]!.text).toBe('n = 3 :: Int\nin scope where it returns:\n  x = 3 :: Int');
    expect(iss.at(-2)!.text).toMatch(/^the run has ended: 32/);
    const same = (r: Replies) => r.map((x) => ({ command: x.command, text: x.error ? x.error.code : x.command === 'continue' ? null : x.text, watches: x.data.watches ?? null }));
    expect(same(iss)).toEqual(same(interp));
  });

  it('a backward step lands where the forward step started, at every position; the end value is the interpreter’s', async () => {
    const session = await IssDebugSession.start(SPEC);
    const where: string[] = [session.execute('where').text];
    while (session.position < session.eventCount) where.push(session.execute('step').text);
    for (let i = where.length - 2; i >= 0; i--) expect(session.execute('rstep').text).toBe(where[i]);
    expect(where.at(-1)).toMatch(/^the run has ended: 5\n/);
    const interp = new DebugSession(SPEC, () => undefined);
    interp.execute('continue');
    expect(interp.execute('where').text).toMatch(/^the run has ended: 5 :: Effect Int/);
  });

  it('reads the arguments of a call back from the core with their types, watches them as the interpreter does, and writes a snapshot that restores', async () => {
    const commands = 'break fact\ncontinue\nlocals\nprint n\nprint k\nwatch n * 10 + 1\ndelete 1\ncontinue\ncontinue\ncontinue\nrcontinue\nsnapshot s.snap\nwatch nope\ncontinue\ncontinue\ncontinue\n';
    writeFileSync(join(dir, 'cmds2'), commands);
    type Replies = { text: string; data: { at?: { locals?: unknown }; locals?: unknown; watches?: unknown; value?: unknown; boundary?: number }; error?: { code: string } }[];
    const debug = (backend: string): Promise<Replies> => transcript<Replies[number]>(['pay.tel', '3', '--world', 'w.json', '--backend', backend], 'cmds2');
    const interp = await debug('interp');
    const iss = await debug('iss');
    const n3 = [{ name: 'n', value: '3', type: 'Int' }];
    expect(iss[1]!.text).toMatch(/ in fact n=3 /);
    expect(iss[1]!.data.at!.locals).toEqual(n3);
    expect(iss[2]!.data.locals).toEqual(n3);
    expect(iss[3]!.text).toBe('n = 3 :: Int');
    // k is not fact's argument: bound where the call returns (pay's, captured by its continuation), as on the interpreter
    expect(iss[4]!.text).toBe('k = 3 :: Int');
    expect(iss[4]!.text).toBe(interp[4]!.text);
    expect(iss[5]!.data.value).toBe('31');
    // the watch stops and its printed changes are the interpreter's: fact 2, fact 1, the second pay's fact 2, back to fact 1, …
    const watchStops = (r: Replies) => r.slice(7, 16).map((x) => x.data.watches ?? null);
    expect(watchStops(iss)).toEqual(watchStops(interp));
    expect(iss[7]!.data.watches).toEqual([{ id: 2, expression: 'n * 10 + 1', value: '21', was: '31' }]);
    expect(iss[10]!.text).toMatch(/ in fact n=1 .*effects 1/);
    expect(iss[11]!.data.boundary).toBe(0);
    expect(iss[12]!.error?.code).toBe('E_BREAKPOINT');
    expect(iss.at(-1)!.text).toMatch(/^the run has ended: 5/);
    let out = '';
    const io: CliIO = { out: (t) => (out += t), err: () => undefined, interactive: false, cwd: dir, env: {} };
    expect(await runCli(['--json', 'snapshot', 'restore', 's.snap', '--program', 'pay.tel'], io)).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ value: '5', clock: 20 });
  });
});
