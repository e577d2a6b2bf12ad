// cax_alu: the combinational RV32I ALU of the cax core (docs/rtl.md).
//
// op encoding = {funct7[5], funct3} of the OP instruction, so the decoder
// passes the instruction bits through:
//   0000 ADD   1000 SUB
//   0001 SLL
//   0010 SLT   0011 SLTU
//   0100 XOR
//   0101 SRL   1101 SRA
//   0110 OR    0111 AND
// Shifts use b[4:0]. Codes not listed yield 0.
`default_nettype none

module cax_alu (
    input  wire [3:0]  op,
    input  wire [31:0] a,
    input  wire [31:0] b,
    output reg  [31:0] y
);
    localparam [3:0] OP_ADD  = 4'b0000, OP_SUB = 4'b1000, OP_SLL = 4'b0001,
                     OP_SLT  = 4'b0010, OP_SLTU = 4'b0011, OP_XOR = 4'b0100,
                     OP_SRL  = 4'b0101, OP_SRA = 4'b1101, OP_OR = 4'b0110,
                     OP_AND  = 4'b0111;

    always @* begin
        case (op)
            OP_ADD:  y = a + b;
            OP_SUB:  y = a - b;
            OP_SLL:  y = a << b[4:0];
            OP_SLT:  y = {31'b0, $signed(a) < $signed(b)};
            OP_SLTU: y = {31'b0, a < b};
            OP_XOR:  y = a ^ b;
            OP_SRL:  y = a >> b[4:0];
            OP_SRA:  y = $unsigned($signed(a) >>> b[4:0]);
            OP_OR:   y = a | b;
            OP_AND:  y = a & b;
            default: y = 32'b0;
        endcase
    end
endmodule

`default_nettype wire
