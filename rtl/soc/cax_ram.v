// cax_ram: the SoC's on-chip RAM, BYTES bytes as 32-bit words with byte
// write lanes and a synchronous read (data the clock after `read`). Its own
// module so the FPGA wrapper can swap it for iCE40 SPRAM.
`default_nettype none

module cax_ram #(
    parameter BYTES = 131072,                 // a power of two
    parameter AW    = $clog2(BYTES / 4)       // word address width
) (
    input  wire          clk,
    input  wire [AW-1:0] word_addr,
    input  wire          read,
    input  wire [3:0]    write_mask,          // byte lanes written at this edge
    input  wire [31:0]   write_data,
    output reg  [31:0]   read_data
);
    reg [31:0] mem [0:BYTES/4-1];

    always @(posedge clk) begin
        if (write_mask[0]) mem[word_addr][7:0]   <= write_data[7:0];
        if (write_mask[1]) mem[word_addr][15:8]  <= write_data[15:8];
        if (write_mask[2]) mem[word_addr][23:16] <= write_data[23:16];
        if (write_mask[3]) mem[word_addr][31:24] <= write_data[31:24];
        if (read) read_data <= mem[word_addr];
    end
endmodule

`default_nettype wire
