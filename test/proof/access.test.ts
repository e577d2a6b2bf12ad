// Access words and the memory replay (host/proof/access.ts): packing and the
// receipt's binary form round-trip; the replay of the traces of random
// programs run on the ISS accepts them and ends with the ISS's RAM; and it
// refuses each way a run can disagree with memory (fetch, loads of each
// size, accesses outside RAM, anything after the end), and replays the
// devices as the ISS does (the UART's transmitted bytes, its busy bit, its
// input at the frame times, a full receive FIFO losing bytes).
import { describe, it, expect } from '@jest/globals';
import fc from 'fast-check';
import { accessesOf, cyclesOf, decodeAccesses, encodeAccesses, Memory, packAccess, PROOF_RAM_BYTES, replayMemory, unpackAccess, type Access } from '../../host/proof/access.js';
import { EXIT_ADDR, RAM_BASE, UART_BASE } from '../../host/riscv/machine.js';
import { bType, exitWith, issWith, iType, li, lui, rType, sType } from '../riscv/asm.js';
import type { TraceRecord } from '../../host/trace/record.js';
import { program, run, SCRATCH } from './random-programs.js';

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const access: fc.Arbitrary<Access> = fc.oneof(
  fc.record({ pc: u32, insn: u32, kind: fc.constant(0), addr: fc.constant(0), data: fc.constant(0) }),
  fc.record({ pc: u32, insn: u32, kind: fc.constantFrom(1, 2, 3, 5, 6, 7, 9), addr: u32, data: u32 }),
  fc.record({ pc: u32, insn: u32, kind: fc.constant(10), addr: u32, data: u32, rs2: u32 }),
  fc.record({ pc: u32, insn: u32, kind: fc.constant(8), addr: fc.constant(0), data: fc.constant(RAM_BASE) }),
);

/** The bytes the ISS transmits on the UART running `words` to their end. */
function transmitted(words: readonly number[]): number[] {
  const iss = issWith(words, { ramBytes: PROOF_RAM_BYTES });
  const out: number[] = [];
  iss.uart.onTransmit((b) => out.push(b));
  iss.run({ maxCycles: 100_000 });
  return out;
}

/** The words of a program as its image. */
const bytesOf = (words: readonly number[]): Uint8Array => new Uint8Array(new Uint32Array(words).buffer);

describe('access words', () => {
  it('pack into one field element below 2^132 (2^164 for a system step, with rs2) and unpack to the same', () => {
    fc.assert(
      fc.property(access, (a) => {
        const v = packAccess(a);
        expect(v < 1n << (a.kind === 10 ? 164n : 132n)).toBe(true);
        expect(unpackAccess(v)).toEqual(a);
      }),
    );
  });

  it('encode to 9 bytes without a memory access (none, or an ecall), 17 with one, 21 for a system step, and decode to the same', () => {
    fc.assert(
      fc.property(fc.array(access, { maxLength: 20 }), (list) => {
        const bytes = encodeAccesses(list);
        expect(bytes.length).toBe(list.reduce((n, a) => n + (a.kind === 0 || a.kind === 8 ? 9 : a.kind === 10 ? 21 : 17), 0));
        expect(decodeAccesses(bytes)).toEqual(list);
      }),
    );
  });

  it('refuse malformed bytes (E_RECEIPT) and values that are no access word (E_PROOF_REJECTED)', () => {
    const one = encodeAccesses([{ pc: RAM_BASE, insn: 0x13, kind: 3, addr: SCRATCH, data: 1 }]);
    expect(() => decodeAccesses(one.subarray(0, 16))).toThrow(expect.objectContaining({ code: 'E_RECEIPT' }));
    expect(() => decodeAccesses(new Uint8Array([4, 0, 0, 0, 0, 0, 0, 0, 0]))).toThrow(expect.objectContaining({ code: 'E_RECEIPT' }));
    expect(() => unpackAccess(4n << 128n)).toThrow(expect.objectContaining({ code: 'E_PROOF_REJECTED' }));
    expect(() => unpackAccess(11n << 128n)).toThrow(expect.objectContaining({ code: 'E_PROOF_REJECTED' }));
    expect(() => unpackAccess(8n << 128n)).toThrow(expect.objectContaining({ code: 'E_PROOF_REJECTED' })); // an ecall restarts at RAM_BASE, not 0
    // rs2 only in a system step's, and 32 bits
    expect(() => unpackAccess((9n << 128n) + (1n << 132n))).toThrow(expect.objectContaining({ code: 'E_PROOF_REJECTED' }));
    expect(() => unpackAccess((10n << 128n) + (1n << 164n))).toThrow(expect.objectContaining({ code: 'E_PROOF_REJECTED' }));
    expect(unpackAccess((10n << 128n) + (7n << 132n))).toEqual({ pc: 0, insn: 0, kind: 10, addr: 0, data: 0, rs2: 7 });
    expect(() => decodeAccesses(encodeAccesses([{ pc: RAM_BASE, insn: 0x13, kind: 10, addr: 0, data: 0, rs2: 5 }]).subarray(0, 20))).toThrow(expect.objectContaining({ code: 'E_RECEIPT' }));
    expect(() => decodeAccesses(new Uint8Array([12, 0, 0, 0, 0, 0, 0, 0, 0]))).toThrow(expect.objectContaining({ code: 'E_RECEIPT' }));
  });
});

describe('the memory replay', () => {
  it("accepts the trace of a random program run on the ISS, ending with the ISS's RAM and the exit value", () => {
    fc.assert(
      fc.property(program, (words) => {
        const { trace, image, ram } = run(words);
        const replay = replayMemory(image, accessesOf(trace));
        expect(replay).toMatchObject({ ok: true, exitValue: 1 });
        expect(Buffer.from(replay.final.bytes).equals(Buffer.from(ram))).toBe(true);
      }),
      { numRuns: 40 },
    );
  });

  it('the cycle model over the access words gives the cycles the ISS counted (loads, divisions and the rest)', () => {
    fc.assert(
      fc.property(program, (words) => {
        const { trace, cycles } = run(words);
        expect(cyclesOf(accessesOf(trace))).toBe(cycles);
      }),
      { numRuns: 40 },
    );
  });

  it('reads bytes, halves and words little-endian across sub-word stores, and the final memory can be read back', () => {
    const words = [
      ...li(1, 0x11223344),
      ...li(8, SCRATCH),
      sType('sw', 8, 1, 0),
      sType('sb', 8, 0, 1),
      sType('sh', 8, 1, 6),
      iType('lw', 2, 8, 0),
      iType('lhu', 3, 8, 6),
      iType('lb', 4, 8, 3),
      ...exitWith(1),
    ];
    const { trace, image } = run(words);
    const replay = replayMemory(image, accessesOf(trace));
    expect(replay.ok).toBe(true);
    expect(replay.final.read(SCRATCH, 4)).toBe(0x11220044);
    expect(replay.final.read(SCRATCH + 6, 2)).toBe(0x3344);
    expect(replay.final.read(RAM_BASE, 4)).toBe(words[0]);
    expect(() => replay.final.read(RAM_BASE + PROOF_RAM_BYTES - 2, 4)).toThrow(expect.objectContaining({ code: 'E_ADDRESS' }));
    // The half load read bytes 6..7 as written by sh; a lie about one byte of it is refused.
    const half = trace.findIndex((r) => r.memMask !== 0 && !r.memWrite && r.memAddr === SCRATCH + 6);
    const lie = accessesOf(trace.map((r, k) => (k === half ? { ...r, memData: 0x3345 } : r)));
    expect(replayMemory(image, lie)).toMatchObject({ ok: false, firstBad: half, reason: expect.stringMatching(/load of 2 bytes at 0x80000206 reads 0x3345, but memory holds 0x3344/) });
  });

  it('refuses fetches that are not the word in memory at an aligned pc in RAM', () => {
    const image = bytesOf([0x00000013, 0x00000013]);
    const step = (pc: number, insn = 0x13): Access => ({ pc, insn, kind: 0, addr: 0, data: 0 });
    expect(replayMemory(image, [step(RAM_BASE), step(RAM_BASE + 4)]).ok).toBe(true);
    expect(replayMemory(image, [step(RAM_BASE + 2)]).reason).toMatch(/not an aligned word of RAM/);
    expect(replayMemory(image, [step(0x1000)]).reason).toMatch(/not an aligned word of RAM/);
    expect(replayMemory(image, [step(RAM_BASE + PROOF_RAM_BYTES)]).reason).toMatch(/not an aligned word of RAM/);
    expect(replayMemory(image, [step(RAM_BASE, 0x93)]).reason).toMatch(/instruction at 0x80000000 is 0x13, not 0x93/);
    expect(replayMemory(image, [step(RAM_BASE + 8)]).reason).toMatch(/is 0x0 \(beyond the image\)/);
    // Code stored to RAM first is fetched as stored.
    const store: Access = { pc: RAM_BASE, insn: 0x13, kind: 7, addr: RAM_BASE + 8, data: 0x13 };
    expect(replayMemory(image, [store, step(RAM_BASE + 8)]).ok).toBe(true);
  });

  it('ends at the word store to EXIT, and nothing may follow it', () => {
    const image = bytesOf([0x13, 0x13]);
    const at = (kind: number, addr: number, data = 1): Access => ({ pc: RAM_BASE, insn: 0x13, kind, addr, data });
    const exit = at(7, EXIT_ADDR, 3);
    expect(replayMemory(image, [exit])).toMatchObject({ ok: true, exitValue: 3 });
    expect(replayMemory(image, [exit, at(0, 0)])).toMatchObject({ ok: false, firstBad: 1, reason: expect.stringMatching(/after the program's end/) });
  });

  it('replays the devices as the ISS does: loads read what the device gives at that cycle, holes are refused', () => {
    const image = bytesOf([0x13, 0x13]);
    const at = (kind: number, addr: number, data = 1): Access => ({ pc: RAM_BASE, insn: 0x13, kind, addr, data });
    // a byte store to TXDATA and a half store to EXIT are ignored by the devices (only word writes act)
    expect(replayMemory(image, [at(5, UART_BASE)])).toMatchObject({ ok: true, uart: new Uint8Array(0) });
    expect(replayMemory(image, [at(6, EXIT_ADDR)]).ok).toBe(true);
    // EXIT reads 0; the transmitter is idle at reset, busy right after a byte
    expect(replayMemory(image, [at(3, EXIT_ADDR, 0)]).ok).toBe(true);
    expect(replayMemory(image, [at(3, EXIT_ADDR)]).reason).toMatch(/load of 4 bytes at 0x10002000 \(a device\) reads 0x1, but the device gives 0x0/);
    expect(replayMemory(image, [at(7, UART_BASE, 0x68), at(3, UART_BASE, 0x80000000)])).toMatchObject({ ok: true, uart: Uint8Array.from([0x68]) });
    expect(replayMemory(image, [at(7, UART_BASE, 0x68), at(3, UART_BASE, 0)]).reason).toMatch(/device gives 0x80000000 at cycle 3/);
    // a word beyond RAM, or a hole between devices, traps on the board: refused
    expect(replayMemory(image, [at(7, RAM_BASE + PROOF_RAM_BYTES - 2)]).reason).toMatch(/outside RAM and every device/);
    expect(replayMemory(image, [at(3, 0x20000000, 0)]).reason).toMatch(/load of 4 bytes at 0x20000000, outside RAM and every device/);
  });

  it('gives the bytes a program transmits on the UART, polling the busy bit, exactly as the ISS transmits them', () => {
    const text = 'hi!';
    const words: number[] = [lui(5, UART_BASE)];
    for (const c of text) {
      words.push(...li(6, c.charCodeAt(0)), iType('lw', 7, 5, 0), bType('blt', 7, 0, -4), sType('sw', 5, 6, 0));
    }
    // one more byte without waiting: the transmitter is busy, so the board drops it
    words.push(sType('sw', 5, 6, 0), ...exitWith(1));
    const r = run(words);
    const replay = replayMemory(r.image, accessesOf(r.trace));
    expect(replay.ok).toBe(true);
    expect(Buffer.from(replay.uart).toString('latin1')).toBe(text);
    expect(Buffer.from(transmitted(words)).toString('latin1')).toBe(text);
    // the polling loads ran many times, and a forged "idle" one is refused
    const polls = accessesOf(r.trace).filter((a) => a.kind === 3 && a.addr === UART_BASE);
    expect(polls.length).toBeGreaterThan(text.length);
    const busy = r.trace.findIndex((t) => t.memAddr === UART_BASE && !t.memWrite && t.memData !== 0);
    const forged = accessesOf(r.trace).map((a, i) => (i === busy ? { ...a, data: 0 } : a));
    expect(replayMemory(r.image, forged)).toMatchObject({ ok: false, firstBad: busy, reason: expect.stringMatching(/device gives 0x80000000/) });
  });

  it("feeds UART input to the receive FIFO at the ISS's frame times: a full FIFO loses bytes (the STATUS lost flag), and what the ISS read is what the replay gives", () => {
    // waits (900 × 41 cycles) past the arrival of every byte, reads STATUS, then drains RXDATA until it is empty
    const words = [
      lui(5, UART_BASE),
      ...li(12, 7),
      ...li(14, 900),
      rType('div', 13, 12, 12),
      iType('addi', 14, 14, -1),
      bType('bne', 14, 0, -8),
      iType('lw', 10, 5, 8), // STATUS
      iType('lw', 7, 5, 4), // RXDATA
      iType('addi', 11, 11, 1),
      bType('bge', 7, 0, -8),
      ...exitWith(1),
    ];
    const image = bytesOf(words);
    const input = Uint8Array.from({ length: 34 }, (_, i) => 0x30 + i);
    const iss = issWith(words, { ramBytes: PROOF_RAM_BYTES });
    iss.uart.receive(input);
    const trace: TraceRecord[] = [];
    iss.setTraceSink((r) => trace.push(r));
    expect(iss.run({ maxCycles: 200_000 }).ended).toBe('exit');
    const status = trace.find((r) => r.rd === 10)!.rdValue;
    expect(status).toBe(1 | 2 | 4); // a byte ready, the transmitter idle, bytes lost
    expect(trace.filter((r) => r.rd === 11).at(-1)!.rdValue).toBe(33); // 32 bytes and the empty read
    const accesses = accessesOf(trace);
    expect(replayMemory(image, accesses, [], input).ok).toBe(true); // the two lost bytes need no read
    expect(replayMemory(image, accesses, [], input.subarray(0, 33)).ok).toBe(true); // one lost: the same reads
    // 32 bytes: none lost, so STATUS reads 3
    expect(replayMemory(image, accesses, [], input.subarray(0, 32)).reason).toMatch(/load of 4 bytes at 0x10000008 \(a device\) reads 0x7, but the device gives 0x3/);
  });

  it("applies the host's writes at each ecall, and needs exactly one entry per ecall", () => {
    // lw x1, 0(x0+SCRATCH) after an ecall reads what the host wrote there
    const image = bytesOf([0x73, 0x13]);
    const ecall: Access = { pc: RAM_BASE, insn: 0x73, kind: 8, addr: 0, data: RAM_BASE };
    const load: Access = { pc: RAM_BASE + 4, insn: 0x13, kind: 3, addr: SCRATCH, data: 0x2a };
    const wrote = [[{ addr: SCRATCH, bytes: new Uint8Array([0x2a, 0, 0, 0]) }]];
    expect(replayMemory(image, [ecall, load], wrote).ok).toBe(true);
    expect(replayMemory(image, [ecall, load], [[]]).reason).toMatch(/reads 0x2a, but memory holds 0x0/);
    expect(replayMemory(image, [ecall, load]).reason).toMatch(/ecall 0 has no entry/);
    expect(replayMemory(image, [{ ...load, data: 0 }], wrote).reason).toMatch(/list 1 ecalls, the run made 0/);
    expect(replayMemory(image, [ecall], [[{ addr: RAM_BASE + PROOF_RAM_BYTES - 2, bytes: new Uint8Array(4) }]]).reason).toMatch(/host's write of 4 bytes .* outside RAM/);
    // the host may rewrite code: the next fetch sees it
    expect(replayMemory(image, [ecall, { ...load, insn: 0x93, kind: 0, addr: 0, data: 0 }], [[{ addr: RAM_BASE + 4, bytes: new Uint8Array([0x93, 0, 0, 0]) }]]).ok).toBe(true);
  });

  it('starts from the image and zeros, and refuses an image larger than RAM', () => {
    const memory = new Memory(bytesOf([0xdeadbeef]));
    expect(memory.read(RAM_BASE, 4)).toBe(0xdeadbeef);
    expect(memory.read(RAM_BASE + 4, 4)).toBe(0);
    expect(() => new Memory(new Uint8Array(PROOF_RAM_BYTES + 1))).toThrow(expect.objectContaining({ code: 'E_UNSUPPORTED' }));
  });
});
