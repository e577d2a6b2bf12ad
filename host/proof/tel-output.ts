// The result of a proved TEL run (docs/proofs.md, "Proving TEL programs"):
// decoded from the final registers, a0/a1 = (tag, payload), or a0 =
// 0xFFFFFFFF and a1 = error code | site << 8 after a TEL failure, and, for a
// value on the heap, from the final memory (the image and the run's stores).
// The prover uses it to name the result in the receipt, the verifier to check
// the receipt's claim against the proved final state.
import { createHash } from 'node:crypto';
import { CaxError, unsupported } from '../errors.js';
import { CoprocessorOpaque, readValue, type MemoryReader } from '../compiler/heap.js';
import { ERROR_CODES, T_ERROR, T_ERROR_SITE_BITS } from '../compiler/layout.js';
import { argumentsInput, argumentValue, type TelProvingImage } from '../compiler/prove-image.js';
import { showValue, type Value } from '../tel/values.js';
import { decodeAccesses, replayMemory, type Memory } from './access.js';
import { decodeState, type Receipt } from './receipt.js';

export type TelOutput =
  | { readonly kind: 'value'; readonly value: Value; readonly shown: string }
  | { readonly kind: 'error'; readonly code: string; readonly message: string; readonly shown: string };

/** A reader over `bytes` placed at `base`; a read outside them is E_OUTPUT. */
export function memoryReader(base: number, bytes: Uint8Array): MemoryReader {
  return (addr, n) => {
    if (addr < base || addr + n > base + bytes.length) throw new CaxError('E_OUTPUT', `the result points outside the final memory (0x${(addr >>> 0).toString(16)}, ${n} bytes)`);
    return new DataView(bytes.buffer, bytes.byteOffset + addr - base, n);
  };
}

/** The result the final a0/a1 and memory hold. */
export function telOutput(a0: number, a1: number, mem: MemoryReader): TelOutput {
  if (a0 >>> 0 === T_ERROR) {
    const known = ERROR_CODES[a1 & ((1 << T_ERROR_SITE_BITS) - 1)] ?? { code: 'E_INTERNAL', message: `runtime error ${a1 & 0xff}` };
    return { kind: 'error', code: known.code, message: known.message, shown: `error ${known.code}` };
  }
  const value = readValue({ tag: a0 >>> 0, val: a1 >>> 0 }, mem);
  if (value instanceof CoprocessorOpaque) throw unsupported(`a proved result that is ${value.opaque === 'function' ? 'a function' : 'an effect'}`);
  return { kind: 'value', value, shown: showValue(value) };
}

/** The result the proved run left: a0/a1 of the receipt's final state, heap values from the replayed final memory. */
export function provedTelOutput(receipt: Receipt, memory: Memory): TelOutput {
  const final = decodeState(receipt.states[receipt.states.length - 1]!);
  return telOutput(final.regs[10]!, final.regs[11]!, memoryReader(memory.base, memory.bytes));
}

/** Why the receipt's TEL claim (docs/receipt.md `tel`) does not hold for the proved run; undefined when it holds or there is none. */
export function telClaimFault(receipt: Receipt, memory: Memory): string | undefined {
  const claim = receipt.tel;
  if (claim === undefined) return undefined;
  let out: TelOutput;
  try {
    out = provedTelOutput(receipt, memory);
  } catch (e) {
    return `the proved result is not a TEL value: ${(e as Error).message}`;
  }
  if (out.shown !== claim.value) return `the receipt claims the result ${claim.value}, but the proved run left ${out.shown}`;
  let input: Uint8Array;
  try {
    input = argumentsInput(claim.args.map(argumentValue));
  } catch (e) {
    return `the claimed arguments are not TEL values: ${(e as Error).message}`;
  }
  if (createHash('sha256').update(input).digest('hex') !== receipt.inputHash) return 'the claimed arguments do not have the receipt\'s input hash';
  return undefined;
}

/** The receipt of a proved TEL run with its claim: the definition, the arguments, the type and the result the proved run left. */
export function withTelClaim(receipt: Receipt, program: TelProvingImage): Receipt {
  const replay = replayMemory(receipt.program.image, receipt.chunks.flatMap((c) => decodeAccesses(c.accesses)));
  if (!replay.ok) throw new CaxError('E_PROOF_REJECTED', `the proved accesses do not replay: ${replay.reason ?? ''}`);
  const out = provedTelOutput(receipt, replay.final);
  return { ...receipt, tel: { definition: program.hash, args: [...program.shownArgs], type: program.type, value: out.shown } };
}

/** `NAME ARGS… = VALUE :: TYPE`, the claim for people (the name defaults to @ and the hash's first 12 digits). */
export function describeTelClaim(claim: NonNullable<Receipt['tel']>, name = `@${claim.definition.slice(0, 12)}`): string {
  return `${name}${claim.args.map((a) => ` ${/^[\w"[(]/.test(a) && !/\s/.test(a) ? a : `(${a})`}`).join('')} = ${claim.value} :: ${claim.type}`;
}
