// icebreaker_top: the cax SoC on a 1BitSquared iCEBreaker (iCE40UP5K-SG48):
// the 12 MHz oscillator clocks it directly, reset is a power-on counter
// (long enough for the RAM's boot copy, rtl/board/cax_ram_spram.v) or the
// user button, the UART goes to the FTDI's second channel (115200 8N1 with
// UART_DIVISOR 104), and the LEDs show how the program ended.
`default_nettype none

module icebreaker_top #(
    parameter        RAM_BYTES    = 131072,
    parameter [31:0] UART_DIVISOR = 32'd104,  // 12 MHz / 115200 baud
    parameter        POR_BITS     = 16        // power-on reset: 2^16 clocks, 5.5 ms
) (
    input  wire CLK,     // 12 MHz
    input  wire BTN_N,   // user button, low when pressed: reset
    input  wire RX,      // from the host (FTDI channel B)
    output wire TX,      // to the host
    output wire LEDG_N,  // green: the program passed (EXIT 1)
    output wire LEDR_N   // red: the program failed (odd EXIT other than 1)
);
    // ---- reset: held after configuration, and while the button is pressed
    reg [POR_BITS-1:0] por = 0;
    reg [1:0]          button = 2'b00;  // synchronizer, 1 = released
    always @(posedge CLK) begin
        if (!(&por)) por <= por + 1'b1;
        button <= {button[0], BTN_N};
    end
    wire rst = !(&por) || !button[1];

    // ---- the SoC (the same RTL as in simulation; cax_ram is the SPRAM one)
    wire        exit_valid;
    wire [31:0] exit_value;
    cax_soc #(.RAM_BYTES(RAM_BYTES), .UART_DIVISOR(UART_DIVISOR)) soc (
        .clk(CLK), .rst(rst),
        .uart_rx(RX), .uart_tx(TX),
        .tohost_addr(32'd0),
        .exit_valid(exit_valid), .exit_value(exit_value),
        /* verilator lint_off PINCONNECTEMPTY */
        .trace_en(), .trace_valid(), .trace_pc(), .trace_insn(), .trace_rd(),
        .trace_rd_value(), .trace_mem_addr(), .trace_mem_data(), .trace_mem_mask(),
        .trace_mem_write(), .trace_trap(), .trace_cause(), .trace_tval()
        /* verilator lint_on PINCONNECTEMPTY */
    );

    assign LEDG_N = !(exit_valid && exit_value == 32'd1);
    assign LEDR_N = !(exit_valid && exit_value != 32'd1);
endmodule

`default_nettype wire
