// cax as an installed package: `npm pack` of this checkout (dist/ as built by
// `make build`), `npm install -g` of the tarball into a fresh prefix, and the
// installed `cax` run from a temporary directory on the iss and sim backends,
// its artefacts found through $CAX_HOME/build (host/artefacts.ts). Without
// them and without the tools to build them, one E_ARTEFACT error says what is
// missing and how to get it.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';

const checkout = resolve('.');
const RunResult = z.object({ value: z.string() });
const ErrorDocument = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

let root = '';
let cax = '';

function run(cmd: string, args: string[], options: { cwd: string; env?: Record<string, string> }): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(cmd, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'cax-install-'));
  const pack = run('npm', ['pack', '--ignore-scripts', '--pack-destination', root], { cwd: checkout });
  expect(pack.status).toBe(0);
  const tarball = readdirSync(root).find((f) => f.endsWith('.tgz')) ?? '';
  const install = run('npm', ['install', '-g', '--prefix', join(root, 'prefix'), '--prefer-offline', '--no-audit', '--no-fund', join(root, tarball)], { cwd: root });
  expect(install.stderr).not.toMatch(/ERR!/);
  expect(install.status).toBe(0);
  cax = join(root, 'prefix', 'bin', 'cax');
  mkdirSync(join(root, 'work'));
  copyFileSync(join(checkout, 'examples', 'fib.tel'), join(root, 'work', 'fib.tel'));
}, 300_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the installed package', () => {
  it('runs a stored definition on the iss and sim backends from any directory', () => {
    const home = join(root, 'home');
    mkdirSync(home);
    symlinkSync(join(checkout, 'build'), join(home, 'build'));
    const env = { CAX_HOME: home };
    expect(run(cax, ['add', 'fib.tel'], { cwd: join(root, 'work'), env }).status).toBe(0);
    for (const backend of ['iss', 'sim']) {
      const result = run(cax, ['--json', 'run', 'fib', '10', '--backend', backend], { cwd: join(root, 'work'), env });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(RunResult.parse(JSON.parse(result.stdout)).value).toBe('55');
    }
  });

  it('builds a missing artefact on first use when the tools are there', () => {
    const home = join(root, 'fresh-home');
    mkdirSync(home);
    const env = { CAX_HOME: home };
    expect(run(cax, ['add', 'fib.tel'], { cwd: join(root, 'work'), env }).status).toBe(0);
    const result = run(cax, ['--json', 'run', 'fib', '10', '--backend', 'iss'], { cwd: join(root, 'work'), env });
    expect(result.status).toBe(0);
    expect(RunResult.parse(JSON.parse(result.stdout)).value).toBe('55');
    expect(existsSync(join(home, 'build', 'firmware', 'firmware.elf'))).toBe(true);
    expect(existsSync(join(home, 'build', 'tel-runtime', 'runtime.elf'))).toBe(true);
  });

  it('names a missing artefact and how to get it when the tools to build it are not there', () => {
    const home = join(root, 'bare-home');
    const onlyNode = join(root, 'only-node');
    mkdirSync(home);
    mkdirSync(onlyNode);
    symlinkSync(process.execPath, join(onlyNode, 'node'));
    const env = { CAX_HOME: home, PATH: onlyNode };
    expect(run(cax, ['add', 'fib.tel'], { cwd: join(root, 'work'), env }).status).toBe(0);
    const result = run(cax, ['--json', 'run', 'fib', '10', '--backend', 'iss'], { cwd: join(root, 'work'), env });
    expect(result.status).toBe(1);
    const { error } = ErrorDocument.parse(JSON.parse(result.stdout));
    expect(error.code).toBe('E_ARTEFACT');
    expect(error.message).toMatch(/is missing and make, riscv64-unknown-elf-gcc is not installed/);
    expect(error.message).toMatch(/run `make (tel-runtime|firmware)` in /);
  });
});
