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

const PROGRAM = [
  '-- pays k and emits k!',
  'fact :: Int -> Int',
  'fact n = if n <= 1 then 1 else n * fact (n - 1)',
  '',
  'pay :: Int -> Effect Int',
  'pay k = do',
  '  deposit k to "a" on "tl"',
  '  emit (fact k)',
  '  return k',
  '',
  'main :: Int -> Effect Int',
  'main n = do',
  '  x <- pay n',
  '  y <- pay (n - 1)',
  '  return (x + y)',
  '',
].join('\n');

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
    const r = await debug('break nope\nbreak effect foo\nbreak 99\nwatch k + 1\nwatch x\nprint k\nfrobnicate\nstep\nprint zz\nprint n\n', '--json');
    const replies = (JSON.parse(r.out) as { transcript: { error?: { code: string }; text: string }[] }).transcript;
    expect(replies.map((x) => x.error?.code ?? 'ok')).toEqual(['E_BREAKPOINT', 'E_BREAKPOINT', 'E_BREAKPOINT', 'E_UNSUPPORTED', 'E_BREAKPOINT', 'E_USAGE', 'E_USAGE', 'ok', 'E_UNBOUND', 'ok']);
    expect(replies[9]!.text).toBe('n = 3 :: Int');
  });

  it('a watch on an argument stops where its value changes, forward and back', async () => {
    const r = await debug('watch n\ncontinue\ncontinue\ncontinue\ncontinue\nrcontinue\nbreakpoints\ndelete 1\nrcontinue\n', '--json');
    const replies = (JSON.parse(r.out) as { transcript: { data: { at?: unknown; locals?: { name: string; value: string }[] }; text: string }[] }).transcript;
    const stops = replies.filter((x) => x.data.at !== undefined).map((x) => (typeof x.data.at === 'string' ? x.data.at : x.data.locals!.map((l) => `${l.name}=${l.value}`).join(' ')));
    // fact's n goes 3 2 1, then 2 1 for the second pay (main's n is another definition's argument of the same name)
    expect(stops).toEqual(['n=2', 'n=1', 'n=2', 'n=1', 'n=2', 'start']);
    expect(replies[6]!.text).toBe('1: argument n changes');
  });

  it('refuses the iss backend, stored references and sim gdb loudly', async () => {
    let out = '';
    const io: CliIO = { out: (t) => (out += t), err: () => undefined, interactive: false, cwd: dir, env: {} };
    expect(await runCli(['--json', 'debug', 'pay.tel', '--backend', 'iss'], io)).toBe(1);
    expect(out).toContain('E_UNSUPPORTED');
    out = '';
    expect(await runCli(['--json', 'debug', 'main'], io)).toBe(1);
    expect(out).toContain('E_UNSUPPORTED');
    for (const argv of [['sim', 'gdb', 'run.trace', '--port', '0']]) {
      out = '';
      expect(await runCli(['--json', ...argv], io)).toBe(1);
      expect(JSON.parse(out)).toMatchObject({ error: { code: 'E_UNSUPPORTED' } });
    }
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
