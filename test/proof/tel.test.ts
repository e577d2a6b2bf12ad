// Proving TEL programs (docs/proofs.md, "Proving TEL programs" and "The
// ecall boundary"): the standalone proving image of a stored definition runs
// on the ISS and on the Verilator simulation from reset, segment by segment
// across its ecalls when it has effects, and gives the value, the effect log
// and the end time the interpreter computes, `show` of a Double and hashOf
// included (the runtime computes them on the core); and `cax prove FILE.tel ARGS` proves one (on the ISS trace, with
// the keys of `make proof-keys`) into a receipt naming its result, which
// `cax verify` accepts, and refuses with another value, other arguments,
// another effect log or other host writes claimed.
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCli } from '../../host/cli/program.js';
import { argumentsInput, provingImage, type TelProvingImage } from '../../host/proof/tel-image.js';
import { ACCESS_ECALL, decodeAccesses, type Access } from '../../host/proof/access.js';
import { segmentsOn } from '../../host/proof/prove.js';
import { runTelProvingImage, telProvingImage, type TelRun } from '../../host/proof/tel-prove.js';
import { decodeReceipt, encodeReceipt } from '../../host/proof/receipt.js';
import { loggedEffect } from '../../host/proof/tel-output.js';
import { driveTel, ReplayCore, type TelDrive } from '../../host/proof/tel-run.js';
import { decode } from '../../host/riscv/decode.js';
import { RAM_BASE } from '../../host/riscv/machine.js';
import { MemoryWorld, type WorldInput } from '../../host/tel/world.js';
import { addProgram } from '../../host/store/add.js';
import { Loader } from '../../host/store/loader.js';
import { Repository } from '../../host/store/repository.js';
import { addContext, ensurePrelude } from '../../host/store/tel-env.js';
import { loadProgram, runMain } from '../../host/tel/interp.js';
import { parseExpression, parseProgram } from '../../host/tel/parser.js';
import { captureIO } from '../helpers/cli-io.js';
import { DEV_SIZE } from '../../host/proof/circuit.js';

const PROGRAMS: ReadonlyArray<{ name: string; source: string; main: string; args: string[] }> = [
  { name: 'ints', main: 'go', args: ['7', '-3'], source: 'go :: Int -> Int -> Int\ngo a b = a * b + a / b - b `mod` 2\n' },
  { name: 'lists', main: 'evens', args: ['[1, 2, 3, 4, 5, 6]'], source: 'evens :: [Int] -> [Int]\nevens xs = map (\\x -> x * 10) (filter (\\x -> x `mod` 2 == 0) xs)\n' },
  {
    name: 'tuples',
    main: 'swapAll',
    args: ['[(1, "a"), (2, "b")]'],
    source: 'swapAll :: [(Int, Text)] -> [(Text, Int)]\nswapAll ps = map swap1 ps\n\nswap1 :: (Int, Text) -> (Text, Int)\nswap1 (n, t) = (t, n + 1)\n',
  },
  { name: 'text', main: 'greet', args: ['"naïve"'], source: 'greet :: Text -> (Text, Int, Bool)\ngreet t = ("hi " ++ t ++ "!" ++ show (textLength t), textLength t, t == "naïve")\n' },
  { name: 'failure', main: 'half', args: ['0'], source: 'half :: Int -> Int\nhalf n = 10 / n\n' },
];

function interpreted(source: string, main: string, args: readonly string[], world: WorldInput = {}): { shown: string; effects: unknown[]; clock: number } {
  const r = runMain(
    loadProgram(parseProgram(source, 'p.tel')),
    main,
    args.map((a, i) => parseExpression(a, `<argument ${i + 1}>`)),
    { world },
  );
  return { shown: r.error ? `error ${r.error.code}` : r.shown!, effects: r.effects.map(loggedEffect), clock: r.clock };
}

function expectedOf(source: string, main: string, args: readonly string[]): string {
  return interpreted(source, main, args).shown;
}

/** Runs the image from reset on `on`, segment by segment: the drive, the trace's records outside the circuit (traps other than the yielding ecall, ebreak), and its mcycle reads (the budget checks). */
async function drive(p: TelProvingImage, on: 'iss' | 'sim', world: WorldInput = {}): Promise<{ drive: TelDrive; outside: string[]; steps: number; budgetChecks: number }> {
  const segments = segmentsOn(on, 5_000_000);
  const d = await driveTel(new ReplayCore(p.image.bytes, segments.source), new MemoryWorld(world), world.start ?? 0);
  const outside = segments.trace.filter((t) => (t.trap && t.cause !== 11) || decode(t.insn).op === 'ebreak').map((t) => `${decode(t.insn).op} at 0x${t.pc.toString(16)}`);
  const budgetChecks = segments.trace.filter((t) => !t.trap && decode(t.insn).op === 'csrrs' && decode(t.insn).csr === 0xb00).length;
  return { drive: d, outside, steps: segments.trace.length, budgetChecks };
}

/** A pure program's result on the ISS: it never yields (no ecall) and uses nothing outside the circuit. */
async function onIss(p: TelProvingImage): Promise<string> {
  const { drive: d, outside, budgetChecks } = await drive(p, 'iss');
  expect(outside).toEqual([]);
  expect(budgetChecks).toBeGreaterThan(0); // the image keeps its cycle-budget checks (mcycle reads), proved as CSR reads
  expect(d.hostWrites).toEqual([]);
  return d.output.shown;
}

const DIGEST = 'digest :: Int -> Double -> (Text, Hash)\ndigest n x = (show [negate x, x, toDouble n / 20.0], hashOf (n, [x]))\n';

const EFFECTS = `price :: Int -> Effect Int
price n = do
  p <- observe "price" on "eth"
  emit (show (p * n))
  return (p * n)

stamp :: Effect Int
stamp = now

tick :: Int -> Effect Int
tick n = do { t <- now; emit n; return (n + t) } <| return 0

failing :: Int -> Effect Int
failing n = do
  x <- observe "missing" on "eth"
  return (x + n)
`;
const EFFECT_WORLD: WorldInput = {
  start: 500,
  latency: { eth: 40 },
  facts: {
    eth: {
      price: [
        [0, 7],
        [520, 9],
      ],
    },
  },
};
const EFFECT_RUNS: ReadonlyArray<{ main: string; args: string[] }> = [
  { main: 'price', args: ['3'] },
  { main: 'stamp', args: [] },
  { main: 'tick', args: ['4'] },
  { main: 'failing', args: ['1'] },
];

describe('TEL proving images', () => {
  let dir: string;
  let repo: Repository;
  const images = new Map<string, TelProvingImage>();
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cax-tel-proof-'));
    repo = Repository.open(dir);
    const ctx = addContext(repo);
    ensurePrelude(ctx);
    for (const p of PROGRAMS) {
      addProgram(ctx, parseProgram(p.source, `${p.name}.tel`));
      images.set(p.name, provingImage(repo, new Loader(repo).find(p.main).hash, p.args));
    }
  });
  afterAll(() => {
    repo.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(PROGRAMS.map((p) => [p.name, p] as const))("%s: the ISS run from reset gives the interpreter's result", async (_name, p) => {
    expect(await onIss(images.get(p.name)!)).toBe(expectedOf(p.source, p.main, p.args));
  });

  it("for random arguments, the proving image on the ISS gives the interpreter's result (examples/gcd.tel report, lists)", async () => {
    const gcd = readFileSync('examples/gcd.tel', 'utf8');
    addProgram(addContext(repo), parseProgram(gcd, 'gcd.tel'));
    const show = (n: number): string => (n < 0 ? `(${n})` : String(n));
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: -2000, max: 2000 }), fc.integer({ min: -2000, max: 2000 }), async (a, b) => {
        const args = [show(a), show(b)];
        expect(await onIss(provingImage(repo, new Loader(repo).find('report').hash, args))).toBe(expectedOf(gcd, 'report', args));
      }),
      { numRuns: 15, seed: 9 },
    );
    const lists = PROGRAMS.find((p) => p.name === 'lists')!;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: -1000, max: 1000 }), { maxLength: 12 }), async (xs) => {
        const args = [`[${xs.map(show).join(', ')}]`];
        expect(await onIss(provingImage(repo, new Loader(repo).find(lists.main).hash, args))).toBe(expectedOf(lists.source, lists.main, args));
      }),
      { numRuns: 15, seed: 9 },
    );
  });

  it('runs hashOf and show of a Double on the core, without asking the host, on the ISS and the simulation alike; refuses a function argument', async () => {
    addProgram(addContext(repo), parseProgram(DIGEST, 'digest.tel'));
    const image = provingImage(repo, new Loader(repo).find('digest').hash, ['2', '(-1.0e-7)']);
    const expected = expectedOf(DIGEST, 'digest', ['2', '(-1.0e-7)']);
    expect(expected).toMatch(/^\("\[1\.0e-7,-1\.0e-7,0\.1\]",@[0-9a-f]{64}\)$/);
    expect(await onIss(image)).toBe(expected);
    const { drive: d, outside } = await drive(image, 'sim');
    expect([d.output.shown, d.hostWrites, outside]).toEqual([expected, [], []]);
    expect(() => provingImage(repo, new Loader(repo).find('evens').hash, ['map'])).toThrow(expect.objectContaining({ code: 'E_TYPE' }));
  });

  it("refuses a run that reaches an ecall other than the proving stub's yield (the runtime makes none)", async () => {
    const p = images.get('ints')!;
    const elsewhere: Access = { pc: p.image.codeStart, insn: 0x73, kind: ACCESS_ECALL, addr: 0, data: RAM_BASE };
    const d = driveTel(new ReplayCore(p.image.bytes, () => Promise.resolve([elsewhere])), new MemoryWorld({}), 0);
    await expect(d).rejects.toMatchObject({ code: 'E_PROOF_REJECTED', message: expect.stringContaining("not the proving stub's yield") });
  });

  it('the simulation gives the same results', async () => {
    for (const p of PROGRAMS) {
      const { drive: d, outside } = await drive(images.get(p.name)!, 'sim');
      expect(outside).toEqual([]);
      expect(d.output.shown).toBe(expectedOf(p.source, p.main, p.args));
    }
  });

  it("programs with effects yield at their ecalls and give the interpreter's value, effect log and end time, on the ISS and the simulation alike", async () => {
    addProgram(addContext(repo), parseProgram(EFFECTS, 'effects.tel'));
    for (const r of EFFECT_RUNS) {
      const image = provingImage(repo, new Loader(repo).find(r.main).hash, r.args);
      const expected = interpreted(EFFECTS, r.main, r.args, EFFECT_WORLD);
      const [iss, sim] = [await drive(image, 'iss', EFFECT_WORLD), await drive(image, 'sim', EFFECT_WORLD)];
      for (const run of [iss, sim]) {
        expect(run.outside).toEqual([]);
        expect({ shown: run.drive.output.shown, effects: run.drive.effects.map(loggedEffect), clock: run.drive.clock }).toEqual(expected);
        expect(run.drive.hostWrites.length).toBeGreaterThan(0); // at least the finish
      }
      expect(sim.drive.hostWrites).toEqual(iss.drive.hostWrites);
      expect(sim.steps).toBe(iss.steps);
    }
  });
});

const SCALE = 'scale :: Int -> Int\nscale n = n * 6\n\ntriple :: Int -> Int\ntriple n = n * 3\n';

describe('cax prove and cax verify on a TEL definition (ISS trace)', () => {
  let home: string;
  let receipt: string;
  const json: { receipt?: string; path?: string; tel?: Record<string, unknown> } = {};
  beforeAll(async () => {
    // a fresh store and receipts, with the circuit and keys of `make proof-keys`
    home = mkdtempSync(join(tmpdir(), 'cax-tel-prove-'));
    for (const d of ['keys', 'circuits']) symlinkSync(resolve('build/proof/home', d), join(home, d));
    writeFileSync(join(home, 'scale.tel'), SCALE);
    const io = captureIO({ env: { CAX_HOME: home }, cwd: home });
    expect(await runCli(['--json', 'prove', 'scale.tel', '7', '--main', 'scale', '--on', 'iss', '--steps', String(DEV_SIZE.steps)], io)).toBe(0);
    Object.assign(json, JSON.parse(io.stdout.join('')) as typeof json);
    receipt = json.path!;
  }, 600_000); // proving ~280 steps: about 45 s of CPU over 2 workers, longer on a shared machine
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  const verify = async (file: string, ...flags: string[]): Promise<{ code: number; out: string }> => {
    const io = captureIO({ env: { CAX_HOME: home }, cwd: home });
    const code = await runCli(['--json', 'verify', file, ...flags], io);
    return { code, out: [...io.stdout, ...io.stderr].join('\n') };
  };

  it('the receipt names the definition, the arguments and the result the interpreter gives', async () => {
    const repo = Repository.open(home);
    try {
      expect(json.tel).toEqual({ definition: new Loader(repo).find('scale').hash, args: ['7'], type: 'Int', value: expectedOf(SCALE, 'scale', ['7']), effects: [], start: 0, clock: 0, latencies: {} });
    } finally {
      repo.close();
    }
    expect(json.tel!.value).toBe('42');
    expect((await verify(receipt)).code).toBe(0);
    expect((await verify(receipt, '--recompile')).code).toBe(0); // the definition in the store, compiled again, is the proved image
  });

  it('the simulation and the ISS give the same trace to prove; an unknown name is refused, show of a Double is not', async () => {
    // host/proof/tel-prove.ts as `cax prove` uses it: the proving image from the store, then the run.
    const runTelForProof = async (name: string, args: string[], options: { maxCycles: number; on: 'sim' | 'iss' }, source?: string): Promise<TelRun> => {
      const repo = Repository.open(home);
      let program: TelProvingImage;
      try {
        ensurePrelude(addContext(repo));
        program = telProvingImage(repo, { name, ...(source !== undefined ? { source: { file: 'show.tel', text: source } } : {}) }, args);
      } finally {
        repo.close();
      }
      return runTelProvingImage(program, name, options);
    };
    const options = { maxCycles: 100_000 };
    const [sim, iss] = [await runTelForProof('scale', ['7'], { ...options, on: 'sim' }), await runTelForProof('scale', ['7'], { ...options, on: 'iss' })];
    expect(sim.run.image.hash).toBe(iss.run.image.hash);
    expect(sim.run.trace.length).toBe(iss.run.trace.length);
    expect(sim.run.trace.map((r) => [r.pc, r.insn, r.rd, r.rdValue, r.memAddr, r.memData])).toEqual(iss.run.trace.map((r) => [r.pc, r.insn, r.rd, r.rdValue, r.memAddr, r.memData]));
    await expect(runTelForProof('noSuchDefinition', [], { ...options, on: 'iss' })).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
    // show of a Double runs on the core: no ecall but the stub's yield, so nothing to refuse
    expect((await runTelForProof('showD', ['1.5'], { maxCycles: 30_000, on: 'iss' }, 'showD :: Double -> Text\nshowD x = show x\n')).claim.value).toBe('"1.5"');
  });

  it('cax verify refuses a receipt claiming another value, other arguments or another definition (and with --recompile another type)', async () => {
    const original = decodeReceipt(readFileSync(receipt));
    expect(original.hostWrites).toEqual([]); // a pure run never yields
    const repo = Repository.open(home);
    const triple = new Loader(repo).find('triple').hash;
    repo.close();
    const cases = [
      { tel: { ...original.tel!, value: '43' }, flags: [], reason: 'claims the result 43' },
      { tel: { ...original.tel!, args: ['8'] }, flags: [], reason: 'claims the arguments 8, but the proved image holds 7' },
      // The arguments relabelled with a matching input hash: the image's argument block still holds 7.
      {
        tel: { ...original.tel!, args: ['8'] },
        inputHash: createHash('sha256')
          .update(argumentsInput([8]))
          .digest('hex'),
        flags: [],
        reason: 'the proved image holds 7',
      },
      {
        tel: { ...original.tel!, args: ['7'] },
        inputHash: createHash('sha256')
          .update(argumentsInput([8]))
          .digest('hex'),
        flags: [],
        reason: 'input hash',
      },
      { tel: { ...original.tel!, definition: triple }, flags: ['--recompile'], reason: 'the receipt is for program' },
      // Relabelled with another definition: the proved image names the one it was compiled from.
      { tel: { ...original.tel!, definition: triple }, flags: [], reason: `but the proved image names ${original.tel!.definition}` },
      // A type that would rewrite the terminal line: checked against the recompiled definition.
      { tel: { ...original.tel!, type: 'Int\r\u001b[2K = 1337 :: Int' }, flags: ['--recompile'], reason: 'claims the type Int' },
    ];
    for (const [i, c] of cases.entries()) {
      const file = join(home, `forged-${i}.msgpack`);
      writeFileSync(file, encodeReceipt({ ...original, tel: c.tel, inputHash: c.inputHash ?? original.inputHash }));
      const { code, out } = await verify(file, ...c.flags);
      expect(code).toBe(1);
      expect(out).toContain('E_VERIFY');
      expect(out).toContain(c.reason);
    }
    // Without --recompile the type is not checked, so it is not shown as verified, and shown escaped.
    const relabelled = join(home, 'relabelled.msgpack');
    writeFileSync(relabelled, encodeReceipt({ ...original, tel: { ...original.tel!, type: 'Int\r\u001b[2K' } }));
    const io = captureIO({ env: { CAX_HOME: home }, cwd: home });
    expect(await runCli(['verify', relabelled], io)).toBe(0);
    const text = io.stdout.join('');
    expect(text).toMatch(/claimed, NOT verified: @[0-9a-f]{32} 7 = 42 :: Int\\x0d\\x1b\[2K\n/);
    expect(text).toContain('not checked: whether the proved image is the compiled definition it names, and the type');
    expect(text).not.toMatch(/[\r\u001b]/); // eslint-disable-line no-control-regex
  });
});

const SHOW_DOUBLE = 'third :: Double -> Text\nthird x = show (x / 3.0)\n';

describe('cax prove and cax verify of show of a Double, computed on the core (ISS trace)', () => {
  let home: string;
  let receipt: string;
  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'cax-tel-double-'));
    for (const d of ['keys', 'circuits']) symlinkSync(resolve('build/proof/home', d), join(home, d));
    writeFileSync(join(home, 'third.tel'), SHOW_DOUBLE);
    const io = captureIO({ env: { CAX_HOME: home }, cwd: home });
    expect(await runCli(['--json', 'prove', 'third.tel', '9.0', '--main', 'third', '--on', 'iss', '--steps', String(DEV_SIZE.steps)], io)).toBe(0);
    receipt = (JSON.parse(io.stdout.join('')) as { path: string }).path;
  }, 900_000); // proving ~1,900 steps (a soft-float division, the shortest digits of 3.0): about 6 min of CPU over 2 workers

  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it("the receipt claims the interpreter's text, verifies, and a receipt claiming another text is refused", async () => {
    const original = decodeReceipt(readFileSync(receipt));
    expect(original.tel!.value).toBe(expectedOf(SHOW_DOUBLE, 'third', ['9.0']));
    expect(original.tel!.value).toBe('"3.0"');
    expect(original.hostWrites).toEqual([]); // no ecall: the digits are proved instructions
    const verify = async (file: string): Promise<{ code: number; out: string }> => {
      const io = captureIO({ env: { CAX_HOME: home }, cwd: home });
      const code = await runCli(['--json', 'verify', file], io);
      return { code, out: [...io.stdout, ...io.stderr].join('\n') };
    };
    expect((await verify(receipt)).code).toBe(0);
    const forged = join(home, 'forged.msgpack');
    writeFileSync(forged, encodeReceipt({ ...original, tel: { ...original.tel!, value: '"3.00"' } }));
    const { code, out } = await verify(forged);
    expect(code).toBe(1);
    expect(out).toContain('E_VERIFY');
    expect(out).toMatch(/claims the result \\*"3\.00\\*", but the proved run gives \\*"3\.0\\*"/);
  });
});

const PEEK = 'peek :: Int -> Effect Int\npeek n = do { p <- observe "price" on "eth"; return (p * n) }\n';
const PEEK_WORLD: WorldInput = { latency: { eth: 40 }, facts: { eth: { price: 7 } } };

describe('cax prove and cax verify on a TEL definition with effects (ISS trace)', () => {
  let home: string;
  let receipt: string;
  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'cax-tel-effects-'));
    for (const d of ['keys', 'circuits']) symlinkSync(resolve('build/proof/home', d), join(home, d));
    writeFileSync(join(home, 'peek.tel'), PEEK);
    writeFileSync(join(home, 'world.json'), JSON.stringify(PEEK_WORLD));
    const io = captureIO({ env: { CAX_HOME: home }, cwd: home });
    expect(await runCli(['--json', 'prove', 'peek.tel', '3', '--main', 'peek', '--world', 'world.json', '--on', 'iss', '--steps', String(DEV_SIZE.steps)], io)).toBe(0);
    receipt = (JSON.parse(io.stdout.join('')) as { path: string }).path;
  }, 900_000); // proving ~1270 steps (an observe, its continuation, the finish): about 4 min of CPU over 2 workers

  afterAll(() => rmSync(home, { recursive: true, force: true }));

  const verify = async (file: string): Promise<{ code: number; out: string }> => {
    const io = captureIO({ env: { CAX_HOME: home }, cwd: home });
    const code = await runCli(['--json', 'verify', file], io);
    return { code, out: [...io.stdout, ...io.stderr].join('\n') };
  };

  it("the receipt claims the interpreter's value and effect log, the world's answer entered at the ecall, and it verifies", async () => {
    const r = decodeReceipt(readFileSync(receipt));
    const expected = interpreted(PEEK, 'peek', ['3'], PEEK_WORLD);
    expect(r.tel).toMatchObject({ value: '21', effects: expected.effects, clock: expected.clock, start: 0, latencies: { eth: 40 } });
    expect(r.tel!.effects).toEqual([{ start: 0, time: 40, timeline: 'eth', kind: 'observe', args: ['price'], result: 7 }]);
    expect(r.hostWrites.length).toBe(2); // the continuation applied to 7, then finish
    expect(r.chunks.flatMap((c) => decodeAccesses(c.accesses)).filter((a) => a.kind === ACCESS_ECALL).length).toBe(2);
    expect((await verify(receipt)).code).toBe(0);
    const io = captureIO({ env: { CAX_HOME: home }, cwd: home });
    expect(await runCli(['verify', receipt], io)).toBe(0);
    expect(io.stdout.join('')).toContain('3 = 21 :: Effect Int\n  at 40: observe "price" on eth → 7\n');
  });

  it('cax verify refuses another effect result, another end time, a dropped effect and changed host writes', async () => {
    const original = decodeReceipt(readFileSync(receipt));
    const tel = original.tel!;
    const flipped = original.hostWrites.map((list) => list.map((w) => ({ addr: w.addr, bytes: Uint8Array.from(w.bytes) })));
    const args = flipped[0]![0]!.bytes; // the heap the continuation's arguments are written to: 7 in it
    expect(args.indexOf(7)).toBeGreaterThanOrEqual(0);
    args[args.indexOf(7)] = 8;
    const cases = [
      // the world's answer is in the memory the proved continuation read
      { receipt: { ...original, tel: { ...tel, effects: [{ ...tel.effects[0]!, result: 8 }], value: '24' } }, reason: 'reads 0x7, but memory holds 0x8' },
      { receipt: { ...original, tel: { ...tel, clock: tel.clock + 1 } }, reason: 'ends at time' },
      { receipt: { ...original, tel: { ...tel, effects: [] } }, reason: 'not a TEL run of its claim' },
      { receipt: { ...original, hostWrites: flipped }, reason: 'E_VERIFY' },
      // one entry too few: the finish lands at the first ecall, where the proved continuation did not see it
      { receipt: { ...original, hostWrites: original.hostWrites.slice(1) }, reason: 'reads 0x0, but memory holds 0x1' },
      // a write into the image (the very bytes it holds, so memory is unchanged): outside the protocol's mailbox and heap
      {
        receipt: {
          ...original,
          hostWrites: [[{ addr: 0x80000000 + original.program.image.length - 4, bytes: original.program.image.slice(-4) }, ...original.hostWrites[0]!], ...original.hostWrites.slice(1)],
        },
        reason: 'outside the mailbox and the heap',
      },
    ];
    for (const [i, c] of cases.entries()) {
      const file = join(home, `forged-${i}.msgpack`);
      writeFileSync(file, encodeReceipt(c.receipt));
      const { code, out } = await verify(file);
      expect(code).toBe(1);
      expect(out).toContain('E_VERIFY');
      expect(out).toContain(c.reason);
    }
  });
});
