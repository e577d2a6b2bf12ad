// ANSI colour only on a terminal and never with NO_COLOR (https://no-color.org):
// scripts/demo's headings, run on a pseudo-terminal (util-linux `script`) and
// on a pipe; the cax CLI itself writes no escape sequences at all.
import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../host/artefacts.js';
import { runCli } from '../../host/cli/program.js';
import { captureIO } from '../helpers/cli-io.js';

const BOLD = '\u001b[1m';

/** The output of scripts/demo up to its first cax command, which a stand-in `node` ends at once; on a terminal when `tty`. */
function demoHeading(tty: boolean, env: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'cax-colour-'));
  try {
    mkdirSync(join(dir, 'scripts'));
    mkdirSync(join(dir, 'bin'));
    copyFileSync(join(packageRoot(), 'scripts', 'demo'), join(dir, 'scripts', 'demo'));
    writeFileSync(join(dir, 'bin', 'node'), '#!/bin/sh\nexit 3\n');
    chmodSync(join(dir, 'bin', 'node'), 0o755);
    const demo = `bash ${join(dir, 'scripts', 'demo')}`;
    const r = spawnSync(tty ? 'script' : 'bash', tty ? ['-qec', demo, '/dev/null'] : ['-c', demo], {
      env: { PATH: `${join(dir, 'bin')}:/usr/bin:/bin`, HOME: dir, TERM: 'xterm', ...env },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(r.status).toBe(3);
    expect(r.stdout).toContain('== The tools cax drives');
    return r.stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('colour', () => {
  it('scripts/demo makes its headings bold on a terminal', () => {
    expect(demoHeading(true, {})).toContain(`${BOLD}== The tools cax drives`);
  });

  it('scripts/demo writes no escapes on a terminal with NO_COLOR', () => {
    expect(demoHeading(true, { NO_COLOR: '1' })).not.toContain('\u001b');
  });

  it('scripts/demo writes no escapes into a pipe', () => {
    expect(demoHeading(false, {})).not.toContain('\u001b');
  });

  it('the cax CLI writes no escapes in help, usage errors or cax errors', async () => {
    for (const argv of [['--help'], ['nonsense'], ['iss', 'run', 'no-such-file.elf']]) {
      const io = captureIO({ env: { FORCE_COLOR: '1' } });
      await runCli(argv, io);
      expect([...io.stdout, ...io.stderr].join('\n')).not.toContain('\u001b');
    }
  });
});
