// TEL source in gdb: `cax compile FILE.tel ARGS --elf OUT` writes a standalone
// ELF (host/debug/tel-elf.ts) that runs from reset on the ISS to the
// interpreter's value, whose DWARF (host/debug/dwarf.ts) binutils read back
// row for row, and in which the real gdb-multiarch, against `cax iss gdb`'s
// server and `cax sim gdb`'s over a recorded trace, resolves `info line
// NAME`, `break FILE.tel:LINE`, `break NAME` and `list` to the .tel source and
// reports the .tel file and line at a stop.
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GdbTarget } from '../../host/debug/gdb.js';
import { TraceTarget } from '../../host/debug/trace-target.js';
import { compiledFunctions, standaloneImage } from '../../host/debug/tel-elf.js';
import { runCli } from '../../host/cli/program.js';
import type { CliIO } from '../../host/cli/io.js';
import { parseElf } from '../../host/riscv/elf.js';
import { DEFAULT_RAM_BYTES, Iss } from '../../host/riscv/iss.js';
import { PROVE_HEADER } from '../../host/proof/tel-image.js';
import { parseProgram } from '../../host/tel/parser.js';
import type { TraceRecord } from '../../host/trace/record.js';
import { runGdb, withGdbServer } from './gdb-batch.js';

const SOURCE = [
  '-- sums factorials',
  'fact :: Int -> Int',
  'fact n = if n <= 1 then 1 else n * fact (n - 1)',
  '',
  'sumTo :: Int -> Int -> Int',
  'sumTo acc k = if k == 0 then acc else sumTo (acc + fact k) (k - 1)',
  '',
  'main :: Int -> Int',
  'main n = sumTo 0 n',
  '',
].join('\n');

let dir = '';
let elf = '';
let io: CliIO;
let err = '';
let out = '';
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cax-tel-elf-'));
  writeFileSync(join(dir, 'fact.tel'), SOURCE);
  io = { out: (t) => (out += `${t}\n`), err: (t) => (err += t), interactive: false, cwd: dir, env: {} };
  expect(await runCli(['compile', 'fact.tel', '4', '--elf', 'fact.elf'], io)).toBe(0);
  expect(err).toBe('');
  expect(out).toMatch(/^wrote fact\.elf \(\d+ bytes\): main 4 from reset at 0x80000000/);
  elf = join(dir, 'fact.elf');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const program = (): Uint8Array => new Uint8Array(readFileSync(elf));

describe('the standalone ELF of a TEL definition', () => {
  it('runs from reset on the ISS to the value of main 4 (1 + 2 + 6 + 24)', () => {
    const iss = new Iss({});
    iss.load(program());
    const r = iss.run({ maxCycles: 10_000_000 });
    expect(r.ended).toBe('exit');
    expect(r.exitCode).toBe(0);
    const result = new DataView(iss.readMemory(0x80000000 + PROVE_HEADER.result, 8).buffer);
    expect(result.getUint32(4, true)).toBe(33);
  });

  it('carries the image: the same loaded bytes, its symbols, and a subprogram for every compiled definition', () => {
    const image = standaloneImage(parseProgram(SOURCE, 'fact.tel'), 'main', ['4']);
    const parsed = parseElf(program());
    expect(parsed.entry).toBe(image.entry);
    expect(Buffer.from(parsed.segments[0]!.data).equals(Buffer.from(image.bytes))).toBe(true);
    const inImage = [...image.symbols].filter(([, a]) => a >= image.base && a < image.base + image.bytes.length);
    expect(inImage.length).toBeGreaterThan(50);
    for (const [name, address] of inImage) expect([name, parsed.symbols.get(name)]).toEqual([name, address]);
    const info = spawnSync('riscv64-unknown-elf-readelf', ['--debug-dump=info', elf], { encoding: 'utf8' });
    expect(info.stderr).toBe('');
    for (const f of compiledFunctions(image).functions) expect(info.stdout).toContain(`DW_AT_name        : ${f.name}\n`);
  });

  it('has a line table binutils decodes to the source map: every row a source-map position of the code', () => {
    const image = standaloneImage(parseProgram(SOURCE, 'fact.tel'), 'main', ['4']);
    const decoded = spawnSync('riscv64-unknown-elf-objdump', ['--dwarf=decodedline', elf], { encoding: 'utf8' });
    expect(decoded.stderr).toBe('');
    const rows = [...decoded.stdout.matchAll(/^fact\.tel\s+(\d+)\s+0x([0-9a-f]+)/gm)].map((m) => ({ line: Number(m[1]), pc: parseInt(m[2]!, 16) }));
    const { functions } = compiledFunctions(image);
    // every function with source positions starts a row, at the line of its first one
    for (const f of functions) {
      const first = image.sourceMap.find((m) => m.pc >= f.low && m.pc < f.high);
      if (first) expect(rows).toContainEqual({ line: first.span.line, pc: f.low });
    }
    // every other row is a source-map entry of its pc
    const starts = new Set(functions.map((f) => f.low));
    for (const row of rows.filter((r) => !starts.has(r.pc))) expect(image.sourceMap.filter((m) => m.pc === row.pc).map((m) => m.span.line)).toContain(row.line);
    expect(rows.map((r) => r.line).sort()).toEqual(expect.arrayContaining([3, 6, 9]));
  });

  it('compile refuses arguments without --elf, and --elf of a stored reference', async () => {
    err = '';
    out = '';
    expect(await runCli(['compile', 'fact.tel', '4'], io)).not.toBe(0);
    expect(err).toContain('E_USAGE');
    err = '';
    expect(await runCli(['compile', 'nosuchdef', '--elf', 'x.elf'], io)).not.toBe(0);
    expect(err).toContain('E_UNSUPPORTED');
  });
});

describe('gdb-multiarch on the TEL ELF', () => {
  const COMMANDS = ['info line fact', 'break fact.tel:6', 'continue', 'list 6,6', 'break fact', 'continue', 'frame', 'info source', 'break fact.tel:99'];
  const expectTelSource = (text: string): void => {
    expect(text).toMatch(/Line 3 of "fact\.tel" starts at address 0x[0-9a-f]+ <fact> and ends at/);
    expect(text).toMatch(/Breakpoint 1 at 0x[0-9a-f]+: file fact\.tel, line 6\./);
    expect(text).toMatch(/Breakpoint 1, sumTo \(\) at fact\.tel:6\n6\tsumTo acc k = if k == 0/);
    expect(text).toMatch(/Breakpoint 2, fact \(\) at fact\.tel:3\n3\tfact n = if n <= 1/);
    expect(text).toMatch(/#0 {2}fact \(\) at fact\.tel:3/);
    expect(text).toContain(`Located in ${join(dir, 'fact.tel')}`);
    expect(text).toContain('No line 99 in file "fact.tel"');
  };

  it('cax iss gdb: break on TEL lines and definitions, stops at the .tel file and line, reverse-step back into the source', () =>
    withGdbServer(
      () => new GdbTarget(program(), {}),
      async (port) => {
        const text = await runGdb(port, elf, [...COMMANDS, 'reverse-stepi', 'info line *$pc']);
        expectTelSource(text);
        expect(text).toMatch(/Line \d+ of "fact\.tel" (starts at|is at) address/);
      },
    ));

  it('cax sim gdb over a recorded trace of the ELF: the same', async () => {
    const records: TraceRecord[] = [];
    const iss = new Iss({});
    iss.load(program());
    iss.setTraceSink((r) => records.push(r));
    expect(iss.run({ maxCycles: 10_000_000 }).ended).toBe('exit');
    await withGdbServer(
      () => new TraceTarget(program(), records, DEFAULT_RAM_BYTES),
      async (port) => expectTelSource(await runGdb(port, elf, COMMANDS)),
    );
  });
});
