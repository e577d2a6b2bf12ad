// The store's CLI end to end, in-process: add (name → hash, what changed,
// who is behind), ls, show with names restored, deps, history, update, run
// with a world, a policy and a trace file; errors and exit codes.
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../host/cli/program.js';
import type { CliIO } from '../../host/cli/io.js';

let dir: string;

async function cax(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = { out: (t) => out.push(t), err: (t) => err.push(t), interactive: false, cwd: dir, env: { CAX_HOME: join(dir, 'home') } };
  const code = await runCli(argv, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('cax store commands', () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cax-cli-'));
    writeFileSync(
      join(dir, 'lib.tel'),
      `base = 10
scale n = n * base
total xs = sum (map scale xs)
pay n = do
  r <- deposit (total [n]) to "bob" on "L1"
  emit r
  return r
`,
    );
    writeFileSync(join(dir, 'edit.tel'), 'base = 100\n');
    writeFileSync(join(dir, 'world.json'), JSON.stringify({ latency: { L1: 50 } }));
    writeFileSync(join(dir, 'policy.json'), JSON.stringify({ effects: ['emit'] }));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('adds files and reports what changed', async () => {
    const first = await cax('add', 'lib.tel');
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/base → @[0-9a-f]{12} {2}\(new\) {2}:: Int/);
    expect(first.out).toMatch(/total → @[0-9a-f]{12} {2}\(new\) {2}:: \[Int\] -> Int/);
    const again = await cax('--json', 'add', 'lib.tel');
    const report = JSON.parse(again.out) as { files: { definitions: { status: string }[] }[] };
    expect(report.files[0]!.definitions.every((d) => d.status === 'unchanged')).toBe(true);
    const edit = await cax('add', 'edit.tel');
    expect(edit.out).toMatch(/base → @[0-9a-f]{12} {2}\(updated, was @[0-9a-f]{12}\)/);
    expect(edit.out).toMatch(/scale @[0-9a-f]{12} still uses base @[0-9a-f]{12}, now @[0-9a-f]{12}/);
  });

  it('lists, shows with names restored, and follows dependencies both ways', async () => {
    const ls = await cax('ls');
    expect(ls.out).toMatch(/\* scale/);
    expect(ls.out).toMatch(/ {2}map /);
    const show = await cax('show', 'total');
    expect(show.code).toBe(0);
    expect(show.out).toContain('total :: [Int] -> Int');
    expect(show.out).toContain('total xs = sum ((map scale) xs)');
    const deps = await cax('--json', 'deps', 'total');
    const names = (JSON.parse(deps.out) as { dependencies: { names: string[] }[] }).dependencies.flatMap((d) => d.names).sort();
    expect(names).toEqual(['map', 'scale', 'sum']);
    const closure = await cax('deps', 'total', '--transitive');
    expect(closure.out).toMatch(/foldl|foldr/);
    const users = await cax('deps', 'scale', '--dependents', '--transitive');
    expect(users.out).toContain('total');
    expect(users.out).toContain('pay');
  });

  it('shows history and brings dependents up to date', async () => {
    const history = await cax('history', 'base');
    expect(history.out.split('\n')).toHaveLength(2);
    expect(history.out).toContain('updated from edit.tel');
    const dry = await cax('update', '--dry-run');
    expect(dry.out).toContain('scale');
    const update = await cax('update');
    expect(update.out).toMatch(/scale: @[0-9a-f]{12} → @[0-9a-f]{12} \(base moved\)/);
    expect(update.out).toMatch(/total: .*\(scale moved\)/);
    expect(update.out).toMatch(/pay: .*\(total moved\)/);
    expect((await cax('update', '--dry-run')).out).toBe('nothing is behind');
  });

  it('runs by name and by hash prefix with a world, a policy and a trace', async () => {
    const run = await cax('--json', 'run', 'total', '[1, 2]');
    expect(JSON.parse(run.out)).toMatchObject({ value: '300', type: 'Int' });
    const pay = await cax('run', 'pay', '2', '--world', 'world.json', '--trace', 'trace.json');
    expect(pay.code).toBe(0);
    expect(pay.out).toContain('"L1:1" :: Effect Text');
    expect(pay.out).toContain('clock: 50');
    const trace = JSON.parse(readFileSync(join(dir, 'trace.json'), 'utf8')) as { events: { kind: string }[] };
    expect(trace.events.map((e) => e.kind)).toEqual(['invoke', 'effect', 'effect', 'return']);
    const hash = (JSON.parse((await cax('--json', 'show', 'total')).out) as { hash: string }).hash;
    expect(JSON.parse((await cax('--json', 'run', `@${hash.slice(0, 10)}`, '[1]')).out)).toMatchObject({ value: '100' });
    const denied = await cax('run', 'pay', '2', '--policy', 'policy.json', '--trace', 'denied.json', '--trace-kinds', 'denied');
    expect(denied.code).toBe(1);
    expect(denied.err).toContain('E_DENIED');
    const deniedTrace = JSON.parse(readFileSync(join(dir, 'denied.json'), 'utf8')) as { events: { kind: string; rule: string }[] };
    expect(deniedTrace.events).toEqual([expect.objectContaining({ kind: 'denied', rule: 'effects' })]);
  });

  it('fails with clear codes on bad input', async () => {
    expect((await cax('show', 'nosuchname')).code).toBe(2);
    expect((await cax('add', 'missing.tel')).err).toContain('E_IO');
    writeFileSync(join(dir, 'bad.tel'), 'oops = 1 +\n');
    expect((await cax('add', 'bad.tel')).err).toContain('E_PARSE');
    writeFileSync(join(dir, 'badpolicy.json'), JSON.stringify({ budget: { steps: 'many' } }));
    expect((await cax('run', 'base', '--policy', 'badpolicy.json')).err).toContain('E_POLICY');
    expect((await cax('run', 'base', '--trace-kinds', 'nope')).code).toBe(2);
  });
});
