// cax_muldiv: the M extension of the cax core. Multiplication is
// combinational (one unsigned 32x32 product serves MUL, MULH, MULHSU,
// MULHU);
// division is a restoring divider, one quotient bit a clock, 32 clocks from
// `div_start` (docs/soc.md: a DIV/REM takes 35 cycles, 3 + 32).
//
// funct3 is the low two bits of the OP funct3 of the M instruction (the
// core knows from funct3[2] whether it multiplies or divides):
//   000 MUL  001 MULH  010 MULHSU  011 MULHU
//   100 DIV  101 DIVU  110 REM     111 REMU
// Division protocol: pulse div_start with a, b and funct3 for one clock; the
// divider then runs 32 steps, one a clock; during the 32nd step div_last is
// high and div_result holds the architectural result (with the RISC-V
// division-by-zero and overflow results), to be written at that clock edge.
`default_nettype none

module cax_muldiv (
    input  wire        clk,
    input  wire [1:0]  funct3,     // funct3[1:0] of the M instruction
    input  wire [31:0] a,
    input  wire [31:0] b,
    // Multiplier: combinational.
    output wire [31:0] mul_result,
    // Divider.
    input  wire        div_start,
    output wire        div_last,
    output wire [31:0] div_result
);
    // ---- multiplier ---------------------------------------------------
    // One unsigned 32x32 product (four 16x16 DSP blocks on the iCE40); the
    // signed high halves subtract the other operand for each negative
    // signed operand (mod 2^32).
    wire a_signed = funct3 == 2'b01 || funct3 == 2'b10; // MULH, MULHSU
    wire b_signed = funct3 == 2'b01;                    // MULH
    wire [63:0] product = a * b;
    wire [31:0] high = product[63:32]
                     - (a_signed && a[31] ? b : 32'b0)
                     - (b_signed && b[31] ? a : 32'b0);
    assign mul_result = funct3 == 2'b00 ? product[31:0] : high;

    // ---- divider state --------------------------------------------------
    reg [31:0] divisor;     // |b|
    reg [31:0] quotient;    // shifts in quotient bits; starts as |a|
    reg [31:0] remainder;   // partial remainder
    reg [5:0]  steps_left;  // 32 … 1 while running, 0 when idle
    reg        want_rem;    // REM/REMU
    reg        negate_q;    // signed and the signs differ
    reg        negate_r;    // signed and the dividend is negative
    reg        by_zero;     // divisor was 0
    reg [31:0] dividend;    // a, for the division-by-zero remainder

    wire div_signed = !funct3[0];
    wire a_neg = div_signed && a[31];
    wire b_neg = div_signed && b[31];

    // One restoring step.
    wire [32:0] trial     = {remainder, quotient[31]} - {1'b0, divisor};
    wire        fits      = !trial[32];
    wire [31:0] rem_next  = fits ? trial[31:0] : {remainder[30:0], quotient[31]};
    wire [31:0] quot_next = {quotient[30:0], fits};

    always @(posedge clk) begin
        if (div_start) begin
            divisor    <= b_neg ? -b : b;
            quotient   <= a_neg ? -a : a;
            remainder  <= 32'b0;
            steps_left <= 6'd32;
            want_rem   <= funct3[1];
            negate_q   <= a_neg != b_neg;
            negate_r   <= a_neg;
            by_zero    <= b == 32'b0;
            dividend   <= a;
        end else if (steps_left != 6'd0) begin
            quotient   <= quot_next;
            remainder  <= rem_next;
            steps_left <= steps_left - 6'd1;
        end
    end

    assign div_last = steps_left == 6'd1;
    wire [31:0] q_final = by_zero ? 32'hFFFFFFFF : (negate_q ? -quot_next : quot_next);
    wire [31:0] r_final = by_zero ? dividend     : (negate_r ? -rem_next  : rem_next);
    assign div_result = want_rem ? r_final : q_final;
endmodule

`default_nettype wire
