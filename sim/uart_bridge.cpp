// uart_bridge.cpp: the bit-level UART bridge of the simulation harness (see
// uart_bridge.h).
#include "uart_bridge.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>

void UartBridge::poll_input() {
    if (in_ < 0) return;
    uint8_t buf[256];
    const ssize_t n = read(in_, buf, sizeof buf);
    for (ssize_t i = 0; i < n; i++) rx_queue_.push_back(buf[i]);
}

void UartBridge::flush() {
    size_t done = 0;
    while (done < tx_out_.size()) {
        const ssize_t written = write(out_, tx_out_.data() + done, tx_out_.size() - done);
        if (written > 0) done += static_cast<size_t>(written);
        else if (written == 0 || errno != EINTR) break;  // nobody reads (EAGAIN) or the host went away: dropped, as on a line
    }
    tx_out_.clear();
    tx_flush_ = UINT64_MAX;
}

uint64_t UartBridge::next_due() const {
    uint64_t next = tx_flush_;
    if (tx_busy_) next = std::min(next, tx_sample_);
    if (rx_busy_) next = std::min(next, rx_edge_);
    return next;
}

uint8_t UartBridge::service(uint64_t cycle, uint8_t tx, uint32_t divisor) {
    const uint64_t bit = divisor < 2 ? 2 : divisor;

    // Transmit direction (device to host): a start bit, 8 data bits, stop.
    if (!tx_busy_ && tx == 0) {
        tx_busy_ = true;
        tx_bit_ = 0;
        tx_byte_ = 0;
        tx_sample_ = cycle + bit + bit / 2;  // middle of data bit 0
    } else if (tx_busy_ && cycle >= tx_sample_) {
        if (tx_bit_ < 8) {
            tx_byte_ = static_cast<uint8_t>(tx_byte_ | (tx & 1) << tx_bit_);
            tx_bit_++;
            tx_sample_ += bit;
        } else {
            // Stop bit: a framing error (tx low) drops the byte, as a UART would.
            if (tx == 1) {
                tx_out_.push_back(tx_byte_);
                if (tx_out_.size() >= TX_BURST) flush();
                else tx_flush_ = cycle + 20 * bit;
            }
            tx_busy_ = false;
        }
    }

    if (!tx_busy_ && cycle >= tx_flush_) flush();

    // Receive direction (host to device).
    if (rx_busy_ && cycle >= rx_edge_) {
        rx_bit_++;
        rx_edge_ += bit;
        if (rx_bit_ <= 7) rx_level_ = (rx_queue_.front() >> rx_bit_) & 1;
        else if (rx_bit_ == 8) rx_level_ = 1;  // stop bit
        else {
            rx_queue_.pop_front();
            rx_busy_ = false;
        }
    }
    if (!rx_busy_) {
        if (rx_queue_.empty() && cycle >= next_) poll_input();
        if (!rx_queue_.empty()) {
            rx_busy_ = true;
            rx_bit_ = -1;
            rx_level_ = 0;  // start bit
            rx_edge_ = cycle + bit;
        }
    }

    next_ = next_due();
    if (!rx_busy_ && in_ >= 0) next_ = std::min(next_, cycle + POLL_CYCLES);
    return rx_level_;
}
