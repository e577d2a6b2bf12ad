// ELF writer: a 32-bit little-endian RISC-V executable of one loadable
// image (one PT_LOAD segment, shown as one `.text` section), with a symbol
// table and any extra non-loaded sections (DWARF, for gdb). The counterpart
// of elf.ts, which reads what this writes back.

const EM_RISCV = 243;
const ET_EXEC = 2;
const PT_LOAD = 1;
const PF_RWX = 7;
const SHT_PROGBITS = 1;
const SHT_SYMTAB = 2;
const SHT_STRTAB = 3;
const SHF_WRITE = 1;
const SHF_ALLOC = 2;
const SHF_EXECINSTR = 4;
const STB_GLOBAL = 1;
const STT_NOTYPE = 0;
const STT_FUNC = 2;
const HEADER_BYTES = 52;
const PROGRAM_HEADER_BYTES = 32;
const SECTION_HEADER_BYTES = 40;
const SYMBOL_BYTES = 16;
/** Where the loaded bytes start in the file. */
const LOAD_OFFSET = 0x1000;

export interface ElfSymbolOut {
  readonly name: string;
  readonly value: number;
  /** Bytes of code (0: unknown). */
  readonly size: number;
  readonly func: boolean;
}

export interface ElfOut {
  readonly entry: number;
  /** Load address of `bytes`. */
  readonly vaddr: number;
  readonly bytes: Uint8Array;
  readonly symbols: readonly ElfSymbolOut[];
  /** Sections not loaded (e.g. `.debug_line`), in this order. */
  readonly extraSections: readonly { readonly name: string; readonly data: Uint8Array }[];
}

/** A string table: offsets of NUL-terminated names (offset 0 is the empty name). */
class StringTable {
  private readonly parts: Buffer[] = [Buffer.from([0])];
  private size = 1;

  add(name: string): number {
    const at = this.size;
    const b = Buffer.from(`${name}\0`, 'utf8');
    this.parts.push(b);
    this.size += b.length;
    return at;
  }

  bytes(): Uint8Array {
    return Buffer.concat(this.parts);
  }
}

interface SectionOut {
  readonly name: number;
  readonly type: number;
  readonly flags: number;
  readonly addr: number;
  readonly offset: number;
  readonly size: number;
  readonly link: number;
  readonly info: number;
  readonly align: number;
  readonly entsize: number;
}

/** The ELF file of `out`. */
export function writeElf(out: ElfOut): Uint8Array {
  const shstr = new StringTable();
  const strtab = new StringTable();
  const symtab = Buffer.alloc(SYMBOL_BYTES * (out.symbols.length + 1));
  const textIndex = 1;
  out.symbols.forEach((s, i) => {
    const at = SYMBOL_BYTES * (i + 1);
    symtab.writeUInt32LE(strtab.add(s.name), at);
    symtab.writeUInt32LE(s.value >>> 0, at + 4);
    symtab.writeUInt32LE(s.size >>> 0, at + 8);
    symtab.writeUInt8((STB_GLOBAL << 4) | (s.func ? STT_FUNC : STT_NOTYPE), at + 12);
    symtab.writeUInt16LE(textIndex, at + 14);
  });
  const strBytes = strtab.bytes();
  const chunks: Uint8Array[] = [];
  let offset = LOAD_OFFSET + out.bytes.length;
  const place = (data: Uint8Array, align: number): number => {
    const pad = (align - (offset % align)) % align;
    if (pad > 0) chunks.push(new Uint8Array(pad));
    offset += pad;
    const at = offset;
    chunks.push(data);
    offset += data.length;
    return at;
  };
  const sections: SectionOut[] = [{ name: 0, type: 0, flags: 0, addr: 0, offset: 0, size: 0, link: 0, info: 0, align: 0, entsize: 0 }];
  sections.push({
    name: shstr.add('.text'),
    type: SHT_PROGBITS,
    flags: SHF_ALLOC | SHF_EXECINSTR | SHF_WRITE,
    addr: out.vaddr,
    offset: LOAD_OFFSET,
    size: out.bytes.length,
    link: 0,
    info: 0,
    align: 4,
    entsize: 0,
  });
  for (const extra of out.extraSections) {
    sections.push({ name: shstr.add(extra.name), type: SHT_PROGBITS, flags: 0, addr: 0, offset: place(extra.data, 1), size: extra.data.length, link: 0, info: 0, align: 1, entsize: 0 });
  }
  const symtabIndex = sections.length;
  sections.push({ name: shstr.add('.symtab'), type: SHT_SYMTAB, flags: 0, addr: 0, offset: place(symtab, 4), size: symtab.length, link: symtabIndex + 1, info: 1, align: 4, entsize: SYMBOL_BYTES });
  sections.push({ name: shstr.add('.strtab'), type: SHT_STRTAB, flags: 0, addr: 0, offset: place(strBytes, 1), size: strBytes.length, link: 0, info: 0, align: 1, entsize: 0 });
  const shstrIndex = sections.length;
  const shstrName = shstr.add('.shstrtab');
  const shstrBytes = shstr.bytes();
  sections.push({ name: shstrName, type: SHT_STRTAB, flags: 0, addr: 0, offset: place(shstrBytes, 1), size: shstrBytes.length, link: 0, info: 0, align: 1, entsize: 0 });
  const sectionTable = Buffer.alloc(SECTION_HEADER_BYTES * sections.length);
  sections.forEach((s, i) => {
    const at = SECTION_HEADER_BYTES * i;
    [s.name, s.type, s.flags, s.addr, s.offset, s.size, s.link, s.info, s.align, s.entsize].forEach((v, k) => sectionTable.writeUInt32LE(v >>> 0, at + 4 * k));
  });
  const shoff = place(sectionTable, 4);

  const head = Buffer.alloc(LOAD_OFFSET);
  head.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1], 0);
  head.writeUInt16LE(ET_EXEC, 16);
  head.writeUInt16LE(EM_RISCV, 18);
  head.writeUInt32LE(1, 20);
  head.writeUInt32LE(out.entry >>> 0, 24);
  head.writeUInt32LE(HEADER_BYTES, 28);
  head.writeUInt32LE(shoff, 32);
  head.writeUInt16LE(HEADER_BYTES, 40);
  head.writeUInt16LE(PROGRAM_HEADER_BYTES, 42);
  head.writeUInt16LE(1, 44);
  head.writeUInt16LE(SECTION_HEADER_BYTES, 46);
  head.writeUInt16LE(sections.length, 48);
  head.writeUInt16LE(shstrIndex, 50);
  const ph = HEADER_BYTES;
  [PT_LOAD, LOAD_OFFSET, out.vaddr, out.vaddr, out.bytes.length, out.bytes.length, PF_RWX, 4].forEach((v, k) => head.writeUInt32LE(v >>> 0, ph + 4 * k));
  return Buffer.concat([head, out.bytes, ...chunks]);
}
