// The result of a proved TEL run (docs/proofs.md, "Proving TEL programs"):
// decoded from the final registers, a0/a1 = (tag, payload), or a0 =
// 0xFFFFFFFF and a1 = error code | site << 8 after a TEL failure, and, for a
// value on the heap, from the final memory (the image and the run's stores).
// The prover uses it to name the result in the receipt, the verifier to check
// the receipt's claim against the proved final state.
import { CaxError, unsupported } from '../errors.js';
import { CoprocessorOpaque, readValue, type MemoryReader } from '../compiler/heap.js';
import { ERROR_CODES, T_ERROR, T_ERROR_SITE_BITS } from '../compiler/layout.js';
import { showValue, type Value } from '../tel/values.js';

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
