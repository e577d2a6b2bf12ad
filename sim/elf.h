// elf.h: a small ELF32 little-endian RISC-V reader for the simulation
// harness: loadable segments and the symbol table.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

struct ElfSegment {
    uint32_t addr;               // physical load address
    std::vector<uint8_t> bytes;  // file bytes, zero-padded to the memory size
};

struct ElfImage {
    uint32_t entry = 0;
    std::vector<ElfSegment> segments;
    std::map<std::string, uint32_t> symbols;
};

// Parses an ELF32 LE RISC-V executable; throws std::runtime_error with a
// message on anything malformed.
ElfImage read_elf(const std::vector<uint8_t>& file);
