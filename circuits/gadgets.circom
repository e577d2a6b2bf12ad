// Small gadgets of the RV32IM step circuit: bit decomposition (the range
// check every 32-bit value goes through), the zero test, one-hot vectors and
// the register file's 32-way selection.
pragma circom 2.1.0;

// out[i] are the n bits of `in`, little-endian; forces in < 2^n.
template Num2Bits(n) {
    signal input in;
    signal output out[n];
    var acc = 0;
    var weight = 1;
    for (var i = 0; i < n; i++) {
        out[i] <-- (in >> i) & 1;
        out[i] * (out[i] - 1) === 0;
        acc += out[i] * weight;
        weight += weight;
    }
    acc === in;
}

// out = 1 when in = 0, else 0.
template IsZero() {
    signal input in;
    signal output out;
    signal inv;
    inv <-- in != 0 ? 1 / in : 0;
    out <== 1 - in * inv;
    in * out === 0;
}

// One-hot vector of width n selecting `index` (which must be < n).
template OneHot(n) {
    signal input index;
    signal output out[n];
    var sum = 0;
    var weighted = 0;
    for (var j = 0; j < n; j++) {
        out[j] <-- index == j ? 1 : 0;
        out[j] * (out[j] - 1) === 0;
        sum += out[j];
        weighted += j * out[j];
    }
    sum === 1;
    weighted === index;
}

// out = in[index] for the 5-bit index given little-endian by `bits` (each
// 0 or 1, checked by the caller): a tree of 31 two-way multiplexers, one
// constraint each.
template Select32() {
    signal input bits[5];
    signal input in[32];
    signal output out;
    signal node[31];
    for (var i = 0; i < 16; i++) node[i] <== in[2 * i] + bits[0] * (in[2 * i + 1] - in[2 * i]);
    var prev = 0;
    var next = 16;
    var count = 16;
    for (var level = 1; level < 5; level++) {
        count = count \ 2;
        for (var i = 0; i < count; i++) node[next + i] <== node[prev + 2 * i] + bits[level] * (node[prev + 2 * i + 1] - node[prev + 2 * i]);
        prev = next;
        next += count;
    }
    out <== node[30];
}
