/* The value layout shared by compiled TEL code, this runtime and the host
 * (host/compiler/heap.ts): every value is two words, a tag and a payload;
 * Ints, Bools and unit live in the payload, everything else points to a
 * heap object in RAM. docs/compiler.md describes the layout. */
#ifndef TEL_H
#define TEL_H

/* The runtime's optional parts, 1 or 0 (mk/compiler.mk builds the runtime once per set of them, and
 * host/compiler/link.ts links each image with the build whose parts its code can reach): Doubles (arithmetic,
 * comparison, conversions through libgcc's soft-float, and their `show`, double.c), `hashOf` (firmware/sha256.c)
 * and `show`. */
#if !defined(TEL_DOUBLE) || !defined(TEL_HASH) || !defined(TEL_SHOW)
#error "TEL_DOUBLE, TEL_HASH and TEL_SHOW are given by mk/compiler.mk"
#endif

/* Byte offsets in gc.c's struct alloc_state, which rt_alloc_filled (entry.S) reads at gp; gc.c checks them. */
#define ALLOC_CLASSES 8
#define ALLOC_FREE_LISTS 0
#define ALLOC_TOP_END 36
#define ALLOC_HP 40
#define ALLOC_STARTS_AT 44
#define ALLOC_USED_AT 48
#define ALLOC_CARVE 52
#define ALLOC_CARVE_END 56
/* The frame of gc.c's rt_alloc_slow_c, which rt_alloc_slow (entry.S) zeroes before it enters it (test/compiler/gc.test.ts
 * reads the function's first instruction, `addi sp, sp, -ALLOC_SLOW_FRAME`). */
#define ALLOC_SLOW_FRAME 32
/* The frame of runtime.c's rt_apply_c, which rt_apply (entry.S) zeroes before it enters it (the same test). */
#define APPLY_FRAME 64
/* not read by entry.S: the heap's floor (tests read it) */
#define ALLOC_FLOOR 68
/* the generational write barrier's (gc.c struct alloc_state; host/compiler/layout.ts ALLOC_STATE) */
#define ALLOC_MARKS_AT 76
#define ALLOC_DIRTY 80
#define ALLOC_REMEMBERED 84
#define ALLOC_REMEMBERED_END 88
#define ALLOC_SWEPT_TO 92

/* Value tags (host/compiler/layout.ts TAG). */
#define T_UNIT 0
#define T_INT 1
#define T_BOOL 2
#define T_DOUBLE 3
#define T_TEXT 4
#define T_NIL 5
#define T_CONS 6
#define T_TUPLE 7
#define T_CLOSURE 8
#define T_PAP 9
#define T_HASH 10
#define T_EFFECT 11

/* The one ecall the runtime makes: rt_settle (entry.S) asks the host to perform an `emit` or `now` in the fiber
 * waiting for the run's result. */
#define EFFECT_PERFORM 0x7E102
/* Kinds of effect nodes {kind, n, values…} (host/compiler/layout.ts EFFECT_KIND) that rt_settle reads. */
#define EK_PURE 0
#define EK_NOW 2
#define EK_EMIT 3
#define EK_BIND 6
/* rt_settle_mode (entry.S): what rt_settle does (host/compiler/layout.ts SETTLE). */
#define SETTLE_RETURN 1
#define SETTLE_PRIMITIVES 2

#ifndef __ASSEMBLER__
#include <stdint.h>

typedef struct {
  uint32_t tag, val;
} V;

/* Error codes a run ends with (a0 = T_ERROR, a1 = code | site << 8). */
#define T_ERROR 0xFFFFFFFFu
enum { ERR_MATCH = 1, ERR_DIV_ZERO = 2, ERR_EMPTY = 3, ERR_HEAP = 4, ERR_STACK = 5, ERR_INTERNAL = 6, ERR_CYCLES = 7,
       /* 8: E_CYCLE, the compiled code's; 9: hashOf of a function or an effect (E_UNSUPPORTED, as the interpreter) */
       ERR_UNSUPPORTED = 9 };

typedef struct { uint32_t len; uint8_t bytes[]; } Text;
typedef struct { V head, tail; } Cons;
typedef struct { uint32_t n; V items[]; } Tuple;
typedef struct { uint32_t code, arity, ncap; V caps[]; } Closure;
typedef struct { uint32_t closure, nargs; V args[]; } Pap;
typedef struct { uint32_t kind, n; V items[]; } Effect;

void rt_fail(uint32_t code, uint32_t site) __attribute__((noreturn));
uint32_t rt_alloc(uint32_t bytes);
/* An object of `size` bytes (a multiple of 8, not 0), not zeroed: the caller writes every word before anything else can allocate. */
uint32_t rt_alloc_filled(uint32_t size);
/* The same for a size of at most 8 * ALLOC_CLASSES bytes (compiled code calls it for its small objects). */
uint32_t rt_alloc_small(uint32_t size);
/* The same after the free list of the size and the top were found empty: the carved chunk, else the slow path. */
uint32_t rt_alloc_carve(uint32_t size);
/* The allocator's slow path (gc.c rt_alloc_slow_c, which may collect), its frame zeroed first (entry.S). */
uint32_t rt_alloc_slow(uint32_t size);
/* gc.c: the heap top, room at it (`soft`: less the room kept for a continuation's arguments), and taking a chunk there. */
extern uint32_t rt_hp;
uint32_t rt_top_room(int soft);
uint32_t rt_take_top(uint32_t size, int zero);
/* gc.c: collections so far in this run; the write barrier of code that wrote into an object a collection may have made
 * old since it was allocated (the next collection is a major one). */
extern uint32_t rt_gc_count;
void rt_gc_written(void);
V rt_call(uint32_t code, uint32_t env, uint32_t n, const V *args);
/* Applies f to n arguments (runtime.c rt_apply_c, its frame zeroed first: entry.S). */
V rt_apply(V f, uint32_t n, const V *args);
/* double.c: the shortest digits (at most 17) of the finite, non-zero Double with these words (low, high), its sign
 * aside; returns their count and sets *point so that |x| = 0.DIGITS * 10^point. Needs DIGITS_STACK bytes of stack. */
uint32_t rt_double_digits(uint32_t lo, uint32_t hi, char *digits, int32_t *point);
#define DIGITS_STACK 1024
#endif
#endif
