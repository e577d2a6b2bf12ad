// Proving TEL programs (docs/proofs.md, "Proving TEL programs"): the
// standalone proving image of a stored definition runs on the ISS and on the
// Verilator simulation from reset to EXIT and leaves the value the
// interpreter computes; effects and hashOf are refused when compiling; and
// `cax prove FILE.tel ARGS` proves one (on the ISS trace, with the keys of
// `make proof-keys`) into a receipt naming its result, which `cax verify`
// accepts, and refuses with another value or other arguments claimed.
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runTelForProof } from '../../host/cli/commands/prove-tel.js';
import { runCli } from '../../host/cli/program.js';
import { provingImage, type TelProvingImage } from '../../host/compiler/prove-image.js';
import { decodeReceipt, encodeReceipt } from '../../host/proof/receipt.js';
import { memoryReader, telOutput } from '../../host/proof/tel-output.js';
import { decode } from '../../host/riscv/decode.js';
import { Iss } from '../../host/riscv/iss.js';
import { RAM_BASE } from '../../host/riscv/machine.js';
import { runSim } from '../../host/sim/simulator.js';
import { addProgram } from '../../host/store/add.js';
import { Loader } from '../../host/store/loader.js';
import { Repository } from '../../host/store/repository.js';
import { addContext, ensurePrelude } from '../../host/store/tel-env.js';
import { loadProgram, runMain } from '../../host/tel/interp.js';
import { parseExpression, parseProgram } from '../../host/tel/parser.js';
import { captureIO } from '../helpers/cli-io.js';

const PROGRAMS: ReadonlyArray<{ name: string; source: string; main: string; args: string[] }> = [
  { name: 'ints', main: 'go', args: ['7', '-3'], source: 'go :: Int -> Int -> Int\ngo a b = a * b + a / b - b `mod` 2\n' },
  { name: 'lists', main: 'evens', args: ['[1, 2, 3, 4, 5, 6]'], source: 'evens :: [Int] -> [Int]\nevens xs = map (\\x -> x * 10) (filter (\\x -> x `mod` 2 == 0) xs)\n' },
  { name: 'tuples', main: 'swapAll', args: ['[(1, "a"), (2, "b")]'], source: 'swapAll :: [(Int, Text)] -> [(Text, Int)]\nswapAll ps = map swap1 ps\n\nswap1 :: (Int, Text) -> (Text, Int)\nswap1 (n, t) = (t, n + 1)\n' },
  { name: 'text', main: 'greet', args: ['"naïve"'], source: 'greet :: Text -> (Text, Int, Bool)\ngreet t = ("hi " ++ t ++ "!" ++ show (textLength t), textLength t, t == "naïve")\n' },
  { name: 'failure', main: 'half', args: ['0'], source: 'half :: Int -> Int\nhalf n = 10 / n\n' },
];

function expectedOf(source: string, main: string, args: readonly string[]): string {
  const r = runMain(loadProgram(parseProgram(source, 'p.tel')), main, args.map((a, i) => parseExpression(a, `<argument ${i + 1}>`)));
  return r.error ? `error ${r.error.code}` : r.shown!;
}

/** Runs the image on the ISS from reset to EXIT; the result from the final registers and memory. */
function onIss(p: TelProvingImage): string {
  const iss = new Iss();
  iss.load(p.image.bytes);
  const outside: string[] = [];
  iss.setTraceSink((t) => {
    const op = decode(t.insn).op;
    if (t.trap || op.startsWith('csr') || op === 'ecall' || op === 'ebreak') outside.push(`${op} at 0x${t.pc.toString(16)}`);
  });
  const r = iss.run({ maxCycles: 5_000_000 });
  expect(r.ended).toBe('exit');
  expect(outside).toEqual([]); // no CSR, ecall or trap: nothing the step circuit refuses
  const ram = iss.readMemory(RAM_BASE, iss.ramBytes);
  return telOutput(iss.reg(10), iss.reg(11), memoryReader(RAM_BASE, ram)).shown;
}

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

  it.each(PROGRAMS.map((p) => [p.name, p] as const))('%s: the ISS run from reset gives the interpreter\'s result', (_name, p) => {
    expect(onIss(images.get(p.name)!)).toBe(expectedOf(p.source, p.main, p.args));
  });

  it('for random arguments, the proving image on the ISS gives the interpreter\'s result (examples/gcd.tel report, lists)', () => {
    const gcd = readFileSync('examples/gcd.tel', 'utf8');
    addProgram(addContext(repo), parseProgram(gcd, 'gcd.tel'));
    const show = (n: number): string => (n < 0 ? `(${n})` : String(n));
    fc.assert(
      fc.property(fc.integer({ min: -2000, max: 2000 }), fc.integer({ min: -2000, max: 2000 }), (a, b) => {
        const args = [show(a), show(b)];
        expect(onIss(provingImage(repo, new Loader(repo).find('report').hash, args))).toBe(expectedOf(gcd, 'report', args));
      }),
      { numRuns: 15, seed: 9 },
    );
    const lists = PROGRAMS.find((p) => p.name === 'lists')!;
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1000, max: 1000 }), { maxLength: 12 }), (xs) => {
        const args = [`[${xs.map(show).join(', ')}]`];
        expect(onIss(provingImage(repo, new Loader(repo).find(lists.main).hash, args))).toBe(expectedOf(lists.source, lists.main, args));
      }),
      { numRuns: 15, seed: 9 },
    );
  });

  it('refuses effects and hashOf when compiling, with E_UNSUPPORTED', () => {
    const ctx = addContext(repo);
    addProgram(ctx, parseProgram('tick :: Int -> Effect Int\ntick n = do { emit n; return (n + 1) }\n\ndigest :: Int -> Hash\ndigest n = hashOf n\n', 'refused.tel'));
    for (const [name, arg] of [['tick', '1'], ['digest', '2']] as const) {
      expect(() => provingImage(repo, new Loader(repo).find(name).hash, [arg])).toThrow(expect.objectContaining({ code: 'E_UNSUPPORTED' }));
    }
    expect(() => provingImage(repo, new Loader(repo).find('evens').hash, ['map'])).toThrow(expect.objectContaining({ code: 'E_TYPE' }));
  });

  it('the simulation gives the same results', async () => {
    for (const p of PROGRAMS) {
      const img = images.get(p.name)!;
      const file = join(dir, `${p.name}.bin`);
      writeFileSync(file, img.image.bytes);
      const { summary } = await runSim({ program: file, raw: true, maxCycles: 5_000_000, dumpRegs: true, dumpMem: { from: `0x${RAM_BASE.toString(16)}`, to: '0x80020000' } });
      expect(summary.end).toBe('pass');
      const ram = Buffer.from(summary.mem!.hex, 'hex');
      expect(telOutput(summary.regs![10]!, summary.regs![11]!, memoryReader(summary.mem!.from, ram)).shown).toBe(expectedOf(p.source, p.main, p.args));
    }
  });
});

const SCALE = 'scale :: Int -> Int\nscale n = n * 6\n\ntriple :: Int -> Int\ntriple n = n * 3\n';

describe('cax prove and cax verify on a TEL definition (ISS trace)', () => {
  let home: string;
  let receipt: string;
  const json: { receipt?: string; path?: string; tel?: { definition: string; args: string[]; type: string; value: string } } = {};
  beforeAll(async () => {
    // a fresh store and receipts, with the circuit and keys of `make proof-keys`
    home = mkdtempSync(join(tmpdir(), 'cax-tel-prove-'));
    for (const d of ['keys', 'circuits']) symlinkSync(resolve('build/proof/home', d), join(home, d));
    writeFileSync(join(home, 'scale.tel'), SCALE);
    const io = captureIO({ env: { CAX_HOME: home }, cwd: home });
    expect(await runCli(['--json', 'prove', 'scale.tel', '7', '--main', 'scale', '--on', 'iss', '--steps', '4'], io)).toBe(0);
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
      expect(json.tel).toEqual({ definition: new Loader(repo).find('scale').hash, args: ['7'], type: 'Int', value: expectedOf(SCALE, 'scale', ['7']) });
    } finally {
      repo.close();
    }
    expect(json.tel!.value).toBe('42');
    expect((await verify(receipt)).code).toBe(0);
    expect((await verify(receipt, '--recompile')).code).toBe(0); // the definition in the store, compiled again, is the proved image
  });

  it('the simulation and the ISS give the same trace to prove; an unknown name, and a run that reaches an ecall, are refused', async () => {
    const io = captureIO({ env: { CAX_HOME: home }, cwd: home });
    const options = { main: 'main', maxCycles: 100_000 };
    const [sim, iss] = [await runTelForProof(io, 'scale', ['7'], { ...options, on: 'sim' }), await runTelForProof(io, 'scale', ['7'], { ...options, on: 'iss' })];
    expect(sim.run.image.hash).toBe(iss.run.image.hash);
    expect(sim.run.trace.length).toBe(iss.run.trace.length);
    expect(sim.run.trace.map((r) => [r.pc, r.insn, r.rd, r.rdValue, r.memAddr, r.memData])).toEqual(iss.run.trace.map((r) => [r.pc, r.insn, r.rd, r.rdValue, r.memAddr, r.memData]));
    await expect(runTelForProof(io, 'noSuchDefinition', [], { ...options, on: 'iss' })).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
    writeFileSync(join(home, 'show.tel'), 'showD :: Double -> Text\nshowD x = show x\n');
    await expect(runTelForProof(io, 'show.tel', ['1.5'], { main: 'showD', maxCycles: 30_000, on: 'iss' })).rejects.toMatchObject({ code: 'E_UNSUPPORTED' });
  });

  it('cax verify refuses a receipt claiming another value, or other arguments, and with --recompile another definition', async () => {
    const original = decodeReceipt(readFileSync(receipt));
    const repo = Repository.open(home);
    const triple = new Loader(repo).find('triple').hash;
    repo.close();
    const cases = [
      { tel: { ...original.tel!, value: '43' }, flags: [], reason: 'claims the result 43' },
      { tel: { ...original.tel!, args: ['8'] }, flags: [], reason: 'input hash' },
      { tel: { ...original.tel!, definition: triple }, flags: ['--recompile'], reason: 'the receipt is for program' },
    ];
    for (const [i, c] of cases.entries()) {
      const file = join(home, `forged-${i}.msgpack`);
      writeFileSync(file, encodeReceipt({ ...original, tel: c.tel }));
      const { code, out } = await verify(file, ...c.flags);
      expect(code).toBe(1);
      expect(out).toContain('E_VERIFY');
      expect(out).toContain(c.reason);
    }
  });
});
