// cax_soc: the cax SoC (docs/soc.md): the RV32IM core, RAM at 0x8000_0000,
// the UART at 0x1000_0000, the cycle timer (MTIME) at 0x1000_1000 and the
// control block (EXIT, TRACE_EN) at 0x1000_2000. The retirement trace port
// and the program's end (EXIT or a store to `tohost`) are outputs.
`default_nettype none

module cax_soc #(
    parameter        RAM_BYTES    = 131072,   // a power of two
    parameter [31:0] UART_DIVISOR = 32'd104   // clocks per bit after reset (12 MHz / 115200)
) (
    input  wire        clk,
    input  wire        rst,            // synchronous, active high
    // Serial pins
    input  wire        uart_rx,
    output wire        uart_tx,
    // Program end: a write of an odd value to EXIT, or to tohost_addr
    input  wire [31:0] tohost_addr,    // byte address of the ELF's tohost symbol; 0 = none
    output reg         exit_valid,     // sticky once the program ended
    output reg  [31:0] exit_value,     // the odd value written: 1 pass, else code << 1 | 1
    // Control block
    output reg         trace_en,       // TRACE_EN, also gates the VCD in simulation
    // Retirement trace (docs/trace-port.md)
    output wire        trace_valid,
    output wire [31:0] trace_pc,
    output wire [31:0] trace_insn,
    output wire [4:0]  trace_rd,
    output wire [31:0] trace_rd_value,
    output wire [31:0] trace_mem_addr,
    output wire [31:0] trace_mem_data,
    output wire [3:0]  trace_mem_mask,
    output wire        trace_mem_write,
    output wire        trace_trap,
    output wire [31:0] trace_cause,
    output wire [31:0] trace_tval
);
    // The simulation's VCD (docs/waveforms.md) holds the ports and, of the
    // SoC's own signals, only the bus and sel_uart (between tracing_on and
    // tracing_off); no submodule but the core (cax_core.v).
    /*verilator tracing_off*/
    localparam RAM_AW = $clog2(RAM_BYTES / 4);
    localparam [31:0] RAM_BASE = 32'h8000_0000;

    // ---- core bus ---------------------------------------------------------
    /*verilator tracing_on*/
    wire [31:0] bus_addr, bus_wdata, bus_rdata;
    wire [3:0]  bus_mask;
    wire        bus_fetch, bus_read, bus_write, bus_fault;
    /*verilator tracing_off*/
    wire [63:0] cycle;

    /*verilator tracing_on*/
    cax_core core (
        .clk(clk), .rst(rst),
        .bus_addr(bus_addr), .bus_fetch(bus_fetch), .bus_read(bus_read),
        .bus_write(bus_write), .bus_mask(bus_mask), .bus_wdata(bus_wdata),
        .bus_fault(bus_fault), .bus_rdata(bus_rdata), .cycle(cycle),
        .trace_enable(trace_en),
        .trace_valid(trace_valid), .trace_pc(trace_pc), .trace_insn(trace_insn),
        .trace_rd(trace_rd), .trace_rd_value(trace_rd_value),
        .trace_mem_addr(trace_mem_addr), .trace_mem_data(trace_mem_data),
        .trace_mem_mask(trace_mem_mask), .trace_mem_write(trace_mem_write),
        .trace_trap(trace_trap), .trace_cause(trace_cause), .trace_tval(trace_tval)
    );
    /*verilator tracing_off*/

    // ---- address decode -----------------------------------------------------
    wire sel_ram     = bus_addr[31:RAM_AW+2] == RAM_BASE[31:RAM_AW+2];
    /*verilator tracing_on*/
    wire sel_uart    = bus_addr[31:4] == 28'h1000000;      // 0x1000_0000 … 0x1000_000C
    /*verilator tracing_off*/
    wire sel_mtime   = bus_addr[31:3] == 29'h2000200;      // 0x1000_1000, 0x1000_1004
    wire sel_control = bus_addr[31:3] == 29'h2000400;      // 0x1000_2000, 0x1000_2004
    wire sel_ramsize = bus_addr[31:2] == 30'h04000802;     // 0x1000_2008: RAM_SIZE, read only
    wire sel_device  = sel_uart || sel_mtime || sel_control || sel_ramsize;
    assign bus_fault = bus_fetch ? !sel_ram : !(sel_ram || sel_device);
    // Device registers take word accesses only; others read 0, write nothing.
    wire dev_word    = bus_mask == 4'b1111;
    wire dev_read    = bus_read  && sel_device && dev_word;
    wire dev_write   = bus_write && sel_device && dev_word;

    // ---- RAM ----------------------------------------------------------------
    wire [31:0] ram_rdata;
    cax_ram #(.BYTES(RAM_BYTES)) ram (
        .clk(clk), .word_addr(bus_addr[RAM_AW+1:2]),
        .read(bus_read && sel_ram),
        .write_mask(bus_write && sel_ram ? bus_mask : 4'b0000),
        .write_data(bus_wdata), .read_data(ram_rdata)
    );

    // ---- UART ---------------------------------------------------------------
    wire [31:0] uart_rdata;
    cax_uart #(.DIVISOR_RESET(UART_DIVISOR)) uart (
        .clk(clk), .rst(rst), .reg_idx(bus_addr[3:2]),
        .read_en(dev_read && sel_uart), .write_en(dev_write && sel_uart),
        .write_data(bus_wdata), .read_data(uart_rdata),
        .rx(uart_rx), .tx(uart_tx)
    );

    // ---- device read data: registered, presented the clock after the read ---------
    reg        dev_data_sel;   // the last read went to a device (or was a non-word device read)
    reg [31:0] dev_data;
    always @(posedge clk) begin
        if (bus_read) begin
            dev_data_sel <= sel_device;
            if (!dev_word)        dev_data <= 32'b0;
            else if (sel_uart)    dev_data <= uart_rdata;
            else if (sel_mtime)   dev_data <= bus_addr[2] ? cycle[63:32] : cycle[31:0];
            else if (sel_ramsize) dev_data <= RAM_BYTES;
            else                  dev_data <= bus_addr[2] ? {31'b0, trace_en} : 32'b0;
        end
    end
    assign bus_rdata = dev_data_sel ? dev_data : ram_rdata;

    // ---- control block: EXIT, TRACE_EN, and tohost ------------------------------------
    wire write_exit   = dev_write && sel_control && !bus_addr[2];
    wire write_trace  = dev_write && sel_control &&  bus_addr[2];
    // tohost: a store of any size at exactly that address; its value is
    // the stored bytes (the low lanes of the replicated write data).
    wire write_tohost = bus_write && sel_ram && tohost_addr != 32'b0 && bus_addr == tohost_addr;
    wire [31:0] stored_value = bus_mask == 4'b1111 ? bus_wdata :
                               (bus_mask == 4'b0011 || bus_mask == 4'b1100) ? {16'b0, bus_wdata[15:0]} :
                               {24'b0, bus_wdata[7:0]};
    wire [31:0] end_value = write_tohost ? stored_value : bus_wdata;
    always @(posedge clk) begin
        if (rst) begin
            exit_valid <= 1'b0;
            exit_value <= 32'b0;
            trace_en   <= 1'b1;
        end else begin
            if ((write_exit || write_tohost) && end_value[0] && !exit_valid) begin
                exit_valid <= 1'b1;
                exit_value <= end_value;
            end
            if (write_trace) trace_en <= bus_wdata[0];
        end
    end
    /*verilator tracing_on*/
endmodule

`default_nettype wire
