// The one message of each error of pure evaluation (tel-language.md section
// 9: the code, message and span of an error are the same on every backend).
// The interpreter throws these texts and the co-processor's runtime error
// codes map to them (host/compiler/layout.ts), so no backend words them its own way.

export const PURE_ERROR_MESSAGES = {
  E_MATCH: 'no pattern matched',
  E_DIV_ZERO: 'division by zero',
  E_EMPTY: 'empty list',
  E_CYCLE: 'a value is used before it is defined (a value defined in terms of itself)',
} as const;

/** What `hashOf` of a function or an effect is (E_UNSUPPORTED, through `unsupported`) on every backend. */
export const HASH_OF_OPAQUE = 'hashOf a function or an effect';
