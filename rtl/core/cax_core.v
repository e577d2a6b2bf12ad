// cax_core: the cax RV32IM machine-mode core. Multi-cycle, not pipelined,
// with the fixed cycle model of docs/soc.md: FETCH, DECODE, EXECUTE (3
// cycles), plus MEMORY for loads (4) and 32 DIVIDE cycles for div/rem (35);
// a trap is taken in EXECUTE (3). Each retired instruction or trap drives
// one record on the retirement trace port (docs/trace-port.md) during the
// clock after it completes.
//
// Bus: one request at a time. The address, read/write strobes, byte lanes
// and write data are combinational from the state; `bus_fault` (from the
// SoC's address decoder) says the access is outside the memory map, in the
// same cycle, and the core then traps instead of accessing. Read data is
// valid the clock after the read (synchronous RAM).
`default_nettype none

module cax_core #(
    parameter [31:0] RESET_PC = 32'h8000_0000
) (
    input  wire        clk,
    input  wire        rst,             // synchronous, active high
    // Memory bus
    output reg  [31:0] bus_addr,
    output wire        bus_fetch,       // this read is an instruction fetch
    output wire        bus_read,
    output wire        bus_write,
    output reg  [3:0]  bus_mask,        // byte lanes of the aligned word
    output reg  [31:0] bus_wdata,       // store data, placed in its lanes
    input  wire        bus_fault,       // bus_addr is not mapped for this access
    input  wire [31:0] bus_rdata,       // the clock after bus_read
    /*verilator tracing_off*/
    output wire [63:0] cycle,           // mcycle, for MTIME
    /*verilator tracing_on*/
    // Retirement trace (registered; docs/trace-port.md)
    input  wire        trace_enable,    // records are produced only while high
    output reg         trace_valid,
    output reg  [31:0] trace_pc,
    output reg  [31:0] trace_insn,
    output reg  [4:0]  trace_rd,
    output reg  [31:0] trace_rd_value,
    output reg  [31:0] trace_mem_addr,
    output reg  [31:0] trace_mem_data,
    output reg  [3:0]  trace_mem_mask,
    output reg         trace_mem_write,
    output reg         trace_trap,
    output reg  [31:0] trace_cause,
    output reg  [31:0] trace_tval
);
    // The simulation's VCD (docs/waveforms.md) holds, of the core's own
    // signals, only its ports but `cycle` (a 64-bit count that changes every
    // clock: the dump's time says the same) and those between tracing_on and
    // tracing_off below (state, pc, insn, illegal, exec_trap, exec_retire,
    // exec_value, exec_rd), and none of its submodules': what a waveform
    // reader looks at, at a fraction of the dump's size and time.
    /*verilator tracing_off*/
    // ---- state machine --------------------------------------------------
    localparam [1:0] S_FETCH  = 2'd0,   // read the instruction at pc
                     S_DECODE = 2'd1,   // latch it, read rs1/rs2
                     S_EXEC   = 2'd2,   // execute, write back, or trap
                     S_WAIT   = 2'd3;   // load data arrives / divider runs
    /*verilator tracing_on*/
    reg [1:0] state;
    /*verilator tracing_off*/

    // ---- architectural state ---------------------------------------------
    /*verilator tracing_on*/
    reg [31:0] pc;
    /*verilator tracing_off*/
    reg [31:0] regs [0:31];

    // ---- latched per instruction ------------------------------------------
    /*verilator tracing_on*/
    reg [31:0] insn;          // instruction word (0 after a fetch fault)
    /*verilator tracing_off*/
    reg        fetch_fault;   // the fetch was outside the map
    reg [31:0] rs1_q, rs2_q;  // register file read data
    reg [31:0] load_addr;     // a load in S_WAIT: its address
    reg        waiting_div;   // S_WAIT is a division, not a load

    // ---- decode: in S_DECODE from the fetched word, latched for S_EXEC ----
    wire [31:0] fetch_word = fetch_fault ? 32'b0 : bus_rdata;
    wire [4:0]  d_rd, d_rs1, d_rs2;
    wire [2:0]  d_funct3;
    wire [31:0] d_imm;
    wire [3:0]  d_alu_op;
    wire d_alu_a_pc, d_alu_a_zero, d_alu_b_imm;
    wire d_is_alu, d_is_jal, d_is_jalr, d_is_branch, d_is_load, d_is_store, d_is_mul, d_is_div;
    wire d_is_csr, d_is_ecall, d_is_ebreak, d_is_mret, d_is_nop, d_writes_rd, d_illegal;
    cax_decoder decoder (
        .insn(fetch_word), .rd(d_rd), .rs1(d_rs1), .rs2(d_rs2), .funct3(d_funct3), .imm(d_imm),
        .alu_op(d_alu_op), .alu_a_pc(d_alu_a_pc), .alu_a_zero(d_alu_a_zero), .alu_b_imm(d_alu_b_imm),
        .is_alu(d_is_alu), .is_jal(d_is_jal), .is_jalr(d_is_jalr), .is_branch(d_is_branch),
        .is_load(d_is_load), .is_store(d_is_store), .is_mul(d_is_mul), .is_div(d_is_div),
        .is_csr(d_is_csr), .is_ecall(d_is_ecall), .is_ebreak(d_is_ebreak), .is_mret(d_is_mret),
        .is_nop(d_is_nop), .writes_rd(d_writes_rd), .illegal(d_illegal)
    );
    // is_alu and is_nop need no action beyond the default path.
    /* verilator lint_off UNUSEDSIGNAL */
    wire unused_decode = d_is_alu | d_is_nop | |d_rs2;  // rs2 is read straight from the fetched word
    /* verilator lint_on UNUSEDSIGNAL */
    localparam DEC_BITS = 5 + 5 + 3 + 32 + 4 + 3 + 13;
    wire [DEC_BITS-1:0] decoded = {
        d_rd, d_rs1, d_funct3, d_imm, d_alu_op, d_alu_a_pc, d_alu_a_zero, d_alu_b_imm,
        d_is_jal, d_is_jalr, d_is_branch, d_is_load, d_is_store, d_is_mul, d_is_div,
        d_is_csr, d_is_ecall, d_is_ebreak, d_is_mret, d_writes_rd, d_illegal};
    reg  [DEC_BITS-1:0] decoded_q;
    wire [4:0]  rd, rs1;
    wire [2:0]  funct3;
    wire [31:0] imm;
    wire [3:0]  alu_op;
    wire alu_a_pc, alu_a_zero, alu_b_imm;
    wire is_jal, is_jalr, is_branch, is_load, is_store, is_mul, is_div;
    wire is_csr, is_ecall, is_ebreak, is_mret, writes_rd;
    /*verilator tracing_on*/
    wire illegal;
    /*verilator tracing_off*/
    assign {rd, rs1, funct3, imm, alu_op, alu_a_pc, alu_a_zero, alu_b_imm,
            is_jal, is_jalr, is_branch, is_load, is_store, is_mul, is_div,
            is_csr, is_ecall, is_ebreak, is_mret, writes_rd, illegal} = decoded_q;

    // ---- deferred write-back: rd is written the clock after retirement ------
    // (the next instruction reads its registers two clocks later), so the
    // register file's write port is fed from registers only.
    reg        wb_pending;
    reg [4:0]  wb_rd;
    reg [31:0] wb_value;

    // Operands: x0 is register 0 of the file, written with 0 by every reset
    // and never written otherwise, so no mux is needed on the operands.
    wire [31:0] src1 = rs1_q;
    wire [31:0] src2 = rs2_q;

    // ---- ALU, multiplier/divider -----------------------------------------
    wire [31:0] alu_y;
    cax_alu alu (
        .op(alu_op),
        .a(alu_a_pc ? pc : (alu_a_zero ? 32'b0 : src1)),
        .b(alu_b_imm ? imm : src2),
        .y(alu_y)
    );
    /*verilator tracing_on*/
    wire        exec_trap;    // S_EXEC takes a trap (below)
    /*verilator tracing_off*/
    wire [31:0] mul_result, div_result;
    wire        div_last;
    cax_muldiv muldiv (
        .clk(clk), .funct3(funct3[1:0]), .a(src1), .b(src2),
        .mul_result(mul_result),
        .div_start(state == S_EXEC && is_div),   // a decoded division cannot trap
        .div_last(div_last), .div_result(div_result)
    );

    // ---- branches and jumps ----------------------------------------------
    reg branch_taken;
    always @* begin
        case (funct3)
            3'b000:  branch_taken = src1 == src2;                    // BEQ
            3'b001:  branch_taken = src1 != src2;                    // BNE
            3'b100:  branch_taken = $signed(src1) < $signed(src2);   // BLT
            3'b101:  branch_taken = $signed(src1) >= $signed(src2);  // BGE
            3'b110:  branch_taken = src1 < src2;                     // BLTU
            default: branch_taken = src1 >= src2;                    // BGEU
        endcase
    end
    wire [31:0] pc_plus4   = pc + 32'd4;
    wire [31:0] pc_rel     = pc + imm;
    // rs1 + imm on its own adder (not through the ALU's operand and result
    // muxes): the load/store address feeds the SoC decode and the trap
    // decision, the longest path of the core.
    wire [31:0] rs1_plus_imm = src1 + imm;
    wire [31:0] jalr_tgt   = {rs1_plus_imm[31:1], 1'b0};
    wire        redirect   = is_jal || is_jalr || (is_branch && branch_taken);
    wire [31:0] target     = is_jalr ? jalr_tgt : pc_rel;
    wire        tgt_misaligned = redirect && target[1];

    // ---- memory access (address = rs1 + imm) ------------------------------
    wire [31:0] mem_addr = rs1_plus_imm;
    wire misaligned = (funct3[1:0] == 2'b01 && mem_addr[0]) ||
                      (funct3[1:0] == 2'b10 && mem_addr[1:0] != 2'b00);
    reg [3:0]  lanes;       // byte lanes of this access
    reg [31:0] store_data;  // store data placed in its lanes
    always @* begin
        case (funct3[1:0])
            2'b00:   begin lanes = 4'b0001 << mem_addr[1:0];           store_data = {4{src2[7:0]}}; end
            2'b01:   begin lanes = mem_addr[1] ? 4'b1100 : 4'b0011;   store_data = {2{src2[15:0]}}; end
            default: begin lanes = 4'b1111;                            store_data = src2; end
        endcase
    end
    // A store's value as the trace reports it: truncated to its size.
    wire [31:0] store_value = funct3[1:0] == 2'b00 ? {24'b0, src2[7:0]} :
                              funct3[1:0] == 2'b01 ? {16'b0, src2[15:0]} : src2;

    // Load data in S_WAIT: the bytes read (zero-extended), then extended.
    wire [31:0] load_word  = bus_rdata >> {load_addr[1:0], 3'b000};
    wire [31:0] load_raw   = funct3[1:0] == 2'b00 ? {24'b0, load_word[7:0]} :
                             funct3[1:0] == 2'b01 ? {16'b0, load_word[15:0]} : load_word;
    wire [31:0] load_value = funct3 == 3'b000 ? {{24{load_word[7]}}, load_word[7:0]} :
                             funct3 == 3'b001 ? {{16{load_word[15]}}, load_word[15:0]} : load_raw;

    // The byte lanes of the load in S_WAIT.
    wire [3:0] lanes_of_load = funct3[1:0] == 2'b00 ? 4'b0001 << load_addr[1:0] :
                               funct3[1:0] == 2'b01 ? (load_addr[1] ? 4'b1100 : 4'b0011) : 4'b1111;

    // ---- CSRs ---------------------------------------------------------------
    wire [31:0] csr_rdata, mtvec, mepc;
    wire        csr_illegal;
    wire        csr_writes = funct3[1:0] == 2'b01 || rs1 != 5'd0;
    /*verilator tracing_on*/
    wire        exec_retire = state == S_EXEC && !exec_trap && !is_load && !is_div;
    /*verilator tracing_off*/
    wire        wait_retire = state == S_WAIT && (!waiting_div || div_last);
    reg  [31:0] trap_cause, trap_tval;
    cax_csr csrs (
        .clk(clk), .rst(rst),
        .csr_addr(imm[11:0]), .csr_op(funct3[1:0]),
        .csr_src(funct3[2] ? {27'b0, rs1} : src1), .csr_writes(csr_writes),
        .csr_rdata(csr_rdata), .csr_illegal(csr_illegal),
        .csr_commit(exec_retire && is_csr),
        .retire(exec_retire || wait_retire),
        .trap(state == S_EXEC && exec_trap), .trap_pc(pc[31:2]),
        .trap_cause(trap_cause), .trap_tval(trap_tval),
        .mret(exec_retire && is_mret),
        .mtvec(mtvec), .mepc(mepc), .cycle(cycle)
    );

    // ---- traps, in priority order -------------------------------------------
    always @* begin
        trap_cause = 32'd0;
        trap_tval  = 32'd0;
        if (fetch_fault)                        begin trap_cause = 32'd1;  trap_tval = pc;   end
        else if (illegal || (is_csr && csr_illegal))
                                                begin trap_cause = 32'd2;  trap_tval = insn; end
        else if (is_ebreak)                     begin trap_cause = 32'd3;  trap_tval = pc;   end
        else if (is_ecall)                      begin trap_cause = 32'd11; trap_tval = 32'd0; end
        else if (tgt_misaligned)                begin trap_cause = 32'd0;  trap_tval = target; end
        else if (is_load && misaligned)         begin trap_cause = 32'd4;  trap_tval = mem_addr; end
        else if (is_load && bus_fault)          begin trap_cause = 32'd5;  trap_tval = mem_addr; end
        else if (is_store && misaligned)        begin trap_cause = 32'd6;  trap_tval = mem_addr; end
        else if (is_store && bus_fault)         begin trap_cause = 32'd7;  trap_tval = mem_addr; end
    end
    assign exec_trap = fetch_fault || illegal || (is_csr && csr_illegal) || is_ebreak || is_ecall ||
                       tgt_misaligned || ((is_load || is_store) && (misaligned || bus_fault));

    // ---- bus requests ---------------------------------------------------------
    assign bus_fetch = state == S_FETCH;
    assign bus_read  = (state == S_FETCH && !bus_fault) ||
                       (state == S_EXEC && is_load && !exec_trap);
    assign bus_write = state == S_EXEC && is_store && !exec_trap;
    always @* begin
        if (state == S_FETCH) begin
            bus_addr = pc; bus_mask = 4'b1111; bus_wdata = 32'b0;
        end else begin
            bus_addr = mem_addr; bus_mask = lanes; bus_wdata = store_data;
        end
    end

    // ---- the value written to rd in S_EXEC -----------------------------------------
    /*verilator tracing_on*/
    reg [31:0] exec_value;
    /*verilator tracing_off*/
    always @* begin
        if (is_jal || is_jalr) exec_value = pc_plus4;
        else if (is_mul)       exec_value = mul_result;
        else if (is_csr)       exec_value = csr_rdata;
        else                   exec_value = alu_y;
    end
    /*verilator tracing_on*/
    wire [4:0] exec_rd = writes_rd ? rd : 5'd0;
    /*verilator tracing_off*/

    // ---- sequencing ---------------------------------------------------------------
    always @(posedge clk) begin
        trace_valid <= 1'b0;
        wb_pending  <= 1'b0;
        if (wb_pending) regs[wb_rd] <= wb_value;
        if (rst) begin
            state      <= S_FETCH;
            pc         <= RESET_PC;
            wb_pending <= 1'b1;          // x0 <- 0
            wb_rd      <= 5'd0;
            wb_value   <= 32'b0;
        end else begin
            case (state)
                S_FETCH: begin
                    fetch_fault <= bus_fault;
                    state <= S_DECODE;
                end
                S_DECODE: begin
                    insn      <= fetch_word;
                    decoded_q <= decoded;
                    rs1_q <= regs[bus_rdata[19:15]];
                    rs2_q <= regs[bus_rdata[24:20]];
                    state <= S_EXEC;
                end
                S_EXEC: begin
                    if (exec_trap) begin
                        pc <= mtvec;
                        state <= S_FETCH;
                        trace_valid     <= trace_enable;
                        trace_pc        <= pc;
                        trace_insn      <= insn;
                        trace_rd        <= 5'd0;
                        trace_rd_value  <= 32'b0;
                        trace_mem_addr  <= 32'b0;
                        trace_mem_data  <= 32'b0;
                        trace_mem_mask  <= 4'b0;
                        trace_mem_write <= 1'b0;
                        trace_trap      <= 1'b1;
                        trace_cause     <= trap_cause;
                        trace_tval      <= trap_tval;
                    end else if (is_load || is_div) begin
                        load_addr   <= mem_addr;
                        waiting_div <= is_div;
                        state <= S_WAIT;
                    end else begin
                        wb_pending <= exec_rd != 5'd0;
                        wb_rd      <= exec_rd;
                        wb_value   <= exec_value;
                        pc <= is_mret ? mepc : (redirect ? target : pc_plus4);
                        state <= S_FETCH;
                        trace_valid     <= trace_enable;
                        trace_pc        <= pc;
                        trace_insn      <= insn;
                        trace_rd        <= exec_rd;
                        trace_rd_value  <= exec_rd != 5'd0 ? exec_value : 32'b0;
                        trace_mem_addr  <= is_store ? mem_addr : 32'b0;
                        trace_mem_data  <= is_store ? store_value : 32'b0;
                        trace_mem_mask  <= is_store ? lanes : 4'b0;
                        trace_mem_write <= is_store;
                        trace_trap      <= 1'b0;
                        trace_cause     <= 32'b0;
                        trace_tval      <= 32'b0;
                    end
                end
                default: begin // S_WAIT
                    if (wait_retire) begin
                        wb_pending <= rd != 5'd0;
                        wb_rd      <= rd;
                        wb_value   <= waiting_div ? div_result : load_value;
                        pc <= pc_plus4;
                        state <= S_FETCH;
                        trace_valid     <= trace_enable;
                        trace_pc        <= pc;
                        trace_insn      <= insn;
                        trace_rd        <= rd;
                        trace_rd_value  <= rd == 5'd0 ? 32'b0 : (waiting_div ? div_result : load_value);
                        trace_mem_addr  <= waiting_div ? 32'b0 : load_addr;
                        trace_mem_data  <= waiting_div ? 32'b0 : load_raw;
                        trace_mem_mask  <= waiting_div ? 4'b0 : lanes_of_load;
                        trace_mem_write <= 1'b0;
                        trace_trap      <= 1'b0;
                        trace_cause     <= 32'b0;
                        trace_tval      <= 32'b0;
                    end
                end
            endcase
        end
    end
    /*verilator tracing_on*/
endmodule

`default_nettype wire
