// The UART (rtl/uart/cax_uart.v) through the bridge, cocotb style: the
// transmitted waveform bit by bit, reception at the divisor and off it, the
// receive FIFO to overflow and the lost bit, divisor changes, false starts
// and framing errors, and the register semantics of docs/soc.md.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { BUILD_TIMEOUT_MS } from '../../host/bridge/build.js';
import { Dut, type Signal } from '../../host/bridge/dut.js';

type UartPorts = 'clk' | 'rst' | 'reg_idx' | 'read_en' | 'write_en' | 'write_data' | 'read_data' | 'rx' | 'tx';
type Uart = Dut & Record<UartPorts, Signal>;

const TXDATA = 0;
const RXDATA = 1;
const STATUS = 2;
const DIVISOR = 3;
const RESET_DIVISOR = 4;
const FIFO_DEPTH = 32;

let dut: Uart;

beforeAll(async () => {
  dut = await Dut.build<UartPorts>('rtl/uart/cax_uart.v', { parameters: { DIVISOR_RESET: RESET_DIVISOR } });
}, BUILD_TIMEOUT_MS);

afterAll(async () => {
  await dut.close();
});

beforeEach(async () => {
  dut.rx.value = 1;
  dut.read_en.value = 0;
  dut.write_en.value = 0;
  await dut.reset();
});

/** A register read as the core does it: read_data while read_en is high, side effects at the edge. */
async function readReg(idx: number): Promise<number> {
  dut.reg_idx.value = idx;
  dut.read_en.value = 1;
  await dut.settle();
  const value = dut.read_data.value;
  await dut.tick();
  dut.read_en.value = 0;
  return value;
}

async function writeReg(idx: number, value: number): Promise<void> {
  dut.reg_idx.value = idx;
  dut.write_data.value = value;
  dut.write_en.value = 1;
  await dut.tick();
  dut.write_en.value = 0;
}

/** The ten line levels of an 8N1 frame: start, data LSB first, stop. */
function frameBits(byte: number): number[] {
  return [0, ...Array.from({ length: 8 }, (_, i) => (byte >> i) & 1), 1];
}

/** Drives line levels on rx, level i for `period(i)` clock cycles. */
async function driveBits(bits: readonly number[], period: (bit: number) => number): Promise<void> {
  for (let i = 0; i < bits.length; i++) {
    dut.rx.value = bits[i]!;
    await dut.tick(period(i));
  }
}

function drive(byte: number, period: (bit: number) => number): Promise<void> {
  return driveBits(frameBits(byte), period);
}

/** Writes TXDATA and returns the tx line after that edge and each of the following `cycles - 1` edges. */
async function transmit(byte: number, cycles: number): Promise<number[]> {
  await writeReg(TXDATA, byte);
  const first = dut.tx.value;
  const [rest] = await dut.record(['tx'], cycles - 1);
  return [first, ...rest!];
}

describe('cax_uart transmitter', () => {
  it('puts an 8N1 frame on tx, LSB first, DIVISOR clocks per bit, busy for exactly 10 bits', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 2, max: 24 }), async (byte, divisor) => {
        await dut.reset();
        await writeReg(DIVISOR, divisor);
        expect(dut.tx.value).toBe(1);
        const wave = await transmit(byte, 10 * divisor);
        const expected = frameBits(byte).flatMap((bit) => Array<number>(divisor).fill(bit));
        expect(wave).toEqual(expected);
        // Transmitter busy through the last clock of the stop bit, idle right after.
        dut.reg_idx.value = TXDATA;
        await dut.settle();
        expect(dut.read_data.value >>> 31).toBe(1);
        await dut.tick();
        expect(dut.read_data.value >>> 31).toBe(0);
        expect(dut.tx.value).toBe(1);
      }),
      { numRuns: 12 },
    );
  });

  it('reports busy in TXDATA and STATUS while sending and ignores a write while busy', async () => {
    await writeReg(TXDATA, 0x0f);
    const wave = [dut.tx.value];
    expect((await readReg(TXDATA)) >>> 31).toBe(1);
    wave.push(dut.tx.value);
    expect((await readReg(STATUS)) & 2).toBe(0);
    wave.push(dut.tx.value);
    await writeReg(TXDATA, 0xf0); // dropped: the transmitter is busy
    wave.push(dut.tx.value);
    const [rest] = await dut.record(['tx'], 12 * RESET_DIVISOR - wave.length);
    const frame = frameBits(0x0f).flatMap((bit) => Array<number>(RESET_DIVISOR).fill(bit));
    expect([...wave, ...rest!]).toEqual([...frame, ...Array<number>(2 * RESET_DIVISOR).fill(1)]);
    expect((await readReg(STATUS)) & 2).toBe(2);
  });
});

describe('cax_uart receiver', () => {
  it('receives bytes driven on rx at the divisor, and with a bit period 4% off', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 6 }), fc.integer({ min: 8, max: 30 }), fc.constantFrom(-0.04, 0, 0.04), async (bytes, divisor, skew) => {
        await dut.reset();
        await writeReg(DIVISOR, divisor);
        // Spread the skew over the frame: bit i ends at round((i+1) * divisor * (1 + skew)).
        const edgeAt = (i: number): number => Math.round(i * divisor * (1 + skew));
        for (const byte of bytes) await drive(byte, (i) => edgeAt(i + 1) - edgeAt(i));
        await dut.tick(divisor);
        expect((await readReg(STATUS)) & 1).toBe(1);
        const got: number[] = [];
        for (let i = 0; i < bytes.length; i++) got.push(await readReg(RXDATA));
        expect(got).toEqual(bytes);
        expect(await readReg(RXDATA)).toBe(0x8000_0000);
        expect((await readReg(STATUS)) & 5).toBe(0);
      }),
      { numRuns: 10 },
    );
  });

  it('keeps 32 bytes when more arrive unread, drops the rest, and sets the lost bit until STATUS is read', async () => {
    const bytes = Array.from({ length: FIFO_DEPTH + 2 }, (_, i) => (i * 37 + 11) & 0xff);
    for (const byte of bytes) await drive(byte, () => RESET_DIVISOR);
    await dut.tick(RESET_DIVISOR);
    expect((await readReg(STATUS)) & 5).toBe(5); // waiting + lost; this read clears lost
    expect((await readReg(STATUS)) & 5).toBe(1);
    const got: number[] = [];
    for (let i = 0; i < FIFO_DEPTH; i++) got.push(await readReg(RXDATA));
    expect(got).toEqual(bytes.slice(0, FIFO_DEPTH));
    expect(await readReg(RXDATA)).toBe(0x8000_0000);
    expect((await readReg(STATUS)) & 5).toBe(0);
  });

  it('rejects a false start bit shorter than half a bit and still receives the next frame', async () => {
    const divisor = 16;
    await writeReg(DIVISOR, divisor);
    for (const glitch of [1, 3, 6]) {
      dut.rx.value = 0;
      await dut.tick(glitch);
      dut.rx.value = 1;
      await dut.tick(12 * divisor);
      expect((await readReg(STATUS)) & 1).toBe(0);
    }
    await drive(0xa5, () => divisor);
    await dut.tick(divisor);
    expect(await readReg(RXDATA)).toBe(0xa5);
  });

  it('drops a frame whose stop bit is low and waits for the line to go high', async () => {
    const divisor = 8;
    await writeReg(DIVISOR, divisor);
    const badStop = [...frameBits(0x3c).slice(0, 9), 0];
    await driveBits([...badStop, 1], (i) => (i === 9 ? 6 * divisor : i === 10 ? 2 * divisor : divisor)); // stop bit low, then a long break
    expect((await readReg(STATUS)) & 5).toBe(0);
    await drive(0x3c, () => divisor);
    await dut.tick(divisor);
    expect(await readReg(RXDATA)).toBe(0x3c);
  });
});

describe('cax_uart registers', () => {
  it('resets DIVISOR to the parameter and reads back what is written', async () => {
    expect(await readReg(DIVISOR)).toBe(RESET_DIVISOR);
    await writeReg(DIVISOR, 0xdead_beef);
    expect(await readReg(DIVISOR)).toBe(0xdead_beef);
  });

  it('reads idle after reset: FIFO empty, transmitter idle, nothing lost', async () => {
    expect(await readReg(STATUS)).toBe(2);
    expect(await readReg(TXDATA)).toBe(0);
    expect(await readReg(RXDATA)).toBe(0x8000_0000);
  });

  it('ignores writes to RXDATA and STATUS', async () => {
    await writeReg(RXDATA, 0x41);
    await writeReg(STATUS, 0xffff_ffff);
    expect(await readReg(STATUS)).toBe(2);
    expect(dut.tx.value).toBe(1);
  });

  it('applies a new divisor to the next frame', async () => {
    await writeReg(DIVISOR, 7);
    const wave = await transmit(0x81, 70);
    expect(wave).toEqual(frameBits(0x81).flatMap((b) => Array<number>(7).fill(b)));
    await drive(0x5a, () => 7);
    await dut.tick(7);
    expect(await readReg(RXDATA)).toBe(0x5a);
  });
});
