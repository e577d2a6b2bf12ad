// `cax trace view`: the trace `cax run --trace` writes, as a terminal timeline
// (indented by invocation, with the clock) and as a self-contained HTML page
// checked in headless Chromium (its filter script runs); a file that is not a
// run trace is E_TRACE.
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../host/cli/program.js';
import type { CliIO } from '../../host/cli/io.js';

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cax-trace-view-'));
  writeFileSync(
    join(dir, 'pay.tel'),
    'charge :: Int -> Effect Int\ncharge n = emit n >> deposit n to "a" on "tl" >> return (n * 2)\n\nmain :: Int -> Effect Int\nmain k = do\n  x <- invoke charge k\n  y <- invoke charge (k + 1)\n  return (x + y)\n',
  );
  writeFileSync(join(dir, 'bad.json'), JSON.stringify({ hash: 'x', events: [{ kind: 'effect', seq: 0 }] }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cax(...argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const io: CliIO = { out: (t) => (out += `${t}\n`), err: () => undefined, interactive: false, cwd: dir, env: {} };
  return { code: await runCli(argv, io), out };
}

describe('cax trace view', () => {
  it('shows a run as an indented timeline with the clock, and as an HTML page', async () => {
    expect((await cax('add', 'pay.tel')).code).toBe(0);
    expect((await cax('run', 'main', '3', '--trace', 't.json')).code).toBe(0);
    const text = await cax('trace', 'view', 't.json');
    expect(text.code).toBe(0);
    const lines = text.out.trimEnd().split('\n');
    expect(lines).toHaveLength(10);
    expect(lines[0]).toMatch(/^#0 +t=0 +ctx-\S+ +invoke main @[0-9a-f]{10} \(3\)$/);
    expect(lines[3]).toMatch(/^#3 +t=1000 +ctx-\S+ +effect deposit on tl tl:1$/);
    expect(lines[9]).toMatch(/^#9 +t=2000 +ctx-\S+ +return main = 14 /);
    const json = JSON.parse((await cax('--json', 'trace', 'view', 't.json', '--from', '5', '--count', '2')).out) as { seq: number; depth: number; clock: number }[];
    expect(json.map((r) => [r.seq, r.depth, r.clock])).toEqual([
      [5, 1, 1000],
      [6, 2, 1000],
    ]);

    expect((await cax('trace', 'view', 't.json', '--html', 't.html')).code).toBe(0);
    const html = readFileSync(join(dir, 't.html'), 'utf8');
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//); // self-contained
    const profile = mkdtempSync(join(tmpdir(), 'cax-chromium-'));
    try {
      const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', `--user-data-dir=${profile}`];
      const dom = execFileSync('chromium', [...flags, '--dump-dom', `file://${join(dir, 't.html')}?q=deposit`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 60_000 });
      expect(dom).toContain('<span id="shown">2</span> of 10 events shown'); // the filter script ran
      expect(dom.match(/<details open="" class="call">/g)).toHaveLength(3);
      expect(dom).toMatch(/<div class="event effect hidden" data-seq="2">/);
    } finally {
      rmSync(profile, { recursive: true, force: true });
    }
  }, 120_000);

  it('refuses a file that is not a run trace', async () => {
    const r = await cax('--json', 'trace', 'view', 'bad.json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toMatchObject({ error: { code: 'E_TRACE' } });
  });
});
