/* The TEL runtime compiled code calls (the allocator and its garbage
 * collector are in gc.c): application of
 * closures and partial applications, Double arithmetic through libgcc's
 * soft-float, structural comparison, ++, `show` (a Double's shortest
 * round-trip text comes from double.c) and `hashOf` (SHA-256 of the value's
 * canonical form, firmware/sha256.c). All of it runs on the core, without
 * the host, so a proof covers it. Its optional parts (TEL_DOUBLE, TEL_HASH,
 * TEL_SHOW, tel.h) are in a build only when set: each image links the build
 * with the parts its code can reach (mk/compiler.mk, host/compiler/link.ts). */
#include "tel.h"
#if TEL_HASH
#include "../sha256.h"
#endif

/* s10 and s11 hold compiled code's cycle budget and stack limit (entry.S) for the whole run, and this file's
 * functions call compiled code (rt_apply): none of them may use the two registers for itself. */
register uint32_t compiled_budget __asm__("s10");
register uint32_t compiled_stack_limit __asm__("s11");

/* ---- application ---------------------------------------------------------- */

static V make_pap(uint32_t closure, uint32_t nold, const V *old, uint32_t nnew, const V *fresh) {
  Pap *p = (Pap *)rt_alloc_filled(8 + 8 * (nold + nnew)); /* every word written below, before anything allocates */
  p->closure = closure;
  p->nargs = nold + nnew;
  for (uint32_t i = 0; i < nold; i++) p->args[i] = old[i];
  for (uint32_t i = 0; i < nnew; i++) p->args[nold + i] = fresh[i];
  V r = {T_PAP, (uint32_t)p};
  return r;
}

/* Calls the partial application p with `need` more arguments, which saturate it. Its arguments are gathered in an
 * array of exactly their number, in this function's frame: every word the collector scans conservatively in the frames
 * of the runtime (gc.c mark_frames) is written, none is a stale word of an earlier call (and rt_apply's frame has no
 * such array). */
static __attribute__((noinline)) V call_pap(const Pap *p, uint32_t need, const V *args) {
  const Closure *c = (const Closure *)p->closure;
  if (c->arity > 16) rt_fail(ERR_INTERNAL, 0);
  V buf[c->arity];
  for (uint32_t i = 0; i < p->nargs; i++) buf[i] = p->args[i];
  for (uint32_t i = 0; i < need; i++) buf[p->nargs + i] = args[i];
  return rt_call(c->code, p->closure, c->arity, buf);
}

/* Applies f to n arguments, one saturated call at a time. Entered through rt_apply (entry.S), which zeroes its frame
 * first: the collector scans it conservatively for as long as the functions it calls run. */
V rt_apply_c(V f, uint32_t n, const V *args) {
  while (n > 0) {
    if (f.tag == T_CLOSURE) {
      Closure *c = (Closure *)f.val;
      if (n < c->arity) return make_pap(f.val, 0, 0, n, args);
      f = rt_call(c->code, f.val, c->arity, args);
      args += c->arity;
      n -= c->arity;
    } else if (f.tag == T_PAP) {
      Pap *p = (Pap *)f.val;
      Closure *c = (Closure *)p->closure;
      uint32_t need = c->arity - p->nargs;
      if (n < need) return make_pap(p->closure, p->nargs, p->args, n, args);
      f = call_pap(p, need, args);
      args += need;
      n -= need;
    } else {
      rt_fail(ERR_INTERNAL, 0);
    }
  }
  return f;
}

/* ---- numbers ---------------------------------------------------------------- */

#if TEL_DOUBLE
static double dbl(V v) {
  return *(const double *)v.val;
}

V rt_box_double(double x) {
  double *p = (double *)rt_alloc_filled(8);
  *p = x;
  V r = {T_DOUBLE, (uint32_t)p};
  return r;
}

/* libgcc's soft-float addition, called by name for subtraction too (below). */
double __adddf3(double, double);

/* Double + - * / (op 0..3); Ints never get here. x - y is x + (-y) in IEEE 754, bit for bit (signed zeros, and a
 * NaN is the canonical one either way), so subtraction flips y's sign bit and adds: libgcc's __subdf3 (2 KiB of
 * every image, hence less heap on the 128 KiB board) is not linked. */
V rt_arith(V a, V b, uint32_t op) {
  double x = dbl(a), y = dbl(b);
  switch (op) {
    case 0: return rt_box_double(x + y);
    case 1: {
      union { double d; uint32_t w[2]; } neg = {y};
      neg.w[1] ^= 0x80000000u;
      return rt_box_double(__adddf3(x, neg.d));
    }
    case 2: return rt_box_double(x * y);
    default: return rt_box_double(x / y);
  }
}
#else
/* The build without Doubles is linked only into images in which no Double can exist (host/compiler/link.ts): the
 * compiled code's path for operands that are not Ints, which calls this, is never taken there; any other operand is
 * a value of the wrong shape. */
V rt_arith(V a, V b, uint32_t op) {
  (void)a, (void)b, (void)op;
  rt_fail(ERR_INTERNAL, 0);
}
#endif

V rt_negate(V a) {
  if (a.tag == T_INT) {
    V r = {T_INT, -a.val};
    return r;
  }
#if TEL_DOUBLE
  return rt_box_double(-dbl(a));
#else
  rt_fail(ERR_INTERNAL, 0); /* as rt_arith */
#endif
}

V rt_abs(V a) {
  if (a.tag == T_INT) {
    V r = {T_INT, (int32_t)a.val < 0 ? -a.val : a.val};
    return r;
  }
#if TEL_DOUBLE
  /* clear the sign bit, as Math.abs does (also for -0.0 and NaN) */
  uint32_t *w = (uint32_t *)rt_alloc_filled(8);
  const uint32_t *src = (const uint32_t *)a.val;
  w[0] = src[0];
  w[1] = src[1] & 0x7FFFFFFFu;
  V r = {T_DOUBLE, (uint32_t)w};
  return r;
#else
  rt_fail(ERR_INTERNAL, 0); /* as rt_arith */
#endif
}

#if TEL_DOUBLE
V rt_to_double(V a) {
  return rt_box_double((double)(int32_t)a.val);
}

/* As RISC-V fcvt.w.d with round toward zero: saturating, NaN gives maxInt. */
V rt_truncate(V a) {
  double x = dbl(a);
  int32_t r;
  if (x != x || x >= 2147483647.0) r = 2147483647;
  else if (x <= -2147483648.0) r = (int32_t)0x80000000u;
  else r = (int32_t)x;
  V v = {T_INT, (uint32_t)r};
  return v;
}
#endif

/* ---- the stack check of the runtime's recursive functions ---------------------- */

/* Set by _start (entry.S): the lowest sp a recursive function of the runtime may run at. */
extern uint32_t rt_c_stack_limit;

/* Ends the run with E_BUDGET (stack) when the caller's frame is below the limit (or `room` bytes above it, for a
 * callee with a large frame): below the stack lie the collector's bitmaps and the heap, which a deeper frame would
 * overwrite. */
static inline void check_stack_room(uint32_t room) {
  uint32_t sp;
  __asm__ volatile("mv %0, sp" : "=r"(sp));
  if (sp < rt_c_stack_limit + room) rt_fail(ERR_STACK, 0);
}

static inline void check_stack(void) {
  check_stack_room(0);
}

/* ---- comparison ---------------------------------------------------------------- */

static int32_t compare_bytes(const uint8_t *a, uint32_t na, const uint8_t *b, uint32_t nb) {
  uint32_t n = na < nb ? na : nb;
  for (uint32_t i = 0; i < n; i++)
    if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
  return na == nb ? 0 : na < nb ? -1 : 1;
}

/* -1, 0, 1, or 2 when a Double comparison inside is unordered (NaN). */
int32_t rt_compare(V a, V b) {
  check_stack();
  for (;;) {
    switch (a.tag) {
      case T_INT: return (int32_t)a.val == (int32_t)b.val ? 0 : (int32_t)a.val < (int32_t)b.val ? -1 : 1;
      case T_BOOL: return a.val == b.val ? 0 : a.val < b.val ? -1 : 1;
      case T_UNIT: return 0;
#if TEL_DOUBLE
      case T_DOUBLE: {
        double x = dbl(a), y = dbl(b);
        if (x != x || y != y) return 2;
        return x == y ? 0 : x < y ? -1 : 1;
      }
#endif
      case T_TEXT: {
        const Text *x = (const Text *)a.val, *y = (const Text *)b.val;
        return compare_bytes(x->bytes, x->len, y->bytes, y->len);
      }
      case T_HASH: return compare_bytes((const uint8_t *)a.val, 32, (const uint8_t *)b.val, 32);
      case T_NIL: return b.tag == T_NIL ? 0 : -1;
      case T_CONS: {
        if (b.tag == T_NIL) return 1;
        const Cons *x = (const Cons *)a.val, *y = (const Cons *)b.val;
        int32_t c = rt_compare(x->head, y->head);
        if (c != 0) return c;
        a = x->tail;
        b = y->tail;
        continue;
      }
      case T_TUPLE: {
        const Tuple *x = (const Tuple *)a.val, *y = (const Tuple *)b.val;
        for (uint32_t i = 0; i < x->n; i++) {
          int32_t c = rt_compare(x->items[i], y->items[i]);
          if (c != 0) return c;
        }
        return 0;
      }
      default: rt_fail(ERR_INTERNAL, 0);
    }
  }
}

/* ---- ++ ------------------------------------------------------------------------ */

V rt_append(V a, V b) {
  if (a.tag == T_TEXT) {
    const Text *x = (const Text *)a.val, *y = (const Text *)b.val;
    Text *t = (Text *)rt_alloc(4 + x->len + y->len);
    t->len = x->len + y->len;
    for (uint32_t i = 0; i < x->len; i++) t->bytes[i] = x->bytes[i];
    for (uint32_t i = 0; i < y->len; i++) t->bytes[x->len + i] = y->bytes[i];
    V r = {T_TEXT, (uint32_t)t};
    return r;
  }
  if (a.tag == T_NIL) return b;
  V result = {T_CONS, 0};
  Cons *last = 0;
  uint32_t collections = rt_gc_count;
  for (V c = a; c.tag == T_CONS; c = ((const Cons *)c.val)->tail) {
    Cons *cell = (Cons *)rt_alloc_filled(sizeof(Cons)); /* every word written below, before anything allocates */
    cell->head = ((const Cons *)c.val)->head;
    cell->tail.tag = T_CONS;
    cell->tail.val = 0; /* the next cell, or b's payload at the end */
    if (last) last->tail.val = (uint32_t)cell;
    else result.val = (uint32_t)cell;
    last = cell;
    /* a collection since the first cell made the cells before it old, and they now point to younger ones */
    if (rt_gc_count != collections) rt_gc_written();
  }
  last->tail = b;
  return result;
}

#if TEL_HASH
/* ---- hashOf ------------------------------------------------------------------- */

/* The canonical form (docs/hashing.md, "Values"; host/tel/values.ts writeCanonical) goes straight into one
 * SHA-256 context, in rt_hash_of's frame: the walk below checks its frames against the runtime's stack reserve. */
static void hash_byte(sha256_ctx *h, uint8_t b) {
  sha256_update(h, &b, 1);
}

static void hash_word(sha256_ctx *h, uint32_t w) {
  uint8_t b[4] = {(uint8_t)(w >> 24), (uint8_t)(w >> 16), (uint8_t)(w >> 8), (uint8_t)w};
  sha256_update(h, b, 4);
}

/* a tag byte, then Int 4 bytes big-endian, Double its 8 IEEE bytes big-endian (NaN 7ff8000000000000), Bool 1 byte,
 * Text u32 length + UTF-8, Hash 32 bytes, List u32 count + items, Tuple u32 count + items, unit nothing */
static void hash_value(sha256_ctx *h, V v) {
  check_stack();
  switch (v.tag) {
    case T_INT: hash_byte(h, 1); hash_word(h, v.val); return;
    case T_DOUBLE: {
      const uint32_t *w = (const uint32_t *)v.val;
      int nan = (w[1] & 0x7FF00000u) == 0x7FF00000u && ((w[1] & 0xFFFFFu) | w[0]);
      hash_byte(h, 2);
      hash_word(h, nan ? 0x7FF80000u : w[1]); /* every NaN as the one quiet NaN, whatever computed it */
      hash_word(h, nan ? 0 : w[0]);
      return;
    }
    case T_BOOL: hash_byte(h, 3); hash_byte(h, v.val ? 1 : 0); return;
    case T_TEXT: {
      const Text *t = (const Text *)v.val;
      hash_byte(h, 4);
      hash_word(h, t->len);
      sha256_update(h, t->bytes, t->len);
      return;
    }
    case T_UNIT: hash_byte(h, 5); return;
    case T_HASH: hash_byte(h, 6); sha256_update(h, (const uint8_t *)v.val, 32); return;
    case T_NIL:
    case T_CONS: {
      uint32_t n = 0;
      for (V c = v; c.tag == T_CONS; c = ((const Cons *)c.val)->tail) n++;
      hash_byte(h, 7);
      hash_word(h, n);
      for (V c = v; c.tag == T_CONS; c = ((const Cons *)c.val)->tail) hash_value(h, ((const Cons *)c.val)->head);
      return;
    }
    case T_TUPLE: {
      const Tuple *t = (const Tuple *)v.val;
      hash_byte(h, 8);
      hash_word(h, t->n);
      for (uint32_t i = 0; i < t->n; i++) hash_value(h, t->items[i]);
      return;
    }
    default: rt_fail(ERR_UNSUPPORTED, 0); /* a function or an effect has no canonical form */
  }
}

V rt_hash_of(V v) {
  sha256_ctx h;
  uint32_t digest[8];
  sha256_init(&h);
  hash_value(&h, v);
  sha256_final(&h, (uint8_t *)digest);
  uint32_t *w = (uint32_t *)rt_alloc_filled(32); /* every word written below, before anything allocates */
  for (int i = 0; i < 8; i++) w[i] = digest[i];
  V r = {T_HASH, (uint32_t)w};
  return r;
}

#endif

#if TEL_SHOW
/* ---- show ---------------------------------------------------------------------- */

/* The text is built above the heap top (bytes go to out_at, below
 * out_end), then the finished Text is made a chunk there. When it does not
 * fit, the bytes are only counted, and a second pass writes them into a Text
 * from rt_alloc (which may collect). */
static uint32_t out_at, out_end;

static void put(uint8_t c) {
  if (out_at < out_end) *(uint8_t *)out_at = c;
  out_at++;
}

static void puts_(const char *s) {
  while (*s) put((uint8_t)*s++);
}

static void put_int(int32_t v) {
  char digits[12];
  int n = 0;
  uint32_t u = v < 0 ? -(uint32_t)v : (uint32_t)v;
  do {
    digits[n++] = (char)('0' + u % 10);
    u /= 10;
  } while (u);
  if (v < 0) put('-');
  while (n) put((uint8_t)digits[--n]);
}

static void put_hex(uint32_t v, int width) {
  static const char hex[] = "0123456789abcdef";
  int started = 0;
  for (int s = 28; s >= 0; s -= 4) {
    uint32_t d = (v >> s) & 15;
    if (d || started || s == 0 || s < width * 4) {
      put((uint8_t)hex[d]);
      started = 1;
    }
  }
}

static void put_text(const Text *t) {
  put('"');
  for (uint32_t i = 0; i < t->len; i++) {
    uint8_t c = t->bytes[i];
    if (c == '"') puts_("\\\"");
    else if (c == '\\') puts_("\\\\");
    else if (c == '\n') puts_("\\n");
    else if (c == '\t') puts_("\\t");
    else if (c == '\r') puts_("\\r");
    else if (c < 0x20 || c == 0x7f) {
      puts_("\\u{");
      put_hex(c, 0);
      put('}');
    } else if (c == 0xc2 && i + 1 < t->len && t->bytes[i + 1] >= 0x80 && t->bytes[i + 1] <= 0x9f) {
      /* a C1 control character (U+0080-U+009F, UTF-8 C2 80-9F) */
      puts_("\\u{");
      put_hex(t->bytes[++i], 0);
      put('}');
    } else put(c);
  }
  put('"');
}

#if TEL_DOUBLE
/* The interpreter's layout (showDouble, host/tel/values.ts): NaN, Infinity, -0.0, fixed notation for
 * 0.1 <= |x| < 10^7 (0 <= point <= 7), else d.ddde±n. Not inlined: its digits stay out of put_value's recursive
 * frame. */
static __attribute__((noinline)) void put_double(V v) {
  const uint32_t *w = (const uint32_t *)v.val;
  uint32_t lo = w[0], hi = w[1], biased = hi >> 20 & 0x7FF;
  if (biased == 0x7FF && ((hi & 0xFFFFF) | lo)) {
    puts_("NaN");
    return;
  }
  if (hi >> 31) put('-');
  if (biased == 0x7FF || ((hi << 1) | lo) == 0) {
    puts_(biased == 0x7FF ? "Infinity" : "0.0");
    return;
  }
  check_stack_room(DIGITS_STACK);
  char digits[17];
  int32_t point;
  uint32_t n = rt_double_digits(lo, hi, digits, &point);
  if (point >= 0 && point <= 7) {
    if (point == 0) puts_("0.");
    for (uint32_t i = 0; i < n || (int32_t)i < point; i++) {
      if ((int32_t)i == point && i > 0) put('.');
      put(i < n ? (uint8_t)digits[i] : '0');
    }
    if ((int32_t)n <= point) puts_(".0");
    return;
  }
  put((uint8_t)digits[0]);
  put('.');
  if (n == 1) put('0');
  for (uint32_t i = 1; i < n; i++) put((uint8_t)digits[i]);
  put('e');
  put_int(point - 1);
}
#endif

static void put_value(V v) {
  check_stack();
  switch (v.tag) {
    case T_INT: put_int((int32_t)v.val); return;
    case T_BOOL: puts_(v.val ? "True" : "False"); return;
    case T_UNIT: puts_("()"); return;
#if TEL_DOUBLE
    case T_DOUBLE: put_double(v); return;
#endif
    case T_TEXT: put_text((const Text *)v.val); return;
    case T_HASH:
      put('@');
      for (int i = 0; i < 32; i++) {
        uint8_t b = ((const uint8_t *)v.val)[i];
        put_hex(b >> 4, 1);
        put_hex(b & 15, 1);
      }
      return;
    case T_NIL: puts_("[]"); return;
    case T_CONS:
      put('[');
      for (V c = v; c.tag == T_CONS; c = ((const Cons *)c.val)->tail) {
        if (c.val != v.val) put(',');
        put_value(((const Cons *)c.val)->head);
      }
      put(']');
      return;
    case T_TUPLE: {
      const Tuple *t = (const Tuple *)v.val;
      put('(');
      for (uint32_t i = 0; i < t->n; i++) {
        if (i) put(',');
        put_value(t->items[i]);
      }
      put(')');
      return;
    }
    case T_CLOSURE:
    case T_PAP: puts_("<function>"); return;
    case T_EFFECT: puts_("<effect>"); return;
    default: rt_fail(ERR_INTERNAL, 0);
  }
}

V rt_show(V v) {
  Text *t = (Text *)rt_hp;
  out_at = (uint32_t)t->bytes;
  out_end = rt_hp + rt_top_room(1);
  put_value(v);
  uint32_t len = out_at - (uint32_t)t->bytes;
  if (out_at <= out_end) {
    /* it fitted above the top, which becomes its chunk (the room is a multiple of 8, so the chunk fits too) */
    rt_take_top((4 + len + 7u) & ~7u, 0);
  } else {
    t = (Text *)rt_alloc(4 + len);
    out_at = (uint32_t)t->bytes;
    out_end = out_at + len;
    put_value(v);
  }
  t->len = len;
  V r = {T_TEXT, (uint32_t)t};
  return r;
}
#endif
