// A plain circuit of a chosen size, the reference for proving throughput:
// n chained multiplications, nothing else (bench/proof.bench.ts compares the
// step circuit with snarkjs proving this one of the same constraint count).
pragma circom 2.1.0;

template Plain(n) {
    signal input x;
    signal output y;
    signal t[n];
    t[0] <== x * x;
    for (var i = 1; i < n; i++) t[i] <== t[i - 1] * t[i - 1] + i;
    y <== t[n - 1];
}
