// cax_uart: the SoC's UART, four word registers (docs/soc.md): TXDATA,
// RXDATA, STATUS and DIVISOR. 8N1, LSB first, a 32-byte receive FIFO with a
// lost-byte flag, no transmit buffer (a write to TXDATA while the
// transmitter is busy is ignored; firmware polls the busy bit first).
// Register reads are combinational; their side effects (RXDATA pops the
// FIFO, STATUS clears the lost flag) happen at the clock edge while read_en
// is high.
`default_nettype none

module cax_uart #(
    parameter [31:0] DIVISOR_RESET = 32'd16, // clocks per bit after reset
    parameter        FIFO_DEPTH    = 32      // receive FIFO entries, a power of two
) (
    input  wire        clk,
    input  wire        rst,        // synchronous, active high
    // Register port: 0 TXDATA, 1 RXDATA, 2 STATUS, 3 DIVISOR.
    input  wire [1:0]  reg_idx,
    input  wire        read_en,
    input  wire        write_en,
    input  wire [31:0] write_data,
    output reg  [31:0] read_data,  // combinational, valid while read_en
    // Serial pins.
    input  wire        rx,
    output wire        tx
);
    localparam REG_TXDATA  = 2'd0;
    localparam REG_RXDATA  = 2'd1;
    localparam REG_STATUS  = 2'd2;
    localparam REG_DIVISOR = 2'd3;

    // DIVISOR as written, and the value the bit timers use: at least 2, so
    // the receiver has a middle of the bit to sample.
    reg  [31:0] divisor;
    wire [31:0] bit_clocks = divisor < 32'd2 ? 32'd2 : divisor;

    // Lost flag: a byte arrived while the FIFO was full.
    reg lost;

    wire write_tx    = write_en && reg_idx == REG_TXDATA;
    wire read_rx     = read_en  && reg_idx == REG_RXDATA;
    wire read_status = read_en  && reg_idx == REG_STATUS;
    wire write_div   = write_en && reg_idx == REG_DIVISOR;

    // Transmitter.
    wire tx_busy;
    cax_uart_tx transmitter (
        .clk(clk), .rst(rst), .divisor(bit_clocks),
        .start(write_tx), .data(write_data[7:0]),
        .busy(tx_busy), .tx(tx)
    );

    // Receiver and its FIFO.
    wire       rx_valid;
    wire [7:0] rx_byte;
    wire [7:0] fifo_head;
    wire       fifo_empty;
    wire       fifo_full;
    cax_uart_rx receiver (
        .clk(clk), .rst(rst), .divisor(bit_clocks), .rx(rx),
        .valid(rx_valid), .data(rx_byte)
    );
    cax_fifo #(.WIDTH(8), .DEPTH(FIFO_DEPTH)) rx_fifo (
        .clk(clk), .rst(rst),
        .push(rx_valid), .push_data(rx_byte),
        .pop(read_rx), .head(fifo_head),
        .empty(fifo_empty), .full(fifo_full)
    );
    wire dropped = rx_valid && fifo_full && !read_rx;

    always @(posedge clk) begin
        if (rst) begin
            divisor <= DIVISOR_RESET;
            lost    <= 1'b0;
        end else begin
            if (write_div) divisor <= write_data;
            // A byte lost in the very cycle STATUS is read stays reported.
            lost <= dropped || (lost && !read_status);
        end
    end

    always @(*) begin
        case (reg_idx)
            REG_TXDATA:  read_data = {tx_busy, 31'd0};
            REG_RXDATA:  read_data = fifo_empty ? 32'h8000_0000 : {24'd0, fifo_head};
            REG_STATUS:  read_data = {29'd0, lost, !tx_busy, !fifo_empty};
            default:     read_data = divisor; // REG_DIVISOR
        endcase
    end
endmodule

`default_nettype wire
