// Differential testing against qemu-riscv32 (user mode) on the same ELF
// files: the ISA tests of test/isa/user and random instruction streams
// (test/isa/random-stream.ts, fixed seeds) must end the same way and leave
// the same final registers and memory; a disagreement is located to the
// first differing instruction.
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { compareWithQemu, firstDivergence, firstSignatureDifference } from '../../host/sim/differential.js';
import { parseQemuCpuLog } from '../../host/sim/qemu.js';
import { randomStream } from '../isa/random-stream.js';
import { quietRecord } from '../helpers/trace-records.js';

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cax-rtl-diff-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Assembles an ISA-test body with the shim, as mk/rtl.mk does. */
function assemble(name: string, source: string): string {
  const src = join(dir, `${name}.S`);
  const elf = join(dir, `${name}.elf`);
  writeFileSync(src, source);
  execFileSync('riscv64-unknown-elf-gcc', [
    '-march=rv32im_zicsr_zifencei',
    '-mabi=ilp32',
    '-nostdlib',
    '-static',
    '-Wl,--no-warn-rwx-segments',
    '-Itest/isa',
    '-T',
    'test/isa/link.ld',
    '-o',
    elf,
    'test/isa/env.S',
    src,
  ]);
  return elf;
}

describe('the core agrees with qemu-riscv32', () => {
  const user = readdirSync('build/isa/user')
    .filter((f) => f.endsWith('.elf'))
    .sort()
    .map((f) => join('build/isa/user', f));

  it.each(user)('on %s', async (elf) => {
    const result = await compareWithQemu(elf);
    expect(result.report).toBeUndefined();
    expect(result.agree).toBe(true);
    expect(result.core.end).toBe('pass');
  });

  const seeds = Array.from({ length: 24 }, (_, i) => 1000 + i);
  it.each(seeds)('on random stream %i', async (seed) => {
    const elf = assemble(`stream-${seed}`, randomStream(seed, 500));
    const result = await compareWithQemu(elf);
    expect(result.report).toBeUndefined();
    expect(result.agree).toBe(true);
  });

  it('locates a disagreement at the first differing instruction', async () => {
    // `cycle` is the one thing qemu (host time) and the core (the cycle model) read differently.
    const elf = assemble('differs', '#include "env.h"\nTEST_BEGIN\n  li a0, 5\n  addi a0, a0, 1\n  rdcycle a1\n  addi a2, a1, 1\nTEST_END\n');
    const result = await compareWithQemu(elf);
    expect(result.agree).toBe(false);
    expect(result.report).toContain('final x11 (a1)');
    expect(result.report).toMatch(/first difference at instruction 2 after 0x[0-9a-f]{8}, pc 0x[0-9a-f]{8}: csrrs a1, cycle, zero/);
    expect(result.report).toMatch(/core: x11 \(a1\) = 0x[0-9a-f]{8}\n {2}qemu: x11 \(a1\) = 0x[0-9a-f]{8}/);
    expect(result.report).toContain('addi a0, a0, 1'); // context
  });
});

describe('signature comparison', () => {
  it('finds no difference between equal signatures and the first one otherwise', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 128, maxLength: 384 }).filter((b) => b.length % 4 === 0),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (bytes, at, flip) => {
          expect(firstSignatureDifference(bytes, bytes.slice())).toBeUndefined();
          const other = bytes.slice();
          const i = at % bytes.length;
          other[i] = other[i]! ^ flip;
          const report = firstSignatureDifference(bytes, other)!;
          const word = i - (i % 4);
          expect(report).toContain(word < 128 ? `final x${word / 4} ` : `test_data+0x${(word - 128).toString(16).padStart(8, '0')}`);
        },
      ),
    );
  });

  it('reports different sizes', () => {
    expect(firstSignatureDifference(new Uint8Array(8), new Uint8Array(4))).toMatch(/sizes differ/);
  });
});

describe('qemu step log', () => {
  it('parses the register dump before each instruction', () => {
    const regs = Array.from({ length: 32 }, (_, i) => (i * 0x01010101) >>> 0);
    const block = (pc: number): string =>
      ` pc       ${pc.toString(16)}\n` +
      regs
        .map((v, i) => ` x${i}/r${i} ${v.toString(16).padStart(8, '0')}`)
        .join('')
        .replace(/(( x\d+\/r\d+ [0-9a-f]{8}){4})/g, '$1\n');
    const steps = parseQemuCpuLog(block(0x80000000) + block(0x80000004));
    expect(steps.map((s) => s.pc)).toEqual([0x80000000, 0x80000004]);
    expect(steps[1]!.regs).toEqual(regs);
  });

  it('reads any text without failing, keeping only well-formed blocks', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (text) => {
        for (const step of parseQemuCpuLog(text)) {
          expect(step.regs).toHaveLength(32);
          expect(Number.isInteger(step.pc)).toBe(true);
        }
      }),
    );
  });

  it('stops at the end marker when the runs agree, and names a control-flow split', () => {
    const r = (pc: number, rd = 0, rdValue = 0) => quietRecord({ pc, rd, rdValue });
    const s = (pc: number, x5 = 0) => ({ pc, regs: Array.from({ length: 32 }, (_, i) => (i === 5 ? x5 : 0)) });
    expect(firstDivergence([r(0x100, 5, 7), r(0x104), r(0x200)], [s(0x100), s(0x104, 7), s(0x200, 7)], 0x100, 0x200)).toBeUndefined();
    expect(firstDivergence([r(0x100, 5, 7), r(0x108)], [s(0x100), s(0x104, 7)], 0x100, 0x200)).toMatch(/the core executed pc 0x00000108, qemu pc 0x00000104/);
    expect(firstDivergence([r(0x100, 5, 8), r(0x104)], [s(0x100), s(0x104, 7)], 0x100, 0x200)).toMatch(/core: x5 \(t0\) = 0x00000008\n {2}qemu: x5 \(t0\) = 0x00000007/);
  });
});
