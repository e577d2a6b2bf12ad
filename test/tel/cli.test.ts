// `cax check` and `cax eval` run in-process through the real command tree.
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../host/cli/program.js';
import type { CliIO } from '../../host/cli/io.js';

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cax-tel-'));
  writeFileSync(join(dir, 'ok.tel'), 'double :: Int -> Int\ndouble x = x * 2\n\nmain = do\n  emit "hi"\n  p <- observe "price" on "eth"\n  return (double p)\n');
  writeFileSync(join(dir, 'bad.tel'), 'a = 1 + "x"\nb = (\nc = nope\n');
  writeFileSync(join(dir, 'w.json'), JSON.stringify({ facts: { eth: { price: 21 } }, latency: { eth: 50 } }));
  writeFileSync(join(dir, 'badworld.json'), JSON.stringify({ latency: { eth: 'slow' } }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`), interactive: false, cwd: dir, env: {} };
  const code = await runCli(argv, io);
  return { code, out, err };
}

describe('cax check', () => {
  it('accepts a good file and lists its types', async () => {
    const r = await cli('--json', 'check', 'ok.tel');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({ files: [{ file: 'ok.tel', errors: [], types: { double: 'Int -> Int', main: 'Effect Int' } }] });
  });

  it('reports every error with the source line and a caret', async () => {
    const r = await cli('check', 'bad.tel');
    expect(r.code).toBe(1);
    expect(r.err).toContain('bad.tel:1:9: E_TYPE');
    expect(r.err).toContain(' 1 | a = 1 + "x"\n   |         ^^^');
    expect(r.err).toContain('bad.tel:3:1: E_PARSE');
    expect(r.err).toMatch(/error: E_TYPE 2 errors in bad.tel/);
  });
});

describe('cax eval', () => {
  it('prints the value, the effect log and the clock', async () => {
    const r = await cli('eval', 'ok.tel', '--main', 'main', '--world', 'w.json');
    expect(r.code).toBe(0);
    expect(r.out).toContain('42 :: Effect Int');
    expect(r.out).toContain('t=50 observe "price" on eth -> 21');
    expect(r.out).toContain('clock: 50');
  });

  it('--json gives all of it, and --replay reproduces it without the world', async () => {
    const r = await cli('--json', 'eval', 'ok.tel', '--main', 'main', '--world', 'w.json', '--start', '100');
    const doc = JSON.parse(r.out) as { value: string; clock: number; effects: unknown[] };
    expect([doc.value, doc.clock, doc.effects.length]).toEqual(['42', 150, 2]);
    writeFileSync(join(dir, 'run.json'), r.out);
    const again = await cli('--json', 'eval', 'ok.tel', '--main', 'main', '--replay', 'run.json');
    expect(JSON.parse(again.out)).toMatchObject({ value: '42', clock: 150 });
  });

  it('passes arguments as TEL expressions', async () => {
    const r = await cli('--json', 'eval', 'ok.tel', '--main', 'double', '(3 + 4)');
    expect(JSON.parse(r.out)).toMatchObject({ value: '14', type: 'Int', clock: 0 });
  });

  it('fails with codes: run-time failure, bad arguments, bad world, budget', async () => {
    const noFact = await cli('--json', 'eval', 'ok.tel', '--main', 'main');
    expect(noFact.code).toBe(1);
    expect(JSON.parse(noFact.out)).toMatchObject({ error: { code: 'E_NO_FACT', details: { effects: [{ kind: 'emit' }, { kind: 'observe' }] } } });
    expect((await cli('eval', 'ok.tel', '--main', 'Main')).code).toBe(2);
    expect((await cli('eval', 'ok.tel', '--main', 'main', '--world', 'w.json', '--replay', 'w.json')).code).toBe(2);
    const bad = await cli('--json', 'eval', 'ok.tel', '--main', 'main', '--world', 'badworld.json');
    expect(JSON.parse(bad.out)).toMatchObject({ error: { code: 'E_WORLD' } });
    const budget = await cli('--json', 'eval', 'ok.tel', '--main', 'double', '1', '--steps', '2');
    expect(JSON.parse(budget.out)).toMatchObject({ error: { code: 'E_BUDGET' } });
    const typeErr = await cli('eval', 'ok.tel', '--main', 'double', '"x"');
    expect([typeErr.code, typeErr.err]).toEqual([1, expect.stringContaining('E_TYPE')]);
  });
});

describe('cax eval --jit', () => {
  it('gives the same value, effects, clock and steps with the JIT off, auto and eager', async () => {
    const outs = await Promise.all(['off', 'auto', 'eager'].map((mode) => cli('--json', 'eval', 'ok.tel', '--main', 'main', '--world', 'w.json', '--jit', mode)));
    for (const r of outs) expect(r.code).toBe(0);
    expect(JSON.parse(outs[1]!.out)).toEqual(JSON.parse(outs[0]!.out));
    expect(JSON.parse(outs[2]!.out)).toEqual(JSON.parse(outs[0]!.out));
  });

  it('rejects an unknown mode with E_USAGE', async () => {
    const r = await cli('--json', 'eval', 'ok.tel', '--main', 'main', '--jit', 'fast');
    expect(r.code).not.toBe(0);
    expect(r.out + r.err).toContain('E_USAGE');
  });
});
