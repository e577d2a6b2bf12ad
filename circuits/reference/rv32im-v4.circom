// THE BENCH'S REFERENCE ONLY: the step circuit of receipt format 4 as it was
// (761 constraints per step, circuit default simplification), kept frozen so
// that bench/proof.bench.ts proves today's configuration side by side with
// circuits/rv32im.circom in one run. Nothing else compiles or trusts it.
// Adapted only to today's prover's interface: the chunk's exit value is no
// longer a public output (its constraints are kept), and it takes the trace's
// system-step hints (tSys) without using them (it has no system steps).
// The RV32IM step relation and the chunk of N steps (docs/proofs.md).
//
// State between steps: pc and the 32 registers (x0 = 0). One step takes its
// instruction word from the trace, decodes it into one of the supported
// kinds, reads rs1/rs2, computes the result (ALU, M extension, loads from the
// trace's memory data, branches and jumps), writes rd, checks the trace
// record against what it computed (pc, rd, rd value, memory address, store
// data, direction), and exposes one public access word packing what it
// touched outside the registers: pc, the instruction word and the memory
// access. The verifier checks the access words of a whole run against the
// program image by replaying memory (host/proof/access.ts): that is where
// instruction fetch, initial data and memory consistency are enforced.
// Padding steps (after the end of the trace) change nothing and expose 0.
// An ecall (exactly 0x00000073) is the boundary where a proved run yields to
// the host: the step exposes access kind 8, and the core restarts from reset
// (pc = RAM_BASE, every register 0) with memory as the host left it; what the
// host wrote is public in the receipt and applied by the verifier's replay.
// What is NOT enforced is listed in docs/proofs.md.
pragma circom 2.1.0;

include "gadgets.circom";

function KINDS() { return 48; }
// Kind indices.
function LUI() { return 0; }  function AUIPC() { return 1; } function JAL() { return 2; } function JALR() { return 3; }
function BEQ() { return 4; }  function BNE() { return 5; }   function BLT() { return 6; } function BGE() { return 7; }
function BLTU() { return 8; } function BGEU() { return 9; }
function LB() { return 10; }  function LH() { return 11; }   function LW() { return 12; } function LBU() { return 13; } function LHU() { return 14; }
function SB() { return 15; }  function SH() { return 16; }   function SW() { return 17; }
function ADDI() { return 18; } function SLTI() { return 19; } function SLTIU() { return 20; } function XORI() { return 21; }
function ORI() { return 22; } function ANDI() { return 23; } function SLLI() { return 24; } function SRLI() { return 25; } function SRAI() { return 26; }
function ADD() { return 27; } function SUB() { return 28; } function SLL() { return 29; } function SLT() { return 30; } function SLTU() { return 31; }
function XOR() { return 32; } function SRL() { return 33; } function SRA() { return 34; } function OR() { return 35; } function AND() { return 36; }
function MUL() { return 37; } function MULH() { return 38; } function MULHSU() { return 39; } function MULHU() { return 40; }
function DIV() { return 41; } function DIVU() { return 42; } function REM() { return 43; } function REMU() { return 44; }
function FENCE() { return 45; } function FENCEI() { return 46; } function ECALL() { return 47; }

function RAM_BASE() { return 0x80000000; }
function EXIT_ADDR() { return 0x10002000; }

template Step() {
    // State before the step.
    signal input pc;
    signal input regs[32];
    // 1: a padding step after the end of the trace.
    signal input pad;
    // The trace record (docs/trace-port.md); tInsn is the instruction executed,
    // tMemData also feeds loads.
    signal input tPc, tInsn, tRd, tRdValue, tMemAddr, tMemData, tMemWrite;
    // State after, and the program's end (a word store to EXIT) if this step is it.
    signal output pcOut;
    signal output regsOut[32];
    signal output exitFlag;
    signal output exitValue;
    // pc + 2^32 insn + 2^64 addr + 2^96 data + 2^128 kind (host/proof/access.ts), 0 when padding.
    signal output access;

    var W = 4294967296; // 2^32

    // --- the instruction: the trace's word (the verifier checks it against memory at pc) ---
    signal insn <== tInsn;
    (1 - pad) * (tPc - pc) === 0;

    // --- decode ---
    component ib = Num2Bits(32);
    ib.in <== insn;
    var opcode = 0; var rdF = 0; var f3 = 0; var rs1F = 0; var rs2F = 0; var f7 = 0;
    for (var i = 0; i < 7; i++) opcode += ib.out[i] * (1 << i);
    for (var i = 0; i < 5; i++) { rdF += ib.out[7 + i] * (1 << i); rs1F += ib.out[15 + i] * (1 << i); rs2F += ib.out[20 + i] * (1 << i); }
    for (var i = 0; i < 3; i++) f3 += ib.out[12 + i] * (1 << i);
    for (var i = 0; i < 7; i++) f7 += ib.out[25 + i] * (1 << i);
    var sign = ib.out[31];
    var immI = 0; var immS = 0; var immB = 0; var immU = 0; var immJ = 0;
    for (var i = 0; i < 12; i++) immI += ib.out[20 + i] * (1 << i);
    immI += sign * (W - (1 << 12));
    for (var i = 0; i < 5; i++) immS += ib.out[7 + i] * (1 << i);
    for (var i = 0; i < 7; i++) immS += ib.out[25 + i] * (1 << (5 + i));
    immS += sign * (W - (1 << 12));
    for (var i = 0; i < 4; i++) immB += ib.out[8 + i] * (1 << (1 + i));
    for (var i = 0; i < 6; i++) immB += ib.out[25 + i] * (1 << (5 + i));
    immB += ib.out[7] * (1 << 11) + sign * (W - (1 << 12));
    for (var i = 12; i < 32; i++) immU += ib.out[i] * (1 << i);
    for (var i = 0; i < 10; i++) immJ += ib.out[21 + i] * (1 << (1 + i));
    immJ += ib.out[20] * (1 << 11);
    for (var i = 0; i < 8; i++) immJ += ib.out[12 + i] * (1 << (12 + i));
    immJ += sign * (W - (1 << 20));

    // Instruction kinds: opcode, funct3 (255: any), funct7 (255: any).
    var OPC[48] = [0x37, 0x17, 0x6f, 0x67, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63,
                  0x03, 0x03, 0x03, 0x03, 0x03, 0x23, 0x23, 0x23,
                  0x13, 0x13, 0x13, 0x13, 0x13, 0x13, 0x13, 0x13, 0x13,
                  0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33,
                  0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x0f, 0x0f, 0x73];
    var F3[48] = [255, 255, 255, 0, 0, 1, 4, 5, 6, 7,
                  0, 1, 2, 4, 5, 0, 1, 2,
                  0, 2, 3, 4, 6, 7, 1, 5, 5,
                  0, 0, 1, 2, 3, 4, 5, 5, 6, 7,
                  0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 0];
    var F7[48] = [255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
                  255, 255, 255, 255, 255, 255, 255, 255,
                  255, 255, 255, 255, 255, 255, 0, 0, 32,
                  0, 32, 0, 0, 0, 0, 0, 32, 0, 0,
                  1, 1, 1, 1, 1, 1, 1, 1, 255, 255, 0];
    // s[k]: this step is an instruction of kind k (exactly one unless padding).
    signal s[KINDS()];
    var ssum = 0; var sopc = 0; var sf3 = 0; var hasF3 = 0; var sf7 = 0; var hasF7 = 0;
    var op = insn & 0x7f;
    var fn3 = (insn >> 12) & 7;
    var fn7 = (insn >> 25) & 0x7f;
    for (var k = 0; k < KINDS(); k++) {
        s[k] <-- (op == OPC[k] && (F3[k] == 255 || fn3 == F3[k]) && (F7[k] == 255 || fn7 == F7[k])) ? 1 : 0;
        s[k] * (s[k] - 1) === 0;
        ssum += s[k];
        sopc += s[k] * OPC[k];
        if (F3[k] != 255) { sf3 += s[k] * F3[k]; hasF3 += s[k]; }
        if (F7[k] != 255) { sf7 += s[k] * F7[k]; hasF7 += s[k]; }
    }
    ssum === 1 - pad;
    opcode === sopc;
    (f3 - sf3) * hasF3 === 0;
    (f7 - sf7) * hasF7 === 0;
    // ecall is the one word 0x00000073 (not ebreak, wfi, mret or a CSR access).
    var isEcall = s[ECALL()];
    isEcall * (insn - 0x73) === 0;

    var isLoad = s[LB()] + s[LH()] + s[LW()] + s[LBU()] + s[LHU()];
    var isStore = s[SB()] + s[SH()] + s[SW()];
    var isMem = isLoad + isStore;
    var isBranch = s[BEQ()] + s[BNE()] + s[BLT()] + s[BGE()] + s[BLTU()] + s[BGEU()];
    var useImmI = s[ADDI()] + s[SLTI()] + s[SLTIU()] + s[XORI()] + s[ORI()] + s[ANDI()] + s[SLLI()] + s[SRLI()] + s[SRAI()];

    // --- register reads ---
    component r1 = OneHot(32);
    component r2 = OneHot(32);
    r1.index <== rs1F;
    r2.index <== rs2F;
    signal r1v[32];
    signal r2v[32];
    var aAcc = 0; var rAcc = 0;
    for (var j = 0; j < 32; j++) {
        r1v[j] <== r1.out[j] * regs[j];
        r2v[j] <== r2.out[j] * regs[j];
        aAcc += r1v[j];
        rAcc += r2v[j];
    }
    signal a <== aAcc;
    signal rs2v <== rAcc;
    // Second operand: the I immediate for the I-type ALU kinds, else rs2.
    signal bImm <== useImmI * (immI - rs2v);
    signal b <== rs2v + bImm;
    component ab = Num2Bits(32);
    component bb = Num2Bits(32);
    ab.in <== a;
    bb.in <== b;
    var sa = ab.out[31];
    var sb = bb.out[31];

    // --- address / target adder: base + addend, mod 2^32 ---
    // loads, stores, jalr, add, addi: rs1 + (imm or b); branches, jal, auipc: pc + imm.
    var useA = isMem + s[JALR()] + s[ADD()] + s[ADDI()];
    signal baseSel <== useA * (a - pc);
    signal addI <== (isLoad + s[JALR()]) * immI;
    signal addS <== isStore * immS;
    signal addB <== isBranch * immB;
    signal addJ <== s[JAL()] * immJ;
    signal addU <== s[AUIPC()] * immU;
    signal addR <== (s[ADD()] + s[ADDI()]) * b;
    component tb = Num2Bits(33);
    tb.in <== pc + baseSel + addI + addS + addB + addJ + addU + addR;
    var t32 = 0;
    for (var i = 0; i < 32; i++) t32 += tb.out[i] * (1 << i);

    // --- comparisons: a - b + 2^32 ---
    component db = Num2Bits(33);
    db.in <== a - b + W;
    var d32 = 0;
    for (var i = 0; i < 32; i++) d32 += db.out[i] * (1 << i);
    signal ltu <== 1 - db.out[32];
    component isEq = IsZero();
    isEq.in <== d32;
    signal sab <== sa * sb;
    signal ltMix <== (1 - sa - sb + 2 * sab) * ltu;
    signal lt <== sa - sab + ltMix;

    // --- bitwise ---
    signal andBits[32];
    var andV = 0; var orV = 0; var xorV = 0;
    for (var i = 0; i < 32; i++) {
        andBits[i] <== ab.out[i] * bb.out[i];
        andV += andBits[i] * (1 << i);
        orV += (ab.out[i] + bb.out[i] - andBits[i]) * (1 << i);
        xorV += (ab.out[i] + bb.out[i] - 2 * andBits[i]) * (1 << i);
    }

    // --- one multiplier for shifts and M: X * Y + 2^65 in 66 bits ---
    signal p1 <== 1 + bb.out[0];
    signal p2 <== p1 * (1 + 3 * bb.out[1]);
    signal p3 <== p2 * (1 + 15 * bb.out[2]);
    signal p4 <== p3 * (1 + 255 * bb.out[3]);
    signal pow <== p4 * (1 + 65535 * bb.out[4]);      // 2^shamt
    signal inv <-- W \ pow;                              // 2^(32 - shamt)
    inv * pow === W;
    var shl = s[SLL()] + s[SLLI()];
    var shr = s[SRL()] + s[SRLI()] + s[SRA()] + s[SRAI()];
    var mulk = s[MUL()] + s[MULH()] + s[MULHSU()] + s[MULHU()];
    signal aSigned <== sa * (s[MULH()] + s[MULHSU()]);
    signal bSigned <== sb * s[MULH()];
    signal y1 <== shl * pow;
    signal y2 <== shr * inv;
    signal y3 <== mulk * (b - W * bSigned);
    signal prod <== (a - W * aSigned) * (y1 + y2 + y3);
    component pb = Num2Bits(66);
    pb.in <== prod + 2 * W * W;
    var lo = 0; var hi = 0;
    for (var i = 0; i < 32; i++) { lo += pb.out[i] * (1 << i); hi += pb.out[32 + i] * (1 << i); }
    signal sraFill <== sa * (W - inv);

    // --- division on magnitudes: |a| = q'|b| + r', r' < |b| (b != 0) ---
    var signedDiv = s[DIV()] + s[REM()];
    signal na <== sa * signedDiv;
    signal nb <== sb * signedDiv;
    signal naA <== na * a;
    signal nbB <== nb * b;
    signal absA <== a + na * W - 2 * naA;
    signal absB <== b + nb * W - 2 * nbB;
    component bz = IsZero();
    bz.in <== absB;
    signal qp <-- absB == 0 ? W - 1 : absA \ absB;
    signal rp <-- absB == 0 ? absA : absA % absB;
    component qb = Num2Bits(32);
    component rb = Num2Bits(32);
    qb.in <== qp;
    rb.in <== rp;
    signal qpb <== qp * absB;
    absA === qpb + rp;
    bz.out * (qp - (W - 1)) === 0;
    signal room <== (absB - 1 - rp) * (1 - bz.out);
    component roomBits = Num2Bits(32);
    roomBits.in <== room;
    component qz = IsZero();
    component rz = IsZero();
    qz.in <== qp;
    rz.in <== rp;
    signal negQ <== (W - qp) * (1 - qz.out);
    signal negR <== (W - rp) * (1 - rz.out);
    signal nab <== na * nb;
    signal qNeg <== (na + nb - 2 * nab) * (1 - bz.out);
    signal qMix <== qNeg * (negQ - qp);
    signal rMix <== na * (negR - rp);
    signal quotient <== qp + qMix;
    signal remainder <== rp + rMix;

    // --- loads: the trace's data, sign-extended; stores: the trace's data is b truncated ---
    component mb = Num2Bits(32);
    mb.in <== tMemData;
    var hi8 = 0; var hi16 = 0;
    for (var i = 8; i < 32; i++) hi8 += mb.out[i] * (1 << (i - 8));
    for (var i = 16; i < 32; i++) hi16 += mb.out[i] * (1 << (i - 16));
    var isByte = s[LB()] + s[LBU()] + s[SB()];
    var isHalf = s[LH()] + s[LHU()] + s[SH()];
    var isWord = s[LW()] + s[SW()];
    isByte * hi8 === 0;
    isHalf * hi16 === 0;
    tb.out[0] * (isHalf + isWord) === 0;
    tb.out[1] * isWord === 0;
    tMemAddr === isMem * t32;
    (1 - isMem) * tMemData === 0;
    tMemWrite === isStore;
    signal lbExt <== s[LB()] * mb.out[7];
    signal lhExt <== s[LH()] * mb.out[15];
    signal loaded <== tMemData + lbExt * (W - (1 << 8)) + lhExt * (W - (1 << 16));
    var low8 = 0; var low16 = 0;
    for (var i = 0; i < 8; i++) low8 += bb.out[i] * (1 << i);
    for (var i = 0; i < 16; i++) low16 += bb.out[i] * (1 << i);
    signal stB <== s[SB()] * low8;
    signal stH <== s[SH()] * low16;
    signal stW <== s[SW()] * b;
    stB + stH + stW === isStore * tMemData;

    // --- the result written to rd ---
    signal v[16];
    v[0] <== s[LUI()] * immU;
    v[1] <== s[AUIPC()] * t32;
    v[2] <== (s[JAL()] + s[JALR()]) * (pc + 4);
    v[3] <== isLoad * loaded;
    v[4] <== (s[ADD()] + s[ADDI()]) * t32;
    v[5] <== s[SUB()] * d32;
    v[6] <== (s[SLT()] + s[SLTI()]) * lt;
    v[7] <== (s[SLTU()] + s[SLTIU()]) * ltu;
    v[8] <== (s[XOR()] + s[XORI()]) * xorV;
    v[9] <== (s[OR()] + s[ORI()]) * orV;
    v[10] <== (s[AND()] + s[ANDI()]) * andV;
    v[11] <== (shl + s[MUL()]) * lo;
    v[12] <== (s[SRL()] + s[SRLI()] + s[MULH()] + s[MULHSU()] + s[MULHU()]) * hi;
    v[13] <== (s[SRA()] + s[SRAI()]) * (hi + sraFill);
    v[14] <== (s[DIV()] + s[DIVU()]) * quotient;
    v[15] <== (s[REM()] + s[REMU()]) * remainder;
    var result = 0;
    for (var i = 0; i < 16; i++) result += v[i];

    // --- rd write (x0 never changes); an ecall clears every register (result is 0 for it) ---
    var writes = 1 - pad - isBranch - isStore - s[FENCE()] - s[FENCEI()] - isEcall;
    signal rdEff <== rdF * writes;
    component wr = OneHot(32);
    wr.index <== rdEff;
    tRd === rdEff;
    tRdValue === result * (1 - wr.out[0]);
    regsOut[0] <== regs[0];
    for (var j = 1; j < 32; j++) regsOut[j] <== regs[j] + (wr.out[j] + isEcall) * (result - regs[j]);

    // --- next pc ---
    signal tk[6];
    tk[0] <== s[BEQ()] * isEq.out;
    tk[1] <== s[BNE()] * (1 - isEq.out);
    tk[2] <== s[BLT()] * lt;
    tk[3] <== s[BGE()] * (1 - lt);
    tk[4] <== s[BLTU()] * ltu;
    tk[5] <== s[BGEU()] * (1 - ltu);
    var jump = tk[0] + tk[1] + tk[2] + tk[3] + tk[4] + tk[5] + s[JAL()] + s[JALR()];
    signal clearBit0 <== s[JALR()] * tb.out[0];
    signal moved <== jump * (t32 - clearBit0 - pc - 4);
    // an ecall restarts the core at the reset pc
    signal restart <== isEcall * (RAM_BASE() - pc - 4);
    pcOut <== pc + 4 - 4 * pad + moved + restart;

    // --- the end: a word store to EXIT ---
    component atExit = IsZero();
    atExit.in <== t32 - EXIT_ADDR();
    exitFlag <== s[SW()] * atExit.out;
    exitValue <== exitFlag * b;

    // --- the access word: kind = size (1 byte, 2 half, 3 word) + 4 for a store, 0 without access, 8 for an ecall ---
    // Every field is range-checked above (insn, data: 32 bits; addr: t32 or 0; pc < 2^32 + 4N along a chunk).
    var kind = isByte + 2 * isHalf + 3 * isWord + 4 * isStore + 8 * isEcall;
    access <== (1 - pad) * (pc + W * insn + W * W * tMemAddr + W * W * W * tMemData + W * W * W * W * kind);
}

// N steps from the public state (pcIn, regsIn) to (pcOut, regsOut), with
// each step's access word public.
template Chunk(N) {
    signal input pcIn;
    signal input regsIn[32];
    signal input pad[N];
    signal input tPc[N];
    signal input tInsn[N];
    signal input tRd[N];
    signal input tRdValue[N];
    signal input tMemAddr[N];
    signal input tMemData[N];
    signal input tMemWrite[N];
    signal input tSys[N];
    signal output pcOut;
    signal output regsOut[32];
    signal output exited;
    signal exitValue;
    signal output steps;
    signal output access[N];

    regsIn[0] === 0;
    component step[N];
    var ex = 0; var exv = 0; var live = 0;
    for (var i = 0; i < N; i++) {
        step[i] = Step();
        step[i].pc <== i == 0 ? pcIn : step[i - 1].pcOut;
        for (var j = 0; j < 32; j++) step[i].regs[j] <== i == 0 ? regsIn[j] : step[i - 1].regsOut[j];
        pad[i] * (pad[i] - 1) === 0;
        // Padding only at the end, and everything after the program's end is padding.
        if (i > 0) {
            pad[i - 1] * (1 - pad[i]) === 0;
            step[i - 1].exitFlag * (1 - pad[i]) === 0;
        }
        step[i].pad <== pad[i];
        step[i].tPc <== tPc[i];
        step[i].tInsn <== tInsn[i];
        step[i].tRd <== tRd[i];
        step[i].tRdValue <== tRdValue[i];
        step[i].tMemAddr <== tMemAddr[i];
        step[i].tMemData <== tMemData[i];
        step[i].tMemWrite <== tMemWrite[i];
        access[i] <== step[i].access;
        ex += step[i].exitFlag;
        exv += step[i].exitValue;
        live += 1 - pad[i];
    }
    pcOut <== step[N - 1].pcOut;
    for (var j = 0; j < 32; j++) regsOut[j] <== step[N - 1].regsOut[j];
    exited <== ex;
    exitValue <== exv;
    steps <== live;
}
