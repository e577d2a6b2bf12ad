/* The TEL runtime's heap: the allocator and its garbage collector (E_BUDGET
 * when the live data do not fit). runtime.c holds the rest of the runtime;
 * tel.h declares what it uses of this file. */
#include "tel.h"
#include "../include/cax.h"

/* ---- heap and garbage collector ---------------------------------------------
 * docs/compiler.md "The heap and the garbage collector". A run's heap is the
 * RAM [floor, end) between the first free byte the host passes (_start's
 * a2) and the stack. Objects keep the layout compiled code and the host
 * know (no header): chunks of a multiple of 8 bytes, 8-byte aligned, tile
 * [rt_floor, rt_hp); rt_hp only grows (the host reads the heap up to it).
 * Two bitmaps with one bit per 8-byte granule describe the chunks: `starts`
 * marks where each chunk (allocated or free) begins, so a chunk ends where
 * the next begins, and `used` marks the allocated ones. Free chunks hold
 * their size and the next free chunk of their list.
 * The collector is a non-moving mark-sweep: it never updates a pointer, so
 * C code may keep raw pointers anywhere. Its roots: compiled frames are
 * marked precisely by the compiler's frame maps (mark_frames), the runtime's
 * C frames and the registers rt_collect spilled conservatively (any word
 * pointing into an allocated chunk keeps it), and the constant cells of the
 * compiled code (rt_roots, set by its entry stub). Inside the heap an immediate's payload
 * keeps nothing alive (mark_from). Objects below rt_floor (earlier images'
 * runs, main's arguments) are never freed, and cannot point into the region: they were
 * complete before this run began. A continuation run (the effects adapter
 * applies a closure from an earlier result) shares the heap of main's run:
 * the host's arguments become one chunk, and the results of all earlier runs
 * stay roots (a chain of cells {next, result} from `kept`), since the host
 * may apply any closure in them later. The bitmaps, the mark bitmap and the mark stack
 * live in a reserve at the end of the heap. */

uint32_t rt_hlimit;
/* The most bytes the heap may span (0: all the RAM between the image and the
 * stack); the host writes it before a run of main (RunImageOptions.heapBytes),
 * to play a smaller device or to make the collector work in a short test. */
uint32_t rt_heap_cap;
/* [first, end) of the compiled code's constant cells, the static roots. */
uint32_t rt_roots[2];
/* Collections in this run and the bytes the last one kept (for tests and benchmarks). */
uint32_t rt_gc_count, rt_gc_live;

/* Free lists of exact chunk sizes 8, 16, …, 8 * CLASSES; bigger free chunks in one first-fit list. */
#define CLASSES 8
#define MARK_STACK 128
/* Bytes of untouched top a run leaves before it collects: the host writes a continuation's arguments at rt_hp. */
#define ARGUMENT_ROOM 2048u
/* Bytes of heap whose bitmap words the top clears at a time, ahead of rt_hp (16 words of each bitmap): the fast
 * path allocates up to there, so the slow path runs once per 4 KiB of untouched top, not once per 256 bytes. */
#define CLEAR_AHEAD 4096u

/* What the allocator's fast path (rt_alloc_filled in entry.S) reads, in one block at fixed offsets (ALLOC_* in
 * tel.h) that _start keeps in gp: the free lists, where the top's fast path ends, rt_hp, the bitmaps. */
struct alloc_state {
  uint32_t free_lists[CLASSES + 1];
  uint32_t top_end;
  /* the heap pointer, exported as rt_hp (below) */
  uint32_t hp;
  /* where the bitmaps would start if they began at address 0: the word holding the bit of the granule at address a
   * is at starts_at + ((a >> 6) & ~3), its bit is (a >> 3) & 31 (bitmap_base is a multiple of 256) */
  uint32_t starts_at, used_at;
  /* a free chunk [carve, carve_end) being carved into objects front to back (on no list; its start bit set): the
   * rest of a free chunk split for an allocation, so that the next allocations take from it without a search or
   * split */
  uint32_t carve, carve_end;
  /* not read by entry.S (here so that gc.c reaches them from the same base): the bitmaps; the heap's first byte; the
   * address of the bitmaps' granule 0, the floor rounded down to 256 bytes (a bitmap word's span), so that the fast
   * path finds an address's bitmap word and bit without subtracting the floor */
  uint32_t *starts, *used;
  uint32_t floor, bitmap_base;
  /* the generational write barrier's state (host/compiler: a list reversed in place; rt_append; a recursive binding
   * group): marks_at finds an object's bit in the mark bitmap as starts_at does in the start bitmap (between
   * collections that bitmap holds the old objects, the survivors of the last collection); `dirty`, when not 0, makes
   * the next collection a major one; [remembered, remembered_end) is the room left in the remembered cells;
   * swept_to: rt_hp after the last collection (rt_floor before the first), above which every object is young (the
   * objects above it came from the untouched top by the fast path, which sets only their start bits; the next
   * collection sets their used bits: used_from_starts) */
  uint32_t marks_at, dirty, remembered, remembered_end, swept_to;
};
struct alloc_state rt_alloc_state;
_Static_assert(__builtin_offsetof(struct alloc_state, free_lists) == ALLOC_FREE_LISTS, "ALLOC_FREE_LISTS");
_Static_assert(__builtin_offsetof(struct alloc_state, top_end) == ALLOC_TOP_END, "ALLOC_TOP_END");
_Static_assert(__builtin_offsetof(struct alloc_state, hp) == ALLOC_HP, "ALLOC_HP");
_Static_assert(__builtin_offsetof(struct alloc_state, starts_at) == ALLOC_STARTS_AT, "ALLOC_STARTS_AT");
_Static_assert(__builtin_offsetof(struct alloc_state, used_at) == ALLOC_USED_AT, "ALLOC_USED_AT");
_Static_assert(__builtin_offsetof(struct alloc_state, carve) == ALLOC_CARVE, "ALLOC_CARVE");
_Static_assert(__builtin_offsetof(struct alloc_state, carve_end) == ALLOC_CARVE_END, "ALLOC_CARVE_END");
_Static_assert(__builtin_offsetof(struct alloc_state, floor) == ALLOC_FLOOR, "ALLOC_FLOOR");
_Static_assert(__builtin_offsetof(struct alloc_state, marks_at) == ALLOC_MARKS_AT, "ALLOC_MARKS_AT");
_Static_assert(__builtin_offsetof(struct alloc_state, dirty) == ALLOC_DIRTY, "ALLOC_DIRTY");
_Static_assert(__builtin_offsetof(struct alloc_state, remembered) == ALLOC_REMEMBERED, "ALLOC_REMEMBERED");
_Static_assert(__builtin_offsetof(struct alloc_state, remembered_end) == ALLOC_REMEMBERED_END, "ALLOC_REMEMBERED_END");
_Static_assert(__builtin_offsetof(struct alloc_state, swept_to) == ALLOC_SWEPT_TO, "ALLOC_SWEPT_TO");
_Static_assert(CLASSES == ALLOC_CLASSES, "ALLOC_CLASSES");
#define free_lists (rt_alloc_state.free_lists)
#define top_end (rt_alloc_state.top_end)
/* rt_hp is the block's word: the host and runtime.c read it by that name. */
#define rt_hp (rt_alloc_state.hp)
#define STRINGIFY(x) #x
#define EXPORT_HP(offset) __asm__(".globl rt_hp\n.set rt_hp, rt_alloc_state + " STRINGIFY(offset))
EXPORT_HP(ALLOC_HP);
#define carve (rt_alloc_state.carve)
#define carve_end (rt_alloc_state.carve_end)
#define starts (rt_alloc_state.starts)
#define used (rt_alloc_state.used)
#define rt_floor (rt_alloc_state.floor)
#define bitmap_base (rt_alloc_state.bitmap_base)
#define dirty (rt_alloc_state.dirty)
static uint32_t big_list;
static uint32_t *marks, *mark_stack;
static uint32_t bitmap_words, cleared_to, mark_overflow;
#define swept_to (rt_alloc_state.swept_to)

/* Generational collection by sticky mark bits (docs/compiler.md "The heap and the garbage collector", *Minor
 * collections*): between collections the mark bitmap holds the survivors of the last one, the old objects, and a
 * minor collection starts from it, so that it marks and scans only the objects allocated since (the young ones)
 * that are reachable. An old object points to a young one only where code wrote into an existing object: the
 * compiled code's list reversal in place records the reversed list here when its oldest cell is old (a minor
 * collection scans the list's old cells as roots), and the writes that have no such record set `dirty`, which makes
 * the next collection a major one (marks everything from the roots, as without generations). rt_gc_minor (0 or 1,
 * written by the host before a run) allows minor collections: RunImageOptions.minorCollections. */
#define REMEMBERED 32
static uint32_t remembered_cells[REMEMBERED];
uint32_t rt_gc_minor = 1;
/* Minor collections in this run (for tests and benchmarks; rt_gc_count counts both kinds). */
uint32_t rt_gc_minors;
/* The heap's free bytes after the last major collection: when a minor collection leaves less than half of them
 * free (old garbage piles up in the old objects, which only a major collection frees), the next one is major. */
static uint32_t free_after_major;
/* Whether the last collection was a minor one. */
static uint32_t last_minor;

void rt_gc_written(void) {
  dirty = 1;
}

static void set_top_end(void) {
  uint32_t soft = rt_hlimit - rt_floor > ARGUMENT_ROOM ? rt_hlimit - ARGUMENT_ROOM : rt_floor;
  top_end = cleared_to < soft ? cleared_to : soft;
}
/* The payload of the last run's result (stored by _start), and the chain of cells {result, next} of earlier results. */
uint32_t rt_last_result;
static uint32_t kept;
/* The first word of the chain's last cell: not 0, so that the collector scans the result after it (mark_from). */
#define KEPT_END 0xFFFFFFFFu

#define GRANULE(a) (((a) - bitmap_base) >> 3)
#define ADDRESS(g) (bitmap_base + ((g) << 3))
#define BIT(bits, g) ((bits)[(g) >> 5] & (1u << ((g) & 31u)))
#define SET(bits, g) ((bits)[(g) >> 5] |= 1u << ((g) & 31u))
#define CLEAR(bits, g) ((bits)[(g) >> 5] &= ~(1u << ((g) & 31u)))
#define WORD(a) (*(uint32_t *)(a))

/* The marking loops run per word of live data: -O2 for them (the runtime is -Os, mk/compiler.mk), with
 * next_start inlined, took fib.tel's collections on the board from 63 M to about 53 M cycles. */
#define MARK_LOOP __attribute__((optimize("O2", "omit-frame-pointer")))
/* The collector's own functions are never on the frame chain it walks (it starts at rt_collect's spill): they keep s0
 * for a variable, as without -fno-omit-frame-pointer (mk/compiler.mk). */
#define OFF_CHAIN __attribute__((optimize("omit-frame-pointer")))

/* Bit scans by de Bruijn multiplication: rv32im has no such instruction, and libgcc's __ctzsi2 cost about 50
 * cycles a call (a sixth of a collection's cycles went there). */
static const uint8_t lowest_bit_at[32] = {0, 1, 28, 2, 29, 14, 24, 3, 30, 22, 20, 15, 25, 17, 4, 8, 31, 27, 13, 23, 21, 19, 16, 7, 26, 12, 18, 6, 11, 5, 10, 9};
static const uint8_t highest_bit_at[32] = {0, 9, 1, 10, 13, 21, 2, 29, 11, 14, 16, 18, 22, 25, 3, 30, 8, 12, 20, 28, 15, 17, 24, 7, 19, 27, 23, 6, 26, 5, 4, 31};

/* The index of the lowest set bit of x (x != 0). */
static inline uint32_t lowest_bit(uint32_t x) {
  return lowest_bit_at[((x & -x) * 0x077CB531u) >> 27];
}

/* The index of the highest set bit of x (x != 0). */
static inline uint32_t highest_bit(uint32_t x) {
  x |= x >> 1;
  x |= x >> 2;
  x |= x >> 4;
  x |= x >> 8;
  x |= x >> 16;
  return highest_bit_at[(x * 0x07C4ACDDu) >> 27];
}

/* Called by _start: the heap is [floor, end); the reserve for the collector is taken from its end. */
void rt_heap_init(uint32_t floor, uint32_t end) {
  uint32_t first = (floor + 7u) & ~7u;
  rt_floor = first;
  bitmap_base = first & ~255u;
  rt_hp = first;
  rt_hlimit = first;
  cleared_to = bitmap_base;
  swept_to = first;
  top_end = first;
  rt_gc_count = 0;
  rt_gc_live = 0;
  rt_last_result = 0;
  kept = 0;
  bitmap_words = 0;
  big_list = 0;
  carve = carve_end = 0;
  for (uint32_t k = 0; k <= CLASSES; k++) free_lists[k] = 0;
  /* no old objects yet: the first collection is major */
  dirty = 1;
  rt_gc_minors = 0;
  free_after_major = 0;
  rt_alloc_state.remembered = (uint32_t)remembered_cells;
  rt_alloc_state.remembered_end = (uint32_t)(remembered_cells + REMEMBERED);
  if (end <= first) return;
  if (rt_heap_cap != 0 && end - first > rt_heap_cap) end = first + (rt_heap_cap & ~7u);
  bitmap_words = (((end - bitmap_base) >> 3) + 31u) >> 5;
  uint32_t reserve = 12u * bitmap_words + 8u * MARK_STACK + 8u;
  if (end - first <= reserve) return;
  rt_hlimit = (end - reserve) & ~7u;
  starts = (uint32_t *)rt_hlimit;
  used = starts + bitmap_words;
  rt_alloc_state.starts_at = (uint32_t)starts - (bitmap_base >> 6);
  rt_alloc_state.used_at = (uint32_t)used - (bitmap_base >> 6);
  /* [bitmap_base, floor), when not empty, is one allocated chunk that every collection marks (rt_gc): so granule 0
   * starts a chunk, the marker's search for an interior pointer's chunk ends there, and nothing below the floor is
   * ever scanned or freed */
  starts[0] = used[0] = bitmap_base < first ? 1u : 0u;
  cleared_to = bitmap_base + 256u;
  marks = used + bitmap_words;
  rt_alloc_state.marks_at = (uint32_t)marks - (bitmap_base >> 6);
  marks[0] = 0;
  mark_stack = marks + bitmap_words;
}

/* The chunk [c, c + size) becomes a free chunk on its list. */
static void free_chunk(uint32_t c, uint32_t size) {
  uint32_t k = size >> 3;
  uint32_t *list = k <= CLASSES ? &free_lists[k] : &big_list;
  WORD(c) = size;
  WORD(c + 4) = *list;
  *list = c;
}

/* The first granule at or after g where a chunk starts (or the one of rt_hp). */
static inline __attribute__((always_inline)) uint32_t next_start(uint32_t g) {
  uint32_t top = GRANULE(rt_hp);
  uint32_t i = g >> 5;
  uint32_t bits = starts[i] & (0xFFFFFFFFu << (g & 31u));
  while (!bits) {
    if (++i >= bitmap_words || (i << 5) >= top) return top;
    bits = starts[i];
  }
  uint32_t n = (i << 5) + lowest_bit(bits);
  return n < top ? n : top;
}

/* Allocates the chunk [c, c + size) as an object, its words zeroed if asked: a stale word the code has not
 * overwritten yet (a closure's captures are filled in after the allocation) would keep garbage alive, and could
 * differ between two machines with different RAM histories. */
static uint32_t claim(uint32_t c, uint32_t size, int zero) {
  uint32_t g = GRANULE(c);
  SET(starts, g);
  SET(used, g);
  if (zero)
    for (uint32_t a = c; a < c + size; a += 4) WORD(a) = 0;
  return c;
}

/* A free chunk of at least `size` bytes taken from the lists (split when bigger), or 0. */
static uint32_t take_free(uint32_t size, int exact_only) {
  uint32_t k = size >> 3;
  if (k <= CLASSES && free_lists[k]) {
    uint32_t c = free_lists[k];
    free_lists[k] = WORD(c + 4);
    return claim(c, size, 1);
  }
  if (exact_only) return 0;
  uint32_t c = 0;
  for (uint32_t j = k + 1; j <= CLASSES && !c; j++)
    if (free_lists[j]) {
      c = free_lists[j];
      free_lists[j] = WORD(c + 4);
    }
  if (!c) {
    uint32_t *link = &big_list;
    while (*link && WORD(*link) < size) link = (uint32_t *)(*link + 4);
    c = *link;
    if (!c) return 0;
    *link = WORD(c + 4);
  }
  uint32_t have = WORD(c);
  if (have > size) {
    SET(starts, GRANULE(c + size));
    if (carve < carve_end) free_chunk(carve, carve_end - carve);
    carve = c + size;
    carve_end = c + have;
  }
  return claim(c, size, 1);
}

/* The chunk [rt_hp, rt_hp + size) from the untouched top (the caller checked the room); `zero`: see claim. */
uint32_t rt_take_top(uint32_t size, int zero) {
  uint32_t c = rt_hp;
  rt_hp = c + size;
  /* the bitmaps are cleared as the top first reaches them (CLEAR_AHEAD at a time), so a short run does not pay for
   * the whole heap */
  uint32_t ahead = rt_hlimit - rt_hp > CLEAR_AHEAD ? rt_hp + CLEAR_AHEAD : rt_hlimit;
  while (cleared_to < ahead) {
    uint32_t i = GRANULE(cleared_to) >> 5;
    starts[i] = 0;
    used[i] = 0;
    marks[i] = 0;
    cleared_to += 256;
  }
  set_top_end();
  return claim(c, size, zero);
}

void rt_collect(void);

/* Called by _start for a continuation run: the host wrote its arguments from rt_hp up to `args_end`. */
void rt_heap_resume(uint32_t args_end) {
  uint32_t end = (args_end + 7u) & ~7u;
  if (end > rt_hlimit || end < rt_hp) rt_fail(ERR_HEAP, 0);
  if (end > rt_hp) rt_take_top(end - rt_hp, 0);
  /* {the chain, the result}: the result follows a word that is no immediate's tag (mark_from) */
  uint32_t *cell = (uint32_t *)rt_alloc_filled(8);
  cell[0] = kept ? kept : KEPT_END;
  cell[1] = rt_last_result;
  kept = (uint32_t)cell;
}


/* Room at the top; `soft`: less the argument room. */
uint32_t rt_top_room(int soft) {
  uint32_t room = rt_hlimit - rt_hp;
  if (!soft) return room;
  return room > ARGUMENT_ROOM ? room - ARGUMENT_ROOM : 0;
}

/* Free lists, then the untouched top (less the argument room), then a collection, then the whole top. A
 * collection that leaves less than 1/16 of the heap free ends the run with E_BUDGET (heap) instead of
 * collecting again and again for a few bytes each time. */
/* Entered through rt_alloc_slow (entry.S), which zeroes its frame first: the collector scans it conservatively. */
uint32_t rt_alloc_slow_c(uint32_t size) {
  for (int attempt = 0;; attempt++) {
    uint32_t c = take_free(size, 1);
    if (c) return c;
    if (size <= rt_top_room(1)) return rt_take_top(size, 1);
    c = take_free(size, 0);
    if (c) return c;
    if (attempt > 0) break;
    rt_collect();
    uint32_t heap = rt_hlimit - rt_floor;
    if (heap - rt_gc_live < heap / 16 && last_minor) {
      /* old garbage only a major collection frees: the heap runs out when a major collection leaves too little */
      dirty = 1;
      rt_collect();
    }
    if (heap - rt_gc_live < heap / 16) rt_fail(ERR_HEAP, 0);
  }
  if (size <= rt_top_room(0)) return rt_take_top(size, 1);
  rt_fail(ERR_HEAP, 0);
}

/* The allocator's fast path, without calls or a frame: the free list of the exact size, else the untouched top
 * whose bitmaps are cleared already (with the argument room left), else the carved chunk (there is one only once
 * the top ran out); anything else is the slow path's (rt_alloc_slow). A free chunk and the carved chunk have their start bits set
 * already, so they set only the used bit; the top sets only the start bit (swept_to). The words are zeroed if
 * `zero` (see claim). */
static inline __attribute__((always_inline)) uint32_t alloc_fast(uint32_t size, int zero) {
  uint32_t k = size >> 3;
  uint32_t c = k <= CLASSES ? free_lists[k] : 0;
  uint32_t *bits = used;
  if (c) {
    free_lists[k] = WORD(c + 4);
  } else if (rt_hp + size <= top_end) {
    c = rt_hp;
    rt_hp = c + size;
    bits = starts;
  } else if (carve + size <= carve_end) {
    c = carve;
    carve = c + size;
    if (carve < carve_end) SET(starts, GRANULE(carve));
  } else {
    return rt_alloc_slow(size);
  }
  SET(bits, GRANULE(c));
  if (zero)
    for (uint32_t a = c; a < c + size; a += 4) WORD(a) = 0;
  return c;
}

/* The allocator of compiled code and the runtime: a zeroed object of `bytes` bytes. */
uint32_t rt_alloc(uint32_t bytes) {
  return alloc_fast(bytes ? (bytes + 7u) & ~7u : 8u, 1);
}

/* An object compiled code fills completely before anything else can allocate (a cons cell, a tuple): its words
 * need no zeroing, since no collection can see them before they are written. `size`: a multiple of 8, not 0.
 * rt_alloc_filled (entry.S) takes it from a free list or the top, and calls this for anything else. */
uint32_t rt_alloc_filled_c(uint32_t size) {
  return alloc_fast(size, 0);
}

/* The marker: marks what the words of [from, to) point to, then what the words of each chunk it marked point to (a
 * depth-first walk with the mark stack of (first address, end address) of chunks marked but not scanned yet; on its
 * overflow rt_gc scans the marked chunks again). `root`: [from, to) is a root area (stack frames, whose words need
 * not be values; the constants' cells) whose every word is a possible pointer. In a heap chunk it is not: in every
 * object a value's payload follows its tag, and the only pointers that are not payloads are first words (a partial
 * application's closure, the chain of earlier results), so a word right after a word of 0, 1 or 2 (the tags of unit,
 * Int and Bool) is an immediate's payload and keeps nothing alive, whatever its bits: an Int that happens to equal a
 * heap address. Objects without pointers (Text, Double, Hash) are only scanned; a false pointer found there keeps
 * garbage longer, never frees anything too soon. A word pointing into an allocated chunk marks the whole chunk
 * (interior pointers: the C runtime holds some). The mark bits start as the complement of the used bits (rt_gc), so
 * one test skips both a marked chunk and a free one; a chunk of one or two granules (a Double box, a cons cell) finds
 * its end in the start bits it loaded already. The first chunk marked from a chunk is scanned next, straight from
 * registers, the others go on the mark stack: down a list of Ints the stack is not touched, and a list of lists
 * uses it as deep as the lists nest, not as long as they are. Everything the loop touches is in registers. */
MARK_LOOP static void mark_from(uint32_t from, uint32_t to, int root) {
  /* offsets from the bitmaps' granule 0: a word pointing below the floor finds the marked chunk of [base, floor) */
  const uint32_t base = bitmap_base, span = rt_hp - base;
  uint32_t *const first = starts, *const mark = marks, *const stack = mark_stack;
  uint32_t queued = 0, overflow = 0;
  /* the chunk scanned next without a trip through the mark stack (0: none) */
  uint32_t next_from = 0, next_to = 0;
  /* or-ed into each word as it becomes the one before the next: above T_BOOL in a root area */
  uint32_t any = root ? T_BOOL + 1 : 0, before = T_BOOL + 1;
  for (;;) {
    for (uint32_t a = from; a < to; a += 4) {
      uint32_t w = WORD(a), off = w - base;
      if (off < span && before > T_BOOL) {
        /* its chunk, if allocated and not marked yet, is marked, to be scanned next (the first such of the chunk
         * being scanned) or later (on the mark stack) */
        uint32_t g = off >> 3, i = g >> 5, b = g & 31u;
        uint32_t bits = first[i];
        if (!((bits >> b) & 1u)) {
          /* an interior pointer: the chunk starts at the nearest start below (granule 0 starts one) */
          bits &= 0xFFFFFFFFu >> (31u - b);
          while (!bits) bits = first[--i];
          g = (i << 5) + highest_bit(bits);
          b = g & 31u;
          bits = first[i];
        }
        uint32_t m = mark[i];
        if (!((m >> b) & 1u)) {
          mark[i] = m | (1u << b);
          uint32_t after = (bits >> b) >> 1, end;
          if (after & 2u) end = g + 2;
          else if (after & 1u) end = g + 1;
          else end = next_start(g + 1);
          if (!next_to) {
            next_from = base + (g << 3);
            next_to = base + (end << 3);
          } else if (queued < MARK_STACK) {
            stack[2 * queued] = base + (g << 3);
            stack[2 * queued + 1] = base + (end << 3);
            queued++;
          } else {
            overflow = 1;
          }
        }
      }
      before = w | any;
    }
    if (next_to) {
      from = next_from;
      to = next_to;
      next_to = 0;
    } else if (queued) {
      queued--;
      from = stack[2 * queued];
      to = stack[2 * queued + 1];
    } else {
      break;
    }
    any = 0;
    before = T_BOOL + 1;
  }
  mark_overflow |= overflow;
}

extern uint32_t rt_saved_sp[3];
extern char __rt_end[];

/* The compiled code's frame maps (host/compiler/frame-maps.ts), {count, sites, descriptors}; set by its entry stub. */
uint32_t rt_frame_maps;

/* The descriptor of the compiled frame whose call returns to `pc`; ends the run with E_INTERNAL when the compiled code
 * has none (every call site of compiled code that can reach a collection has one). */
static const uint32_t *frame_map(uint32_t pc) {
  const uint32_t *table = (const uint32_t *)rt_frame_maps;
  uint32_t count = table[0], lo = 0, hi = count;
  const uint32_t *sites = (const uint32_t *)table[1];
  while (lo < hi) {
    uint32_t mid = (lo + hi) >> 1;
    if (sites[mid] < pc) lo = mid + 1;
    else hi = mid;
  }
  if (lo == count || sites[lo] != pc) rt_fail(ERR_INTERNAL, 0);
  const uint16_t *index = (const uint16_t *)(sites + count);
  return (const uint32_t *)table[2] + index[lo];
}

/* Register pairs a compiled loop keeps its first parameters in (host/compiler/codegen.ts PAIRS: s1/s2 … s7/s8). */
#define PAIRS 4

/* The stack's roots. rt_collect spilled the callee-saved registers at `sp` (s0 at sp, s1…s8 from sp + 4, ra at
 * sp + 60); from there the frames chain through their saved s0 (ra at s0 - 4, the caller's s0 at s0 - 8: compiled
 * frames, the runtime's C frames, built with frame pointers, and rt_call's) up to _start's sp, the chain's end. A
 * frame whose return address (the pc it will resume at, found in the frame below) is in compiled code is marked by
 * its frame map: the pairs it lists, each a tag and a payload marked only when the tag is no immediate's, and its env
 * word; its other words (stale values of earlier calls, slots not written yet, values moved away) keep nothing
 * alive. A loop's frame saved its caller's register pairs: such a saved pair is marked (precisely) only when the
 * frame above that owns the register's value keeps a parameter in it (`saved[i]`: the innermost save of pair i not
 * claimed yet). The runtime's frames and the spilled registers are scanned conservatively: they hold the C code's
 * pointers for as long as it runs, and the registers C code saved wherever it did; so are the pairs compiled code
 * saved below a C frame (they may hold its values). */
static void mark_frames(uint32_t sp) {
  uint32_t top = rt_saved_sp[0], lo = sp, fp = WORD(sp), pc = WORD(sp + 60);
  uint32_t saved[PAIRS] = {0, 0, 0, 0}, last_pc = 0;
  const uint32_t *d = 0;
  while (fp < top) {
    if (fp <= lo) rt_fail(ERR_INTERNAL, 0);
    if (pc < (uint32_t)__rt_end) {
      mark_from(lo, fp, 1);
      for (uint32_t i = 0; i < PAIRS; i++)
        if (saved[i]) {
          mark_from(saved[i], saved[i] + 8, 1);
          saved[i] = 0;
        }
    } else {
      /* a recursion's frames return to the same call site: its descriptor is looked up once */
      if (pc != last_pc) {
        d = frame_map(pc);
        last_pc = pc;
      }
      uint32_t head = d[0], frame = head & 0xFFFFu, words = (head >> 17) & 0xFFu, pairs = (head >> 25) & 15u;
      uint32_t base = fp - frame;
      if (head & 0x10000u) mark_from(fp - 12, fp - 8, 1);
      for (uint32_t j = 0; j < words; j++)
        for (uint32_t bits = d[1 + j]; bits; bits &= bits - 1) {
          uint32_t pair = base + ((j << 5) + lowest_bit(bits)) * 8;
          /* the payload, unless the tag is an immediate's */
          if (WORD(pair) > T_BOOL) mark_from(pair + 4, pair + 8, 1);
        }
      for (uint32_t i = 0; i < PAIRS; i++)
        if (pairs & (1u << i)) {
          /* its own values of pair i are where a frame below saved them (else in the registers, spilled) */
          if (saved[i] && (head & (1u << 29))) mark_from(saved[i], saved[i] + 8, 0);
          saved[i] = fp - 24 - 8 * i;
        }
    }
    lo = fp;
    pc = WORD(fp - 4);
    fp = WORD(fp - 8);
  }
  if (fp != top) rt_fail(ERR_INTERNAL, 0);
  /* _start's own words (a continuation's function among them), and the pairs saved of its and the loader's registers */
  mark_from(lo, top, 1);
  for (uint32_t i = 0; i < PAIRS; i++)
    if (saved[i]) mark_from(saved[i], saved[i] + 8, 1);
}

/* The chunks of [swept_to, rt_hp) are all allocated (no sweep has made free ones there): their used bits are their
 * start bits, set a bitmap word at a time. */
static void used_from_starts(void) {
  uint32_t from = GRANULE(swept_to), to = GRANULE(rt_hp);
  for (uint32_t i = from >> 5; i << 5 < to; i++) {
    uint32_t mask = 0xFFFFFFFFu;
    if (i == from >> 5) mask &= 0xFFFFFFFFu << (from & 31u);
    if (i == to >> 5) mask &= ~(0xFFFFFFFFu << (to & 31u));
    used[i] |= starts[i] & mask;
  }
}

/* The granules [from, to) become one free chunk; its bytes. */
static uint32_t free_run(uint32_t from, uint32_t to) {
  free_chunk(ADDRESS(from), (to - from) << 3);
  return (to - from) << 3;
}

/* Whether the object at address a (in the heap, below rt_hp) is marked. */
static inline uint32_t marked(uint32_t a) {
  uint32_t g = GRANULE(a);
  return a - bitmap_base < rt_hp - bitmap_base && BIT(marks, g);
}

/* A minor collection's roots besides the usual ones: the old cells of each list the compiled code reversed in place
 * since the last collection (recorded by its oldest cell, old: the cells were consed in order, so the old ones come
 * first in the reversed list and each may now point to a young one). Their words are scanned; the walk stops at the
 * first cell that was young (marked by the scan of the cell before, with what it reaches). */
static void mark_remembered(void) {
  for (uint32_t *r = remembered_cells; r < (uint32_t *)rt_alloc_state.remembered; r++) {
    uint32_t c = *r;
    for (;;) {
      uint32_t next = WORD(c + 12), old = WORD(c + 8) == T_CONS && marked(next);
      mark_from(c, c + 16, 0);
      if (!old) break;
      c = next;
    }
  }
}

/* Called by rt_collect with the sp below the spilled registers. */
OFF_CHAIN void rt_gc(uint32_t sp) {
  rt_gc_count++;
  uint32_t top = GRANULE(rt_hp);
  used_from_starts();
  /* what is left of the carved chunk is swept like any free chunk */
  carve = carve_end = 0;
  /* a minor collection keeps the old objects' marks (the mark bitmap between collections) */
  uint32_t minor = rt_gc_minor && !dirty;
  uint32_t keep = minor ? 0xFFFFFFFFu : 0;
  /* (the words from the top's on are 0 and stay so: nothing there is marked, and the top clears them as it reaches them) */
  for (uint32_t i = 0; i << 5 < top; i++) marks[i] = ~used[i] | (marks[i] & keep);
  if (bitmap_base < rt_floor) marks[0] |= 1u;
  mark_overflow = 0;
  if (minor) mark_remembered();
  uint32_t results[2] = {rt_last_result, kept};
  mark_frames(sp);
  mark_from(rt_roots[0], rt_roots[1], 1);
  mark_from((uint32_t)results, (uint32_t)(results + 2), 1);
  while (mark_overflow) {
    /* the mark stack overflowed: some marked chunks were not scanned; scanning every marked chunk again finds them */
    mark_overflow = 0;
    for (uint32_t g = GRANULE(rt_floor); g < top;) {
      uint32_t end = next_start(g + 1);
      if (BIT(marks, g) && BIT(used, g)) {
        mark_from(ADDRESS(g), ADDRESS(end), 0);
      }
      g = end;
    }
  }
  /* sweep, a bitmap word (32 granules) at a time: unmarked chunks and their free neighbours coalesce into free
   * chunks; a word where no kept chunk starts is handled whole. A word's allocated chunks are then its kept ones, and
   * they are the old objects until the next collection: both its used and mark bits become the kept chunks' starts. */
  big_list = 0;
  for (uint32_t k = 0; k <= CLASSES; k++) free_lists[k] = 0;
  uint32_t run = 0, in_run = 0, freed = 0;
  for (uint32_t i = 0; i << 5 < top; i++) {
    uint32_t s = starts[i], m = marks[i] & used[i];
    used[i] = m;
    marks[i] = m;
    if (!s) continue;
    if (!m) {
      if (in_run) starts[i] = 0;
      else {
        uint32_t b = lowest_bit(s);
        run = (i << 5) + b;
        in_run = 1;
        starts[i] = 1u << b;
      }
      continue;
    }
    if (!(s & ~m)) {
      /* every chunk starting here is kept: a free run ends at the first */
      if (in_run) freed += free_run(run, (i << 5) + lowest_bit(s));
      in_run = 0;
      continue;
    }
    for (uint32_t bits = s; bits; bits &= bits - 1) {
      uint32_t b = lowest_bit(bits), g = (i << 5) + b;
      if (m & (1u << b)) {
        if (in_run) freed += free_run(run, g);
        in_run = 0;
      } else {
        if (in_run) starts[i] &= ~(1u << b);
        else {
          run = g;
          in_run = 1;
        }
      }
    }
  }
  if (in_run) freed += free_run(run, top);
  swept_to = rt_hp;
  /* every chunk below the top was kept or freed */
  rt_gc_live = rt_hp - rt_floor - freed;
  uint32_t heap = rt_hlimit - rt_floor, free = heap - rt_gc_live;
  if (!minor) free_after_major = free;
  rt_gc_minors += minor;
  last_minor = minor;
  dirty = free < free_after_major / 4 * 3;
  rt_alloc_state.remembered = (uint32_t)remembered_cells;
}

