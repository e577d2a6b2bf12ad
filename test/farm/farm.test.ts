// The regression farm against a real redis-server started here (loopback,
// password, an ACL user for the workers as docs/farm.md sets it up) and real
// `cax farm worker` processes from the built CLI: a worker whose identities
// differ serves nothing; a suite's reports (JSON, JUnit, HTML) through the
// farm equal a local run's apart from timings and hosts; content, and stored
// definitions' closures, are checked against their hashes; board tests run on
// a worker with a board (the Verilator SoC on a pseudo-terminal) as a local
// --port run, and a board that goes away is E_FARM_BOARD and absent; chunk
// proofs on the farm make the local receipt; Redis restarted mid-run, a worker
// SIGKILLed mid-test and a result delivered twice (a worker stopped past its
// lock, then resumed) all end with every test reported once.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { spawnFarmWorker, type FarmWorkerProcess } from '../../bench/farm-workers.js';
import { startRedis, type RedisServer } from '../../bench/redis-server.js';
import { uploadClosure } from '../../host/farm/stored.js';
import { startSimPty } from '../../host/sim/pty.js';
import { decodeReceipt, type Receipt } from '../../host/proof/receipt.js';
import { DEV_SIZE } from '../../host/proof/circuit.js';

const ROOT = process.cwd();
const CLI = resolve('dist/host/cli/main.js');
/** The workers' ACL user of docs/farm.md: the farm's keys only, content read-only, no admin commands. */
const WORKER_ACL = [
  'ACL',
  'SETUSER',
  'farm-worker',
  'reset',
  'on',
  '>worker-secret',
  '~cax-farm:tests-*',
  '~cax-farm:boards-*',
  '~cax-farm:proofs:*',
  '~cax-farm:worker:*',
  '~cax-farm:result:*',
  '%R~cax-farm:content:*',
  '&*',
  '+@all',
  '-@dangerous',
  '+info',
];

let dir: string;
let server: RedisServer;
let admin: Redis;
let workerUrl: string;
const workers: FarmWorkerProcess[] = [];

interface Report {
  counts: Record<string, number>;
  tests: { id: string; status: string; code?: string; durationMs: number; message?: string; host?: string; backendHash?: string; reproduce?: string }[];
}

/** `cax --json ARGS…` as a separate process (the built CLI): its exit code and JSON (a failed run's report is in the error's details). */
function cax(...args: string[]): Promise<{ code: number; json: Record<string, unknown> }> {
  return caxIn({}, ...args);
}

/** `cax --json ARGS…` with `env` added to the environment. */
function caxIn(env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ code: number; json: Record<string, unknown> }> {
  return new Promise((done) => {
    execFile(process.execPath, [CLI, '--json', ...args], { cwd: dir, maxBuffer: 1 << 24, env: { ...process.env, ...env } }, (error, stdout) => {
      const out = JSON.parse(stdout) as Record<string, unknown>;
      const json = (out.error as { details?: Record<string, unknown> } | undefined)?.details ?? out;
      done({ code: error ? Number(error.code) : 0, json: out.error && !(out.error as { details?: unknown }).details ? out : json });
    });
  });
}

const writeSuite = (name: string, lines: string[]): string => {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, [`name: ${name}`, ...lines].join('\n'));
  return file;
};

/** The report without what differs between runs: timings and hosts. */
const untimed = (r: Report): unknown => ({ counts: r.counts, tests: r.tests.map(({ durationMs: _, host: _host, ...t }) => t) });
const untimedXml = (xml: string): string =>
  xml
    .replace(/time="[\d.]+"/g, 'time=""')
    .replace(/<property name="durationMs" value="[\d.]+"\/>/g, '')
    .replace(/ hostname="[^"]*"/g, '')
    .replace(/<property name="host" value="[^"]*"\/>/g, '');
/** The HTML report without the plot of durations, the duration cells, the hosts and the run's time. */
const untimedHtml = (html: string): string =>
  html
    .replace(/<svg id="plot"[\s\S]*?<\/svg>/, '')
    .replace(/<td data-v="[\d.e+-]+">[\d.]+<\/td>(?=<td data-v="-?\d+">)/g, '')
    .replace(/<td class="host">[^<]*<\/td>/g, '')
    .replace(/<span>[\d.]+ s<\/span>/, '');

async function status(): Promise<{
  workers: { id: string; host: string; pid: number; served: number; boards: { port: string; state: string; running?: string }[]; running: string[]; servesThisMachine: boolean; differs: string[] }[];
  queues: { servedBy: number; local: boolean }[];
}> {
  return (await cax('farm', 'status', '--redis', server.url)).json as never;
}

/** Waits until `ready` holds (polling `cax farm status`'s data source, the worker records). */
async function until<T>(probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const got = await probe();
    if (got !== undefined) return got;
    if (Date.now() - t0 > timeoutMs) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The workers running each of `tests` now (one each, distinct), from their records in Redis. */
async function runningOn(tests: readonly string[]): Promise<Map<string, string> | undefined> {
  const keys = await admin.keys('cax-farm:worker:*');
  const records = (await Promise.all(keys.map((k) => admin.get(k)))).flatMap((r) => (r ? [JSON.parse(r) as { id: string; running: string[] }] : []));
  const on = new Map(tests.flatMap((t) => records.filter((w) => w.running.includes(t)).map((w) => [t, w.id] as const)));
  return on.size === tests.length && new Set(on.values()).size === tests.length ? on : undefined;
}

const FIB: Record<number, number> = { 33: 3524578, 34: 5702887, 35: 9227465 };
const SLOW = 'fib :: Int -> Int\nfib n = if n < 2 then n else fib (n - 1) + fib (n - 2)\n\nmain :: Int -> Int\nmain n = fib n\n';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cax-farm-'));
  writeFileSync(join(dir, 'slow.tel'), SLOW);
  server = await startRedis();
  admin = new Redis(server.url);
  await admin.call(...(WORKER_ACL as [string, ...string[]]));
  workerUrl = `redis://farm-worker:worker-secret@127.0.0.1:${server.port}`;
}, 30_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  admin.disconnect();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}, 30_000);

describe('the farm', () => {
  it('refuses a bad URL, a wrong password, a board that does not answer, --port or --baud with --farm, --baud without a board, and proving with no worker up, with their codes', async () => {
    const suite = writeSuite('tiny', ['entries:', `  - { kind: tel, name: fib, file: ${ROOT}/examples/fib.tel, backends: [interp], expect: { value: "(6765,[1,2,3,4,5],True)" } }`]);
    expect((await cax('regress', suite, '--no-cache', '--farm', 'http://example.org')).json).toMatchObject({ error: { code: 'E_USAGE' } });
    expect((await cax('regress', suite, '--no-cache', '--farm', `redis://:wrong@127.0.0.1:${server.port}`)).json).toMatchObject({ error: { code: 'E_FARM_WORKER' } });
    expect((await cax('farm', 'worker', '--redis', server.url, '--board', join(dir, 'no-such-port'))).json).toMatchObject({ error: { code: 'E_FARM_BOARD' } });
    expect((await cax('regress', suite, '--no-cache', '--farm', server.url, '--port', '/dev/null')).json).toMatchObject({ error: { code: 'E_USAGE' } });
    expect((await cax('regress', suite, '--no-cache', '--farm', server.url, '--baud', '57600')).json).toMatchObject({ error: { code: 'E_USAGE' } });
    expect((await cax('regress', suite, '--no-cache', '--baud', '57600')).json).toMatchObject({ error: { code: 'E_USAGE', message: expect.stringMatching(/give --port PATH too/) } });
    expect((await cax('farm', 'worker', '--redis', server.url, '--baud', '57600')).json).toMatchObject({ error: { code: 'E_USAGE', message: expect.stringMatching(/give --board PORT too/) } });
    expect((await cax('farm', 'worker', '--redis', server.url, '--board', '/dev/null', '--baud', '12')).json).toMatchObject({ error: { code: 'E_USAGE' } });
    const proofHome = { CAX_HOME: join(ROOT, 'build/proof/home') };
    expect((await caxIn(proofHome, 'prove', join(ROOT, 'build/proof/mix.elf'), '--on', 'iss', '--steps', String(DEV_SIZE.steps), '--farm', server.url)).json).toMatchObject({
      error: { code: 'E_FARM_WORKER' },
    });
  }, 30_000);

  it('does not serve tests on a worker whose identity differs: refused with E_FARM_IDENTITY, shown in farm status', async () => {
    // another firmware under CAX_HOME: the worker's iss and sim identities differ from this checkout's
    const home = join(dir, 'other-home');
    mkdirSync(join(home, 'build', 'firmware'), { recursive: true });
    writeFileSync(join(home, 'build', 'firmware', 'firmware.elf'), Buffer.concat([readFileSync(join(ROOT, 'build', 'firmware', 'firmware.elf')), Buffer.from([0])]));
    workers.push(await spawnFarmWorker(workerUrl, { env: { CAX_HOME: home } }));
    const suite = join(dir, 'tiny.yaml');
    const refused = await cax('regress', suite, '--no-cache', '--farm', server.url);
    expect(refused.json).toMatchObject({ error: { code: 'E_FARM_IDENTITY' } });
    const s = await status();
    expect(s.workers).toEqual([expect.objectContaining({ id: workers[0]!.id, servesThisMachine: false, differs: ['iss', 'sim'] })]);
  }, 30_000);

  it("gives the local run's reports, JSON, JUnit and HTML, apart from timings and hosts (each test names its worker); identical tests are one job", async () => {
    workers.push(...(await Promise.all([1, 2, 3].map(() => spawnFarmWorker(workerUrl)))));
    const gcd = `file: ${ROOT}/examples/gcd.tel, main: report, args: ["1071", "462"]`;
    const suite = writeSuite('mixed', [
      'backends: [interp, iss]',
      'entries:',
      `  - { kind: tel, name: fib, file: ${ROOT}/examples/fib.tel, expect: { value: "(6765,[1,2,3,4,5],True)", clock: 0 } }`,
      `  - { kind: tel, name: gcd, ${gcd}, expect: { value: "(21,\\"common factor\\")" } }`,
      `  - { kind: tel, name: gcd-again, ${gcd}, expect: { value: "(21,\\"common factor\\")" } }`,
      `  - { kind: tel, name: planted, ${gcd}, expect: { value: "(22,\\"common factor\\")" } }`,
      `  - { kind: tel, name: quote, file: ${ROOT}/examples/quote.tel, world: ${ROOT}/examples/quote.world.json, expect: { value: '(126,"large")', clock: 40 } }`,
      `  - { kind: elf, name: exit-code, file: ${ROOT}/build/isa/machine/exit-code.elf, backends: [iss], expect: { exitCode: 21 } }`,
      '  - { kind: generate, name: random, seed: 17, count: 1, backends: [iss] }',
    ]);
    const local = await cax('regress', suite, '--no-cache', '--jobs', '2', '--junit', 'local.xml', '--html', 'local.html');
    const farm = await cax('regress', suite, '--no-cache', '--farm', server.url, '--junit', 'farm.xml', '--html', 'farm.html');
    expect(local.code).toBe(1);
    expect(farm.code).toBe(1);
    const report = farm.json as unknown as Report;
    expect(report.counts).toMatchObject({ total: 12, passed: 10, failed: 2, ran: 12 });
    expect(untimed(report)).toEqual(untimed(local.json as unknown as Report));
    expect(untimedXml(readFileSync(join(dir, 'farm.xml'), 'utf8'))).toBe(untimedXml(readFileSync(join(dir, 'local.xml'), 'utf8')));
    const html = untimedHtml(readFileSync(join(dir, 'farm.html'), 'utf8'));
    expect(html).toContain('planted');
    expect(html).toBe(untimedHtml(readFileSync(join(dir, 'local.html'), 'utf8')));

    const s = await status();
    // each test names the farm worker (host/pid) that ran it: in JSON, in JUnit (a property, and the suite's hostname), in HTML
    const serving = new Set(s.workers.filter((w) => w.servesThisMachine).map((w) => `${w.host}/${w.pid}`));
    for (const t of report.tests) expect(serving.has(t.host!)).toBe(true);
    expect((local.json as unknown as Report).tests.map((t) => t.host)).toEqual(report.tests.map(() => expect.stringMatching(new RegExp(`^${hostname()}/\\d+$`))));
    const farmXml = readFileSync(join(dir, 'farm.xml'), 'utf8');
    expect(farmXml).toContain(`<property name="host" value="${report.tests[0]!.host}"/>`);
    expect(farmXml).toContain(`hostname="${hostname()}"`);
    expect(readFileSync(join(dir, 'farm.html'), 'utf8')).toContain(`<td class="host">${report.tests[0]!.host}</td>`);
    const served = s.workers.filter((w) => w.servesThisMachine).reduce((n, w) => n + w.served, 0);
    // gcd and gcd-again are one job on each backend
    expect(served).toBe(10);
    expect(s.workers.find((w) => w.id === workers[0]!.id)).toMatchObject({ served: 0 });
    expect(s.queues).toEqual([expect.objectContaining({ local: true, servedBy: 3 })]);
  }, 60_000);

  it('checks content against its hash: bytes in Redis that are not their hash are refused (E_FARM_CONTENT), then replaced; a cached result is not enqueued', async () => {
    const file = join(dir, 'tampered.tel');
    // bytes of this run only: no worker has a checked copy of them from an earlier run
    writeFileSync(file, `-- ${dir}\nmain :: Int\nmain = 6 * 7\n`);
    const hash = createHash('sha256').update(readFileSync(file)).digest('hex');
    await admin.set(`cax-farm:content:${hash}`, 'main :: Int\nmain = 6 * 9\n');
    const suite = writeSuite('tamper', ['entries:', `  - { kind: tel, name: answer, file: ${file}, backends: [interp], expect: { value: "42" } }`]);
    const refused = (await cax('regress', suite, '--no-cache', '--farm', server.url)).json as unknown as Report;
    expect(refused.tests).toEqual([expect.objectContaining({ status: 'error', code: 'E_FARM_CONTENT' })]);
    expect(refused.tests[0]!.message).toContain(hash);
    const again = await cax('regress', suite, '--farm', server.url);
    expect(again.json).toMatchObject({ counts: { total: 1, passed: 1, ran: 1 } });
    expect(await admin.get(`cax-farm:content:${hash}`)).toBe(readFileSync(file, 'utf8'));
    // a result in the result cache is not enqueued at all
    const served = async (): Promise<number> => (await status()).workers.reduce((n, w) => n + w.served, 0);
    const before = await served();
    expect((await cax('regress', suite, '--farm', server.url)).json).toMatchObject({ counts: { total: 1, passed: 1, reused: 1, ran: 0 } });
    expect(await served()).toBe(before);
  }, 60_000); // three regress runs through the farm: 30 s ran out in CI while the proof suites loaded both cores

  it('runs stored definitions (store:REF) as locally, their closure sent by hash; a tampered group is refused (E_FARM_CONTENT)', async () => {
    // definitions of this run only: no worker has a checked copy of their groups from an earlier run
    const unique = 1000 + (Date.now() % 100_000);
    writeFileSync(
      join(dir, 'stored.tel'),
      `scale :: Int -> Int\nscale n = n * 6\n\nscaled :: Int -> Int\nscaled n = scale n + ${unique}\n\ntick :: Effect Int\ntick = emit 1 >> now\n\nanswer :: Int\nanswer = ${unique} - 1\n`,
    );
    expect((await cax('add', 'stored.tel')).code).toBe(0);
    const suite = writeSuite('stored', [
      'backends: [interp, iss]',
      'entries:',
      `  - { kind: tel, name: scaled, file: "store:scaled", args: ["7"], expect: { value: "${42 + unique}" } }`,
      '  - { kind: tel, name: effect, file: "store:tick", start: 500, expect: { value: "500", clock: 500 } }',
      `  - { kind: tel, name: planted, file: "store:scale", args: ["7"], expect: { value: "43" } }`,
    ]);
    const local = await cax('regress', suite, '--no-cache', '--jobs', '2');
    const farm = await cax('regress', suite, '--no-cache', '--farm', server.url);
    expect((farm.json as unknown as Report).counts).toMatchObject({ total: 6, passed: 4, failed: 2, ran: 6 });
    expect(untimed(farm.json as unknown as Report)).toEqual(untimed(local.json as unknown as Report));

    // the closure of `answer` with its group's blob replaced in Redis by other bytes
    const answer = (await cax('show', 'answer')).json as { hash: string };
    const [blob] = await uploadClosure(admin, join(dir, '.cax'), answer.hash, new Set());
    await admin.set(`cax-farm:content:${blob!.hash}`, '{"group":"tampered"}');
    const tampered = writeSuite('tampered-store', ['entries:', `  - { kind: tel, name: answer, file: "store:answer", backends: [interp], expect: { value: "${unique - 1}" } }`]);
    const refused = (await cax('regress', tampered, '--no-cache', '--farm', server.url)).json as unknown as Report;
    expect(refused.tests).toEqual([expect.objectContaining({ status: 'error', code: 'E_FARM_CONTENT' })]);
    expect(refused.tests[0]!.message).toContain(blob!.hash);
    // the submitter dropped the bad bytes: the next run uploads the right ones
    expect((await cax('regress', tampered, '--no-cache', '--farm', server.url)).json).toMatchObject({ counts: { total: 1, passed: 1 } });
  }, 120_000);

  it('runs board tests only on a worker with a board, one at a time, as a local --backend device --port run, both at the --baud asked for; a board killed mid-test is E_FARM_BOARD and absent', async () => {
    // the project's board: the Verilator SoC behind a pseudo-terminal (cax sim start)
    const board = await startSimPty({ program: join(ROOT, 'build/firmware/firmware.elf') });
    let worker: FarmWorkerProcess | undefined;
    try {
      const gcd = `file: ${ROOT}/examples/gcd.tel, main: report, args: ["1071", "462"]`;
      const suite = writeSuite('board', [
        'backends: [device]',
        'entries:',
        '  - { kind: tel, name: fib, file: slow.tel, args: ["12"], expect: { value: "144", clock: 0 } }',
        `  - { kind: tel, name: planted, ${gcd}, backends: [device, interp], expect: { value: "(22,\\"common factor\\")" } }`,
      ]);
      // no worker has a board yet
      expect((await cax('regress', suite, '--no-cache', '--backend', 'device', '--farm', server.url)).json).toMatchObject({ error: { code: 'E_FARM_BOARD' } });
      // the board's line at 57600 baud (the simulated UART's 8 clocks a bit at "115200" make 16 at 57600), asked for at HELLO
      const local = await cax('regress', suite, '--no-cache', '--jobs', '1', '--port', board.path, '--baud', '57600');
      expect((local.json as unknown as Report).tests.find((t) => t.id.endsWith('fib@device'))!.reproduce).toMatch(/ --port \S+ --baud 57600 /);
      worker = await spawnFarmWorker(workerUrl, { boards: [board.path], baud: 57600 });
      const s = await status();
      expect(s.workers.find((w) => w.id === worker!.id)).toMatchObject({ boards: [{ port: board.path, baud: 57600, state: 'present', info: { core: 'cax-soc', isa: 'rv32im' } }] });
      const farm = await cax('regress', suite, '--no-cache', '--farm', server.url);
      const report = farm.json as unknown as Report;
      expect(report.counts).toMatchObject({ total: 3, passed: 1, failed: 2, ran: 3 });
      // locally a board test names its port (in its backend hash and its reproducing command); on the farm the board is the farm's
      const portless = (r: Report): unknown =>
        untimed({ ...r, tests: r.tests.map((t) => (t.id.endsWith('@device') ? { ...t, backendHash: '', reproduce: String(t.reproduce).replace(/ --port \S+ --baud \d+/, '') } : t)) });
      expect(portless(report)).toEqual(portless(local.json as unknown as Report));
      const boardHost = `${s.workers.find((w) => w.id === worker!.id)!.host}/${worker.child.pid}`;
      expect(report.tests.filter((t) => t.id.endsWith('@device')).map((t) => t.host)).toEqual([boardHost, boardHost]);

      // the board goes away in the middle of a test: that test is an error with a stable code, the board absent
      const killed = writeSuite('unplugged', [
        'entries:',
        `  - { kind: tel, name: fib, file: ${ROOT}/examples/fib.tel, backends: [interp], expect: { value: "(6765,[1,2,3,4,5],True)" } }`,
        '  - { kind: tel, name: long, file: slow.tel, args: ["27"], backends: [device], expect: { value: "196418" } }',
      ]);
      const run = cax('regress', killed, '--no-cache', '--farm', server.url);
      await until(async () => ((await status()).workers.find((w) => w.id === worker!.id)?.boards[0]?.running === 'unplugged/long@device' ? true : undefined));
      await board.stop();
      const unplugged = (await run).json as unknown as Report;
      expect(unplugged.counts).toMatchObject({ total: 2, passed: 1, errors: 1 });
      expect(unplugged.tests[1]).toMatchObject({ id: 'unplugged/long@device', status: 'error', code: 'E_FARM_BOARD' });
      expect((await status()).workers.find((w) => w.id === worker!.id)).toMatchObject({ boards: [{ port: board.path, state: 'absent' }] });
    } finally {
      await worker?.stop();
      await board.stop();
    }
  }, 120_000);

  it("proves on the farm: chunk proofs as jobs with the circuit's files by hash; the receipt is the local one (apart from Groth16's random proofs) and verifies", async () => {
    // the proof tests' keys and development chunks (DEV_SIZE); the workers have no keys of their own
    const home = { CAX_HOME: join(ROOT, 'build/proof/home') };
    const program = join(ROOT, 'build/proof/mix.elf');
    const local = await caxIn(home, 'prove', program, '--on', 'iss', '--steps', String(DEV_SIZE.steps), '--workers', '2');
    const farm = await caxIn(home, 'prove', program, '--on', 'iss', '--steps', String(DEV_SIZE.steps), '--farm', server.url);
    expect(farm.code).toBe(0);
    const receipt = (r: { json: Record<string, unknown> }): Receipt => decodeReceipt(readFileSync(r.json.path as string));
    const proofless = (r: Receipt): unknown => ({ ...r, chunks: r.chunks.map(({ proof: _, ...c }) => c) });
    expect(receipt(farm).chunks.length).toBeGreaterThan(1);
    expect(proofless(receipt(farm))).toEqual(proofless(receipt(local)));
    expect((await caxIn(home, 'verify', farm.json.receipt as string, '--program', program)).code).toBe(0);
  }, 120_000);

  it('finishes when Redis is restarted mid-run: workers and submitter reconnect, every test reported once', async () => {
    const suite = writeSuite('restart', [
      'backends: [interp]',
      'entries:',
      ...[33, 34, 35].map((n) => `  - { kind: tel, name: slow-${n}, file: slow.tel, args: ["${n}"], expect: { value: "${FIB[n]}" } }`),
      `  - { kind: tel, name: fib, file: ${ROOT}/examples/fib.tel, expect: { value: "(6765,[1,2,3,4,5],True)" } }`,
    ]);
    const run = cax('regress', suite, '--no-cache', '--farm', server.url);
    await until(() => runningOn(['restart/slow-35@interp']));
    await server.restart();
    // what the server's ACL file does for a real one
    await admin.call(...(WORKER_ACL as [string, ...string[]]));
    const report = (await run).json as unknown as Report;
    expect(report.counts).toMatchObject({ total: 4, passed: 4 });
    expect(report.tests.map((t) => t.id).sort()).toEqual(['restart/fib@interp', 'restart/slow-33@interp', 'restart/slow-34@interp', 'restart/slow-35@interp']);
  }, 60_000);

  it('runs the test of a worker SIGKILLed mid-test elsewhere, and counts a result delivered twice once', async () => {
    const suite = writeSuite('faults', [
      'backends: [interp]',
      'entries:',
      ...[34, 35].map((n) => `  - { kind: tel, name: slow-${n}, file: slow.tel, args: ["${n}"], expect: { value: "${FIB[n]}" } }`),
    ]);
    const before = await status();
    const run = cax('regress', suite, '--no-cache', '--farm', server.url);
    const on = await until(() => runningOn(['faults/slow-34@interp', 'faults/slow-35@interp']));
    const byId = (id: string | undefined): FarmWorkerProcess => workers.find((w) => w.id === id)!;
    const killed = byId(on.get('faults/slow-34@interp'));
    const stopped = byId(on.get('faults/slow-35@interp'));
    await killed.kill();
    // stopped past its lock: its test is taken by another worker; resumed, it delivers the same result again
    stopped.child.kill('SIGSTOP');
    let report: Report;
    try {
      // both tests run again on the worker left, each reported once
      report = (await run).json as unknown as Report;
    } finally {
      stopped.child.kill('SIGCONT');
    }
    expect(report.counts).toMatchObject({ total: 2, passed: 2, ran: 2 });
    expect(report.tests.map((t) => t.id)).toEqual(['faults/slow-34@interp', 'faults/slow-35@interp']);
    const servedBy = (s: Awaited<ReturnType<typeof status>>, id: string): number => s.workers.find((w) => w.id === id)?.served ?? 0;
    // resumed, the stopped worker finishes its test and delivers it a second time, after the run counted it once
    await until(async () => (servedBy(await status(), stopped.id) > servedBy(before, stopped.id) ? true : undefined));
    // the killed worker delivered nothing (its record lingers until it expires, or is gone)
    const killedNow = (await status()).workers.find((w) => w.id === killed.id);
    expect(killedNow?.served ?? servedBy(before, killed.id)).toBe(servedBy(before, killed.id));
  }, 60_000);
});
