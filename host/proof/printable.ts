// Strings from a receipt (or a key file) shown to a person: every control
// or invisible formatting character is written as an escape (\x1b, \u202e),
// never passed to the terminal, so a receipt cannot rewrite what is printed.

/** C0 and C1 controls, DEL, and the zero-width and bidirectional formatting characters. */
const UNPRINTABLE: ReadonlyArray<readonly [number, number]> = [
  [0x00, 0x1f], [0x7f, 0x9f], [0xad, 0xad], [0x200b, 0x200f], [0x2028, 0x202e], [0x2060, 0x2064], [0x2066, 0x206f], [0xfeff, 0xfeff], [0xfff9, 0xfffb],
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
