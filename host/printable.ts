// Strings from outside (a receipt, a key file, a store, a device) shown to a
// person or a script: every control or invisible formatting character is
// written as an escape (\x1b, \u202e), never passed to the terminal, so such
// a string cannot rewrite what is printed. In JSON the same characters are
// \u escapes (JSON.stringify leaves C1, bidirectional and zero-width raw).

/** C0 and C1 controls, DEL, and the zero-width and bidirectional formatting characters. */
const UNPRINTABLE: ReadonlyArray<readonly [number, number]> = [
  [0x00, 0x1f],
  [0x7f, 0x9f],
  [0xad, 0xad],
  [0x200b, 0x200f],
  [0x2028, 0x202e],
  [0x2060, 0x2064],
  [0x2066, 0x206f],
  [0xfeff, 0xfeff],
  [0xfff9, 0xfffb],
];

function unprintable(code: number): boolean {
  return UNPRINTABLE.some(([lo, hi]) => code >= lo && code <= hi);
}

/** `s` with each unprintable character escaped (and backslashes doubled, so an escape cannot be faked). */
export function printable(s: string): string {
  let out = '';
  for (const c of s) {
    const code = c.codePointAt(0)!;
    if (c === '\\') out += '\\\\';
    else if (unprintable(code)) out += code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
    else out += c;
  }
  return out;
}

/** `value` as indented JSON with every unprintable character as a \u escape (the same JSON value, safe on a terminal). */
export function printableJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/[^\x20-\x7e\n]/gu, (c) => {
    const code = c.codePointAt(0)!;
    return unprintable(code) ? `\\u${code.toString(16).padStart(4, '0')}` : c;
  });
}
