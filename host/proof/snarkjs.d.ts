// The parts of snarkjs and ffjavascript (untyped JavaScript packages) that
// the proof subsystem uses.
declare module 'snarkjs' {
  export interface Groth16Proof {
    pi_a: string[];
    pi_b: string[][];
    pi_c: string[];
    protocol: string;
    curve: string;
  }
  export interface Logger {
    debug(msg: string): void;
    info(msg: string): void;
    warn(msg: string): void;
    error(msg: string): void;
  }
  type MemFile = { type: 'mem'; data?: Uint8Array };
  export const groth16: {
    prove(zkey: string | MemFile, wtns: string | MemFile, logger?: Logger, options?: { singleThread?: boolean }): Promise<{ proof: Groth16Proof; publicSignals: string[] }>;
    verify(vk: unknown, publicSignals: string[], proof: Groth16Proof, logger?: Logger): Promise<boolean>;
  };
  export const wtns: {
    calculate(input: unknown, wasm: string, wtns: string | MemFile, options?: unknown): Promise<void>;
    exportJson(wtns: string | MemFile): Promise<bigint[]>;
  };
  export const powersOfTau: {
    newAccumulator(curve: unknown, power: number, file: string, logger?: Logger): Promise<unknown>;
    contribute(oldFile: string, newFile: string, name: string, entropy: string, logger?: Logger): Promise<unknown>;
    preparePhase2(oldFile: string, newFile: string, logger?: Logger): Promise<unknown>;
    /** Writes the first 2^p powers of `file` (and their Lagrange bases) for every p below its power, to `<template><p as two digits>.ptau`. */
    truncate(file: string, template: string, logger?: Logger): Promise<unknown>;
  };
  export const zKey: {
    newZKey(r1cs: string, ptau: string, zkey: string, logger?: Logger): Promise<unknown>;
    exportVerificationKey(zkey: string): Promise<Record<string, unknown>>;
    contribute(oldZkey: string, newZkey: string, name: string, entropy: string, logger?: Logger): Promise<unknown>;
    beacon(oldZkey: string, newZkey: string, name: string, beaconHash: string, iterationsExp: number, logger?: Logger): Promise<unknown>;
    verifyFromR1cs(r1cs: string, ptau: string, zkey: string, logger?: Logger): Promise<boolean>;
  };
  export const curves: { getCurveFromName(name: string, singleThread?: boolean): Promise<unknown> };
}

declare module 'ffjavascript' {
  export function getCurveFromName(name: string, singleThread?: boolean): Promise<Curve>;
  export interface Group {
    readonly F: { readonly n8: number };
    /** The generator. */
    readonly g: Uint8Array;
    fromObject(o: unknown): Uint8Array;
    toObject(p: Uint8Array): unknown;
    toAffine(p: Uint8Array): Uint8Array;
    neg(p: Uint8Array): Uint8Array;
    add(a: Uint8Array, b: Uint8Array): Uint8Array;
    timesScalar(p: Uint8Array, scalar: Uint8Array): Uint8Array;
    multiExpAffine(points: Uint8Array, scalars: Uint8Array): Promise<Uint8Array>;
    isValid(p: Uint8Array): boolean;
    eq(a: Uint8Array, b: Uint8Array): boolean;
  }
  export interface Curve {
    readonly G1: Group;
    readonly G2: Group;
    readonly Fr: { readonly n8: number; e(v: bigint | string): Uint8Array; toObject(v: Uint8Array): bigint };
    readonly r: bigint;
    pairingEq(...args: Uint8Array[]): Promise<boolean>;
    terminate(): Promise<void>;
  }
  export const Scalar: { toRprLE(buf: Uint8Array, offset: number, v: bigint, n8: number): void };
}
