// main.cpp: the Verilator harness of the cax SoC (docs/rtl.md). Loads an ELF
// or a raw image into RAM, runs the model to a cycle limit or until the
// program ends (EXIT or `tohost`; with --stop-on-ecall also at an ecall), writes the VCD (--vcd, only while
// TRACE_EN is on) and the text trace (--trace), bridges the UART pins to a
// pseudo-terminal (--pty, its path printed as the first JSON line) or prints
// what the program sends on stderr, and ends with one JSON summary line on
// stdout. Exit status: 0 pass, 1 fail or limit or stopped or ecall, 2 usage, 3 error.
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "Vcax_soc.h"
#include "Vcax_soc___024root.h"
#include "elf.h"
#include "uart_bridge.h"
#include "verilated.h"
#include "verilated_vcd_c.h"

namespace {

constexpr uint32_t RAM_BASE = 0x80000000u;

struct Options {
    std::string program;             // ELF file, or raw image with --raw
    bool raw = false;
    uint64_t max_cycles = 0;         // 0 = no limit
    std::string vcd, trace;
    uint64_t vcd_from = 0;           // first clock the VCD covers (the last cycles before a failure)
    bool dump_regs = false;
    std::string dump_from, dump_to;  // address or symbol, end exclusive
    bool pty = false;
    bool stop_on_ecall = false;      // end the run when an ecall traps (a proved run yielding to the host)
    bool stop_on_trap = false;       // end the run at the first trap (a test expecting one): "trap" and its cause
    std::vector<uint32_t> args;      // a0, a1, … at reset (--arg, at most 8)
    bool progress = false;           // print {"progress":CLOCKS} on stdout every 2^20 clocks
    std::string coverage;            // coverage data file (a model built with --coverage: make sim-coverage)
};

[[noreturn]] void usage(const std::string& why) {
    std::fprintf(stderr,
                 "cax-sim: %s\n"
                 "usage: cax-sim [--raw] PROGRAM [--max-cycles N] [--vcd FILE] [--vcd-from N] [--trace FILE]\n"
                 "               [--dump-regs] [--dump-mem FROM:TO] [--pty] [--stop-on-ecall] [--stop-on-trap] [--arg V]... [--progress]\n"
                 "               [--coverage FILE]\n"
                 "  FROM, TO: an address (0x…) or an ELF symbol; TO is exclusive\n",
                 why.c_str());
    std::exit(2);
}

uint64_t parse_number(const std::string& what, const std::string& text) {
    char* end = nullptr;
    errno = 0;
    const unsigned long long v = std::strtoull(text.c_str(), &end, 0);
    if (text.empty() || *end != '\0' || errno != 0) usage("bad number for " + what + ": " + text);
    return v;
}

// A 32-bit register value: -2^31 … 2^32-1, decimal or 0x….
uint32_t parse_word(const std::string& what, const std::string& text) {
    char* end = nullptr;
    errno = 0;
    const long long v = std::strtoll(text.c_str(), &end, 0);
    if (text.empty() || *end != '\0' || errno != 0 || v < -2147483648LL || v > 4294967295LL) usage("bad 32-bit value for " + what + ": " + text);
    return static_cast<uint32_t>(v);
}

Options parse_args(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; i++) {
        const std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) usage("missing value for " + a);
            return argv[++i];
        };
        if (a == "--raw") o.raw = true;
        else if (a == "--max-cycles") o.max_cycles = parse_number(a, value());
        else if (a == "--vcd") o.vcd = value();
        else if (a == "--vcd-from") o.vcd_from = parse_number(a, value());
        else if (a == "--trace") o.trace = value();
        else if (a == "--dump-regs") o.dump_regs = true;
        else if (a == "--dump-mem") {
            const std::string v = value();
            const size_t colon = v.find(':');
            if (colon == std::string::npos) usage("--dump-mem wants FROM:TO");
            o.dump_from = v.substr(0, colon);
            o.dump_to = v.substr(colon + 1);
        } else if (a == "--pty") o.pty = true;
        else if (a == "--stop-on-ecall") o.stop_on_ecall = true;
        else if (a == "--stop-on-trap") o.stop_on_trap = true;
        else if (a == "--progress") o.progress = true;
        else if (a == "--arg") {
            if (o.args.size() == 8) usage("more than 8 --arg (a0…a7)");
            o.args.push_back(parse_word(a, value()));
        }
        else if (a == "--coverage") o.coverage = value();
        else if (a.rfind("-", 0) == 0) usage("unknown option " + a);
        else if (o.program.empty()) o.program = a;
        else usage("more than one program");
    }
    if (o.program.empty()) usage("no program");
    return o;
}

std::vector<uint8_t> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

volatile sig_atomic_t stop_requested = 0;
void on_signal(int) { stop_requested = 1; }

// The model's RAM, byte-addressed.
template <typename Mem>
class Ram {
  public:
    explicit Ram(Mem& mem) : mem_(mem) {}
    static constexpr uint64_t bytes() { return sizeof(Mem); }
    bool contains(uint32_t addr, uint64_t len) const {
        return addr >= RAM_BASE && uint64_t{addr} - RAM_BASE + len <= bytes();
    }
    void write(uint32_t addr, const std::vector<uint8_t>& data) {
        if (!contains(addr, data.size())) throw std::runtime_error("the image does not fit in RAM");
        for (size_t i = 0; i < data.size(); i++) {
            const uint32_t a = addr + static_cast<uint32_t>(i) - RAM_BASE;
            uint32_t& w = mem_[a / 4];
            const uint32_t shift = (a % 4) * 8;
            w = (w & ~(0xFFu << shift)) | static_cast<uint32_t>(data[i]) << shift;
        }
    }
    uint8_t byte(uint32_t addr) const {
        const uint32_t a = addr - RAM_BASE;
        return static_cast<uint8_t>(mem_[a / 4] >> ((a % 4) * 8));
    }

  private:
    Mem& mem_;
};

// An address from the command line: a number or a symbol of the ELF.
uint32_t resolve(const std::string& text, const ElfImage& elf) {
    const auto sym = elf.symbols.find(text);
    if (sym != elf.symbols.end()) return sym->second;
    if (text.empty() || !(std::isdigit(static_cast<unsigned char>(text[0])))) usage("no such symbol: " + text);
    return static_cast<uint32_t>(parse_number("address", text));
}

// Opens a pseudo-terminal in raw mode; returns the master, keeps the slave
// open (so the master never reads EIO while no host is attached).
int open_pty(std::string& path) {
    const int master = posix_openpt(O_RDWR | O_NOCTTY);
    if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) throw std::runtime_error("cannot open a pseudo-terminal");
    path = ptsname(master);
    const int slave = open(path.c_str(), O_RDWR | O_NOCTTY);
    if (slave < 0) throw std::runtime_error("cannot open " + path);
    termios t{};
    tcgetattr(slave, &t);
    cfmakeraw(&t);
    tcsetattr(slave, TCSANOW, &t);
    fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
    return master;
}

int run(const Options& opt) {
    // Before the pty path is printed: a stop request any time after it ends the run with a summary.
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    const std::vector<uint8_t> file = read_file(opt.program);
    ElfImage elf;
    if (opt.raw) elf.segments.push_back({RAM_BASE, file});
    else elf = read_elf(file);
    if (!opt.raw && elf.entry != RAM_BASE) throw std::runtime_error("the ELF entry point is not 0x80000000 (the reset pc)");

    auto context = std::make_unique<VerilatedContext>();
    context->traceEverOn(!opt.vcd.empty());
    auto top = std::make_unique<Vcax_soc>(context.get(), "cax_soc");
    auto& root = *top->rootp;
    Ram<decltype(root.cax_soc__DOT__ram__DOT__mem)> ram(root.cax_soc__DOT__ram__DOT__mem);
    for (const ElfSegment& seg : elf.segments) ram.write(seg.addr, seg.bytes);
    const auto tohost = elf.symbols.find("tohost");
    top->tohost_addr = tohost == elf.symbols.end() ? 0 : tohost->second;

    std::unique_ptr<VerilatedVcdC> vcd;
    if (!opt.vcd.empty()) {
        vcd = std::make_unique<VerilatedVcdC>();
        top->trace(vcd.get(), 99);
        vcd->open(opt.vcd.c_str());
    }
    FILE* trace = nullptr;
    if (!opt.trace.empty()) {
        trace = std::fopen(opt.trace.c_str(), "w");
        if (!trace) throw std::runtime_error("cannot write " + opt.trace);
    }
    std::unique_ptr<UartBridge> bridge;
    if (opt.pty) {
        std::string path;
        const int master = open_pty(path);
        bridge = std::make_unique<UartBridge>(master, master);
        std::printf("{\"pty\":\"%s\"}\n", path.c_str());
        std::fflush(stdout);
    } else {
        bridge = std::make_unique<UartBridge>(STDERR_FILENO, -1);
    }
    // Reset for one clock.
    top->uart_rx = 1;
    top->rst = 1;
    top->clk = 0;
    top->eval();
    top->clk = 1;
    top->eval();
    top->rst = 0;
    // The arguments in a0…: the register file is not reset, the program starts with what is written here.
    for (size_t i = 0; i < opt.args.size(); i++) root.cax_soc__DOT__core__DOT__regs[10 + i] = opt.args[i];

    // Run. `n` counts clocks since reset (= mcycle unless the program wrote it).
    uint64_t n = 0;
    const uint64_t limit = opt.max_cycles == 0 ? UINT64_MAX : opt.max_cycles;
    const char* end = "limit";
    uint32_t trap_cause = 0;  // mcause of the trap a --stop-on-trap run ended at
    while (n < limit) {
        top->clk = 0;
        top->eval();
        if (vcd && top->trace_en && n >= opt.vcd_from) vcd->dump(2 * n);
        top->clk = 1;
        top->eval();
        if (vcd && top->trace_en && n >= opt.vcd_from) vcd->dump(2 * n + 1);
        n++;
        if (trace && top->trace_valid) {
            std::fprintf(trace, "%x %x %x %x %x %x %x %x %x %x %x\n", top->trace_pc, top->trace_insn, top->trace_rd,
                         top->trace_rd_value, top->trace_mem_addr, top->trace_mem_data, top->trace_mem_mask,
                         top->trace_mem_write, top->trace_trap, top->trace_cause, top->trace_tval);
        }
        if (top->exit_valid) {
            end = top->exit_value == 1 ? "pass" : "fail";
            break;
        }
        if (opt.stop_on_ecall && top->trace_valid && top->trace_trap && top->trace_cause == 11) {
            end = "ecall";
            break;
        }
        if (opt.stop_on_trap && top->trace_valid && top->trace_trap) {
            end = "trap";
            trap_cause = top->trace_cause;
            break;
        }
        if (bridge->due(n, top->uart_tx))
            top->uart_rx = bridge->service(n, top->uart_tx, root.cax_soc__DOT__uart__DOT__divisor);
        if (opt.progress && (n & 0xFFFFF) == 0) {
            std::printf("{\"progress\":%llu}\n", (unsigned long long)n);
            std::fflush(stdout);
        }
        if ((n & 0xFFFF) == 0 && stop_requested) {
            end = "stopped";
            break;
        }
    }
    if (trace) std::fclose(trace);
    if (vcd) vcd->close();
    const uint64_t cycles = root.cax_soc__DOT__core__DOT__csrs__DOT__mcycle_q;
    const uint64_t instret = root.cax_soc__DOT__core__DOT__csrs__DOT__minstret_q;
    // One more clock, unrecorded: the core writes rd the clock after an
    // instruction retires, so the last one's result reaches the registers.
    top->clk = 0;
    top->eval();
    top->clk = 1;
    top->eval();

    // Summary.
    const uint32_t exit_value = top->exit_value;
    std::string json = "{\"end\":\"" + std::string(end) + "\"";
    json += ",\"exitCode\":" + std::to_string(std::string(end) == "fail" ? exit_value >> 1 : 0);
    json += ",\"cycles\":" + std::to_string(cycles);
    json += ",\"instret\":" + std::to_string(instret);
    json += ",\"clocks\":" + std::to_string(n);
    if (std::string(end) == "trap") json += ",\"trapCause\":" + std::to_string(trap_cause);
    if (opt.dump_regs) {
        json += ",\"regs\":[0";
        for (int r = 1; r < 32; r++) json += "," + std::to_string(root.cax_soc__DOT__core__DOT__regs[r]);
        json += "]";
    }
    if (!opt.dump_from.empty()) {
        const uint32_t from = resolve(opt.dump_from, elf), to = resolve(opt.dump_to, elf);
        if (to < from || !ram.contains(from, to - from)) throw std::runtime_error("--dump-mem range is not in RAM");
        std::string hex;
        char b[3];
        for (uint32_t a = from; a < to; a++) {
            std::snprintf(b, sizeof b, "%02x", ram.byte(a));
            hex += b;
        }
        json += ",\"mem\":{\"from\":" + std::to_string(from) + ",\"hex\":\"" + hex + "\"}";
    }
    json += "}";
    std::printf("%s\n", json.c_str());
    std::fflush(stdout);
    top->final();
    if (!opt.coverage.empty()) {
#if VM_COVERAGE
        context->coveragep()->write(opt.coverage.c_str());
#else
        throw std::runtime_error("--coverage needs a model built with coverage (make sim-coverage)");
#endif
    }
    return std::string(end) == "pass" ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    const Options opt = parse_args(argc, argv);
    try {
        return run(opt);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "cax-sim: %s\n", e.what());
        return 3;
    }
}
