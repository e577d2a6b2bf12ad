// cax_uart_rx: the UART receiver, 8N1, least significant bit first. The rx
// pin goes through a two-flop synchronizer; a falling edge starts a frame,
// which is checked again half a bit later (a glitch shorter than that is a
// false start and ignored); each data bit and the stop bit are then sampled
// in the middle of the bit. A frame whose stop bit is low is dropped and the
// receiver waits for the line to return high before looking for a start.
`default_nettype none

module cax_uart_rx (
    input  wire        clk,
    input  wire        rst,      // synchronous, active high
    input  wire [31:0] divisor,  // clocks per bit, at least 2 (see cax_uart)
    input  wire        rx,       // asynchronous pin
    output reg         valid,    // one clock: `data` holds a received byte
    output reg  [7:0]  data
);
    // Receiver states.
    localparam IDLE  = 3'd0; // line idle, waiting for a falling edge
    localparam START = 3'd1; // in the start bit, waiting for its middle
    localparam DATA  = 3'd2; // sampling the 8 data bits
    localparam STOP  = 3'd3; // waiting for the middle of the stop bit
    localparam BREAK = 3'd4; // framing error: waiting for the line to go high

    // Two-flop synchronizer on the pin.
    reg rx_meta;
    reg rx_sync;

    reg [2:0]  state;
    reg [31:0] clocks_left; // clocks until the next sampling point, minus one
    reg [2:0]  bit_index;   // data bit being received

    always @(posedge clk) begin
        if (rst) begin
            rx_meta     <= 1'b1;
            rx_sync     <= 1'b1;
            state       <= IDLE;
            clocks_left <= 0;
            bit_index   <= 0;
            valid       <= 1'b0;
            data        <= 8'h00;
        end else begin
            rx_meta <= rx;
            rx_sync <= rx_meta;
            valid   <= 1'b0;
            if (state != IDLE && state != BREAK && clocks_left != 0) begin
                clocks_left <= clocks_left - 1;
            end else begin
                case (state)
                    IDLE: if (!rx_sync) begin
                        state       <= START;
                        clocks_left <= {1'b0, divisor[31:1]} - 1;
                    end
                    START: begin
                        state       <= rx_sync ? IDLE : DATA;
                        clocks_left <= divisor - 1;
                        bit_index   <= 0;
                    end
                    DATA: begin
                        data        <= {rx_sync, data[7:1]};
                        bit_index   <= bit_index + 1'b1;
                        clocks_left <= divisor - 1;
                        if (bit_index == 3'd7) state <= STOP;
                    end
                    STOP: begin
                        valid <= rx_sync;
                        state <= rx_sync ? IDLE : BREAK;
                    end
                    default: if (rx_sync) state <= IDLE; // BREAK
                endcase
            end
        end
    end
endmodule

`default_nettype wire
