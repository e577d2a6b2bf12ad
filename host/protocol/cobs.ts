// COBS byte stuffing (the same as firmware/cobs.c): a stuffed frame has no
// 0x00 byte, so 0x00 delimits frames on the line.

/** Stuffs `data`; the result holds no zero byte (the delimiter is not added). */
export function cobsEncode(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length + Math.ceil(data.length / 254) + 1);
  let codeAt = 0;
  let o = 1;
  let code = 1;
  for (const byte of data) {
    if (byte !== 0) {
      out[o++] = byte;
      code++;
    }
    if (byte === 0 || code === 0xff) {
      out[codeAt] = code;
      codeAt = o++;
      code = 1;
    }
  }
  out[codeAt] = code;
  return out.subarray(0, o);
}

/** Unstuffs one frame (without its delimiter), or returns undefined when it is not valid COBS. */
export function cobsDecode(data: Uint8Array): Uint8Array | undefined {
  const out = new Uint8Array(data.length);
  let i = 0;
  let o = 0;
  while (i < data.length) {
    const code = data[i++]!;
    if (code === 0 || i + code - 1 > data.length) return undefined;
    for (let k = 1; k < code; k++) {
      const byte = data[i++]!;
      if (byte === 0) return undefined;
      out[o++] = byte;
    }
    if (code !== 0xff && i < data.length) out[o++] = 0;
  }
  return out.subarray(0, o);
}
