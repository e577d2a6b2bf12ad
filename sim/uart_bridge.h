// uart_bridge.h: connects the SoC's UART pins to file descriptors, bit by
// bit, as a host's serial adapter would: decodes 8N1 frames from the tx pin
// and writes the bytes to `out`; reads bytes from `in` (a pseudo-terminal,
// non-blocking) and drives them onto the rx pin. It only works at bit-time
// boundaries and when the tx pin leaves idle; `due()` says whether the
// current cycle needs it. The bytes the device sends are written in bursts:
// once the tx pin has been idle for two byte times (the end of a frame), or
// when 4 KiB are waiting; the host side of the pseudo-terminal has no baud
// rate, so a frame reaches the host in one write rather than byte by byte.
#pragma once
#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

class UartBridge {
  public:
    // `in` < 0: no receive direction.
    UartBridge(int out, int in) : out_(out), in_(in) {}
    ~UartBridge() { flush(); }
    UartBridge(const UartBridge&) = delete;
    UartBridge& operator=(const UartBridge&) = delete;

    // True when `service` must run this cycle.
    bool due(uint64_t cycle, uint8_t tx) const { return cycle >= next_ || (!tx_busy_ && tx == 0); }

    // Observes tx, returns the level to drive on rx. `divisor` is the
    // UART's current clocks per bit.
    uint8_t service(uint64_t cycle, uint8_t tx, uint32_t divisor);

  private:
    static constexpr uint64_t POLL_CYCLES = 2048;  // how often an idle receiver reads `in`
    int out_, in_;
    uint64_t next_ = 0;       // the next cycle a bit boundary or poll is due

    // tx decoder
    bool tx_busy_ = false;
    uint64_t tx_sample_ = 0;  // cycle of the next mid-bit sample
    int tx_bit_ = 0;          // 0..7 data bits, 8 stop bit
    uint8_t tx_byte_ = 0;
    std::vector<uint8_t> tx_out_;      // decoded bytes not yet written to `out`
    uint64_t tx_flush_ = UINT64_MAX;   // cycle to write them if no further byte starts
    static constexpr size_t TX_BURST = 4096;

    // rx driver
    std::deque<uint8_t> rx_queue_;
    bool rx_busy_ = false;
    uint64_t rx_edge_ = 0;    // cycle of the next bit boundary
    int rx_bit_ = 0;          // -1 start, 0..7 data, 8 stop
    uint8_t rx_level_ = 1;

    void poll_input();
    void flush();
    uint64_t next_due() const;
};
