// DWARF 4 debugging information of compiled TEL code, for gdb (docs/debugging.md,
// "TEL source in gdb"): a line table (`.debug_line`) from the compiler's
// source map (pc → .tel file, line and column) and one compile unit
// (`.debug_info`, `.debug_abbrev`) with a subprogram for every compiled
// definition (its name as `cax profile` names it, its code range and the line
// it starts at), so that gdb's `break NAME`, `break FILE.tel:LINE`,
// `info line` and `list` resolve to the TEL source and a stop shows its line.

/** A row of the line table: from `pc` on, the code is of this source position. */
export interface LineRow {
  readonly pc: number;
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

/** A compiled function: its code is [low, high). */
export interface DwarfFunction {
  readonly name: string;
  readonly low: number;
  readonly high: number;
  readonly file: string;
  readonly line: number;
}

export interface DwarfUnit {
  /** The unit's main source file (its name in gdb). */
  readonly name: string;
  /** The directory relative file names are found in. */
  readonly compDir: string;
  readonly producer: string;
  /** The code the unit covers: [low, high). */
  readonly low: number;
  readonly high: number;
  /** Ascending by pc, all in [low, high). */
  readonly rows: readonly LineRow[];
  readonly functions: readonly DwarfFunction[];
}

export interface DwarfSections {
  readonly '.debug_abbrev': Uint8Array;
  readonly '.debug_info': Uint8Array;
  readonly '.debug_line': Uint8Array;
}

const DW_TAG_compile_unit = 0x11;
const DW_TAG_subprogram = 0x2e;
const DW_AT_name = 0x03;
const DW_AT_stmt_list = 0x10;
const DW_AT_low_pc = 0x11;
const DW_AT_high_pc = 0x12;
const DW_AT_language = 0x13;
const DW_AT_comp_dir = 0x1b;
const DW_AT_producer = 0x25;
const DW_AT_decl_file = 0x3a;
const DW_AT_decl_line = 0x3b;
const DW_AT_external = 0x3f;
const DW_FORM_addr = 0x01;
const DW_FORM_data2 = 0x05;
const DW_FORM_data4 = 0x06;
const DW_FORM_string = 0x08;
const DW_FORM_udata = 0x0f;
const DW_FORM_sec_offset = 0x17;
const DW_FORM_flag_present = 0x19;
/** gdb has no TEL; C gives its linespecs (`break NAME`, `FILE:LINE`) and `list` the usual meaning. */
const DW_LANG_C99 = 0x0c;
const DW_LNS_copy = 1;
const DW_LNS_advance_pc = 2;
const DW_LNS_advance_line = 3;
const DW_LNS_set_file = 4;
const DW_LNS_set_column = 5;
const DW_LNE_end_sequence = 1;
const DW_LNE_set_address = 2;
const LINE_BASE = -5;
const LINE_RANGE = 14;
const OPCODE_BASE = 13;
const STANDARD_OPCODE_LENGTHS = [0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1];
const ABBREV_UNIT = 1;
const ABBREV_SUBPROGRAM = 2;

/** Little-endian bytes with LEB128 numbers and C strings. */
class Bytes {
  private readonly out: number[] = [];

  get length(): number {
    return this.out.length;
  }
  u8(v: number): this {
    this.out.push(v & 0xff);
    return this;
  }
  u16(v: number): this {
    return this.u8(v).u8(v >>> 8);
  }
  u32(v: number): this {
    return this.u16(v & 0xffff).u16(v >>> 16);
  }
  uleb(v: number): this {
    let n = v;
    do {
      const low = n % 128;
      n = Math.floor(n / 128);
      this.u8(n > 0 ? low | 0x80 : low);
    } while (n > 0);
    return this;
  }
  sleb(v: number): this {
    let n = v;
    for (;;) {
      const low = n & 0x7f;
      n >>= 7;
      const done = (n === 0 && (low & 0x40) === 0) || (n === -1 && (low & 0x40) !== 0);
      this.u8(done ? low : low | 0x80);
      if (done) return this;
    }
  }
  str(s: string): this {
    for (const b of Buffer.from(s, 'utf8')) this.u8(b);
    return this.u8(0);
  }
  bytes(b: Uint8Array): this {
    for (const x of b) this.u8(x);
    return this;
  }
  patch32(at: number, v: number): void {
    for (let i = 0; i < 4; i++) this.out[at + i] = (v >>> (8 * i)) & 0xff;
  }
  done(): Uint8Array {
    return Uint8Array.from(this.out);
  }
}

/** The line program's file numbers (1-based, DWARF 4) of the unit's files, in first-use order. */
function fileNumbers(unit: DwarfUnit): Map<string, number> {
  const files = new Map<string, number>();
  for (const f of [unit.name, ...unit.rows.map((r) => r.file), ...unit.functions.map((f) => f.file)]) if (!files.has(f)) files.set(f, files.size + 1);
  return files;
}

function lineProgram(unit: DwarfUnit, files: ReadonlyMap<string, number>): Uint8Array {
  const header = new Bytes().u8(1).u8(1).u8(1).u8(LINE_BASE).u8(LINE_RANGE).u8(OPCODE_BASE);
  for (const n of STANDARD_OPCODE_LENGTHS) header.u8(n);
  header.u8(0); // no include directories: every file is relative to the compile directory (or absolute)
  for (const name of files.keys()) header.str(name).uleb(0).uleb(0).uleb(0);
  header.u8(0);
  const program = new Bytes();
  let file = 1;
  let line = 1;
  let col = 0;
  let pc: number | undefined;
  for (const row of unit.rows) {
    if (pc === undefined) program.u8(0).uleb(5).u8(DW_LNE_set_address).u32(row.pc);
    else program.u8(DW_LNS_advance_pc).uleb(row.pc - pc);
    pc = row.pc;
    const rowFile = files.get(row.file)!;
    if (rowFile !== file) program.u8(DW_LNS_set_file).uleb((file = rowFile));
    if (row.line !== line) program.u8(DW_LNS_advance_line).sleb(row.line - line);
    line = row.line;
    if (row.col !== col) program.u8(DW_LNS_set_column).uleb((col = row.col));
    program.u8(DW_LNS_copy);
  }
  if (pc === undefined) program.u8(0).uleb(5).u8(DW_LNE_set_address).u32(unit.low);
  program
    .u8(DW_LNS_advance_pc)
    .uleb(unit.high - (pc ?? unit.low))
    .u8(0)
    .uleb(1)
    .u8(DW_LNE_end_sequence);
  const head = header.done();
  const body = program.done();
  // unit_length, version, header_length, then the header and the program
  return new Bytes()
    .u32(2 + 4 + head.length + body.length)
    .u16(4)
    .u32(head.length)
    .bytes(head)
    .bytes(body)
    .done();
}

function abbreviations(): Uint8Array {
  const b = new Bytes();
  b.uleb(ABBREV_UNIT).uleb(DW_TAG_compile_unit).u8(1);
  for (const [at, form] of [
    [DW_AT_producer, DW_FORM_string],
    [DW_AT_language, DW_FORM_data2],
    [DW_AT_name, DW_FORM_string],
    [DW_AT_comp_dir, DW_FORM_string],
    [DW_AT_low_pc, DW_FORM_addr],
    [DW_AT_high_pc, DW_FORM_data4],
    [DW_AT_stmt_list, DW_FORM_sec_offset],
  ] as const)
    b.uleb(at).uleb(form);
  b.u8(0).u8(0);
  b.uleb(ABBREV_SUBPROGRAM).uleb(DW_TAG_subprogram).u8(0);
  for (const [at, form] of [
    [DW_AT_external, DW_FORM_flag_present],
    [DW_AT_name, DW_FORM_string],
    [DW_AT_decl_file, DW_FORM_udata],
    [DW_AT_decl_line, DW_FORM_udata],
    [DW_AT_low_pc, DW_FORM_addr],
    [DW_AT_high_pc, DW_FORM_data4],
  ] as const)
    b.uleb(at).uleb(form);
  b.u8(0).u8(0);
  return b.u8(0).done();
}

function debugInfo(unit: DwarfUnit, files: ReadonlyMap<string, number>): Uint8Array {
  const b = new Bytes().u32(0).u16(4).u32(0).u8(4);
  b.uleb(ABBREV_UNIT)
    .str(unit.producer)
    .u16(DW_LANG_C99)
    .str(unit.name)
    .str(unit.compDir)
    .u32(unit.low)
    .u32(unit.high - unit.low)
    .u32(0);
  for (const f of unit.functions) {
    b.uleb(ABBREV_SUBPROGRAM)
      .str(f.name)
      .uleb(files.get(f.file)!)
      .uleb(f.line)
      .u32(f.low)
      .u32(f.high - f.low);
  }
  b.u8(0);
  b.patch32(0, b.length - 4);
  return b.done();
}

/** The DWARF 4 sections of one compile unit. */
export function dwarfSections(unit: DwarfUnit): DwarfSections {
  const files = fileNumbers(unit);
  return { '.debug_abbrev': abbreviations(), '.debug_info': debugInfo(unit, files), '.debug_line': lineProgram(unit, files) };
}
