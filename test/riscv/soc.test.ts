// The SoC contract of docs/soc.md on the ISS: CSRs, traps, the cycle model
// and counters, the device registers and UART, and the trace records.
import { describe, it, expect } from '@jest/globals';
import fc from 'fast-check';
import type { TraceRecord } from '../../host/trace/record.js';
import { MAX_TRACE_LINE_BYTES, encodeTraceRecord, formatTraceRecord, parseTraceLine } from '../../host/trace/record.js';
import { CSR_NUMBERS } from './csrs.js';
import { EBREAK, ECALL, FENCE, MRET, WFI, bType, csr, exitWith, iType, issWith, li, lui, rType, sType } from './asm.js';
import { traceRecord } from '../helpers/trace-records.js';

const HANDLER = 0x80000100;
/** Sets mtvec to HANDLER, then `body`, padded with nops to the handler, which exits with 3 (code 1). */
function withHandler(body: readonly number[], handler: readonly number[] = exitWith(3)): number[] {
  const code = [...li(29, HANDLER), csr('csrrw', 0, 0x305, 29), ...body];
  if (code.length > 64) throw new Error('body too long');
  return [...code, ...new Array(64 - code.length).fill(0x13), ...handler];
}

function traced(words: readonly number[], maxCycles = 10_000): { records: TraceRecord[]; iss: ReturnType<typeof issWith> } {
  const iss = issWith(words, { ramBytes: 4096 });
  const records: TraceRecord[] = [];
  iss.setTraceSink((r) => records.push(r));
  iss.run({ maxCycles });
  return { records, iss };
}

describe('CSRs', () => {
  it('misa, mhartid and the ids read as specified; misa ignores writes', () => {
    const iss = issWith([csr('csrrw', 1, 0x301, 0), csr('csrrs', 2, 0x301, 0), csr('csrrs', 3, 0xf14, 0), csr('csrrs', 4, 0xf11, 0), ...exitWith(1)]);
    iss.setReg(1, 0);
    iss.run({ maxCycles: 1000 });
    expect(iss.reg(1)).toBe(0x40001100);
    expect(iss.reg(2)).toBe(0x40001100);
    expect(iss.reg(3)).toBe(0);
    expect(iss.reg(4)).toBe(0);
  });

  it('WARL fields: mstatus keeps only MIE/MPIE and reads MPP = 3, mtvec and mepc drop bits 1:0, mie/mip read 0', () => {
    fc.assert(
      fc.property(fc.integer({ min: -0x80000000, max: 0x7fffffff }), (v) => {
        const iss = issWith([
          csr('csrrw', 0, 0x300, 1),
          csr('csrrs', 2, 0x300, 0),
          csr('csrrw', 0, 0x305, 1),
          csr('csrrs', 3, 0x305, 0),
          csr('csrrw', 0, 0x341, 1),
          csr('csrrs', 4, 0x341, 0),
          csr('csrrw', 0, 0x340, 1),
          csr('csrrs', 5, 0x340, 0),
          csr('csrrw', 0, 0x342, 1),
          csr('csrrs', 6, 0x342, 0),
          csr('csrrw', 0, 0x304, 1),
          csr('csrrs', 7, 0x304, 0),
          csr('csrrw', 0, 0x344, 1),
          csr('csrrs', 8, 0x344, 0),
          ...exitWith(1),
        ]);
        iss.setReg(1, v);
        iss.run({ maxCycles: 1000 });
        expect(iss.reg(2)).toBe(((v & 0x88) | 0x1800) >>> 0);
        expect(iss.reg(3)).toBe((v & ~3) >>> 0);
        expect(iss.reg(4)).toBe((v & ~3) >>> 0);
        expect(iss.reg(5)).toBe(v >>> 0);
        expect(iss.reg(6)).toBe(v >>> 0);
        expect(iss.reg(7)).toBe(0);
        expect(iss.reg(8)).toBe(0);
      }),
      { numRuns: 50 },
    );
  });

  it('csrrs/csrrc set and clear bits and return the old value; immediate forms use the zimm', () => {
    const iss = issWith([
      ...li(1, 0xf0f0),
      csr('csrrw', 0, 0x340, 1),
      ...li(2, 0x0ff0),
      csr('csrrs', 3, 0x340, 2),
      csr('csrrc', 4, 0x340, 2),
      csr('csrrsi', 5, 0x340, 7),
      csr('csrrci', 6, 0x340, 3),
      csr('csrrwi', 7, 0x340, 21),
      csr('csrrs', 8, 0x340, 0),
      ...exitWith(1),
    ]);
    iss.run({ maxCycles: 1000 });
    expect([iss.reg(3), iss.reg(4), iss.reg(5), iss.reg(6), iss.reg(7), iss.reg(8)]).toEqual([0xf0f0, 0xfff0, 0xf000, 0xf007, 0xf004, 21]);
  });

  it('an unknown CSR, and a write to a read-only one, is an illegal instruction with mtval = the instruction; reads of read-only ones are fine', () => {
    const known = new Set(CSR_NUMBERS);
    const unknown = fc.integer({ min: 0, max: 0xfff }).filter((n) => !known.has(n));
    fc.assert(
      fc.property(unknown, (n) => {
        const insn = csr('csrrs', 1, n, 0);
        const iss = issWith(withHandler([insn]));
        expect(iss.run({ maxCycles: 10_000 }).exitCode).toBe(1);
        expect(iss.csr(0x342)).toBe(2);
        expect(iss.csr(0x343)).toBe(insn);
      }),
      { numRuns: 100 },
    );
    for (const n of [0xc00, 0xc01, 0xc02, 0xc80, 0xc81, 0xc82, 0xf11, 0xf12, 0xf13, 0xf14]) {
      const read = issWith(withHandler([csr('csrrs', 1, n, 0), csr('csrrci', 2, n, 0), ...exitWith(1)]));
      expect(read.run({ maxCycles: 10_000 }).exitCode).toBe(0);
      for (const insn of [csr('csrrw', 0, n, 0), csr('csrrs', 1, n, 5), csr('csrrsi', 1, n, 1), csr('csrrci', 1, n, 2)]) {
        const write = issWith(withHandler([insn]));
        expect(write.run({ maxCycles: 10_000 }).exitCode).toBe(1);
        expect(write.csr(0x343)).toBe(insn);
      }
    }
  });
});

describe('traps', () => {
  it('ecall, ebreak, illegal words and a fetch outside RAM set mepc, mcause, mtval and MPIE, and do not retire', () => {
    const cases: [number[], number, (pc: number, insn: number) => number][] = [
      [[ECALL], 11, () => 0],
      [[EBREAK], 3, (pc) => pc],
      [[0x00000000], 2, (_pc, insn) => insn],
      [[0xffffffff], 2, (_pc, insn) => insn],
      [[0x0000707f], 2, (_pc, insn) => insn],
      [[0x00200073], 2, (_pc, insn) => insn], // uret: not implemented
    ];
    for (const [body, cause, tval] of cases) {
      const iss = issWith(withHandler([iType('addi', 1, 0, 8), csr('csrrw', 0, 0x300, 1), ...body]));
      const retiredBefore = 5;
      expect(iss.run({ maxCycles: 10_000 }).exitCode).toBe(1);
      const pc = 0x80000014;
      expect(iss.csr(0x341)).toBe(pc);
      expect(iss.csr(0x342)).toBe(cause);
      expect(iss.csr(0x343)).toBe(tval(pc, body[0]!) >>> 0);
      expect(iss.csr(0x300)).toBe(0x1880); // MPIE = old MIE, MIE = 0
      expect(iss.instret).toBe(retiredBefore + 4); // then the handler; the trap does not retire
    }
    const fetch = issWith(withHandler([...li(1, 0x20000000), iType('jalr', 0, 1, 0)]));
    expect(fetch.run({ maxCycles: 10_000 }).exitCode).toBe(1);
    expect([fetch.csr(0x342), fetch.csr(0x343), fetch.csr(0x341)]).toEqual([1, 0x20000000, 0x20000000]);
  });

  it('mret returns to mepc and restores MIE from MPIE, setting MPIE', () => {
    const iss = issWith(
      withHandler(
        [iType('addi', 1, 0, 8), csr('csrrw', 0, 0x300, 1), ECALL, iType('addi', 10, 0, 42), csr('csrrs', 11, 0x300, 0), ...exitWith(1)],
        [csr('csrrs', 5, 0x341, 0), iType('addi', 5, 5, 4), csr('csrrw', 0, 0x341, 5), csr('csrrs', 6, 0x300, 0), MRET],
      ),
    );
    expect(iss.run({ maxCycles: 10_000 }).exitCode).toBe(0);
    expect(iss.reg(10)).toBe(42);
    expect(iss.reg(6)).toBe(0x1880);
    expect(iss.reg(11)).toBe(0x1888);
  });

  it('loads and stores outside the map fault (5 / 7) with mtval = the address; misalignment comes first', () => {
    for (const [insn, address, cause] of [
      [iType('lw', 2, 1, 0), 0x40000000, 5],
      [sType('sw', 1, 2, 0), 0x40000000, 7],
      [iType('lb', 2, 1, 0), 0x10000010, 5],
      [iType('lw', 2, 1, 0), 0x40000001, 4],
      [sType('sh', 1, 2, 0), 0x40000001, 6],
      [iType('lw', 2, 1, 0), 0x80001000, 5],
    ] as const) {
      const iss = issWith(withHandler([...li(1, address), insn]), { ramBytes: 4096 });
      expect(iss.run({ maxCycles: 10_000 }).exitCode).toBe(1);
      expect([iss.csr(0x342), iss.csr(0x343)]).toEqual([cause, address >>> 0]);
    }
  });

  it('fence, fence.i and wfi retire as no-ops', () => {
    const iss = issWith([FENCE, 0x0000100f, WFI, ...exitWith(1)]);
    expect(iss.run({ maxCycles: 1000 })).toEqual({ ended: 'exit', exitCode: 0, cycles: 3 * 7, instret: 7 });
  });
});

describe('the cycle model and counters', () => {
  it('loads take 4 cycles, div/rem 35, everything else and traps 3', () => {
    const cost = (words: number[]): number => {
      const iss = issWith(words, { ramBytes: 4096 });
      iss.step();
      return iss.cycles;
    };
    expect(cost([iType('addi', 1, 0, 1)])).toBe(3);
    expect(cost([lui(1, 0x80000000), ...[]].concat([]))).toBe(3);
    expect(cost([iType('lw', 1, 0, -2048)])).toBe(3); // faults: a trap
    const load = issWith([lui(1, 0x80000000), iType('lw', 2, 1, 0), rType('div', 3, 1, 1), rType('remu', 3, 1, 0), rType('mul', 3, 1, 1), ECALL]);
    const seen: number[] = [];
    for (let i = 0; i < 6; i++) {
      const before = load.cycles;
      load.step();
      seen.push(load.cycles - before);
    }
    expect(seen).toEqual([3, 4, 35, 35, 3, 3]);
  });

  it('mcycle reads the cycles before the instruction plus 2, minstret the instructions before; MTIME agrees with mcycle', () => {
    const iss = issWith([
      iType('lw', 9, 0, 0), // trap? no: x0+0 is address 0 — a fault, 3 cycles, not retired
    ]);
    iss.step();
    expect(iss.cycles).toBe(3);
    const program = issWith([
      iType('addi', 1, 0, 1), // 0..3
      rType('div', 1, 1, 1), // 3..38
      csr('csrrs', 2, 0xb00, 0), // begins at 38 → 40
      csr('csrrs', 3, 0xc02, 0), // 3 retired before
      lui(4, 0x10001000),
      iType('lw', 5, 4, 0), // begins at 3+35+3+3+3 = 47 → 49
      iType('lw', 6, 4, 4),
      csr('csrrs', 7, 0xc80, 0),
      ...exitWith(1),
    ]);
    program.run({ maxCycles: 1000 });
    expect([program.reg(2), program.reg(3), program.reg(5), program.reg(6), program.reg(7)]).toEqual([40, 3, 49, 0, 0]);
  });

  it('writes to counter halves replace that half of the value the writing instruction began with', () => {
    const iss = issWith([
      ...li(1, 1000), // 2 insns, 6 cycles
      csr('csrrw', 0, 0xb00, 1), // began at 6: mcycle := 1000 (low)
      csr('csrrs', 2, 0xb00, 0), // sees 1000 + 2
      iType('addi', 3, 0, 5),
      csr('csrrw', 0, 0xb80, 3), // mcycleh := 5, low half = 1000 + 6 (its start value)
      csr('csrrs', 4, 0xb00, 0), // 1006 + 2
      csr('csrrs', 5, 0xb80, 0),
      csr('csrrw', 0, 0xb02, 1), // minstret := 1000; this one does not count
      csr('csrrs', 6, 0xb02, 0), // 1000
      csr('csrrs', 7, 0xc02, 0), // 1001
      csr('csrrw', 0, 0xb82, 3),
      csr('csrrs', 8, 0xb82, 0),
      csr('csrrs', 9, 0xb02, 0), // 1000 + 3 (these three retired; the write itself not)
      ...exitWith(1),
    ]);
    iss.run({ maxCycles: 1000 });
    expect([iss.reg(2), iss.reg(4), iss.reg(5), iss.reg(6), iss.reg(7), iss.reg(8), iss.reg(9)]).toEqual([1002, 1008, 5, 1000, 1001, 5, 1003]);
  });

  it('a run stops before the first instruction that would end after the budget, and continues exactly', () => {
    const words = [iType('addi', 1, 1, 1), iType('lw', 2, 3, 0), rType('div', 4, 1, 1), bType0()];
    const iss = issWith(words, { ramBytes: 4096 });
    iss.setReg(3, 0x80000000 | 0);
    for (const [budget, cycles, instret] of [
      [2, 0, 0],
      [3, 3, 1],
      [6, 7, 2],
      [40, 45, 4],
      [3, 48, 5],
      [3, 48, 5],
    ] as const) {
      const r = iss.run({ maxCycles: budget });
      expect(r.ended).toBe('cycle-limit');
      expect([r.cycles, r.instret]).toEqual([cycles, instret]);
    }
  });
});

/** `beq x0, x0, -12`: loops back to the start of a 4-instruction program. */
function bType0(): number {
  return 0xfe000ae3;
}

describe('devices', () => {
  it('EXIT: odd values end the run with code v >> 1, even values are ignored', () => {
    const even = issWith([...li(1, 4), lui(2, 0x10002000), sType('sw', 2, 1, 0), ...exitWith(7)]);
    expect(even.run({ maxCycles: 1000 })).toMatchObject({ ended: 'exit', exitCode: 3 });
  });

  it('device registers: word accesses only (byte and half read 0, write nothing), TRACE_EN reads back', () => {
    const iss = issWith([
      lui(1, 0x10002000),
      iType('lw', 2, 1, 4),
      iType('lb', 3, 1, 4),
      iType('lhu', 4, 1, 4),
      sType('sb', 1, 0, 0), // a byte to EXIT: nothing
      sType('sw', 1, 0, 4),
      iType('lw', 5, 1, 4),
      iType('addi', 6, 0, 1),
      sType('sw', 1, 6, 4),
      iType('lw', 7, 1, 4),
      ...exitWith(1),
    ]);
    expect(iss.run({ maxCycles: 1000 }).ended).toBe('exit');
    expect([iss.reg(2), iss.reg(3), iss.reg(4), iss.reg(5), iss.reg(7)]).toEqual([1, 0, 0, 0, 1]);
  });

  it('UART: transmits bytes, is busy for a frame (writes while busy are ignored), DIVISOR reads back', () => {
    const iss = issWith([
      lui(1, 0x10000000),
      iType('addi', 2, 0, 4),
      sType('sw', 1, 2, 12), // DIVISOR = 4: frame = 40 clocks
      iType('lw', 3, 1, 12),
      iType('addi', 2, 0, 0x41),
      sType('sw', 1, 2, 0), // 'A'
      iType('addi', 2, 0, 0x42),
      sType('sw', 1, 2, 0), // 'B' while busy: dropped
      iType('lw', 4, 1, 0),
      iType('lw', 5, 1, 8),
      // wait until idle: lw t; blt t, x0, -4
      iType('lw', 6, 1, 0),
      0xfe034ee3,
      iType('addi', 2, 0, 0x43),
      sType('sw', 1, 2, 0), // 'C'
      ...exitWith(1),
    ]);
    const sent: number[] = [];
    iss.uart.onTransmit((b) => sent.push(b));
    expect(iss.run({ maxCycles: 10_000 }).ended).toBe('exit');
    expect(String.fromCharCode(...sent)).toBe('AC');
    expect(iss.reg(3)).toBe(4);
    expect(iss.reg(4)).toBe(0x80000000);
    expect(iss.reg(5) & 2).toBe(0);
  });

  it('UART: received bytes arrive one frame apart into a 32-byte FIFO; overflow sets the lost bit, which STATUS clears', () => {
    const program = [
      lui(1, 0x10000000),
      ...li(20, 20_000), // spin to let 40 bytes arrive: addi x20, -1; bne x20, x0, -4
      iType('addi', 20, 20, -1),
      0xfe0a1ee3,
      iType('lw', 2, 1, 8), // STATUS: waiting + idle + lost
      iType('lw', 3, 1, 8), // lost cleared
      iType('lw', 4, 1, 4),
      iType('lw', 5, 1, 4),
      ...exitWith(1),
    ];
    const iss = issWith(program);
    iss.uart.receive(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(iss.uart.pending()).toBe(40);
    iss.run({ maxCycles: 1_000_000 });
    expect(iss.reg(2)).toBe(7);
    expect(iss.reg(3)).toBe(3);
    expect([iss.reg(4), iss.reg(5)]).toEqual([1, 2]);
    expect(iss.uart.pending()).toBe(0);
    const empty = issWith([lui(1, 0x10000000), iType('lw', 4, 1, 4), iType('lw', 5, 1, 8), ...exitWith(1)]);
    empty.run({ maxCycles: 1000 });
    expect([empty.reg(4), empty.reg(5)]).toEqual([0x80000000, 2]);
  });

  it('UART: a program polling an empty receiver is heard (onStarved), and pause() ends run() there; the next run() goes on', () => {
    // poll RXDATA until a byte comes, then exit with it: lw x4, 4(x1); blt x4, x0, -4
    const iss = issWith([lui(1, 0x10000000), iType('lw', 4, 1, 4), bType('blt', 4, 0, -4), iType('addi', 10, 4, 0), ...exitWith(1)]);
    let polls = 0;
    iss.uart.onStarved(() => {
      polls++;
      iss.pause();
    });
    const first = iss.run({ maxCycles: 1_000_000 });
    expect(first.ended).toBe('cycle-limit');
    expect(first.cycles).toBeLessThan(100);
    expect(polls).toBe(1);
    iss.uart.onStarved(null);
    iss.uart.receive([42]);
    expect(iss.run({ maxCycles: 1_000_000 }).ended).not.toBe('cycle-limit');
    expect(iss.reg(10)).toBe(42);
  });
});

describe('trace records', () => {
  it('give pc, insn, rd and value, memory lanes and data, and traps as docs/trace-port.md says', () => {
    const { records } = traced(
      withHandler([
        iType('addi', 10, 0, 10), // li a0, 10
        lui(1, 0x80000000),
        ...li(2, 0x12345678),
        sType('sb', 1, 2, 0x402),
        iType('lh', 3, 1, 0x402),
        iType('addi', 0, 0, 1),
        ECALL,
      ]),
    );
    const lines = records.map(formatTraceRecord);
    const hex = (n: number): string => (n >>> 0).toString(16);
    expect(lines[3]).toBe('8000000c a00513 a a 0 0 0 0 0 0 0');
    expect(lines[7]).toBe(`8000001c ${hex(sType('sb', 1, 2, 0x402))} 0 0 80000402 78 4 1 0 0 0`);
    expect(lines[8]).toBe(`80000020 ${hex(iType('lh', 3, 1, 0x402))} 3 78 80000402 78 c 0 0 0 0`);
    expect(lines[9]).toBe('80000024 100013 0 0 0 0 0 0 0 0 0');
    expect(lines[10]).toBe('80000028 73 0 0 0 0 0 0 1 b 0');
    expect(records).toHaveLength(11 + 4);
    for (const [i, line] of lines.entries()) expect(parseTraceLine(line, { file: 't', line: i + 1 })).toEqual(records[i]);
  });

  it('follow TRACE_EN: the store that switches tracing on is not recorded, the one that switches it off is', () => {
    const { records } = traced([
      lui(1, 0x10002000),
      sType('sw', 1, 0, 4),
      iType('addi', 2, 0, 1),
      iType('addi', 3, 0, 1),
      sType('sw', 1, 3, 4),
      iType('addi', 4, 0, 1),
      sType('sw', 1, 0, 4),
      ...exitWith(1),
    ]);
    expect(records.map((r) => r.pc)).toEqual([0x80000000, 0x80000004, 0x80000014, 0x80000018]);
  });

  it('the byte form for trace files is the text form and a newline, and parses back', () => {
    fc.assert(
      fc.property(traceRecord, (r) => {
        const buffer = new Uint8Array(MAX_TRACE_LINE_BYTES + 3);
        const end = encodeTraceRecord(r, buffer, 3);
        const text = new TextDecoder().decode(buffer.subarray(3, end));
        expect(text).toBe(`${formatTraceRecord(r)}\n`);
        expect(parseTraceLine(text, { file: 'f', line: 1 })).toEqual(r);
      }),
    );
  });

  it('the parser rejects lines that are not records', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        try {
          const r = parseTraceLine(s, { file: 'f', line: 1 });
          expect(formatTraceRecord(r)).toBe(
            s
              .trim()
              .split(' ')
              .map((x) => parseInt(x, 16).toString(16))
              .join(' '),
          );
        } catch (e) {
          expect((e as { code?: string }).code).toBe('E_TRACE');
        }
      }),
    );
  });
});
