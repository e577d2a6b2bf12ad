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
    /** Checks the file's contributions, the relations of its powers and its phase-2 sections (false, with the reason logged as an error, when it does not hold). */
    verify(file: string, logger?: Logger): Promise<boolean>;
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
    /** The generator (Jacobian). */
    readonly g: Uint8Array;
    /** The point at infinity (Jacobian). */
    readonly zero: Uint8Array;
    fromObject(o: unknown): Uint8Array;
    toObject(p: Uint8Array): unknown;
    toAffine(p: Uint8Array): Uint8Array;
    neg(p: Uint8Array): Uint8Array;
    add(a: Uint8Array, b: Uint8Array): Uint8Array;
    timesScalar(p: Uint8Array, scalar: Uint8Array): Uint8Array;
    /** The point times a field element (Montgomery form). */
    timesFr(p: Uint8Array, scalar: FrElement): Uint8Array;
    multiExpAffine(points: Uint8Array, scalars: Uint8Array): Promise<Uint8Array>;
    isValid(p: Uint8Array): boolean;
    eq(a: Uint8Array, b: Uint8Array): boolean;
    /** A point drawn from the generator of random numbers. */
    fromRng(rng: ChaCha): Uint8Array;
    toUncompressed(p: Uint8Array): Uint8Array;
    toRprUncompressed(buff: Uint8Array, offset: number, p: Uint8Array): void;
    /** Writes the point affine in Montgomery form (the form of .ptau and .zkey files). */
    toRprLEM(buff: Uint8Array, offset: number, p: Uint8Array): void;
    fromRprLEM(buff: Uint8Array, offset?: number): Uint8Array;
    batchToAffine(jacobian: Uint8Array): Promise<Uint8Array>;
    batchLEMtoC(points: Uint8Array): Promise<Uint8Array>;
    batchLEMtoU(points: Uint8Array): Promise<Uint8Array>;
  }
  /** A field element of Fr, Montgomery form. */
  export type FrElement = Uint8Array;
  export interface Curve {
    readonly G1: Group;
    readonly G2: Group;
    readonly Fr: {
      readonly n8: number;
      readonly one: FrElement;
      /** w[p]: a primitive 2^p-th root of unity (the one the FFTs of snarkjs use). */
      readonly w: readonly FrElement[];
      e(v: bigint | string): FrElement;
      toObject(v: FrElement): bigint;
      mul(a: FrElement, b: FrElement): FrElement;
      sub(a: FrElement, b: FrElement): FrElement;
      inv(a: FrElement): FrElement;
      eq(a: FrElement, b: FrElement): boolean;
      batchInverse(elements: Uint8Array): Promise<Uint8Array>;
      /** Montgomery to standard form (little-endian), element by element. */
      batchFromMontgomery(elements: Uint8Array): Promise<Uint8Array>;
    };
    /** The order of the base field, and of the groups. */
    readonly q: bigint;
    readonly r: bigint;
    /** The curve's WebAssembly worker threads: a task is a list of commands (ALLOCSET, ALLOC, CALL of an exported function, GET) run on one of them. */
    readonly tm: { readonly concurrency: number; queueAction(task: unknown[]): Promise<Uint8Array[]> };
    pairingEq(...args: Uint8Array[]): Promise<boolean>;
    terminate(): Promise<void>;
  }
  export class ChaCha {
    constructor(seed: number[]);
  }
  export const Scalar: { toRprLE(buf: Uint8Array, offset: number, v: bigint, n8: number): void };
}
