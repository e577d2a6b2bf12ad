// UART input as a public input of a receipt (docs/proofs.md "Memory and
// instruction fetch", docs/receipt.md `uartInput`): a program that echoes the
// bytes it receives is proved with `cax prove --uart-input FILE` on the ISS
// and verified with `cax verify`, which shows the input; the replay refuses
// reads the input does not give; and forged input (a byte changed, added,
// dropped, bytes reordered, any change, input on a TEL receipt) is refused
// by the verifier, from the genuine receipt alone (the proofs do not cover
// the input: the replay does).
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { DEV_SIZE, compileCircuit, ptauPower } from '../../host/proof/circuit.js';
import { releaseCurve } from '../../host/proof/curve.js';
import { accessesOf, replayMemory } from '../../host/proof/access.js';
import { decodeReceipt, encodeReceipt, readReceipt, type Receipt } from '../../host/proof/receipt.js';
import { circuitKeys, devPtauPath, readVerificationKey } from '../../host/proof/setup.js';
import { parseVerificationKey, verifyReceipt, type VerificationKey } from '../../host/proof/verify.js';
import { traceOnIss } from '../../host/proof/prove.js';
import { runCli } from '../../host/cli/program.js';
import { UART_BASE } from '../../host/riscv/machine.js';
import { captureIO } from '../helpers/cli-io.js';
import { bType, exitWith, iType, jal, lui, rType, sType } from '../riscv/asm.js';

const HOME = resolve('build/proof/home');
const INPUT = 'hi\n';

/**
 * Echoes what it receives on the UART up to a newline: polls RXDATA (waiting
 * three divisions between polls), waits for the transmitter, sends the byte;
 * a0 counts the bytes.
 */
const ECHO = [
  lui(5, UART_BASE),
  iType('addi', 12, 0, 7),
  iType('lw', 6, 5, 4), // 2: RXDATA (bit 31: empty)
  bType('bge', 6, 0, 20), // a byte: to 8
  rType('div', 13, 6, 12),
  rType('div', 13, 6, 12),
  rType('div', 13, 6, 12),
  jal(0, -20), // to 2
  iType('lw', 7, 5, 0), // 8: TXDATA (bit 31: busy)
  bType('blt', 7, 0, -4),
  sType('sw', 5, 6, 0),
  iType('addi', 10, 10, 1),
  iType('addi', 9, 6, -10),
  bType('bne', 9, 0, -44), // not a newline: to 2
  ...exitWith(1),
];
const image = new Uint8Array(new Uint32Array(ECHO).buffer);
const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));

let dir: string;
let receipt: Receipt;
let vk: VerificationKey;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cax-uart-input-'));
  writeFileSync(join(dir, 'echo.bin'), image);
  writeFileSync(join(dir, 'input.txt'), INPUT);
  const circuit = await compileCircuit(DEV_SIZE, HOME);
  vk = parseVerificationKey(readVerificationKey((await circuitKeys(HOME, circuit, devPtauPath(HOME, ptauPower(circuit)))).vkey));
  const io = captureIO({ env: { CAX_HOME: HOME }, cwd: dir });
  expect(await runCli(['--json', 'prove', 'echo.bin', '--uart-input', 'input.txt', '--steps', String(DEV_SIZE.steps), '--workers', '2'], io)).toBe(0);
  const proved = JSON.parse(io.stdout.join('')) as { receipt: string; uartInput: string; output: { uart: string } };
  expect(proved).toMatchObject({ uartInput: INPUT, uartInputHex: '68690a', output: { uart: INPUT, a0: 3 } });
  receipt = readReceipt(HOME, proved.receipt, dir).receipt;
}, 900_000);

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await releaseCurve();
});

const withInput = (input: Uint8Array): Receipt => ({ ...decodeReceipt(encodeReceipt(receipt)), uartInput: input });

describe('a program echoing its UART input', () => {
  it('is proved with the input in the receipt, and `cax verify` verifies it and shows the input and the output', async () => {
    expect(Buffer.from(receipt.uartInput).toString('latin1')).toBe(INPUT);
    expect(Buffer.from(receipt.output.uart).toString('latin1')).toBe(INPUT);
    expect(await verifyReceipt(receipt, vk)).toMatchObject({ ok: true, exitCode: 0 });
    const file = join(dir, 'echo.msgpack');
    writeFileSync(file, encodeReceipt(receipt));
    const text = captureIO({ env: { CAX_HOME: HOME }, cwd: dir });
    expect(await runCli(['verify', file], text)).toBe(0);
    expect(text.stdout.join('\n')).toContain('uart input (3 bytes): "hi\\x0a"\nuart output (3 bytes): "hi\\x0a"\n');
    const json = captureIO({ env: { CAX_HOME: HOME }, cwd: dir });
    expect(await runCli(['--json', 'verify', file], json)).toBe(0);
    expect(JSON.parse(json.stdout[0]!)).toMatchObject({ ok: true, uartInput: INPUT, uartInputHex: '68690a', output: { uart: INPUT } });
  }, 120_000);

  it('is refused by the prover when the run does not read all its input, and the replay refuses a read the input does not give', () => {
    const ran = traceOnIss(image, 100_000, { uartInput: bytes('hi\nmore') });
    const replay = replayMemory(image, accessesOf(ran.trace), [], bytes('hi\nmore'));
    expect(replay).toMatchObject({ ok: false, reason: expect.stringMatching(/did not read 4 bytes of its UART input .* at its end/) });
    // the same run against no input: its first byte read is not there (RXDATA gives "empty")
    expect(replayMemory(image, accessesOf(ran.trace)).reason).toMatch(/reads 0x68, but the device gives 0x80000000/);
  });

  it('forged input is refused by the verifier: a byte changed, one added, one dropped, two reordered', async () => {
    const cases: [string, RegExp][] = [
      ['hx\n', /reads 0x69, but the device gives 0x78/],
      ['hi\n!', /did not read 1 byte of its UART input/],
      ['hi', /the device gives 0x80000000/],
      ['ih\n', /reads 0x68, but the device gives 0x69/],
      ['', /the device gives 0x80000000/],
    ];
    for (const [input, reason] of cases) expect(await verifyReceipt(withInput(bytes(input)), vk)).toMatchObject({ ok: false, reason: expect.stringMatching(reason) });
  });

  it('UART input on a receipt with a TEL claim is refused (a TEL proving run receives none)', async () => {
    const tel = { definition: '0'.repeat(64), args: [], type: 'Int', value: '3', effects: [], start: 0, clock: 0, latencies: {} };
    expect(await verifyReceipt({ ...receipt, tel }, vk)).toMatchObject({ ok: false, reason: expect.stringMatching(/claims UART input, but a TEL proving run receives none/) });
  });

  it('any other input is refused (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 6 }), async (input) => {
        fc.pre(Buffer.compare(input, bytes(INPUT)) !== 0);
        expect((await verifyReceipt(withInput(input), vk)).ok).toBe(false);
      }),
      { numRuns: 40 },
    );
  }, 120_000);

  it('UART input is refused on the simulation (its UART is not the model the proofs replay) and given twice', async () => {
    const sim = captureIO({ env: { CAX_HOME: HOME }, cwd: dir });
    expect(await runCli(['prove', 'echo.bin', '--on', 'sim', '--uart-input-text', INPUT], sim)).not.toBe(0);
    expect(sim.stderr.join('\n')).toMatch(/E_UNSUPPORTED .*UART input on the simulation/);
    const twice = captureIO({ env: { CAX_HOME: HOME }, cwd: dir });
    expect(await runCli(['prove', 'echo.bin', '--uart-input', 'input.txt', '--uart-input-text', INPUT], twice)).not.toBe(0);
    expect(twice.stderr.join('\n')).toMatch(/E_USAGE/);
  });
});
