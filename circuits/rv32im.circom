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
// The bit decompositions are shared by the instruction families: a few slots
// that each kind fills with what it needs (docs/proofs.md "How it is built").
// Padding steps (after the end of the trace) change nothing and expose 0.
// An ecall (exactly 0x00000073) is the boundary where a proved run yields to
// the host: the step exposes access kind 8, and the core restarts from reset
// (pc = RAM_BASE, every register 0) with memory as the host left it; what the
// host wrote is public in the receipt and applied by the verifier's replay.
// A CSR instruction (any word of opcode 0x73 with funct3 not 0) writes rd with the CSR's
// old value and goes on at pc + 4; the step exposes that value and rs1's value in its
// access word (kind 9), and the verifier's replay checks them against its model of the
// CSRs (the ISS's), with mcycle and minstret from the cycle model; a CSR instruction
// that would trap is refused there. A system step (a trap, mret, wfi) exposes rs1's and rs2's values
// and the pc it goes on at (kind 10), and the verifier's replay executes it (a taken branch to a misaligned
// target included: rs2 decides whether it is taken).
// What is NOT enforced is listed in docs/proofs.md.
pragma circom 2.1.0;

include "gadgets.circom";

function KINDS() { return 35; }
// Kind indices. Pairs told apart by funct3 bit 0 alone are one kind (beq/bne,
// blt/bge, bltu/bgeu, div/divu, rem/remu, fence/fence.i): the bit itself says which.
// An ALU operation and its immediate form (add/addi, slt/slti, …, sra/srai) are one kind
// too: opcode bit 5 says which (0x33, registers; 0x13, the I immediate).
function LUI() { return 0; }  function AUIPC() { return 1; } function JAL() { return 2; } function JALR() { return 3; }
function BEQNE() { return 4; } function BLTGE() { return 5; } function BLTGEU() { return 6; }
function LB() { return 7; }  function LH() { return 8; }   function LW() { return 9; } function LBU() { return 10; } function LHU() { return 11; }
function SB() { return 12; }  function SH() { return 13; }   function SW() { return 14; }
function ADD() { return 15; } function SLT() { return 16; } function SLTU() { return 17; } function XOR() { return 18; }
function OR() { return 19; } function AND() { return 20; } function SLL() { return 21; } function SRL() { return 22; } function SRA() { return 23; }
function SUB() { return 24; }
function MUL() { return 25; } function MULH() { return 26; } function MULHSU() { return 27; } function MULHU() { return 28; }
function DIVQ() { return 29; } function DIVR() { return 30; } function FENCE() { return 31; } function ECALL() { return 32; }
// Every CSR instruction (opcode 0x73, funct3 not 0): rd gets the CSR's old value, which the step exposes
// with rs1's value; the verifier's replay checks both against its model of the CSRs (host/proof/access.ts).
function CSR() { return 33; }
// A system step (the trace marks it, tSys): a trap (other than the ecall yield), mret or wfi. It writes no
// register and goes on at the pc in its data field; the step exposes that pc and rs1's value, and the
// verifier's replay executes the word on its model of the CSRs (the ISS's) to check the pc and the CSRs.
function SYS() { return 34; }
// The ALU kinds with an immediate form (ADD … SRA) and, of those, the shifts.
function FIRST_ALU() { return 15; } function FIRST_SHIFT() { return 21; } function LAST_ALU() { return 23; }

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
    // 1: the trace says this step is a system step (a hint for the witness: the selector s[SYS] is what is proved)
    signal input tSys;
    // State after, and the program's end (a word store to EXIT) if this step is it.
    signal output pcOut;
    signal output regsOut[32];
    signal output exitFlag;
    // pc + 2^32 insn + 2^64 addr + 2^96 data + 2^128 kind + 2^132 rs2 (host/proof/access.ts), 0 when padding;
    // rs2 is the value of the register the rs2 field names for a system step (so a trapping branch is decided), else 0.
    signal output access;

    var W = 4294967296; // 2^32

    // --- the instruction: the trace's word (the verifier checks it against memory at pc) ---
    signal insn <== tInsn;
    // (a padding step's tPc is the pc it keeps, so this holds for every step and is linear)
    tPc === pc;

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

    // Instruction kinds: opcode (of an ALU kind: its I form's, 0x13), funct3 (255: any; for a pair, its even value),
    // funct7 (255: any; of an ALU kind: its register form's, which its I form also has if it is a shift).
    var OPC[35] = [0x37, 0x17, 0x6f, 0x67, 0x63, 0x63, 0x63,
                  0x03, 0x03, 0x03, 0x03, 0x03, 0x23, 0x23, 0x23,
                  0x13, 0x13, 0x13, 0x13, 0x13, 0x13, 0x13, 0x13, 0x13,
                  0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x0f, 0x73, 0x73, 0];
    // (CSR: any funct3 and funct7 in the circuit; the verifier decodes the word and refuses one that is no CSR instruction;
    // SYS: any word, its opcode unchecked here: the verifier executes it)
    var F3[35] = [255, 255, 255, 0, 0, 4, 6,
                  0, 1, 2, 4, 5, 0, 1, 2,
                  0, 2, 3, 4, 6, 7, 1, 5, 5,
                  0, 0, 1, 2, 3, 4, 6, 0, 0, 255, 255];
    var PAIR[35] = [0, 0, 0, 0, 1, 1, 1,
                   0, 0, 0, 0, 0, 0, 0, 0,
                   0, 0, 0, 0, 0, 0, 0, 0, 0,
                   0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0];
    var F7[35] = [255, 255, 255, 255, 255, 255, 255,
                  255, 255, 255, 255, 255, 255, 255, 255,
                  0, 0, 0, 0, 0, 0, 0, 0, 32,
                  32, 1, 1, 1, 1, 1, 1, 255, 0, 255, 255];
    // s[k]: this step is an instruction of kind k (exactly one unless padding).
    signal s[KINDS()];
    var ssum = 0; var sopc = 0; var sf3 = 0; var hasF3 = 0; var sf3bit0 = 0; var hasF3bit0 = 0; var sf7 = 0; var hasF7 = 0;
    var op = insn & 0x7f;
    var fn3 = (insn >> 12) & 7;
    var fn7 = (insn >> 25) & 0x7f;
    for (var k = 0; k < KINDS(); k++) {
        var f3k = fn3;
        if (PAIR[k] == 1) f3k = fn3 & 6;
        if (k == SYS()) {
            s[k] <-- tSys;
        } else {
            var alu = k >= FIRST_ALU() && k <= LAST_ALU();
            // (an ALU kind: either form; its funct7 is an immediate's bits in the I form of add … and)
            var opOk = op == OPC[k] || (alu && op == (OPC[k] | 0x20));
            var f7Ok = F7[k] == 255 || fn7 == F7[k] || (alu && k < FIRST_SHIFT() && op == OPC[k]);
            s[k] <-- (tSys == 0 && opOk && (F3[k] == 255 || f3k == F3[k]) && f7Ok && (k != CSR() || fn3 != 0)) ? 1 : 0;
        }
        s[k] * (s[k] - 1) === 0;
        ssum += s[k];
        sopc += s[k] * OPC[k];
        if (F3[k] != 255) { sf3 += s[k] * F3[k]; hasF3 += s[k]; }
        if (F3[k] != 255 && PAIR[k] == 0) { sf3bit0 += s[k] * (F3[k] & 1); hasF3bit0 += s[k]; }
        if (F7[k] != 255) { sf7 += s[k] * F7[k]; hasF7 += s[k]; }
    }
    // An ALU kind's register form (opcode bit 5 set): the shifts and the others apart, since only the
    // others' I form leaves funct7 free (it is the immediate's top bits).
    var aluAll = 0; var aluShift = 0;
    for (var k = FIRST_ALU(); k <= LAST_ALU(); k++) aluAll += s[k];
    for (var k = FIRST_SHIFT(); k <= LAST_ALU(); k++) aluShift += s[k];
    signal regOther <== (aluAll - aluShift) * ib.out[5];
    signal regShift <== aluShift * ib.out[5];
    var regForm = regOther + regShift;
    sopc += 0x20 * regForm;
    hasF7 -= aluAll - aluShift - regOther;
    // (times 1 + pad, which is 1 or 2: the same equations, but not linear, so circom --O2 does not
    // substitute a selector away by them, which would put all 34 selectors wherever that one is used)
    (ssum - 1 + pad) * (1 + pad) === 0;
    // (a system step's opcode is not checked: the factor is 0 for it, 1 or 2 otherwise)
    (opcode - sopc) * (1 + pad - s[SYS()]) === 0;
    // funct3's bits 1 and 2 for every kind that fixes funct3, its bit 0 for every kind but the pairs
    (f3 - ib.out[12] - (sf3 - sf3bit0)) * hasF3 === 0;
    (ib.out[12] - sf3bit0) * hasF3bit0 === 0;
    (f7 - sf7) * hasF7 === 0;
    // ecall is the one word 0x00000073 (not ebreak, wfi, mret or a CSR access).
    var isEcall = s[ECALL()];
    isEcall * (insn - 0x73) === 0;

    var isLoad = s[LB()] + s[LH()] + s[LW()] + s[LBU()] + s[LHU()];
    var isStore = s[SB()] + s[SH()] + s[SW()];
    var isMem = isLoad + isStore;
    var isCsr = s[CSR()];
    var isSys = s[SYS()];
    // the steps whose result is a value from outside the registers: a load's data, a CSR's old value
    var takesData = isLoad + isCsr;
    // the steps whose slot B and data field hold a value from outside the registers: those, and the next pc
    // of a system step or of the ecall (which the verifier requires to be RAM_BASE, the reset pc)
    var holdsData = takesData + isSys + isEcall;
    var isBranch = s[BEQNE()] + s[BLTGE()] + s[BLTGEU()];
    // (loads and jalr too: their b is free, and rs1 + b is then their address or target)
    var useImmI = aluAll - regForm + isLoad + s[JALR()];
    var shl = s[SLL()];
    var sra = s[SRA()];
    var shr = s[SRL()] + sra;
    var mulk = s[MUL()] + s[MULH()] + s[MULHSU()] + s[MULHU()];
    var mulsh = shl + shr + mulk;
    var divk = s[DIVQ()] + s[DIVR()];
    var bitwise = s[XOR()] + s[OR()] + s[AND()];

    // --- register reads: two 32-way multiplexer trees on the rs1 and rs2 fields ---
    component r1 = Select32();
    component r2 = Select32();
    for (var i = 0; i < 5; i++) { r1.bits[i] <== ib.out[15 + i]; r2.bits[i] <== ib.out[20 + i]; }
    r1.in <== regs;
    r2.in <== regs;
    signal a <== r1.out;
    signal rs2v <== r2.out;
    // Second operand: the I immediate for the I-type kinds, else rs2.
    signal bImm <== useImmI * (immI - rs2v);
    var b = rs2v + bImm;

    // --- the shared decompositions (docs/proofs.md "The step circuit"): each kind uses the slots it needs ---
    // A: a, always. B: b, or for a load the data loaded (a load needs no bit of b), for a CSR instruction the CSR's old value.
    component ab = Num2Bits(32);
    ab.in <== a;
    // (b's bits add up to b + isLoad (data - b): the selection and the sum are one constraint)
    signal bBits[32];
    var bSum = 0;
    for (var i = 0; i < 32; i++) {
        bBits[i] <-- ((b + holdsData * (tMemData - b)) >> i) & 1;
        bBits[i] * (bBits[i] - 1) === 0;
        bSum += bBits[i] * (1 << i);
    }
    bSum - b === holdsData * (tMemData - b);
    var sa = ab.out[31];
    var sb = bBits[31];
    // C: the division's quotient magnitude (division only).
    // WIDE, 66 bits, one of:
    //   shifts and M:  X * Y + 2^65 (the 66-bit product: lo = bits 0-31, hi = bits 32-63);
    //   division:      r' + 2^33 room (remainder magnitude and |b| - 1 - r', 33 bits each);
    //   and/or/xor:    spread(a) + spread(b), spread(x) = sum of x_i 4^i: the base-4 digit i is
    //                  a_i + b_i, so bit 2i is a_i xor b_i and bit 2i+1 is a_i and b_i;
    //   everything else (and padding): (a - b + 2^32) + 2^33 (address / target sum): the
    //                  comparison (bits 0-32: a - b mod 2^32 and the borrow) and the adder (bits 33-65).
    // Each part is below 2^66, so the decomposition checks exactly the ranges the
    // separate 33- and 66-bit decompositions it replaces checked.

    // --- address / target adder: base + addend, mod 2^32 ---
    // loads, jalr, add, addi: rs1 + b; stores: rs1 + imm; branches, jal, auipc: pc + imm; CSR: rs1 (exposed as its address).
    var useA = isMem + s[JALR()] + s[ADD()] + isCsr + isSys;
    signal baseSel <== useA * (a - pc);
    signal addS <== isStore * immS;
    signal addB <== isBranch * immB;
    signal addJ <== s[JAL()] * immJ;
    signal addU <== s[AUIPC()] * immU;
    signal addR <== (s[ADD()] + isLoad + s[JALR()]) * b;
    var adderSum = pc + baseSel + addS + addB + addJ + addU + addR;

    // --- one multiplier for shifts and M: X * Y ---
    // Y: 2^shamt (left), 2^(32 - shamt) (right: the result is the product's high word;
    // arithmetic right shifts multiply the signed a), or b (M).
    var p1 = 1 + bBits[0];
    signal p2 <== p1 * (1 + 3 * bBits[1]);
    signal p3 <== p2 * (1 + 15 * bBits[2]);
    signal p4 <== p3 * (1 + 255 * bBits[3]);
    signal pow <== p4 * (1 + 65535 * bBits[4]);      // 2^shamt
    signal inv <-- W \ pow;                              // 2^(32 - shamt)
    inv * pow === W;
    signal aSigned <== sa * (s[MULH()] + s[MULHSU()] + sra);
    signal bSigned <== sb * s[MULH()];
    signal y1 <== shl * pow;
    signal y2 <== shr * inv;
    signal y3 <== mulk * (b - W * bSigned);
    signal prod <== (a - W * aSigned) * (y1 + y2 + y3);

    // --- division on magnitudes: |a| = q'|b| + r', r' < |b| (b != 0) ---
    signal signedDiv <== divk * (1 - ib.out[12]); // div, rem (divu, remu have funct3 bit 0 set)
    signal na <== sa * signedDiv;
    signal nb <== sb * signedDiv;
    signal absA <== a + na * (W - 2 * a);
    signal absB <== b + nb * (W - 2 * b);
    component bz = IsZero();
    bz.in <== absB;
    // (dividing by zero, q' is 1 when a is negative for div/rem (its sign fix makes it W - 1), else W - 1)
    signal qp <-- absB == 0 ? (na == 1 ? 1 : W - 1) : absA \ absB;
    signal rp <-- absB == 0 ? absA : absA % absB;
    component qb = Num2Bits(32);
    qb.in <== qp;
    absA - rp === qp * absB;
    bz.out * (qp - (W - 1) + na * (W - 2)) === 0;
    signal room <== (absB - 1 - rp) * (1 - bz.out);

    // --- the wide decomposition ---
    var spread = 0;
    for (var i = 0; i < 32; i++) spread += (ab.out[i] + bBits[i]) * (1 << (2 * i));
    signal wideDiv <== divk * (rp + 2 * W * room);
    signal wideBitwise <== bitwise * spread;
    // a signed comparison compares a + 2^31 and b + 2^31 mod 2^32 (their sign bits flipped): a - b - 2^32 (sa - sb)
    signal signFlip <== (s[SLT()] + s[BLTGE()]) * (sa - sb);
    var rest = 1 - mulsh - divk - bitwise;
    var restPart = a - b + W - W * signFlip + 2 * W * adderSum;
    // (the bits add up to the parts: the last part's gating and the sum are one constraint)
    signal wBits[66];
    var wSum = 0;
    for (var i = 0; i < 66; i++) {
        wBits[i] <-- ((prod + mulsh * 2 * W * W + wideDiv + wideBitwise + rest * restPart) >> i) & 1;
        wBits[i] * (wBits[i] - 1) === 0;
        wSum += wBits[i] * (1 << i);
    }
    wSum - prod - mulsh * 2 * W * W - wideDiv - wideBitwise === rest * restPart;
    var low = 0; var high = 0; var t32 = 0; var xorV = 0; var andV = 0;
    for (var i = 0; i < 32; i++) {
        low += wBits[i] * (1 << i);
        high += wBits[32 + i] * (1 << i);
        t32 += wBits[33 + i] * (1 << i);
        xorV += wBits[2 * i] * (1 << i);
        andV += wBits[2 * i + 1] * (1 << i);
    }
    var adderBit0 = wBits[33];

    // --- comparisons: the low part, a - b + 2^32 (signed: with the sign bits flipped) ---
    var less = 1 - wBits[32];
    component isEq = IsZero();
    isEq.in <== low;

    // --- division's signs ---
    // (r' is WIDE's low part for a division, so isEq tests r' = 0)
    component qz = IsZero();
    qz.in <== qp;
    // -q' and -r' mod 2^32 (q' qz = 0 and r' isEq = 0, so (W - q')(1 - qz) is linear)
    var negQ = W - qp - W * qz.out;
    var negR = W - rp - W * isEq.out;
    signal nab <== na * nb;
    // (b = 0 has nb = 0 and q' chosen above so that the fix applies unconditionally)
    var qNeg = na + nb - 2 * nab;
    signal qMix <== qNeg * (negQ - qp);
    signal rMix <== na * (negR - rp);
    var quotient = qp + qMix;
    var remainder = rp + rMix;

    // --- loads: the trace's data (slot B), sign-extended; stores: the trace's data is b truncated ---
    var isByte = s[LB()] + s[LBU()] + s[SB()];
    var isHalf = s[LH()] + s[LHU()] + s[SH()];
    var isWord = s[LW()] + s[SW()];
    // (that a load's data fits its size and that the address is aligned to it is the verifier's replay:
    // both are in the access word, and a load must read exactly the bytes memory holds there)
    tMemAddr === (isMem + isCsr + isSys) * t32;
    (1 - isMem - holdsData + isLoad) * tMemData === 0;
    tMemWrite === isStore;
    signal lbExt <== s[LB()] * bBits[7];
    signal lhExt <== s[LH()] * bBits[15];
    var loaded = tMemData + lbExt * (W - (1 << 8)) + lhExt * (W - (1 << 16));
    var low8 = 0; var low16 = 0;
    for (var i = 0; i < 8; i++) low8 += bBits[i] * (1 << i);
    for (var i = 0; i < 16; i++) low16 += bBits[i] * (1 << i);
    // b - data is what the store drops: b's bits from 8 (sb), from 16 (sh), nothing (sw)
    signal dropB <== s[SB()] * (b - low8);
    signal dropH <== s[SH()] * (b - low16);
    isStore * (b - tMemData) === dropB + dropH;

    // --- the result written to rd ---
    signal v[11];
    v[0] <== s[LUI()] * immU;
    v[1] <== (s[AUIPC()] + s[ADD()]) * t32;
    v[2] <== (s[JAL()] + s[JALR()]) * (pc + 4);
    v[3] <== takesData * loaded;
    v[4] <== (s[SUB()] + shl + s[MUL()]) * low;
    v[5] <== (shr + s[MULH()] + s[MULHSU()] + s[MULHU()]) * high;
    v[6] <== (s[SLT()] + s[SLTU()]) * less;
    v[7] <== (s[XOR()] + s[OR()]) * xorV;
    v[8] <== (s[OR()] + s[AND()]) * andV;
    v[9] <== s[DIVQ()] * quotient;
    v[10] <== s[DIVR()] * remainder;
    var result = 0;
    for (var i = 0; i < 11; i++) result += v[i];

    // --- rd write (x0 never changes); an ecall clears every register (result is 0 for it) ---
    // wr[j] = 1 for the register written (rd, when the kind writes one), else 0
    var writes = 1 - pad - isBranch - isStore - s[FENCE()] - isEcall - isSys;
    // a binary tree from rd's top bit: node k's children are 2k+1 (bit 0) and 2k+2 (bit 1), one
    // product per right child (a left child is its parent minus its sibling); the leaves 31 … 62 are wr
    signal wrRight[31];
    var wrNode[63];
    wrNode[0] = writes;
    var level = 0;
    for (var k = 0; k < 31; k++) {
        if (k + 1 == 2 << level) level++; // nodes 2^level - 1 … 2^(level+1) - 2 are on this level
        wrRight[k] <== wrNode[k] * ib.out[11 - level];
        wrNode[2 * k + 2] = wrRight[k];
        wrNode[2 * k + 1] = wrNode[k] - wrRight[k];
    }
    var wr[32];
    var rdEff = 0; var written = 0;
    for (var j = 0; j < 32; j++) wr[j] = wrNode[31 + j];
    for (var j = 1; j < 32; j++) { rdEff += j * wr[j]; written += wr[j]; }
    tRd === rdEff;
    tRdValue === result * written;
    regsOut[0] <== regs[0];
    for (var j = 1; j < 32; j++) regsOut[j] <== regs[j] + (wr[j] + isEcall) * (result - regs[j]);

    // --- next pc ---
    // taken: the equality or the comparison, negated by funct3 bit 0 (bne, bge, bgeu)
    signal takeEq <== s[BEQNE()] * isEq.out;
    signal takeLt <== (s[BLTGE()] + s[BLTGEU()]) * less;
    signal taken <== takeEq + takeLt + ib.out[12] * (isBranch - 2 * (takeEq + takeLt));
    var jump = taken + s[JAL()] + s[JALR()];
    // (the target with bit 0 cleared: jalr's rule; a branch's or jal's pc + imm is even anyway, pc being
    // word-aligned, which the verifier's replay requires of every step)
    signal moved <== jump * (t32 - adderBit0 - pc - 4);
    // an ecall restarts the core at the reset pc, a system step goes on at its data (both in tMemData)
    pcOut <-- pc + 4 - 4 * pad + moved + (isEcall + isSys) * (tMemData - pc - 4);
    pcOut - pc - 4 + 4 * pad - moved === (isEcall + isSys) * (tMemData - pc - 4);

    // --- the end: a word store to EXIT ---
    component atExit = IsZero();
    atExit.in <== t32 - EXIT_ADDR();
    exitFlag <== s[SW()] * atExit.out;

    // --- the access word: kind = size (1 byte, 2 half, 3 word) + 4 for a store, 0 without access, 8 for an ecall,
    // 9 for a CSR instruction (addr: rs1's value, data: the CSR's old value), 10 for a system step (addr: rs1's
    // value, data: the next pc); an ecall's data is the reset pc ---
    // Every field is range-checked above (insn: 32 bits; data: 32 bits for a load, b truncated for a store, else 0;
    // addr: t32 or 0; pc < 2^32 + 4N along a chunk).
    var kind = isByte + 2 * isHalf + 3 * isWord + 4 * isStore + 8 * isEcall + 9 * isCsr + 10 * isSys;
    // a system step also exposes rs2's value (a register: 32 bits), so that the verifier decides whether a branch
    // it executes is taken (a taken branch to a misaligned target traps); 0 for every other kind and padding
    signal sysRs2 <== isSys * rs2v;
    access <== (1 - pad) * (pc + W * insn + W * W * tMemAddr + W * W * W * tMemData + W * W * W * W * kind) + 16 * W * W * W * W * sysRs2;
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
    signal output steps;
    signal output access[N];

    regsIn[0] === 0;
    component step[N];
    var ex = 0; var live = 0;
    for (var i = 0; i < N; i++) {
        step[i] = Step();
        step[i].pc <== i == 0 ? pcIn : step[i - 1].pcOut;
        for (var j = 0; j < 32; j++) step[i].regs[j] <== i == 0 ? regsIn[j] : step[i - 1].regsOut[j];
        pad[i] * (pad[i] - 1) === 0;
        // (Padding only at the end, and nothing after the program's end, are the verifier's: it builds the
        // access words of a chunk's steps, each non-zero, and zeros after them, and a step's access word
        // is 0 exactly when it pads (a real step's kind or pc is not 0); its replay refuses any step after the end.)
        step[i].pad <== pad[i];
        step[i].tPc <== tPc[i];
        step[i].tInsn <== tInsn[i];
        step[i].tRd <== tRd[i];
        step[i].tRdValue <== tRdValue[i];
        step[i].tMemAddr <== tMemAddr[i];
        step[i].tMemData <== tMemData[i];
        step[i].tMemWrite <== tMemWrite[i];
        step[i].tSys <== tSys[i];
        access[i] <== step[i].access;
        ex += step[i].exitFlag;
        live += 1 - pad[i];
    }
    pcOut <== step[N - 1].pcOut;
    for (var j = 0; j < 32; j++) regsOut[j] <== step[N - 1].regsOut[j];
    exited <== ex;
    steps <== live;
}
