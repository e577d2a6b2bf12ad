// `cax compile`: image layout, --disasm with the TEL source lines, --json,
// options that switch optimisations off, and loud failures.
import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../host/cli/program.js';
import { addProgram } from '../../host/store/add.js';
import { Repository } from '../../host/store/repository.js';
import { addContext, ensurePrelude } from '../../host/store/tel-env.js';
import { parseProgram } from '../../host/tel/parser.js';
import { captureIO } from '../helpers/cli-io.js';

describe('cax compile', () => {
  it('disassembles with the source lines interleaved', async () => {
    const io = captureIO();
    expect(await runCli(['compile', 'examples/mutual.tel', '--disasm'], io)).toBe(0);
    const out = io.stdout.join('\n');
    expect(out).toMatch(/tel\$isEven:/);
    expect(out).toMatch(/-- examples\/mutual\.tel:\d+: isEven n = isOdd \(n - 1\)/);
    expect(out).toMatch(/\bjal\b/);
  });
  it('reports sizes as JSON, and --no-direct-calls changes the code', async () => {
    const sizes: number[] = [];
    for (const extra of [[], ['--no-direct-calls']]) {
      const io = captureIO();
      expect(await runCli(['--json', 'compile', 'examples/fib.tel', ...extra], io)).toBe(0);
      const doc = JSON.parse(io.stdout.join('\n')) as { codeBytes: number; definitions: { name: string }[] };
      expect(doc.definitions.map((d) => d.name)).toContain('fib');
      sizes.push(doc.codeBytes);
    }
    expect(sizes[0]).not.toBe(sizes[1]);
  });
  it('inlines small functions unless told not to', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cax-compile-'));
    try {
      const file = join(dir, 'inline.tel');
      writeFileSync(file, 'sq :: Int -> Int\nsq x = x * x\nmain = (sq 3, show 4, abs (-2))\n');
      const compiled = async (extra: string[]): Promise<{ codeBytes: number; names: string[] }> => {
        const io = captureIO();
        expect(await runCli(['--json', 'compile', file, ...extra], io)).toBe(0);
        const doc = JSON.parse(io.stdout.join('\n')) as { codeBytes: number; definitions: { name: string }[] };
        return { codeBytes: doc.codeBytes, names: doc.definitions.map((d) => d.name).sort() };
      };
      expect((await compiled([])).names).toEqual(['main']);
      expect((await compiled(['--no-inline'])).names).toEqual(['abs', 'main', 'show', 'sq']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('compiles a stored definition by name through the image cache', async () => {
    const home = mkdtempSync(join(tmpdir(), 'cax-compile-store-'));
    try {
      const repo = Repository.open(home);
      const ctx = addContext(repo);
      ensurePrelude(ctx);
      addProgram(ctx, parseProgram('double :: Int -> Int\ndouble x = x + x\n\neffLoop :: Int -> Effect ()\neffLoop n = emit n >> effLoop (n + 1)\n', 'stored.tel'));
      repo.close();
      // a stored definition calling itself by its hash through the thunk of >> compiles (it was inlined without end)
      const loop = { ...captureIO(), env: { CAX_HOME: home } };
      expect(await runCli(['--json', 'compile', 'effLoop'], loop)).toBe(0);
      const runs: { cached: boolean; definitions: { name: string }[] }[] = [];
      for (let i = 0; i < 2; i++) {
        const io = { ...captureIO(), env: { CAX_HOME: home } };
        expect(await runCli(['--json', 'compile', 'double'], io)).toBe(0);
        runs.push(JSON.parse(io.stdout.join('\n')) as { cached: boolean; definitions: { name: string }[] });
      }
      expect(runs.map((r) => r.cached)).toEqual([false, true]);
      expect(runs[0]!.definitions.some((d) => d.name.startsWith('@'))).toBe(true);
      // cax run --backend: the same value as the interpreter, with the co-processor's cycles
      const values: unknown[] = [];
      for (const backend of ['interp', 'iss']) {
        const io = { ...captureIO(), env: { CAX_HOME: home } };
        expect(await runCli(['--json', 'run', 'double', '21', '--backend', backend], io)).toBe(0);
        values.push((JSON.parse(io.stdout.join('\n')) as { value: unknown }).value);
      }
      expect(values).toEqual(['42', '42']);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
  it('cax run prints the effect lines the same way on interp and iss', async () => {
    const home = mkdtempSync(join(tmpdir(), 'cax-run-lines-'));
    try {
      const repo = Repository.open(home);
      const ctx = addContext(repo);
      ensurePrelude(ctx);
      addProgram(ctx, parseProgram(readFileSync('examples/rollback.tel', 'utf8').replace(/^main\b/gm, 'rollback'), 'rollback.tel'));
      repo.close();
      const lines: string[][] = [];
      const traces: unknown[] = [];
      for (const backend of ['interp', 'iss']) {
        const io = { ...captureIO(), env: { CAX_HOME: home } };
        const trace = join(home, `trace-${backend}.json`);
        expect(await runCli(['run', 'rollback', '--backend', backend, '--trace', trace], io)).toBe(0);
        lines.push(
          io.stdout
            .join('\n')
            .split('\n')
            .filter((l) => /^\s+t=/.test(l)),
        );
        const events = (JSON.parse(readFileSync(trace, 'utf8')) as { events: { kind: string; detail?: string }[] }).events;
        traces.push(events.map((e) => [e.kind, e.detail]));
      }
      expect(traces[1]).toEqual(traces[0]);
      expect(lines[0]).toEqual([
        '  t=1000 deposit 500 "EUR" "carol" on bank → "bank:1" (rolled back)',
        '  t=2000 withdraw 900 "EUR" "carol" on bank failed E_BALANCE: balance of carol on bank is 500 EUR, short of 900',
      ]);
      expect(lines[1]).toEqual(lines[0]);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
  it('cax run --backend iss --policy: a denied effect is E_DENIED, recorded in the trace', async () => {
    const home = mkdtempSync(join(tmpdir(), 'cax-run-policy-'));
    try {
      const repo = Repository.open(home);
      const ctx = addContext(repo);
      ensurePrelude(ctx);
      addProgram(ctx, parseProgram('pay :: Int -> Effect Int\npay n = do\n  emit n\n  deposit n to "alice" on "bank"\n  return n\n', 'pay.tel'));
      repo.close();
      writeFileSync(join(home, 'policy.json'), JSON.stringify({ effects: ['emit'] }));
      const io = { ...captureIO(), env: { CAX_HOME: home } };
      const trace = join(home, 'trace.json');
      expect(await runCli(['run', 'pay', '4', '--backend', 'iss', '--policy', join(home, 'policy.json'), '--trace', trace], io)).toBe(1);
      expect(io.stderr.join('\n')).toMatch(/E_DENIED/);
      expect(io.stderr.join('\n')).toMatch(/co-processor: \d+ cycles on iss/);
      const events = (JSON.parse(readFileSync(trace, 'utf8')) as { events: { kind: string; rule?: string }[] }).events;
      expect(events.filter((e) => e.kind === 'denied').map((e) => e.rule)).toEqual(['effects']);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
  it('fails loudly on unknown references and unsupported constructs', async () => {
    const io = { ...captureIO(), env: { CAX_HOME: join(tmpdir(), 'cax-no-store-here') } };
    expect(await runCli(['compile', 'someStoredName'], io)).toBe(2);
    expect(io.stderr.join('\n')).toMatch(/E_USAGE/);
    const dir = mkdtempSync(join(tmpdir(), 'cax-compile-'));
    try {
      // a frame of more than 250 locals: a tuple of 260 items
      const file = join(dir, 'wide.tel');
      const n = 260;
      writeFileSync(file, `main :: (${Array(n).fill('Int').join(', ')})\nmain = (${Array.from({ length: n }, (_, i) => i).join(', ')})\n`);
      const io2 = captureIO();
      expect(await runCli(['compile', file], io2)).toBe(1);
      expect(io2.stderr.join('\n')).toMatch(/E_UNSUPPORTED/);
      // a recursive local value compiles (it fails at run time with E_CYCLE, as on the interpreter: agreement.test.ts)
      const cycle = join(dir, 'cycle.tel');
      writeFileSync(cycle, 'main :: [Int]\nmain = take 3 xs\n  where\n    xs = 1 : xs\n');
      expect(await runCli(['compile', cycle], captureIO())).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
