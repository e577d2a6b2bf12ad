// elf.cpp: the ELF32 reader of the simulation harness (see elf.h).
#include "elf.h"

#include <cstring>
#include <stdexcept>

namespace {

uint16_t u16(const std::vector<uint8_t>& f, size_t at) {
    if (at + 2 > f.size()) throw std::runtime_error("ELF truncated");
    return static_cast<uint16_t>(f[at] | f[at + 1] << 8);
}

uint32_t u32(const std::vector<uint8_t>& f, size_t at) {
    if (at + 4 > f.size()) throw std::runtime_error("ELF truncated");
    return static_cast<uint32_t>(f[at]) | static_cast<uint32_t>(f[at + 1]) << 8 |
           static_cast<uint32_t>(f[at + 2]) << 16 | static_cast<uint32_t>(f[at + 3]) << 24;
}

constexpr uint32_t PT_LOAD = 1;
constexpr uint32_t SHT_SYMTAB = 2;
constexpr uint16_t EM_RISCV = 243;

}  // namespace

ElfImage read_elf(const std::vector<uint8_t>& f) {
    if (f.size() < 52 || std::memcmp(f.data(), "\x7f" "ELF", 4) != 0) throw std::runtime_error("not an ELF file");
    if (f[4] != 1 || f[5] != 1) throw std::runtime_error("not a 32-bit little-endian ELF");
    if (u16(f, 18) != EM_RISCV) throw std::runtime_error("not a RISC-V ELF");
    ElfImage img;
    img.entry = u32(f, 24);
    const uint32_t phoff = u32(f, 28), shoff = u32(f, 32);
    const uint16_t phentsize = u16(f, 42), phnum = u16(f, 44);
    const uint16_t shentsize = u16(f, 46), shnum = u16(f, 48);

    for (uint32_t i = 0; i < phnum; i++) {
        const size_t ph = phoff + static_cast<size_t>(i) * phentsize;
        if (u32(f, ph) != PT_LOAD) continue;
        const uint32_t offset = u32(f, ph + 4), paddr = u32(f, ph + 12);
        const uint32_t filesz = u32(f, ph + 16), memsz = u32(f, ph + 20);
        if (memsz == 0) continue;
        if (filesz > memsz || static_cast<size_t>(offset) + filesz > f.size())
            throw std::runtime_error("ELF segment out of the file");
        ElfSegment seg{paddr, std::vector<uint8_t>(memsz, 0)};
        std::memcpy(seg.bytes.data(), f.data() + offset, filesz);
        img.segments.push_back(std::move(seg));
    }

    for (uint32_t i = 0; i < shnum; i++) {
        const size_t sh = shoff + static_cast<size_t>(i) * shentsize;
        if (u32(f, sh + 4) != SHT_SYMTAB) continue;
        const uint32_t symoff = u32(f, sh + 16), symsize = u32(f, sh + 20);
        const uint32_t strndx = u32(f, sh + 24), entsize = u32(f, sh + 36);
        if (entsize < 16 || strndx >= shnum) throw std::runtime_error("bad ELF symbol table");
        const uint32_t stroff = u32(f, shoff + static_cast<size_t>(strndx) * shentsize + 16);
        for (uint32_t s = 0; s + entsize <= symsize; s += entsize) {
            const size_t sym = static_cast<size_t>(symoff) + s;
            const size_t name = static_cast<size_t>(stroff) + u32(f, sym);
            if (name >= f.size()) throw std::runtime_error("bad ELF symbol name");
            const size_t end = std::string(reinterpret_cast<const char*>(f.data() + name),
                                           strnlen(reinterpret_cast<const char*>(f.data() + name), f.size() - name)).size();
            if (end == 0) continue;
            img.symbols[std::string(reinterpret_cast<const char*>(f.data() + name), end)] = u32(f, sym + 4);
        }
    }
    return img;
}
