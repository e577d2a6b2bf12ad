// The value layout shared by compiled code, the runtime (firmware/tel-runtime/
// tel.h) and the host: tags, heap object shapes and the error codes a run
// ends with. docs/compiler.md explains it.
import { unsupported, type ErrorCode } from '../errors.js';
import { HASH_OF_OPAQUE, PURE_ERROR_MESSAGES } from '../tel/messages.js';

/** Value tags (the first word of a two-word value). */
export const TAG = {
  UNIT: 0,
  INT: 1,
  BOOL: 2,
  DOUBLE: 3,
  TEXT: 4,
  NIL: 5,
  CONS: 6,
  TUPLE: 7,
  CLOSURE: 8,
  PAP: 9,
  HASH: 10,
  EFFECT: 11,
} as const;

/** a0 of a run that ended in a TEL error; a1 = code | site << T_ERROR_SITE_BITS. */
export const T_ERROR = 0xffffffff;
export const T_ERROR_SITE_BITS = 8;

/** Error codes of the runtime (tel.h) and the compiled code's failure stubs. */
export const ERR = { MATCH: 1, DIV_ZERO: 2, EMPTY: 3, HEAP: 4, STACK: 5, INTERNAL: 6, CYCLES: 7, CYCLE: 8, UNSUPPORTED: 9 } as const;

/** The TEL error code and message of each runtime error code. */
export const RUNTIME_ERRORS: Readonly<Record<number, { code: ErrorCode; message: string }>> = {
  [ERR.MATCH]: { code: 'E_MATCH', message: PURE_ERROR_MESSAGES.E_MATCH },
  [ERR.DIV_ZERO]: { code: 'E_DIV_ZERO', message: PURE_ERROR_MESSAGES.E_DIV_ZERO },
  [ERR.EMPTY]: { code: 'E_EMPTY', message: PURE_ERROR_MESSAGES.E_EMPTY },
  [ERR.HEAP]: { code: 'E_BUDGET', message: 'the co-processor heap is exhausted' },
  [ERR.STACK]: { code: 'E_BUDGET', message: 'the co-processor stack is exhausted' },
  [ERR.CYCLES]: { code: 'E_BUDGET', message: 'the cycle budget is exhausted on the co-processor' },
  [ERR.INTERNAL]: { code: 'E_INTERNAL', message: 'the co-processor runtime met a value of the wrong shape' },
  // only the compiled code's failure stubs (a recursive value or constant read before it is defined), not the runtime
  [ERR.CYCLE]: { code: 'E_CYCLE', message: PURE_ERROR_MESSAGES.E_CYCLE },
  [ERR.UNSUPPORTED]: { code: 'E_UNSUPPORTED', message: unsupported(HASH_OF_OPAQUE).message },
};

/** The TEL error of a run that ended with a0 = T_ERROR: its code and message, and the site index (compiled code's failure stubs). */
export function runtimeError(a1: number): { readonly code: ErrorCode; readonly message: string; readonly errorCode: number; readonly site: number } {
  const errorCode = a1 & ((1 << T_ERROR_SITE_BITS) - 1);
  const known = RUNTIME_ERRORS[errorCode] ?? { code: 'E_INTERNAL' as const, message: `runtime error ${errorCode}` };
  return { ...known, errorCode, site: a1 >>> T_ERROR_SITE_BITS };
}

/** Kinds of effect nodes {kind, n, values…} (payload of an EFFECT value). */
export const EFFECT_KIND = {
  PURE: 0,
  FAIL: 1,
  NOW: 2,
  EMIT: 3,
  LEDGER: 4,
  OBSERVE: 5,
  BIND: 6,
  CHOICE: 7,
  PAR: 8,
  RACE: 9,
  AFTER: 10,
  AT: 11,
  WITHIN: 12,
  /** `invoke f a b …`: {function, list of the arguments} */
  INVOKE: 13,
} as const;

/** Effect number (a7) of the one ecall compiled code makes: rt_settle's perform (show of a Double and hashOf are computed on the core). */
export const EFFECT = { PERFORM: 0x7e102 } as const;

/** What the runtime's rt_settle does with a run's effect result (tel.h SETTLE_*; an image's `tel$$settle` word, CodegenOptions.settleEffects). */
export const SETTLE = { RETURN: 1, PRIMITIVES: 2 } as const;

/** The loader's program base (firmware/programs/program.ld), where the runtime is linked. */
export const PROGRAM_BASE = 0x80008000;
/** Bytes of stack below the top of RAM the heap leaves free (mk/compiler.mk TELRT_STACK). */
export const STACK_BYTES = 16384;

/**
 * Byte offsets in the runtime's allocator state (gc.c struct alloc_state, at gp for the whole run; tel.h ALLOC_*), which
 * compiled code's inline allocation and its write barriers read and write (inline-alloc.ts), and the free lists' count
 * (ALLOC_CLASSES: sizes 8 … 8 * classes bytes).
 */
export const ALLOC_STATE = {
  classes: 8,
  freeLists: 0,
  topEnd: 36,
  hp: 40,
  startsAt: 44,
  usedAt: 48,
  marksAt: 76,
  dirty: 80,
  remembered: 84,
  rememberedEnd: 88,
  sweptTo: 92,
} as const;
