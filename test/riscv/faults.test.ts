// Fault scripting on the ISS: bytes and frames dropped, corrupted or
// delayed on the UART line in both directions, forced traps and stalls.
import { describe, it, expect } from '@jest/globals';
import { byFrame } from '../../host/riscv/faults.js';
import type { TraceRecord } from '../../host/trace/record.js';
import { bType, csr, exitWith, iType, issWith, li, lui, sType } from './asm.js';

/** Echo firmware: every received byte is transmitted back. */
const ECHO = [
  lui(1, 0x10000000),
  iType('lw', 5, 1, 8),
  iType('andi', 5, 5, 1),
  bType('beq', 5, 0, -8), // wait for a byte
  iType('lw', 6, 1, 4),
  iType('lw', 7, 1, 0),
  bType('blt', 7, 0, -4), // wait until the transmitter is idle
  sType('sw', 1, 6, 0),
  0xfe5ff06f, // j back to the first wait (-28)
];

function echo(): { iss: ReturnType<typeof issWith>; sent: number[] } {
  const iss = issWith(ECHO, { uartDivisor: 2 });
  const sent: number[] = [];
  iss.uart.onTransmit((b) => sent.push(b));
  return { iss, sent };
}

describe('UART line faults', () => {
  it('the echo program echoes without faults', () => {
    const { iss, sent } = echo();
    iss.uart.receive([1, 2, 3, 4]);
    iss.run({ maxCycles: 10_000 });
    expect(sent).toEqual([1, 2, 3, 4]);
  });

  it('drops and replaces bytes the host sends, and bytes the program transmits', () => {
    const { iss, sent } = echo();
    iss.uart.setFaults({ receive: (_b, i) => (i === 1 ? 'drop' : i === 2 ? { replaceWith: 0x77 } : 'pass'), transmit: (b) => (b === 4 ? 'drop' : 'pass') });
    iss.uart.receive([1, 2, 3, 4, 5]);
    iss.run({ maxCycles: 10_000 });
    expect(sent).toEqual([1, 0x77, 5]);
    iss.uart.setFaults({});
    iss.uart.receive([4]);
    iss.run({ maxCycles: 10_000 });
    expect(sent).toEqual([1, 0x77, 5, 4]);
  });

  it('delays bytes in either direction, keeping their order', () => {
    const { iss, sent } = echo();
    iss.uart.setFaults({ receive: (_b, i) => (i === 0 ? { delayCycles: 5000 } : 'pass') });
    iss.uart.receive([1, 2]);
    iss.run({ maxCycles: 4000 });
    expect(sent).toEqual([]);
    iss.run({ maxCycles: 4000 });
    expect(sent).toEqual([1, 2]);
    iss.uart.setFaults({ transmit: (_b, i) => (i === 0 ? { delayCycles: 20_000 } : 'pass') });
    iss.uart.receive([3, 4]);
    iss.run({ maxCycles: 10_000 });
    expect(sent).toEqual([1, 2]);
    iss.run({ maxCycles: 20_000 });
    expect(sent).toEqual([1, 2, 3, 4]);
  });

  it('acts on whole frames ending in a delimiter', () => {
    const frames = [1, 2, 0, 3, 4, 0, 5, 0];
    const { iss, sent } = echo();
    iss.uart.setFaults({ receive: byFrame((f) => (f === 1 ? 'drop' : f === 0 ? 'corrupt' : 'pass')) });
    iss.uart.receive(frames);
    iss.run({ maxCycles: 20_000 });
    expect(sent).toEqual([1 ^ 0x5a, 2, 0, 5, 0]);
    const late = echo();
    late.iss.uart.setFaults({ transmit: byFrame((f) => (f === 2 ? { delayCycles: 100_000 } : 'pass')) });
    late.iss.uart.receive(frames);
    late.iss.run({ maxCycles: 20_000 });
    expect(late.sent).toEqual([1, 2, 0, 3, 4, 0]);
    late.iss.run({ maxCycles: 100_000 });
    expect(late.sent).toEqual(frames);
  });
});

describe('forced traps and stalls', () => {
  it('forceTrap takes the trap at pc with the given cause and tval, recorded like any trap', () => {
    const words = [...li(29, 0x80000100), csr('csrrw', 0, 0x305, 29), iType('addi', 1, 1, 1), bType('beq', 0, 0, -4)];
    const iss = issWith([...words, ...new Array(64 - words.length).fill(0x13), ...exitWith(9)]);
    const records: TraceRecord[] = [];
    iss.setTraceSink((r) => records.push(r));
    iss.run({ maxCycles: 300 });
    const pc = iss.pc;
    const cycles = iss.cycles;
    iss.forceTrap(7, 0x1234);
    expect(records[records.length - 1]).toMatchObject({ pc, trap: true, cause: 7, tval: 0x1234 });
    expect([iss.csr(0x341), iss.csr(0x342), iss.csr(0x343), iss.pc, iss.cycles]).toEqual([pc, 7, 0x1234, 0x80000100, cycles + 3]);
    expect(iss.run({ maxCycles: 1000 })).toMatchObject({ ended: 'exit', exitCode: 4 });
    expect(() => iss.forceTrap(-1)).toThrow(/E_USAGE|32-bit/);
  });

  it('stall advances the clock, MTIME and the UART line, but retires nothing', () => {
    const iss = issWith([lui(1, 0x10001000), iType('lw', 2, 1, 0), ...exitWith(1)]);
    iss.step();
    iss.stall(1000);
    expect([iss.cycles, iss.instret]).toEqual([1003, 1]);
    iss.run({ maxCycles: 100 });
    expect(iss.reg(2)).toBe(1003 + 2);
    expect(() => iss.stall(-5)).toThrow(/stall/);
  });
});
