// cax_uart_tx: the UART transmitter, 8N1, least significant bit first.
// `start` with `data` begins a frame when idle (ignored while busy); each of
// the ten bits (start, 8 data, stop) lasts `divisor` clocks, and `busy` stays
// high until the stop bit has been on the line for its whole length.
`default_nettype none

module cax_uart_tx (
    input  wire        clk,
    input  wire        rst,      // synchronous, active high
    input  wire [31:0] divisor,  // clocks per bit, at least 2 (see cax_uart)
    input  wire        start,
    input  wire [7:0]  data,
    output wire        busy,
    output wire        tx
);
    // Frame shift register: {stop, data[7:0], start} goes out from bit 0;
    // `bits_left` counts the bits not yet finished (0 = idle, line high).
    reg [9:0]  frame;
    reg [3:0]  bits_left;
    reg [31:0] clocks_left; // clocks left of the current bit, minus one

    assign busy = bits_left != 0;
    assign tx   = busy ? frame[0] : 1'b1;

    always @(posedge clk) begin
        if (rst) begin
            frame       <= 10'h3ff;
            bits_left   <= 0;
            clocks_left <= 0;
        end else if (!busy) begin
            if (start) begin
                frame       <= {1'b1, data, 1'b0};
                bits_left   <= 4'd10;
                clocks_left <= divisor - 1;
            end
        end else if (clocks_left == 0) begin
            frame       <= {1'b1, frame[9:1]};
            bits_left   <= bits_left - 1'b1;
            clocks_left <= divisor - 1;
        end else begin
            clocks_left <= clocks_left - 1;
        end
    end
endmodule

`default_nettype wire
