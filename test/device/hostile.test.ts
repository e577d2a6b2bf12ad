// A hostile device (issue 26 item 7), played by test/device/hostile-device.ts
// on one end of a socat pseudo-terminal pair, against the real CLI on the
// other: every case ends within seconds with a stable error code, never a
// wrong value, a hang or a host that runs out of memory.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../host/cli/program.js';
import { captureIO } from '../helpers/cli-io.js';
import { compileTree, type CompiledTree } from '../store/child.js';

let tree: CompiledTree;
let home: string;

beforeAll(async () => {
  tree = compileTree(['test/device/hostile-device.ts']);
  home = mkdtempSync(join(tmpdir(), 'cax-hostile-device-'));
  writeFileSync(join(home, 'pure.tel'), 'pure1 :: Int\npure1 = 6\n');
  expect(await runCli(['add', join(home, 'pure.tel')], captureIO({ env: { CAX_HOME: home } }))).toBe(0);
});

afterAll(() => {
  tree.dispose();
  rmSync(home, { recursive: true, force: true });
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Runs `work` with the port of a fake device playing `scenario`; the device and socat are stopped after. */
async function withDevice<T>(scenario: string, work: (port: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'cax-pty-'));
  const host = join(dir, 'host');
  const device = join(dir, 'device');
  const socat = spawn('socat', [`pty,raw,echo=0,link=${host}`, `pty,raw,echo=0,link=${device}`], { stdio: 'ignore' });
  let fake: ChildProcess | undefined;
  try {
    for (let i = 0; i < 100 && !(existsSync(host) && existsSync(device)); i++) await sleep(20);
    fake = spawn(process.execPath, [tree.js('test/device/hostile-device.ts'), device, scenario], { stdio: 'ignore' });
    await sleep(300);
    return await work(host);
  } finally {
    fake?.kill('SIGKILL');
    socat.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

async function cax(...argv: string[]): Promise<{ code: number; stderr: string; ms: number }> {
  const io = captureIO({ env: { CAX_HOME: home } });
  const start = performance.now();
  const code = await runCli(argv, io);
  return { code, stderr: io.stderr.join('\n'), ms: performance.now() - start };
}

describe('a hostile device', () => {
  it('an INFO with maxChunk 0 is refused at hello (E_PROTOCOL), not a load that loops forever', async () => {
    const r = await withDevice('zero-chunk', (port) => cax('device', 'run', 'build/firmware/programs/args.elf', '--port', port));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/E_PROTOCOL .*INFO is not believable: maxChunk/);
  }, 30_000);

  it('effect requests with new ids before the replies are E_PROTOCOL at once', async () => {
    const r = await withDevice('effect-flood', (port) => cax('device', 'run', 'build/firmware/programs/args.elf', '--port', port, '--run-timeout', '20000'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/E_PROTOCOL .*asked for effect \d+ before the reply to effect \d+/);
    expect(r.ms).toBeLessThan(15_000);
  }, 30_000);

  it("an endless stream of well-behaved effect requests ends at the run's watchdog, counted from its start (E_BUDGET)", async () => {
    const before = process.memoryUsage().rss;
    const r = await withDevice('endless', (port) => cax('device', 'run', 'build/firmware/programs/args.elf', '--port', port, '--run-timeout', '2000'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/E_BUDGET .*the run did not end within 2000 ms/);
    expect(r.ms).toBeLessThan(15_000);
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
  }, 30_000);

  it('a result that is a cyclic list is E_PROTOCOL, not a host reading forever', async () => {
    const r = await withDevice('cycle', (port) => cax('run', 'pure1', '--backend', 'device', '--port', port));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/E_PROTOCOL .*contains itself/);
  }, 30_000);

  it('a result nested 50,000 deep is read back without a crash, and refused for not being the Int pure1 is (E_PROTOCOL)', async () => {
    const r = await withDevice('deep', (port) => cax('run', 'pure1', '--backend', 'device', '--port', port));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/E_PROTOCOL the co-processor returned a list where the result's type says Int/);
  }, 60_000);

  it('the same fake device answering honestly gives the value (the harness itself works)', async () => {
    const io = captureIO({ env: { CAX_HOME: home } });
    const code = await withDevice('honest', (port) => runCli(['--json', 'run', 'pure1', '--backend', 'device', '--port', port], io));
    expect(code).toBe(0);
    expect(JSON.parse(io.stdout.join('\n'))).toMatchObject({ value: '6' });
  }, 30_000);
});
