// The DWARF emitter (host/debug/dwarf.ts) and the ELF writer
// (host/riscv/elf-writer.ts) against binutils: for random line tables and
// functions, `objdump --dwarf=decodedline` decodes exactly the rows written
// (file, line, address; lines going up and down by any amount) and `readelf
// --debug-dump=info` the subprograms, and parseElf reads the segment and the
// symbols back.
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dwarfSections, type LineRow } from '../../host/debug/dwarf.js';
import { writeElf } from '../../host/riscv/elf-writer.js';
import { parseElf } from '../../host/riscv/elf.js';

const BASE = 0x80000000;
let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cax-dwarf-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Rows at strictly ascending pcs within [BASE, BASE + codeBytes). */
const rowsArb = fc
  .array(fc.record({ gap: fc.integer({ min: 1, max: 5000 }), file: fc.constantFrom('a.tel', 'lib/b.tel'), line: fc.integer({ min: 1, max: 100_000 }), col: fc.integer({ min: 1, max: 300 }) }), {
    minLength: 1,
    maxLength: 40,
  })
  .map((items) => {
    let pc = BASE;
    return items.map(({ gap, file, line, col }): LineRow => ({ pc: (pc += gap), file, line, col }));
  });

describe('DWARF 4 line table and subprograms', () => {
  it('binutils decodes the rows and functions written, and parseElf reads the image and symbols back', () => {
    let n = 0;
    fc.assert(
      fc.property(rowsArb, fc.array(fc.constantFrom('f', 'go#0', 'lambda#1', 'x_y'), { minLength: 1, maxLength: 4 }), (rows, names) => {
        const high = rows[rows.length - 1]!.pc + 8;
        const step = Math.floor((high - BASE) / names.length);
        const functions = names.map((name, i) => ({ name: `${name}${i}`, low: BASE + i * step, high: i === names.length - 1 ? high : BASE + (i + 1) * step, file: 'a.tel', line: i + 1 }));
        const dwarf = dwarfSections({ name: 'a.tel', compDir: '/src', producer: 'test', low: BASE, high, rows, functions });
        const bytes = new Uint8Array(high - BASE).map((_, i) => i & 0xff);
        const elf = writeElf({
          entry: BASE,
          vaddr: BASE,
          bytes,
          symbols: functions.map((f) => ({ name: f.name, value: f.low, size: f.high - f.low, func: true })),
          extraSections: Object.entries(dwarf).map(([name, data]) => ({ name, data })),
        });
        const path = join(dir, `t${n++}.elf`);
        writeFileSync(path, elf);
        const parsed = parseElf(elf);
        expect(Buffer.from(parsed.segments[0]!.data).equals(Buffer.from(bytes))).toBe(true);
        expect([...parsed.symbols]).toEqual(functions.map((f) => [f.name, f.low]));
        const decoded = spawnSync('riscv64-unknown-elf-objdump', ['--dwarf=decodedline', path], { encoding: 'utf8' });
        expect(decoded.stderr).toBe('');
        const got = [...decoded.stdout.matchAll(/^(\S+\.tel)\s+(\d+)\s+0x([0-9a-f]+)/gm)].map((m) => ({ file: m[1]!, line: Number(m[2]), pc: parseInt(m[3]!, 16) }));
        expect(got).toEqual(rows.map((r) => ({ file: r.file, line: r.line, pc: r.pc })));
        const info = spawnSync('riscv64-unknown-elf-readelf', ['--debug-dump=info', path], { encoding: 'utf8' });
        expect(info.stderr).toBe('');
        const names2 = [...info.stdout.matchAll(/DW_AT_name\s+: (\S+)/g)].map((m) => m[1]);
        expect(names2).toEqual(['a.tel', ...functions.map((f) => f.name)]);
        const lows = [...info.stdout.matchAll(/DW_AT_low_pc\s+: 0x([0-9a-f]+)/g)].map((m) => parseInt(m[1]!, 16));
        expect(lows).toEqual([BASE, ...functions.map((f) => f.low)]);
      }),
      { numRuns: 25 },
    );
  });
});
