// The development powers-of-tau made from a τ known while it is made
// (host/proof/dev-ptau.ts, docs/proofs.md "Setup and keys"): it has the
// structure of the file snarkjs's own ceremony makes (new, contribute,
// preparePhase2), snarkjs's `powersoftau verify` accepts it and refuses it
// with one point moved, and keys made from it prove and verify a run, with
// `cax zk verify-setup` holding against it and failing against the file
// with one Lagrange point moved.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as snarkjs from 'snarkjs';
import { getCurveFromName } from 'ffjavascript';
import { runCli } from '../../host/cli/program.js';
import { compileCircuit, ptauPower } from '../../host/proof/circuit.js';
import { releaseCurve } from '../../host/proof/curve.js';
import { DEV_PTAU_CONTRIBUTION, makeDevPtau } from '../../host/proof/dev-ptau.js';
import { circuitKeys, devPtau, devPtauPath, verifyCachedKey } from '../../host/proof/setup.js';
import { captureIO } from '../helpers/cli-io.js';
import { exitWith, li } from '../riscv/asm.js';

/** The sections of a binfileutils file (type, offset of the data, size), and its header. */
function sections(file: Buffer): { magic: string; version: number; list: { type: number; at: number; size: number }[] } {
  const list: { type: number; at: number; size: number }[] = [];
  let at = 12;
  for (let i = 0; i < file.readUInt32LE(8); i++) {
    const size = Number(file.readBigUInt64LE(at + 4));
    list.push({ type: file.readUInt32LE(at), at: at + 12, size });
    at += 12 + size;
  }
  expect(at).toBe(file.length);
  return { magic: file.subarray(0, 4).toString('latin1'), version: file.readUInt32LE(4), list };
}

/** snarkjs's verdict on a .ptau file, and what it logged as errors and as information. */
async function snarkjsVerify(file: string): Promise<{ ok: boolean; errors: string[]; info: string[] }> {
  const errors: string[] = [];
  const info: string[] = [];
  const ok = await snarkjs.powersOfTau.verify(file, { debug: () => undefined, info: (m) => info.push(m), warn: (m) => errors.push(m), error: (m) => errors.push(m) });
  return { ok, errors, info };
}

/** A copy of the file with points i and j of section `type` swapped (both remain valid points). */
function swapped(file: string, to: string, type: number, pointBytes: number, i: number, j: number): void {
  const bytes = readFileSync(file);
  const s = sections(bytes).list.find((x) => x.type === type)!;
  const a = Buffer.from(bytes.subarray(s.at + i * pointBytes, s.at + (i + 1) * pointBytes));
  bytes.copy(bytes, s.at + i * pointBytes, s.at + j * pointBytes, s.at + (j + 1) * pointBytes);
  a.copy(bytes, s.at + j * pointBytes);
  writeFileSync(to, bytes);
}

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cax-dev-ptau-'));
});

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await releaseCurve();
});

describe('a development powers-of-tau from a known τ', () => {
  const POWER = 8;
  let mine: string;

  beforeAll(async () => {
    mine = join(dir, 'mine.ptau');
    const progress: [number, number][] = [];
    await makeDevPtau(mine, POWER, (done, total) => progress.push([done, total]));
    // every point is reported once: 12·2^P − 4 in G1 and 3·2^P in G2
    const total = 15 * 2 ** POWER - 4;
    expect(progress.at(-1)).toEqual([total, total]);
    expect(progress.every(([done], k) => k === 0 || done > progress[k - 1]![0])).toBe(true);
  }, 120_000);

  it('has the sections, sizes and header of the file snarkjs’s ceremony makes', async () => {
    const curve = await getCurveFromName('bn128');
    const theirs = join(dir, 'theirs.ptau');
    await snarkjs.powersOfTau.newAccumulator(curve, POWER, `${theirs}.0`);
    await snarkjs.powersOfTau.contribute(`${theirs}.0`, `${theirs}.1`, 'snarkjs', 'some entropy');
    await snarkjs.powersOfTau.preparePhase2(`${theirs}.1`, theirs);
    const a = readFileSync(mine);
    const b = readFileSync(theirs);
    const [sa, sb] = [sections(a), sections(b)];
    expect(sa.magic).toBe('ptau');
    expect({ ...sa, list: sa.list.map((s) => s.type) }).toEqual({ ...sb, list: sb.list.map((s) => s.type) });
    expect(sa.list.map((s) => s.type)).toEqual([1, 2, 3, 4, 5, 6, 7, 12, 13, 14, 15]);
    // the same sizes, but for the contribution's name
    const name = (n: string): number => new TextEncoder().encode(n).length;
    for (const [k, s] of sa.list.entries()) expect(s.size).toBe(sb.list[k]!.size + (s.type === 7 ? name(DEV_PTAU_CONTRIBUTION) - name('snarkjs') : 0));
    // the header: field size, prime, power, ceremony power
    const header = (f: Buffer, s: { at: number; size: number }): Buffer => f.subarray(s.at, s.at + s.size);
    expect(header(a, sa.list[0]!)).toEqual(header(b, sb.list[0]!));
    // the first point of tauG1 and of its Lagrange bases of the domain of 1 are the generator in both
    for (const type of [2, 12]) {
      const [x, y] = [sa.list.find((s) => s.type === type)!, sb.list.find((s) => s.type === type)!];
      expect(a.subarray(x.at, x.at + 64)).toEqual(b.subarray(y.at, y.at + 64));
    }
  }, 120_000);

  it('is accepted by snarkjs’s powersoftau verify, with its one contribution', async () => {
    const verdict = await snarkjsVerify(mine);
    expect(verdict.errors).toEqual([]);
    expect(verdict.ok).toBe(true);
    expect(verdict.info).toContain(`Contribution #1: ${DEV_PTAU_CONTRIBUTION}`);
  }, 120_000);

  it('two files differ (fresh secrets each time)', async () => {
    const again = join(dir, 'again.ptau');
    await makeDevPtau(again, POWER);
    const [a, b] = [readFileSync(mine), readFileSync(again)];
    const tauG1 = (f: Buffer): Buffer => {
      const s = sections(f).list.find((x) => x.type === 2)!;
      return f.subarray(s.at + 64, s.at + 128);
    };
    expect(tauG1(a)).not.toEqual(tauG1(b));
  }, 120_000);

  it('with two powers of τ swapped, or two Lagrange bases, snarkjs’s verify refuses it', async () => {
    const bad = join(dir, 'bad.ptau');
    swapped(mine, bad, 2, 64, 5, 6);
    const powers = await snarkjsVerify(bad);
    expect(powers.ok).toBe(false);
    expect(powers.errors.join('\n')).toMatch(/tauG1 section\. Powers do not match/);
    // the bases of the domain of 2^POWER (after those of 2^0 … 2^(POWER−1)) in the G2 section
    swapped(mine, bad, 13, 128, 2 ** POWER - 1 + 3, 2 ** POWER - 1 + 4);
    const bases = await snarkjsVerify(bad);
    expect(bases.ok).toBe(false);
    expect(bases.errors.join('\n')).toMatch(/Phase2 caclutation does not match with powers of tau/);
  }, 120_000);

  it('refuses a power it cannot make, and one above what it makes in memory', async () => {
    await expect(makeDevPtau(join(dir, 'zero.ptau'), 0)).rejects.toMatchObject({ code: 'E_USAGE', message: expect.stringMatching(/the power must be a positive integer/) });
    await expect(makeDevPtau(join(dir, 'huge.ptau'), 19)).rejects.toMatchObject({ code: 'E_UNSUPPORTED', message: expect.stringMatching(/made in memory, it goes up to 2\^18/) });
  });
});

describe('keys from a development powers-of-tau made from a known τ', () => {
  let home: string;

  beforeAll(() => {
    home = join(dir, 'home');
  });

  it('prove and verify a run, and `cax zk verify-setup` holds against the file and not against it with one Lagrange point moved', async () => {
    // 4-step chunks need 2^11; no larger file is cached, so it is made
    const circuit = await compileCircuit({ steps: 4 }, home);
    expect(ptauPower(circuit)).toBe(11);
    const stages = new Set<string>();
    const ptau = await devPtau(home, 11, (stage) => stages.add(stage));
    expect([...stages]).toEqual(['points']);
    expect(ptau).toBe(devPtauPath(home, 11));
    const keys = await circuitKeys(home, circuit, ptau);
    expect((await verifyCachedKey(home, circuit, ptau)).map((c) => c.hash)).toEqual(keys.contributions.map((c) => c.hash));

    const tiny = join(dir, 'tiny.bin');
    writeFileSync(tiny, new Uint8Array(new Uint32Array([...li(5, 7), ...li(6, 35), ...exitWith(1)]).buffer));
    const io = captureIO({ env: { CAX_HOME: home } });
    expect(await runCli(['--json', 'prove', tiny, '--on', 'iss', '--steps', '4', '--workers', '2'], io)).toBe(0);
    const proved = JSON.parse(io.stdout.join('')) as { receipt: string; chunks: number };
    expect(proved.chunks).toBeGreaterThan(1);
    const check = captureIO({ env: { CAX_HOME: home } });
    expect(await runCli(['--json', 'verify', proved.receipt], check)).toBe(0);
    expect(JSON.parse(check.stdout.join(''))).toMatchObject({ ok: true, chunks: proved.chunks });

    const setup = captureIO({ env: { CAX_HOME: home } });
    expect(await runCli(['--json', 'zk', 'verify-setup', '--steps', '4'], setup)).toBe(0);

    // the Lagrange bases of the circuit's domain, 2^11, begin after those of 2^0 … 2^10 in the tauG1 Lagrange section
    const moved = join(dir, 'moved.ptau');
    copyFileSync(ptau, moved);
    swapped(ptau, moved, 12, 64, 2 ** 11 - 1, 2 ** 11);
    await expect(verifyCachedKey(home, circuit, moved)).rejects.toMatchObject({
      code: 'E_SETUP',
      message: expect.stringMatching(/is not a valid phase 2 of this circuit from .*moved\.ptau: INVALID: +Circuit does not match/),
    });
    const refused = captureIO({ env: { CAX_HOME: home } });
    expect(await runCli(['zk', 'verify-setup', '--steps', '4', '--ptau', moved], refused)).not.toBe(0);
    expect(refused.stderr.join('\n')).toMatch(/E_SETUP/);
  }, 900_000);
});
