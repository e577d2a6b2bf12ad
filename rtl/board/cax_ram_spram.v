// cax_ram for the iCE40 UltraPlus: the SoC's RAM in SB_SPRAM256KA blocks
// (64 KiB per pair: two 16-bit-wide SPRAMs side by side make one 32-bit bank),
// a drop-in for rtl/soc/cax_ram.v with the same ports and timing. SPRAM
// cannot be initialised from the bitstream, so after configuration this block
// first copies a boot image (the firmware, BOOT_WORDS words from BOOT_HEX,
// held in block RAM that the bitstream does initialise) to address 0; the
// board wrapper keeps the core in reset for longer than that takes.
`default_nettype none

module cax_ram #(
    parameter BYTES      = 131072,              // 65536 or 131072
    parameter AW         = $clog2(BYTES / 4),   // word address width
    parameter BOOT_WORDS = 3072,                // words of boot image (128 per block RAM)
    parameter BOOT_HEX   = "boot.hex"           // $readmemh file, BOOT_WORDS lines
) (
    input  wire          clk,
    input  wire [AW-1:0] word_addr,
    input  wire          read,
    input  wire [3:0]    write_mask,            // byte lanes written at this edge
    input  wire [31:0]   write_data,
    output wire [31:0]   read_data              // valid from the clock after `read` until the next read
);
    localparam BANKS = BYTES / 65536;
    localparam BW    = BANKS > 1 ? $clog2(BANKS) : 1;

    // ---- boot copy: wait for the block RAMs to settle, then copy word by word
    reg [31:0] boot [0:BOOT_WORDS-1];
    initial $readmemh(BOOT_HEX, boot);
    reg [7:0]  settle = 8'd0;       // cycles since configuration, saturating
    reg [AW:0] copy_next = 0;       // next boot word to read
    reg        copy_write = 1'b0;   // boot_word holds word copy_next-1: write it now
    reg        copied = 1'b0;       // the boot image is in SPRAM
    reg [31:0] boot_word;
    wire       copying = !copied && &settle;
    always @(posedge clk) begin
        if (!(&settle)) settle <= settle + 1'b1;
        if (copying) begin
            boot_word  <= boot[copy_next[$clog2(BOOT_WORDS)-1:0]];
            copy_write <= copy_next < BOOT_WORDS;
            copy_next  <= copy_next + 1'b1;
            if (copy_next == BOOT_WORDS) copied <= 1'b1;
        end
    end

    // ---- SPRAM port: the boot copy while copying, the SoC afterwards. The
    // SPRAMs are always selected (reading every clock they do not write), so
    // only the address and the write enables sit behind the SoC's address
    // decode: that path is the longest in the design.
    wire [AW-1:0] addr     = copied ? word_addr : copy_next[AW-1:0] - 1'b1;
    wire [3:0]    lanes    = copied ? write_mask : 4'b1111;
    wire          write    = copied ? |write_mask : copy_write;
    wire [31:0]   wdata    = copied ? write_data : boot_word;
    wire [BW-1:0] bank     = BANKS > 1 ? addr[AW-1 -: BW] : 1'b0;

    // Read data: straight from the bank read the clock before, then held
    // (SPRAM output follows every later read, and is undefined after a write).
    reg          read_q = 1'b0;
    reg [BW-1:0] read_bank;
    reg [31:0]   held;
    wire [31:0]  bank_data [0:BANKS-1];
    assign read_data = read_q ? bank_data[read_bank] : held;
    always @(posedge clk) begin
        read_q <= copied && read;
        if (read) read_bank <= bank;
        if (read_q) held <= bank_data[read_bank];
    end

    genvar b;
    generate
        if (BANKS != 1 && BANKS != 2) begin : bad_size
            cax_ram_spram_supports_only_64_or_128_KiB unsupported ();
        end
        for (b = 0; b < BANKS; b = b + 1) begin : banks
            wire bank_write = write && bank == b;
            // Nibble write enables: byte lane i is nibbles 2i, 2i+1 of its half.
            SB_SPRAM256KA low (
                .ADDRESS(addr[13:0]), .DATAIN(wdata[15:0]),
                .MASKWREN({lanes[1], lanes[1], lanes[0], lanes[0]}),
                .WREN(bank_write), .CHIPSELECT(1'b1),
                .CLOCK(clk), .STANDBY(1'b0), .SLEEP(1'b0), .POWEROFF(1'b1),
                .DATAOUT(bank_data[b][15:0])
            );
            SB_SPRAM256KA high (
                .ADDRESS(addr[13:0]), .DATAIN(wdata[31:16]),
                .MASKWREN({lanes[3], lanes[3], lanes[2], lanes[2]}),
                .WREN(bank_write), .CHIPSELECT(1'b1),
                .CLOCK(clk), .STANDBY(1'b0), .SLEEP(1'b0), .POWEROFF(1'b1),
                .DATAOUT(bank_data[b][31:16])
            );
        end
    endgenerate
endmodule

`default_nettype wire
