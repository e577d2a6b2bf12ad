// cax_fifo: a small synchronous first-in first-out queue in flip-flops, with
// the oldest entry visible combinationally (show-ahead), so a register read
// can return it in the same cycle it is popped. Used as the UART receive
// FIFO. A push and a pop in the same cycle both happen, even when full.
`default_nettype none

module cax_fifo #(
    parameter WIDTH = 8,
    parameter DEPTH = 32 // a power of two
) (
    input  wire             clk,
    input  wire             rst,      // synchronous, active high: empties the queue
    input  wire             push,
    input  wire [WIDTH-1:0] push_data,
    input  wire             pop,      // ignored when empty
    output wire [WIDTH-1:0] head,     // the oldest entry, valid when !empty
    output wire             empty,
    output wire             full
);
    localparam AW = $clog2(DEPTH);

    // Storage and pointers: the pointers carry one extra bit so that
    // full (same slot, different lap) and empty (same slot, same lap) differ.
    reg [WIDTH-1:0] slots [0:DEPTH-1];
    reg [AW:0]      wr_ptr;
    reg [AW:0]      rd_ptr;

    assign empty = wr_ptr == rd_ptr;
    assign full  = wr_ptr == {~rd_ptr[AW], rd_ptr[AW-1:0]};
    assign head  = slots[rd_ptr[AW-1:0]];

    wire do_pop  = pop && !empty;
    wire do_push = push && (!full || do_pop);

    always @(posedge clk) begin
        if (rst) begin
            wr_ptr <= 0;
            rd_ptr <= 0;
        end else begin
            if (do_push) begin
                slots[wr_ptr[AW-1:0]] <= push_data;
                wr_ptr <= wr_ptr + 1'b1;
            end
            if (do_pop) rd_ptr <= rd_ptr + 1'b1;
        end
    end
endmodule

`default_nettype wire
