// Random instruction streams for the differential test against qemu: a
// deterministic function of the seed, producing an ISA-test body
// (test/isa/env.h) of user-level RV32IM instructions that cannot trap:
// ALU and M operations on corner-biased values, loads and stores inside
// test_data, forward branches and jumps. gp (x3) is left to the shim.

import { seededRandom } from '../../host/random.js';

/** Registers the stream may use: all but x0 (used separately) and gp. */
export const STREAM_REGS: readonly number[] = [1, 2, ...Array.from({ length: 28 }, (_, i) => i + 4)];

const CORNERS = [0, 1, -1, 2, 0x7fffffff, -0x80000000, 0x80000001, 0xffff, 0x8000, 0x7f, 0x80, 31, 32, 33];
const R_OPS = ['add', 'sub', 'sll', 'slt', 'sltu', 'xor', 'srl', 'sra', 'or', 'and', 'mul', 'mulh', 'mulhsu', 'mulhu', 'div', 'divu', 'rem', 'remu'];
const I_OPS = ['addi', 'slti', 'sltiu', 'xori', 'ori', 'andi'];
const SHIFT_OPS = ['slli', 'srli', 'srai'];
const LOADS: ReadonlyArray<readonly [string, number]> = [
  ['lb', 1],
  ['lbu', 1],
  ['lh', 2],
  ['lhu', 2],
  ['lw', 4],
];
const STORES: ReadonlyArray<readonly [string, number]> = [
  ['sb', 1],
  ['sh', 2],
  ['sw', 4],
];
const BRANCHES = ['beq', 'bne', 'blt', 'bge', 'bltu', 'bgeu'];
const DATA_BYTES = 256;

/** The assembly source of stream `seed` with `length` random instructions (after the register set-up). */
export function randomStream(seed: number, length: number): string {
  const rand = seededRandom(seed);
  const int = (n: number): number => Math.floor(rand() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const x = (): string => `x${rand() < 0.05 ? 0 : pick(STREAM_REGS)}`;
  const value = (): number => (rand() < 0.4 ? pick(CORNERS) : int(0x100000000) | 0) | 0;

  const lines: string[] = [`/* random stream, seed ${seed}, ${length} instructions */`, '#include "env.h"', 'TEST_BEGIN'];
  for (const r of STREAM_REGS) lines.push(`  li x${r}, ${value()}`);
  const pending: { label: string; at: number }[] = [];
  let labels = 0;
  const forward = (): string => {
    const label = `L${labels++}`;
    pending.push({ label, at: lines.length + 1 + int(4) });
    return label;
  };
  while (lines.length < length + STREAM_REGS.length + 3) {
    const due = pending.filter((q) => q.at <= lines.length);
    for (const p of due) {
      lines.push(`${p.label}:`);
      pending.splice(pending.indexOf(p), 1);
    }
    const kind = rand();
    if (kind < 0.35) lines.push(`  ${pick(R_OPS)} ${x()}, ${x()}, ${x()}`);
    else if (kind < 0.5) lines.push(`  ${pick(I_OPS)} ${x()}, ${x()}, ${int(4096) - 2048}`);
    else if (kind < 0.57) lines.push(`  ${pick(SHIFT_OPS)} ${x()}, ${x()}, ${int(32)}`);
    else if (kind < 0.6) lines.push(`  ${pick(['lui', 'auipc'])} ${x()}, ${int(0x100000)}`);
    else if (kind < 0.65) {
      // division corners: by zero and the signed overflow
      const [a, b] = [pick(STREAM_REGS), pick(STREAM_REGS)];
      lines.push(`  li x${a}, ${rand() < 0.5 ? -0x80000000 : value()}`, `  li x${b}, ${rand() < 0.5 ? 0 : -1}`, `  ${pick(['div', 'divu', 'rem', 'remu'])} ${x()}, x${a}, x${b}`);
    } else if (kind < 0.75) {
      const [op, size] = pick(LOADS);
      const base = pick(STREAM_REGS);
      lines.push(`  la x${base}, test_data`, `  ${op} ${x()}, ${int(DATA_BYTES / size) * size}(x${base})`);
    } else if (kind < 0.85) {
      const [op, size] = pick(STORES);
      const base = pick(STREAM_REGS);
      const src = pick(STREAM_REGS.filter((r) => r !== base));
      lines.push(`  la x${base}, test_data`, `  ${op} x${src}, ${int(DATA_BYTES / size) * size}(x${base})`);
    } else if (kind < 0.95) lines.push(`  ${pick(BRANCHES)} ${x()}, ${x()}, ${forward()}`);
    else if (kind < 0.98) lines.push(`  jal ${x()}, ${forward()}`);
    else {
      const via = pick(STREAM_REGS);
      lines.push(`  la x${via}, ${forward()}`, `  jalr ${x()}, 0(x${via})`);
    }
  }
  for (const p of pending) lines.push(`${p.label}:`);
  lines.push('TEST_END', '');
  return lines.join('\n');
}
