// Tampering with bytes in tests: a copy with one byte's bits flipped.

/** A copy of `bytes` with byte `index` (taken modulo the length; negative counts from the end) XORed with `mask`. */
export function flipped(bytes: Uint8Array, index: number, mask = 1): Uint8Array {
  const out = new Uint8Array(bytes);
  const at = ((index % out.length) + out.length) % out.length;
  out.set([(out[at] ?? 0) ^ mask], at);
  return out;
}
