// cax_decoder: the combinational RV32IM instruction decoder of the cax core.
//
// Ports (all outputs are functions of `insn` alone):
//   rd, rs1, rs2, funct3   the register and funct3 fields, straight from insn
//   imm                    the sign-extended immediate of the format (I, S, B,
//                          U or J); for CSR instructions the CSR number is
//                          imm[11:0] and the zimm is the rs1 field
//   alu_op                 cax_alu operation (encoding in cax_alu.v); ADD for
//                          everything that is not OP / OP-IMM
//   alu_a_pc, alu_a_zero   ALU operand a is the pc (AUIPC) / zero (LUI);
//                          otherwise rs1
//   alu_b_imm              ALU operand b is imm; otherwise rs2
//   is_*                   one-hot instruction class; `is_alu` covers LUI,
//                          AUIPC, OP and OP-IMM without the M extension;
//                          `is_nop` covers FENCE, FENCE.I and WFI
//   writes_rd              the instruction writes rd (the core ignores x0)
//   illegal                no RV32IM/machine-mode instruction: reserved
//                          opcodes, funct3/funct7 combinations, SYSTEM words
//                          other than ECALL/EBREAK/MRET/WFI/CSR*. Whether a
//                          CSR exists is decided by the CSR file, not here.
`default_nettype none

module cax_decoder (
    input  wire [31:0] insn,
    output wire [4:0]  rd,
    output wire [4:0]  rs1,
    output wire [4:0]  rs2,
    output wire [2:0]  funct3,
    output reg  [31:0] imm,
    output reg  [3:0]  alu_op,
    output wire        alu_a_pc,
    output wire        alu_a_zero,
    output wire        alu_b_imm,
    output wire        is_alu,
    output wire        is_jal,
    output wire        is_jalr,
    output wire        is_branch,
    output wire        is_load,
    output wire        is_store,
    output wire        is_mul,
    output wire        is_div,
    output wire        is_csr,
    output wire        is_ecall,
    output wire        is_ebreak,
    output wire        is_mret,
    output wire        is_nop,
    output wire        writes_rd,
    output wire        illegal
);
    // Major opcodes (insn[6:0]).
    localparam [6:0] OPC_LUI = 7'b0110111, OPC_AUIPC = 7'b0010111,
                     OPC_JAL = 7'b1101111, OPC_JALR = 7'b1100111,
                     OPC_BRANCH = 7'b1100011, OPC_LOAD = 7'b0000011,
                     OPC_STORE = 7'b0100011, OPC_OPIMM = 7'b0010011,
                     OPC_OP = 7'b0110011, OPC_MISCMEM = 7'b0001111,
                     OPC_SYSTEM = 7'b1110011;

    wire [6:0] opcode = insn[6:0];
    wire [6:0] funct7 = insn[31:25];
    assign rd     = insn[11:7];
    assign rs1    = insn[19:15];
    assign rs2    = insn[24:20];
    assign funct3 = insn[14:12];

    // Opcode classes.
    wire op_lui    = opcode == OPC_LUI;
    wire op_auipc  = opcode == OPC_AUIPC;
    wire op_jal    = opcode == OPC_JAL;
    wire op_jalr   = opcode == OPC_JALR;
    wire op_branch = opcode == OPC_BRANCH;
    wire op_load   = opcode == OPC_LOAD;
    wire op_store  = opcode == OPC_STORE;
    wire op_opimm  = opcode == OPC_OPIMM;
    wire op_op     = opcode == OPC_OP;
    wire op_misc   = opcode == OPC_MISCMEM;
    wire op_system = opcode == OPC_SYSTEM;

    // Legality of the funct fields within each class.
    wire f7_zero   = funct7 == 7'b0000000;
    wire f7_alt    = funct7 == 7'b0100000;
    wire f7_muldiv = funct7 == 7'b0000001;
    wire shift_f3  = funct3[1:0] == 2'b01;           // SLL / SRL / SRA
    wire opimm_ok  = !shift_f3 || f7_zero || (funct3 == 3'b101 && f7_alt);
    wire op_base_ok = f7_zero || (f7_alt && (funct3 == 3'b000 || funct3 == 3'b101));
    wire jalr_ok   = funct3 == 3'b000;
    wire branch_ok = funct3[2:1] != 2'b01;
    wire load_ok   = funct3 != 3'b011 && funct3[2:1] != 2'b11;
    wire store_ok  = funct3[2] == 1'b0 && funct3[1:0] != 2'b11;
    wire misc_ok   = funct3[2:1] == 2'b00;           // FENCE, FENCE.I

    // SYSTEM: the exact privileged words and the six CSR forms.
    wire w_ecall   = insn == 32'h00000073;
    wire w_ebreak  = insn == 32'h00100073;
    wire w_mret    = insn == 32'h30200073;
    wire w_wfi     = insn == 32'h10500073;
    wire sys_csr   = funct3 != 3'b000 && funct3 != 3'b100;

    assign is_alu    = op_lui || op_auipc || (op_opimm && opimm_ok) || (op_op && op_base_ok);
    assign is_jal    = op_jal;
    assign is_jalr   = op_jalr && jalr_ok;
    assign is_branch = op_branch && branch_ok;
    assign is_load   = op_load && load_ok;
    assign is_store  = op_store && store_ok;
    assign is_mul    = op_op && f7_muldiv && !funct3[2];
    assign is_div    = op_op && f7_muldiv && funct3[2];
    assign is_csr    = op_system && sys_csr;
    assign is_ecall  = op_system && w_ecall;
    assign is_ebreak = op_system && w_ebreak;
    assign is_mret   = op_system && w_mret;
    assign is_nop    = (op_misc && misc_ok) || (op_system && w_wfi);

    assign writes_rd = is_alu || is_jal || is_jalr || is_load || is_mul || is_div || is_csr;
    assign illegal   = !(writes_rd || is_branch || is_store || is_ecall || is_ebreak || is_mret || is_nop);

    assign alu_a_pc   = op_auipc;
    assign alu_a_zero = op_lui;
    assign alu_b_imm  = !op_op && !op_branch;

    // Immediates by format.
    always @* begin
        if (op_lui || op_auipc)
            imm = {insn[31:12], 12'b0};                                      // U
        else if (op_jal)
            imm = {{12{insn[31]}}, insn[19:12], insn[20], insn[30:21], 1'b0}; // J
        else if (op_branch)
            imm = {{20{insn[31]}}, insn[7], insn[30:25], insn[11:8], 1'b0};   // B
        else if (op_store)
            imm = {{21{insn[31]}}, insn[30:25], insn[11:7]};                  // S
        else
            imm = {{21{insn[31]}}, insn[30:20]};                              // I
    end

    // ALU operation: {funct7[5], funct3} for OP; OP-IMM only uses funct7[5]
    // for the right shifts; everything else adds.
    always @* begin
        if (op_op)
            alu_op = {insn[30], funct3};
        else if (op_opimm)
            alu_op = {funct3 == 3'b101 && insn[30], funct3};
        else
            alu_op = 4'b0000;
    end
endmodule

`default_nettype wire
