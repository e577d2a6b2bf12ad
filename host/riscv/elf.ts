// ELF loader: parses a 32-bit little-endian RISC-V executable into its
// loadable segments, entry point and symbols. Every check that fails is a
// CaxError E_ELF naming the byte offset of the offending field.
import { CaxError } from '../errors.js';

export interface ElfSegment {
  /** Load address. */
  readonly vaddr: number;
  /** Bytes from the file; the rest up to `memBytes` is zero. */
  readonly data: Uint8Array;
  readonly memBytes: number;
}

export interface ElfImage {
  readonly entry: number;
  readonly segments: readonly ElfSegment[];
  /** Symbol name → value, for the defined symbols of `.symtab` (empty when stripped). */
  readonly symbols: ReadonlyMap<string, number>;
}

const PT_LOAD = 1;
const SHT_SYMTAB = 2;
const EM_RISCV = 243;
const ET_EXEC = 2;

function fail(offset: number, message: string): never {
  throw new CaxError('E_ELF', `${message} (at byte offset ${offset})`, { details: { offset } });
}

/** True when the bytes start with the ELF magic (the caller may then treat anything else as a raw image). */
export function looksLikeElf(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
}

export function parseElf(bytes: Uint8Array): ElfImage {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const need = (offset: number, length: number, what: string): void => {
    if (offset < 0 || length < 0 || offset + length > bytes.length) fail(offset, `${what} lies beyond the end of the file (${bytes.length} bytes)`);
  };
  need(0, 52, 'ELF header');
  if (!looksLikeElf(bytes)) fail(0, 'not an ELF file (bad magic)');
  if (bytes[4] !== 1) fail(4, 'not a 32-bit ELF (EI_CLASS must be 1)');
  if (bytes[5] !== 1) fail(5, 'not a little-endian ELF (EI_DATA must be 1)');
  if (bytes[6] !== 1) fail(6, `unknown ELF version ${bytes[6]}`);
  const u16 = (o: number): number => view.getUint16(o, true);
  const u32 = (o: number): number => view.getUint32(o, true);
  if (u16(16) !== ET_EXEC) fail(16, `not an executable (e_type ${u16(16)}, expected ${ET_EXEC})`);
  if (u16(18) !== EM_RISCV) fail(18, `not a RISC-V ELF (e_machine ${u16(18)}, expected ${EM_RISCV})`);
  const entry = u32(24);
  const phoff = u32(28);
  const shoff = u32(32);
  const phentsize = u16(42);
  const phnum = u16(44);
  const shentsize = u16(46);
  const shnum = u16(48);
  if (phnum === 0) fail(44, 'no program headers');
  if (phentsize < 32) fail(42, `program header size ${phentsize} is below 32`);
  need(phoff, phentsize * phnum, 'program header table');

  const segments: ElfSegment[] = [];
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize;
    if (u32(ph) !== PT_LOAD) continue;
    const offset = u32(ph + 4);
    const vaddr = u32(ph + 8);
    const fileBytes = u32(ph + 16);
    const memBytes = u32(ph + 20);
    if (fileBytes > memBytes) fail(ph + 16, `segment ${i}: p_filesz ${fileBytes} exceeds p_memsz ${memBytes}`);
    if (vaddr + memBytes > 2 ** 32) fail(ph + 8, `segment ${i} wraps around the address space`);
    need(offset, fileBytes, `segment ${i} data`);
    if (memBytes > 0) segments.push({ vaddr, data: bytes.subarray(offset, offset + fileBytes), memBytes });
  }
  if (segments.length === 0) fail(phoff, 'no loadable segment');
  return { entry, segments, symbols: shnum === 0 ? new Map() : readSymbols(bytes, view, shoff, shentsize, shnum, need) };
}

function readSymbols(bytes: Uint8Array, view: DataView, shoff: number, shentsize: number, shnum: number, need: (offset: number, length: number, what: string) => void): Map<string, number> {
  if (shentsize < 40) fail(46, `section header size ${shentsize} is below 40`);
  need(shoff, shentsize * shnum, 'section header table');
  const symbols = new Map<string, number>();
  const decoder = new TextDecoder();
  for (let i = 0; i < shnum; i++) {
    const sh = shoff + i * shentsize;
    if (view.getUint32(sh + 4, true) !== SHT_SYMTAB) continue;
    const offset = view.getUint32(sh + 16, true);
    const size = view.getUint32(sh + 20, true);
    const link = view.getUint32(sh + 24, true);
    const entsize = view.getUint32(sh + 36, true);
    if (entsize < 16) fail(sh + 36, `symbol table entry size ${entsize} is below 16`);
    need(offset, size, 'symbol table');
    if (link >= shnum) fail(sh + 24, `symbol table links to section ${link} of ${shnum}`);
    const strtab = shoff + link * shentsize;
    const strOffset = view.getUint32(strtab + 16, true);
    const strSize = view.getUint32(strtab + 20, true);
    need(strOffset, strSize, 'string table');
    for (let s = offset; s + 16 <= offset + size; s += entsize) {
      const nameAt = view.getUint32(s, true);
      const shndx = view.getUint16(s + 14, true);
      if (nameAt === 0 || shndx === 0) continue;
      if (nameAt >= strSize) fail(s, `symbol name offset ${nameAt} outside the string table`);
      let end = strOffset + nameAt;
      while (end < strOffset + strSize && bytes[end] !== 0) end++;
      symbols.set(decoder.decode(bytes.subarray(strOffset + nameAt, end)), view.getUint32(s + 4, true));
    }
  }
  return symbols;
}
