// Headless Chromium for tests of pages and pictures: loads a file, returns
// the console lines it logged (--enable-logging), a screenshot and, when
// asked, the DOM after its scripts ran.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Rendered {
  /** Console messages and uncaught errors the page produced. */
  readonly console: string[];
  readonly png: Buffer;
  readonly dom: string;
}

export function renderInChromium(file: string, size = '1200,900'): Rendered {
  const dir = mkdtempSync(join(tmpdir(), 'cax-chromium-'));
  const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', `--user-data-dir=${join(dir, 'profile')}`, `--window-size=${size}`];
  try {
    const shot = join(dir, 'shot.png');
    const run = spawnSync('chromium', [...flags, '--enable-logging=stderr', '--v=0', `--screenshot=${shot}`, `file://${file}`], { encoding: 'utf8', timeout: 60_000 });
    if (run.status !== 0) throw new Error(`chromium exited with ${run.status}: ${run.stderr.slice(-500)}`);
    const dom = execFileSync('chromium', [...flags, '--dump-dom', `file://${file}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 60_000 });
    return { console: run.stderr.split('\n').filter((l) => /CONSOLE|Uncaught/.test(l)), png: readFileSync(shot), dom };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
