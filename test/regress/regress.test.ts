// `cax regress` end to end: the small project suite (regress/small.yaml) runs
// through the CLI with JUnit and HTML output and passes; a rerun with nothing
// changed reuses every result; a planted wrong expectation is exactly one
// failure with its artefacts; malformed manifests are errors with their place
// in the file; the HTML report renders in headless Chromium (screenshot and DOM).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { runCli } from '../../host/cli/program.js';
import { CaxError } from '../../host/errors.js';
import { parseManifest, type RegressBackend } from '../../host/regress/manifest.js';
import { buildMatrix } from '../../host/regress/matrix.js';
import { runPool } from '../../host/regress/pool.js';
import { loadSuite } from '../../host/regress/suite.js';
import { captureIO } from '../helpers/cli-io.js';

import { writeTelArtifacts } from '../../host/regress/tel-artifacts.js';

const ROOT = process.cwd();
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cax-regress-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function regress(...args: string[]): Promise<{ code: number; json: Record<string, unknown> }> {
  const io = captureIO({ cwd: dir });
  const code = await runCli(['--json', 'regress', ...args], io);
  const out = JSON.parse(io.stdout.join('\n')) as Record<string, unknown>;
  return { code, json: out.error ? (out.error as { details: Record<string, unknown> }).details : out };
}

interface Counts {
  total: number;
  passed: number;
  failed: number;
  errors: number;
  reused: number;
  ran: number;
}
interface Test {
  id: string;
  status: string;
  artifacts: string[];
  expected: unknown;
  actual: unknown;
}

describe('the small project suite', () => {
  it('passes through cax regress with JUnit and HTML, then a rerun reuses every result', async () => {
    const first = await regress(join(ROOT, 'regress/small.yaml'), '--jobs', '2', '--junit', 'out/junit.xml', '--html', 'out/report.html');
    const counts = first.json.counts as Counts;
    expect(first.code).toBe(0);
    expect(counts.total).toBeGreaterThanOrEqual(10);
    expect(counts.passed).toBe(counts.total);
    expect(counts.ran).toBe(counts.total);
    const junit = readFileSync(join(dir, 'out/junit.xml'), 'utf8');
    expect(junit).toMatch(/<testsuite name="small" tests="\d+" failures="0" errors="0"/);
    expect(junit).toContain('<property name="backend" value="iss"/>');
    expect(junit.match(/<testcase /g)).toHaveLength(counts.total);
    expect(readFileSync(join(dir, 'out/report.html'), 'utf8')).not.toMatch(/(src|href)="https?:/);

    const again = await regress(join(ROOT, 'regress/small.yaml'), '--jobs', '2');
    expect(again.code).toBe(0);
    expect(again.json.counts).toMatchObject({ total: counts.total, reused: counts.total, ran: 0 });

    const fresh = await regress(join(ROOT, 'regress/small.yaml'), '--no-cache', '--filter', '^small/fib$', '--backend', 'interp');
    expect(fresh.json.counts).toMatchObject({ total: 1, passed: 1, ran: 1, reused: 0 });
  }, 120_000);
});

describe('a planted wrong expectation', () => {
  it('is one failure with its artefacts, shown in an HTML report that renders in Chromium', async () => {
    writeFileSync(
      join(dir, 'planted.yaml'),
      [
        'name: planted',
        'backends: [iss]',
        'entries:',
        `  - { kind: elf, name: alu, file: ${join(ROOT, 'build/isa/user/alu.elf')}, expect: { exitCode: 3 } }`,
        `  - { kind: elf, name: branch, file: ${join(ROOT, 'build/isa/user/branch.elf')}, expect: { exitCode: 0 } }`,
        `  - { kind: tel, name: fib, file: ${join(ROOT, 'examples/fib.tel')}, backends: [interp], tags: [pure], expect: { value: "(6765,[1,2,3,4,5],True)" } }`,
      ].join('\n'),
    );
    const { code, json } = await regress('planted.yaml', '--artifacts', 'art', '--html', 'planted.html', '--no-cache');
    expect(code).toBe(1);
    const tests = json.tests as Test[];
    const failed = tests.filter((t) => t.status !== 'pass');
    expect(failed.map((t) => t.id)).toEqual(['planted/alu@iss']);
    expect(failed[0]!.expected).toEqual({ exitCode: 3 });
    expect(failed[0]!.actual).toEqual({ exitCode: 0 });
    const files = failed[0]!.artifacts.map((a) => a.split('/')[1]);
    expect(files).toEqual(expect.arrayContaining(['reproduce.sh', 'result.json', 'iss.trace', 'sim.trace', 'last-cycles.vcd', 'divergence.txt']));
    const art = join(dir, 'art', 'planted_alu@iss');
    expect(readFileSync(join(art, 'reproduce.sh'), 'utf8')).toContain("--backend iss --filter '^planted/alu$'");
    expect(readFileSync(join(art, 'iss.trace'), 'utf8').split('\n').length).toBeGreaterThan(100);
    expect(readFileSync(join(art, 'last-cycles.vcd'), 'utf8')).toContain('$enddefinitions');

    const profile = mkdtempSync(join(tmpdir(), 'cax-chromium-'));
    const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', `--user-data-dir=${profile}`, '--window-size=1200,800'];
    const page = `file://${resolve(dir, 'planted.html')}`;
    try {
      const shot = join(dir, 'planted.png');
      execFileSync('chromium', [...flags, `--screenshot=${shot}`, page], { stdio: 'ignore', timeout: 60_000 });
      const png = readFileSync(shot);
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      expect(png.length).toBeGreaterThan(5000);
      const dom = execFileSync('chromium', [...flags, '--dump-dom', page], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 60_000 });
      expect(dom).toContain('<span id="shown">3</span>'); // the table's script ran
      expect(dom).toMatch(/<tr class="fail"[^>]*><td>planted\/alu<\/td>/);
      expect(dom).toContain('href="art/planted_alu@iss/divergence.txt"');
      expect(dom).toMatch(/<svg id="plot"[\s\S]*<rect class="cy"/);
    } finally {
      rmSync(profile, { recursive: true, force: true });
    }
  }, 180_000);
});

describe('a planted wrong expectation of a TEL program with an effect, on the ISS', () => {
  it("has the core's traces, their lockstep, the VCD of the last cycles and the reproducing command", async () => {
    writeFileSync(
      join(dir, 'planted-tel.yaml'),
      [
        'name: planted-tel',
        'entries:',
        `  - { kind: tel, name: quote, file: ${join(ROOT, 'examples/quote.tel')}, main: quote, args: ["3"], world: ${join(ROOT, 'examples/quote.world.json')}, backends: [iss], expect: { value: "(127,\\"large\\")" } }`,
      ].join('\n'),
    );
    const { code, json } = await regress('planted-tel.yaml', '--artifacts', 'art-tel', '--no-cache');
    expect(code).toBe(1);
    const [failed] = json.tests as Test[];
    expect(failed).toMatchObject({ id: 'planted-tel/quote@iss', status: 'fail', expected: { value: '(127,"large")' }, actual: { value: '(126,"large")' } });
    const art = join(dir, 'art-tel', 'planted-tel_quote@iss');
    expect(failed!.artifacts.map((a) => a.split('/')[1]).sort()).toEqual(['core.txt', 'divergence.txt', 'iss.trace', 'last-cycles.vcd', 'reproduce.sh', 'result.json', 'sim.trace']);
    // the same run on both cores, in the deterministic mode: the same records, so no divergence
    const iss = readFileSync(join(art, 'iss.trace'), 'utf8');
    expect(iss.split('\n').length).toBeGreaterThan(1000);
    expect(readFileSync(join(art, 'sim.trace'), 'utf8')).toBe(iss);
    expect(readFileSync(join(art, 'divergence.txt'), 'utf8')).toBe('the simulated core and the ISS retire the same instructions\n');
    expect(readFileSync(join(art, 'core.txt'), 'utf8')).toMatch(/cycles on the ISS, result \(126,"large"\)\n\d+ cycles on the simulated core, result \(126,"large"\)/);
    expect(readFileSync(join(art, 'last-cycles.vcd'), 'utf8')).toMatch(/\$enddefinitions[\s\S]*#\d+/);
    expect(readFileSync(join(art, 'reproduce.sh'), 'utf8')).toContain("--backend iss --filter '^planted-tel/quote$'");
  }, 120_000);

  it('says why when the run cannot be made in the deterministic mode (a function as its result)', async () => {
    const files = new Map<string, string>();
    await writeTelArtifacts(
      dir,
      { source: { file: 'h.tel', text: 'main :: Int -> Hash\nmain = \\n -> hashOf n\n' }, name: 'main', args: [] },
      (name, text) => files.set(name, text),
      () => undefined,
    );
    expect([...files.keys()]).toEqual(['core.txt']);
    expect(files.get('core.txt')).toMatch(/^no core trace: the run cannot be made in the core's deterministic mode \(E_UNSUPPORTED proving a program whose result is a function/);
  });
});

describe('a definition in the store', () => {
  it('runs by name or hash prefix on interp and iss, through the executor, and an unknown reference is an error with its entry', async () => {
    writeFileSync(join(dir, 'scale.tel'), 'scale :: Int -> Int\nscale n = n * 6\n\ntick :: Effect Int\ntick = emit 1 >> now\n');
    const add = captureIO({ cwd: dir });
    expect(await runCli(['--json', 'add', 'scale.tel'], add)).toBe(0);
    const io = captureIO({ cwd: dir });
    expect(await runCli(['--json', 'show', 'scale'], io)).toBe(0);
    const hash = (JSON.parse(io.stdout.join('')) as { hash: string }).hash;
    writeFileSync(
      join(dir, 'stored.yaml'),
      [
        'name: stored',
        'backends: [interp, iss]',
        'entries:',
        '  - { kind: tel, name: by-name, file: "store:scale", args: ["7"], expect: { value: "42" } }',
        `  - { kind: tel, name: by-prefix, file: "store:${hash.slice(0, 12)}", args: ["(-2)"], expect: { value: "-12" } }`,
        '  - { kind: tel, name: effect, file: "store:tick", start: 500, expect: { value: "500", clock: 500 } }',
      ].join('\n'),
    );
    const run = await regress(join(dir, 'stored.yaml'), '--no-cache', '--jobs', '1');
    expect(run.code).toBe(0);
    expect(run.json.counts).toMatchObject({ total: 6, passed: 6 });
    writeFileSync(join(dir, 'missing.yaml'), 'name: missing\nentries:\n  - { kind: tel, name: nothing, file: "store:noSuchName", expect: { value: "1" } }\n');
    const missing = captureIO({ cwd: dir });
    expect(await runCli(['regress', join(dir, 'missing.yaml')], missing)).not.toBe(0);
    expect(missing.stderr.join('\n')).toMatch(/E_NOT_FOUND.*entry nothing/);
  }, 60_000);
});

describe('an ELF expected to trap', () => {
  it('ends at its first trap on iss and sim and passes with that cause; another cause is a failure', async () => {
    const elf = join(ROOT, 'build/rtl/trap.elf'); // a0 = 7, then ebreak (mcause 3) with no handler
    writeFileSync(
      join(dir, 'trap.yaml'),
      [
        'name: trap',
        'backends: [iss, sim]',
        'entries:',
        `  - { kind: elf, name: breakpoint, file: "${elf}", maxCycles: 100000, expect: { trap: 3, a0: 7 } }`,
        `  - { kind: elf, name: wrong-cause, file: "${elf}", maxCycles: 100000, expect: { trap: 2 } }`,
      ].join('\n'),
    );
    const { code, json } = await regress(join(dir, 'trap.yaml'), '--no-cache', '--jobs', '1');
    expect(code).toBe(1);
    const tests = json.tests as Test[];
    expect(
      tests
        .filter((t) => t.status === 'pass')
        .map((t) => t.id)
        .sort(),
    ).toEqual(['trap/breakpoint@iss', 'trap/breakpoint@sim']);
    for (const t of tests.filter((x) => x.id.startsWith('trap/wrong-cause'))) {
      expect(t.status).toBe('fail');
      expect(t.actual).toEqual({ trap: 3 });
    }
    expect(() => parseManifest('name: x\nentries:\n  - { kind: elf, name: e, file: a.elf, expect: { trap: 3, exitCode: 0 } }\n', 'x.yaml')).toThrow(/trap or exitCode/);
  }, 60_000);
});

describe('an ELF with arguments', () => {
  it('starts with them in a0, a1 on iss and sim alike', async () => {
    const elf = join(ROOT, 'build/regress/programs/args.elf'); // exit code and a0: a0 + 2·a1
    writeFileSync(
      join(dir, 'args.yaml'),
      [
        'name: args',
        'backends: [iss, sim]',
        'entries:',
        `  - { kind: elf, name: sum, file: "${elf}", args: [1, 2], maxCycles: 10000, expect: { a0: 5, exitCode: 5 } }`,
        `  - { kind: elf, name: negative, file: "${elf}", args: [-7, 2], maxCycles: 10000, expect: { a0: -3 } }`,
      ].join('\n'),
    );
    const { code, json } = await regress(join(dir, 'args.yaml'), '--no-cache', '--jobs', '1');
    expect(json.counts).toMatchObject({ total: 4, passed: 4 });
    expect(code).toBe(0);
  }, 60_000);
});

describe('malformed manifests', () => {
  const problem = (text: string): CaxError => {
    try {
      parseManifest(text, 'suite.yaml');
    } catch (e) {
      return e as CaxError;
    }
    throw new Error('no error');
  };

  it('a schema mistake is reported at its node', () => {
    const e = problem('name: s\nentries:\n  - kind: tel\n    name: a\n    file: a.tel\n    expect: { value: 3 }\n');
    expect(e.code).toBe('E_MANIFEST');
    expect(e.span).toMatchObject({ file: 'suite.yaml', line: 6, col: 22 });
    expect(e.message).toContain('entries.0.expect.value');
  });

  it('an unknown backend and an unknown kind are both reported, each with its line', () => {
    const e = problem('name: s\nbackends: [interp, qemu]\nentries:\n  - { kind: wav, name: b }\n');
    const problems = e.details.problems as { span: { line: number } }[];
    expect(problems.map((p) => p.span.line).sort()).toEqual([2, 4]);
  });

  it('a YAML syntax error has its line and column', () => {
    const e = problem('name: s\nentries: [\n  { kind: tel\n');
    expect(e.code).toBe('E_MANIFEST');
    expect(e.span?.line).toBeGreaterThanOrEqual(2);
  });

  it('a missing file and an include cycle are clear errors through the CLI', async () => {
    writeFileSync(join(dir, 'cycle.yaml'), 'name: cycle\ninclude: [cycle.yaml]\n');
    const io = captureIO({ cwd: dir });
    expect(await runCli(['regress', 'cycle.yaml'], io)).toBe(1);
    expect(io.stderr.join('\n')).toMatch(/E_MANIFEST .*includes itself/);
    const missing = captureIO({ cwd: dir });
    expect(await runCli(['regress', 'nope.yaml'], missing)).toBe(1);
    expect(missing.stderr.join('\n')).toContain('E_IO');
  });

  it('fuzz: any text is a manifest or an E_MANIFEST error, never a crash', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        try {
          parseManifest(text, 'fuzz.yaml');
        } catch (e) {
          expect(e).toBeInstanceOf(CaxError);
          expect((e as CaxError).code).toBe('E_MANIFEST');
          expect((e as CaxError).span?.line).toBeGreaterThanOrEqual(1);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('an alias without its anchor, and a billion laughs of aliases, are E_MANIFEST', () => {
    const laughs = [
      'a: &a [x, x, x, x, x, x, x, x, x]',
      ...Array.from(
        { length: 8 },
        (_, i) =>
          `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9)
            .fill(`*${String.fromCharCode(97 + i)}`)
            .join(', ')}]`,
      ),
    ].join('\n');
    for (const text of ['*-', laughs]) expect(() => parseManifest(text, 'bad.yaml')).toThrow(expect.objectContaining({ code: 'E_MANIFEST' }));
  });
});

describe('a test that hangs', () => {
  it('is an error at its timeout, its worker is replaced and the other tests go on', async () => {
    writeFileSync(join(dir, 'hang.tel'), 'loop :: Int -> Int\nloop n = loop (n + 1)\n\nmain :: Int\nmain = loop 0\n');
    writeFileSync(
      join(dir, 'hang.yaml'),
      [
        'name: hang',
        'entries:',
        '  - { kind: tel, name: forever, file: hang.tel, timeoutMs: 800, expect: { value: "0" } }',
        `  - { kind: tel, name: fib, file: ${join(ROOT, 'examples/fib.tel')}, expect: { clock: 0 } }`,
        `  - { kind: tel, name: fib-again, file: ${join(ROOT, 'examples/fib.tel')}, expect: { clock: 0 } }`,
      ].join('\n'),
    );
    const { code, json } = await regress('hang.yaml', '--jobs', '1', '--no-cache');
    expect(code).toBe(1);
    const tests = json.tests as (Test & { code?: string })[];
    expect(tests.map((t) => [t.id, t.status, t.code ?? null])).toEqual([
      ['hang/forever@interp', 'error', 'E_TIMEOUT'],
      ['hang/fib@interp', 'pass', null],
      ['hang/fib-again@interp', 'pass', null],
    ]);
  }, 60_000);

  it('does not outlive its pool: killed mid-test, the pool leaves no worker running', async () => {
    writeFileSync(join(dir, 'hang-alone.yaml'), ['name: hang-alone', 'entries:', '  - { kind: tel, name: forever, file: hang.tel, timeoutMs: 100000, expect: { value: "0" } }'].join('\n'));
    writeFileSync(join(dir, 'hang.tel'), 'loop :: Int -> Int\nloop n = loop (n + 1)\n\nmain :: Int\nmain = loop 0\n');
    const cli = spawn(process.execPath, [resolve('dist/host/cli/main.js'), 'regress', 'hang-alone.yaml', '--jobs', '1', '--no-cache', '--backend', 'interp'], { cwd: dir, stdio: 'ignore' });
    const alive = (pid: number): boolean => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    const until = async (done: () => boolean): Promise<void> => {
      for (const t0 = Date.now(); !done(); await new Promise((r) => setTimeout(r, 100))) if (Date.now() - t0 > 20_000) throw new Error('timed out waiting');
    };
    let worker = 0;
    await until(() => {
      worker = Number(readFileSync(`/proc/${cli.pid}/task/${cli.pid}/children`, 'utf8').split(' ')[0]);
      return worker > 0;
    });
    await new Promise((r) => setTimeout(r, 1000)); // the worker is inside the endless test now
    cli.kill('SIGKILL');
    await until(() => !alive(worker));
    expect(alive(worker)).toBe(false);
  }, 60_000);
});

describe('a worker that dies', () => {
  it('makes its test an error E_WORKER (after its retries), and the next test runs on a new worker', async () => {
    const [fib] = buildMatrix(loadSuite(join(ROOT, 'regress/small.yaml'), join(dir, '.cax')), { filter: /^small\/fib$/, backends: ['interp'] });
    // A request the worker cannot parse (no such backend) throws in the worker: the process dies.
    const doomed = { ...fib!, id: 'doomed', backend: 'nowhere' as RegressBackend };
    const results = await runPool([doomed, fib!], { jobs: 1, retries: 1, failFast: false });
    expect(results.get('doomed')).toMatchObject({ attempts: 2, flaky: false, outcome: { status: 'error', code: 'E_WORKER' } });
    expect(results.get('doomed')!.outcome.message).toMatch(/the worker died \(exit 1\)/);
    expect(results.get(fib!.id)).toMatchObject({ attempts: 1, outcome: { status: 'pass' } });
  }, 60_000);
});

describe('reused results', () => {
  it('a changed entry file reruns exactly its tests', async () => {
    writeFileSync(join(dir, 'one.tel'), 'main :: Int\nmain = 1\n');
    writeFileSync(join(dir, 'two.tel'), 'main :: Int\nmain = 2\n');
    writeFileSync(
      join(dir, 'change.yaml'),
      'name: change\nentries:\n  - { kind: tel, name: one, file: one.tel, expect: { value: "1" } }\n  - { kind: tel, name: two, file: two.tel, expect: { value: "2" } }\n',
    );
    expect((await regress('change.yaml', '--cache', 'change-cache.json')).json.counts).toMatchObject({ ran: 2, reused: 0 });
    writeFileSync(join(dir, 'two.tel'), 'main :: Int\nmain = 1 + 1\n');
    const again = await regress('change.yaml', '--cache', 'change-cache.json');
    expect(again.json.counts).toMatchObject({ ran: 1, reused: 1, passed: 2 });
    expect((again.json.tests as (Test & { reused: boolean })[]).map((t) => [t.id, t.reused])).toEqual([
      ['change/one@interp', true],
      ['change/two@interp', false],
    ]);
  }, 60_000);
});
