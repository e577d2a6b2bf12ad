// The iCEBreaker top level (rtl/board/icebreaker_top.v) simulated whole
// under the bridge, with yosys's SPRAM model: after the power-on reset and
// the boot copy, a program from the boot image runs on the core, sends a
// byte on TX at 115200 baud (104 clocks per bit) and lights the green LED.
// Then the loader firmware as the boot image: HELLO at 115200 asks for
// 1,000,000 baud (divisor 12), and a load and run go on at that rate.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILD_TIMEOUT_MS } from '../../host/bridge/build.js';
import { Dut, type Signal } from '../../host/bridge/dut.js';
import { CoprocessorClient } from '../../host/protocol/client.js';
import { BoardLine } from './board-line.js';

type BoardPorts = 'CLK' | 'BTN_N' | 'RX' | 'TX' | 'LEDG_N' | 'LEDR_N';

const SPRAM_MODEL = 'build/fpga/icebreaker/lint/SB_SPRAM256KA.v';
const BIT = 104; // UART_DIVISOR of the board
const BYTE = 0x4f; // 'O'
const PROGRAM = `
  .globl _start
_start:
  li t0, 0x10000000   # UART TXDATA
  li t1, ${BYTE}
  sw t1, 0(t0)
  li t0, 0x10002000   # EXIT
  li t1, 1
  sw t1, 0(t0)
1: j 1b
`;

type Board = Dut & Record<BoardPorts, Signal>;
let dir: string;
let board: Board;

/** Writes `bytes` as the RAM's default boot image: boot.hex in `dir`, 3072 words. */
function writeBootImage(dir: string, bytes: Buffer): void {
  const image = Buffer.alloc(3072 * 4);
  bytes.copy(image);
  const words = Array.from({ length: 3072 }, (_, i) =>
    image
      .readUInt32LE(4 * i)
      .toString(16)
      .padStart(8, '0'),
  );
  writeFileSync(join(dir, 'boot.hex'), `${words.join('\n')}\n`);
}

/** The board top simulated with its working directory (and so its boot image) in `cwd`. */
function buildBoard(cwd: string): Promise<Board> {
  // The simulated RTL but for the RAM, which the board's SPRAM RAM replaces (as in mk/fpga.mk).
  const rtl = ['rtl/core', 'rtl/soc', 'rtl/uart']
    .flatMap((d) =>
      readdirSync(d)
        .filter((f) => f.endsWith('.v'))
        .map((f) => `${d}/${f}`),
    )
    .filter((f) => f !== 'rtl/soc/cax_ram.v');
  return Dut.build<BoardPorts>(['rtl/board/icebreaker_top.v', 'rtl/board/cax_ram_spram.v', SPRAM_MODEL, ...rtl], {
    top: 'icebreaker_top',
    clock: 'CLK',
    searchDirs: [],
    cwd,
  });
}

beforeAll(async () => {
  execFileSync('make', ['-s', SPRAM_MODEL, 'build/firmware/firmware.bin']);
  dir = mkdtempSync(join(tmpdir(), 'cax-board-'));
  writeFileSync(join(dir, 'boot.S'), PROGRAM);
  execFileSync('riscv64-unknown-elf-gcc', ['-march=rv32i', '-mabi=ilp32', '-nostdlib', '-Ttext=0x80000000', '-o', join(dir, 'boot.elf'), join(dir, 'boot.S')]);
  execFileSync('riscv64-unknown-elf-objcopy', ['-O', 'binary', join(dir, 'boot.elf'), join(dir, 'boot.bin')]);
  writeBootImage(dir, readFileSync(join(dir, 'boot.bin')));
  board = await buildBoard(dir);
}, BUILD_TIMEOUT_MS);

afterAll(async () => {
  await board.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('icebreaker_top', () => {
  it('boots the image from block RAM, sends a byte at 115200 baud and shows the pass LED', async () => {
    board.BTN_N.value = 1;
    board.RX.value = 1;
    await board.settle();
    expect([board.LEDG_N.value, board.LEDR_N.value, board.TX.value]).toEqual([1, 1, 1]);
    const waited = await board.TX.falling();
    expect(waited).toBeGreaterThan(1 << 16); // not before the power-on reset ends
    const [tx] = await board.record(['TX'], 10 * BIT);
    // Sample the middle of each bit: start, 8 data bits LSB first, stop.
    const bits = Array.from({ length: 10 }, (_, i) => tx![i * BIT + BIT / 2]!);
    expect(bits).toEqual([0, ...Array.from({ length: 8 }, (_, i) => (BYTE >> i) & 1), 1]);
    expect(board.LEDG_N.value).toBe(0);
    expect(board.LEDR_N.value).toBe(1);
  });

  it('holds the core in reset while the button is pressed', async () => {
    board.BTN_N.value = 0;
    await board.tick(10);
    expect(board.LEDG_N.value).toBe(1); // the SoC's exit state is reset
    board.BTN_N.value = 1;
    await board.LEDG_N.until(0, 10_000); // the program runs again from RAM
  });
});

describe('icebreaker_top with the loader firmware', () => {
  let firmwareDir: string;
  let loader: Board;

  beforeAll(async () => {
    firmwareDir = mkdtempSync(join(tmpdir(), 'cax-board-fw-'));
    writeBootImage(firmwareDir, readFileSync('build/firmware/firmware.bin'));
    loader = await buildBoard(firmwareDir);
  }, BUILD_TIMEOUT_MS);

  afterAll(async () => {
    await loader.close();
    rmSync(firmwareDir, { recursive: true, force: true });
  });

  it('refuses 5,000,000 baud, then switches from 115200 to 1,000,000 baud at HELLO and loads and runs a program at that rate', async () => {
    loader.BTN_N.value = 1;
    loader.RX.value = 1;
    await loader.tick(150_000); // power-on reset, then the firmware listens
    const line = new BoardLine(loader, 115_200);
    const client = new CoprocessorClient(line, { timeoutMs: 20_000 });
    try {
      // 12 MHz / 5 Mbaud = 2.4 clocks a bit: divisor 2 is 20 % off.
      await expect(client.hello({ baud: 5_000_000 })).rejects.toMatchObject({ code: 'E_UNSUPPORTED', details: { device: 'unsupported' } });
      expect(line.baud).toBe(115_200);
      await client.hello({ baud: 1_000_000 });
      expect(line.baud).toBe(1_000_000);
      expect(client.info.core).toBe('cax-soc');
      // addi a0, a0, 1; ret — and 248 bytes after it, so the image spans several SHA-256 blocks.
      const image = Buffer.alloc(256);
      image.writeUInt32LE(0x00150513, 0);
      image.writeUInt32LE(0x00008067, 4);
      for (let i = 8; i < image.length; i++) image[i] = (i * 37) & 0xff;
      expect((await client.load(image)).size).toBe(image.length);
      const result = await client.run({ entry: client.info.programBase, args: [41], budget: 1_000_000 });
      expect([result.outcome, result.a0]).toEqual(['returned', 42]);
      expect(await client.readMemory(client.info.programBase, 8)).toEqual(Uint8Array.from(image.subarray(0, 8)));
    } finally {
      await client.close(); // asks the board back to 115200
    }
    const plain = await CoprocessorClient.connect(new BoardLine(loader, 115_200), { timeoutMs: 20_000 });
    await plain.close();
  });

  it('finds a board a killed session left at 1,000,000 baud: the hello that gets no answer at 115200 is tried at the wanted rate', async () => {
    const first = new BoardLine(loader, 115_200);
    await CoprocessorClient.connect(first, { timeoutMs: 20_000, baud: 1_000_000 });
    await first.close(); // the host goes away without its client's close
    const line = new BoardLine(loader, 115_200);
    const client = await CoprocessorClient.connect(line, { timeoutMs: 1000, retries: 3, baud: 1_000_000 });
    expect(line.baud).toBe(1_000_000);
    expect(await client.readMemory(client.info.programBase, 4)).toEqual(Uint8Array.from([0x13, 0x05, 0x15, 0x00]));
    await client.close();
  });
});
