// The Verilator harness (sim/main.cpp) through host/sim: the text trace and
// the VCD only while TRACE_EN is on, raw images, register and memory dumps,
// the cycle limit, the stop at an ecall, the UART decoded to text and bridged to a pseudo-terminal
// reached through `serialport`, and its usage errors.
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { SerialPort } from 'serialport';
import { parseElf } from '../../host/riscv/elf.js';
import { parseTraceLine } from '../../host/trace/record.js';
import { startSimPty } from '../../host/sim/pty.js';
import { parseSummary, runSim, simArguments, simulatorPath } from '../../host/sim/simulator.js';
import { ECALL, exitWith, issWith, li } from '../riscv/asm.js';

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cax-rtl-harness-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const symbols = (elf: string): ReadonlyMap<string, number> => parseElf(new Uint8Array(readFileSync(elf))).symbols;

describe('trace and VCD', () => {
  const elf = 'build/rtl/trace-window.elf';

  it('writes one record per instruction while TRACE_EN is on, the disabling store included', async () => {
    const file = join(dir, 'window.trace');
    const { summary } = await runSim({ program: elf, trace: file });
    expect(summary.end).toBe('pass');
    const records = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l, i) => parseTraceLine(l, { file, line: i + 1 }));
    const sym = symbols(elf);
    const begin = sym.get('window_begin')!;
    const end = sym.get('window_end')!;
    const window = records.filter((r) => r.pc >= begin && r.pc <= end);
    // li x7, 3; addi x7, x7, 4; lw x8, 4(x1); sw x0, 4(x1)
    expect(window.map((r) => [r.pc - begin, r.rd, r.rdValue])).toEqual([
      [0, 7, 3],
      [4, 7, 7],
      [8, 8, 1],
      [12, 0, 0],
    ]);
    expect(window[2]).toMatchObject({ memAddr: 0x10002004, memData: 1, memMask: 0xf, memWrite: false });
    expect(window[3]).toMatchObject({ memAddr: 0x10002004, memData: 0, memMask: 0xf, memWrite: true });
    // Nothing of the untraced loops: the records are the start-up until the first
    // disabling store, then exactly the window.
    const firstOff = records.findIndex((r) => r.memWrite && r.memAddr === 0x10002004);
    expect(records.slice(firstOff + 1)).toEqual(window);
    expect(records.length).toBeLessThan(summary.instret / 2);
  });

  it('dumps the VCD only for the clocks while TRACE_EN is on', async () => {
    const file = join(dir, 'window.vcd');
    const { summary } = await runSim({ program: elf, vcd: file });
    const vcd = readFileSync(file, 'utf8');
    expect(vcd).toContain('trace_valid');
    expect(vcd).toContain('trace_rd_value');
    const times = [...vcd.matchAll(/^#(\d+)$/gm)].map((m) => Number(m[1]));
    expect(times.length).toBeGreaterThan(50);
    expect(times.length).toBeLessThan(summary.clocks); // two dumps a clock while on
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(Math.max(...gaps)).toBeGreaterThan(2 * 300); // the untraced loop of 100 × 2 instructions
  });
});

describe('loading and inspecting', () => {
  it('runs a raw image (no symbols: ends through EXIT)', async () => {
    const raw = join(dir, 'exit-code.bin');
    execFileSync('riscv64-unknown-elf-objcopy', ['-O', 'binary', 'build/isa/machine/exit-code.elf', raw]);
    const { summary } = await runSim({ program: raw, raw: true, maxCycles: 100_000 });
    expect(summary).toMatchObject({ end: 'fail', exitCode: 21 });
  });

  it('dumps the final registers and a memory range by symbol', async () => {
    const elf = 'build/isa/user/mem.elf';
    const { summary } = await runSim({ program: elf, dumpRegs: true, dumpMem: { from: 'test_data', to: 'end_signature' } });
    const sym = symbols(elf);
    expect(summary.regs![0]).toBe(0);
    expect(summary.regs![3]).toBe(sym.get('begin_signature')); // gp, set by the shim's pass path
    expect(summary.mem!.from).toBe(sym.get('test_data'));
    const data = Buffer.from(summary.mem!.hex, 'hex');
    expect(data.length).toBe(256);
    expect(data.readUInt32LE(32)).toBe(0x01020304); // the pattern mem.S leaves
    expect(data.readUInt16LE(38)).toBe(0x0304);
    expect(data[41]).toBe(0x04);
  });

  it('reports its progress every 2^20 clocks when asked, and the summary stays the last line', async () => {
    const seen: number[] = [];
    const { summary } = await runSim({ program: 'build/rtl/spin.elf', maxCycles: 3_200_000, onProgress: (clocks) => seen.push(clocks) });
    expect(seen).toEqual([1, 2, 3].map((k) => k * 2 ** 20));
    expect(summary.end).toBe('limit');
  });

  it('starts with the arguments it is given in a0, a1 (the register file is not reset); a bad one is a usage error', async () => {
    const { summary } = await runSim({ program: 'build/regress/programs/args.elf', maxCycles: 1000, dumpRegs: true, args: [-7, 0x7fffffff] });
    expect(summary.regs?.[10]).toBe((-7 + 2 * 0x7fffffff) >>> 0);
    await expect(runSim({ program: 'build/regress/programs/args.elf', args: [2 ** 32] })).rejects.toMatchObject({ code: 'E_USAGE' });
  });

  it('stops at the cycle limit', async () => {
    const { summary } = await runSim({ program: 'build/rtl/spin.elf', maxCycles: 12_345 });
    expect(summary).toMatchObject({ end: 'limit', clocks: 12_345, cycles: 12_345 });
  });

  it('with --stop-on-ecall ends at an ecall (a proved run yielding), where the ISS under syscalls yield ends too, at the same cycle', async () => {
    // li x1, 5; ecall; then the end (never reached)
    const words = [...li(1, 5), ECALL, ...exitWith(1)];
    const raw = join(dir, 'yield.bin');
    writeFileSync(raw, new Uint8Array(new Uint32Array(words).buffer));
    const file = join(dir, 'yield.trace');
    const { summary } = await runSim({ program: raw, raw: true, maxCycles: 10_000, trace: file, stopOnEcall: true });
    const records = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l, i) => parseTraceLine(l, { file, line: i + 1 }));
    expect(records[records.length - 1]).toMatchObject({ insn: ECALL, trap: true, cause: 11 });
    const iss = issWith(words, { syscalls: 'yield' });
    const ended = iss.run({ maxCycles: 10_000 });
    expect(summary).toMatchObject({ end: 'ecall', cycles: ended.cycles });
    expect(ended.ended).toBe('ecall');
    // without it, the trap goes to mtvec 0 and the run loops to the limit
    expect((await runSim({ program: raw, raw: true, maxCycles: 2_000 })).summary.end).toBe('limit');
  });

  it('decodes what the program sends on the UART', async () => {
    const { summary, uart } = await runSim({ program: 'build/rtl/hello.elf' });
    expect(summary.end).toBe('pass');
    expect(uart).toBe('hello, cax\n');
  });

  it('rejects bad arguments with a usage error', async () => {
    await expect(runSim({ program: 'build/rtl/hello.elf', dumpMem: { from: 'no_such_symbol', to: 'tohost' } })).rejects.toMatchObject({ code: 'E_USAGE' });
    await expect(runSim({ program: join(dir, 'missing.elf') })).rejects.toMatchObject({ code: 'E_SIM' });
  });

  it('builds its argument list and parses its summary strictly', () => {
    expect(simArguments({ program: 'p.elf', maxCycles: 5, trace: 't', dumpRegs: true })).toEqual(['--max-cycles', '5', '--trace', 't', '--dump-regs', 'p.elf']);
    expect(simArguments({ program: 'p.bin', raw: true, stopOnEcall: true })).toEqual(['--raw', '--stop-on-ecall', 'p.bin']);
    expect(parseSummary('noise\n{"end":"pass","exitCode":0,"cycles":9,"instret":3,"clocks":9}\n')).toMatchObject({ end: 'pass', cycles: 9 });
    expect(() => parseSummary('{"end":"exploded","exitCode":0,"cycles":9,"instret":3,"clocks":9}')).toThrow(/bad simulator summary/);
    expect(() => parseSummary('')).toThrow(/no summary/);
  });
});

describe('robustness', () => {
  it('never crashes on a corrupted or truncated ELF: it runs it or says what is wrong', () => {
    const good = readFileSync('build/isa/user/mem.elf');
    const file = join(dir, 'fuzzed.elf');
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat({ max: 0x1100 }), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 8 }), fc.option(fc.nat({ max: good.length })), (flips, cut) => {
        const bytes = Buffer.from(good.subarray(0, cut ?? good.length));
        for (const [at, x] of flips) if (at < bytes.length) bytes[at]! ^= x;
        writeFileSync(file, bytes);
        const run = spawnSync(simulatorPath(), ['--max-cycles', '20000', file], { encoding: 'latin1' });
        expect(run.signal).toBeNull();
        expect([0, 1, 3]).toContain(run.status);
        if (run.status === 3) expect(run.stderr).toMatch(/^cax-sim: /);
        else expect(() => parseSummary(run.stdout)).not.toThrow();
      }),
      { numRuns: 60, seed: 5 },
    );
  });

  it('parses any text as a summary or fails with E_SIM', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        try {
          parseSummary(text);
        } catch (e) {
          expect(e).toMatchObject({ code: 'E_SIM' });
        }
      }),
    );
  });
});

describe('the UART behind a pseudo-terminal', () => {
  it('echoes through serialport, bit by bit, until the program ends', async () => {
    const sim = await startSimPty({ program: 'build/rtl/echo.elf' });
    expect(sim.path).toMatch(/^\/dev\/pts\/\d+$/);
    const port = new SerialPort({ path: sim.path, baudRate: 115200, autoOpen: false });
    try {
      await new Promise<void>((res, rej) => port.open((e) => (e ? rej(e) : res())));
      let received = '';
      const got = new Promise<void>((res) =>
        port.on('data', (b: Buffer) => {
          received += b.toString('latin1');
          if (received.includes('\n')) res();
        }),
      );
      port.write('hello, Sim 42\n');
      await got;
      expect(received).toBe('HELLO, SIM 42\n');
      port.write('q');
      const summary = await sim.ended;
      expect(summary.end).toBe('pass');
    } finally {
      if (port.isOpen) await new Promise<void>((res) => port.close(() => res()));
      await sim.stop();
    }
  });

  it('stops on request with a summary', async () => {
    const sim = await startSimPty({ program: 'build/rtl/spin.elf' });
    const summary = await sim.stop();
    expect(summary.end).toBe('stopped');
    expect(summary.clocks).toBeGreaterThan(0);
  });
});
