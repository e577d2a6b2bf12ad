// cax_csr: the machine-mode CSR file of the cax core: mstatus, misa, mie/mip,
// mtvec, mscratch, mepc, mcause, mtval, the 64-bit mcycle/minstret counters
// and their read-only user aliases, and the read-only ID registers, with the
// WARL behaviour and counter timing of docs/soc.md. Trap entry and mret
// update mstatus/mepc/mcause/mtval here.
`default_nettype none

module cax_csr (
    input  wire        clk,
    input  wire        rst,            // synchronous, active high
    // CSR instruction (combinational lookup, committed at the clock edge)
    input  wire [11:0] csr_addr,
    input  wire [1:0]  csr_op,         // funct3[1:0]: 01 write, 10 set, 11 clear
    input  wire [31:0] csr_src,        // rs1 value or zero-extended uimm
    input  wire        csr_writes,     // the instruction writes (RW, or rs1/uimm != 0)
    output reg  [31:0] csr_rdata,      // value read (old value)
    output wire        csr_illegal,    // no such CSR, or a write to a read-only one
    input  wire        csr_commit,     // perform the write at this edge
    // Retirement and traps
    input  wire        retire,         // an instruction retires at this edge
    input  wire        trap,           // a trap is taken at this edge
    input  wire [31:2] trap_pc,        // pc of the trapping instruction
    input  wire [31:0] trap_cause,
    input  wire [31:0] trap_tval,
    input  wire        mret,           // mret retires at this edge
    output wire [31:0] mtvec,
    output wire [31:0] mepc,
    output wire [63:0] cycle           // mcycle, also MTIME
);
    // CSR numbers.
    localparam [11:0] MSTATUS = 12'h300, MISA = 12'h301, MIE = 12'h304,
                      MTVEC = 12'h305, MSCRATCH = 12'h340, MEPC = 12'h341,
                      MCAUSE = 12'h342, MTVAL = 12'h343, MIP = 12'h344,
                      MCYCLE = 12'hB00, MINSTRET = 12'hB02,
                      MCYCLEH = 12'hB80, MINSTRETH = 12'hB82,
                      CYCLE = 12'hC00, TIME = 12'hC01, INSTRET = 12'hC02,
                      CYCLEH = 12'hC80, TIMEH = 12'hC81, INSTRETH = 12'hC82,
                      MVENDORID = 12'hF11, MARCHID = 12'hF12,
                      MIMPID = 12'hF13, MHARTID = 12'hF14;
    localparam [31:0] MISA_VALUE = 32'h40001100;  // MXL=1, I, M

    // State: the writable bits only.
    reg        mstatus_mie, mstatus_mpie;
    reg [29:0] mtvec_base;     // mtvec[31:2], direct mode
    reg [31:0] mscratch_q, mcause_q, mtval_q;
    reg [29:0] mepc_base;      // mepc[31:2]
    reg [63:0] mcycle_q, minstret_q;

    assign mtvec = {mtvec_base, 2'b00};
    assign mepc  = {mepc_base, 2'b00};
    assign cycle = mcycle_q;

    wire [31:0] mstatus = {19'b0, 2'b11, 3'b0, mstatus_mpie, 3'b0, mstatus_mie, 3'b0};

    // Read side and existence.
    reg known, read_only;
    always @* begin
        known = 1'b1;
        read_only = 1'b0;
        case (csr_addr)
            MSTATUS:   csr_rdata = mstatus;
            MISA:      csr_rdata = MISA_VALUE;
            MIE, MIP:  csr_rdata = 32'b0;
            MTVEC:     csr_rdata = mtvec;
            MSCRATCH:  csr_rdata = mscratch_q;
            MEPC:      csr_rdata = mepc;
            MCAUSE:    csr_rdata = mcause_q;
            MTVAL:     csr_rdata = mtval_q;
            MCYCLE:    csr_rdata = mcycle_q[31:0];
            MCYCLEH:   csr_rdata = mcycle_q[63:32];
            MINSTRET:  csr_rdata = minstret_q[31:0];
            MINSTRETH: csr_rdata = minstret_q[63:32];
            CYCLE, TIME:   begin csr_rdata = mcycle_q[31:0];    read_only = 1'b1; end
            CYCLEH, TIMEH: begin csr_rdata = mcycle_q[63:32];   read_only = 1'b1; end
            INSTRET:       begin csr_rdata = minstret_q[31:0];  read_only = 1'b1; end
            INSTRETH:      begin csr_rdata = minstret_q[63:32]; read_only = 1'b1; end
            MVENDORID, MARCHID, MIMPID, MHARTID:
                           begin csr_rdata = 32'b0;             read_only = 1'b1; end
            default:       begin csr_rdata = 32'b0; known = 1'b0; end
        endcase
    end
    assign csr_illegal = !known || (read_only && csr_writes);

    // The value to write: RW / RS / RC.
    reg [31:0] wdata;
    always @* begin
        case (csr_op)
            2'b01:   wdata = csr_src;
            2'b10:   wdata = csr_rdata | csr_src;
            default: wdata = csr_rdata & ~csr_src;
        endcase
    end
    wire wr = csr_commit && csr_writes;

    // Counters: a write replaces that half of the value the writing
    // instruction began with (mcycle: two clocks before its last one) and
    // suppresses the count at that edge (docs/soc.md, cycle model).
    wire [63:0] mcycle_began = mcycle_q - 64'd2;
    always @(posedge clk) begin
        if (rst)
            mcycle_q <= 64'b0;
        else if (wr && csr_addr == MCYCLE)
            mcycle_q <= {mcycle_began[63:32], wdata};
        else if (wr && csr_addr == MCYCLEH)
            mcycle_q <= {wdata, mcycle_began[31:0]};
        else
            mcycle_q <= mcycle_q + 64'd1;

        if (rst)
            minstret_q <= 64'b0;
        else if (wr && csr_addr == MINSTRET)
            minstret_q <= {minstret_q[63:32], wdata};
        else if (wr && csr_addr == MINSTRETH)
            minstret_q <= {wdata, minstret_q[31:0]};
        else if (retire)
            minstret_q <= minstret_q + 64'd1;
    end

    // Trap state.
    always @(posedge clk) begin
        if (rst) begin
            mstatus_mie  <= 1'b0;
            mstatus_mpie <= 1'b0;
            mtvec_base   <= 30'b0;
            mscratch_q   <= 32'b0;
            mepc_base    <= 30'b0;
            mcause_q     <= 32'b0;
            mtval_q      <= 32'b0;
        end else if (trap) begin
            mepc_base    <= trap_pc[31:2];
            mcause_q     <= trap_cause;
            mtval_q      <= trap_tval;
            mstatus_mpie <= mstatus_mie;
            mstatus_mie  <= 1'b0;
        end else if (mret) begin
            mstatus_mie  <= mstatus_mpie;
            mstatus_mpie <= 1'b1;
        end else if (wr) begin
            case (csr_addr)
                MSTATUS:  begin mstatus_mie <= wdata[3]; mstatus_mpie <= wdata[7]; end
                MTVEC:    mtvec_base <= wdata[31:2];
                MSCRATCH: mscratch_q <= wdata;
                MEPC:     mepc_base  <= wdata[31:2];
                MCAUSE:   mcause_q   <= wdata;
                MTVAL:    mtval_q    <= wdata;
                default:  ;
            endcase
        end
    end
endmodule

`default_nettype wire
