/* The TEL runtime compiled code calls (the allocator and its garbage
 * collector are in gc.c): application of
 * closures and partial applications, Double arithmetic through libgcc's
 * soft-float, structural comparison, ++ and `show` (Doubles are printed by
 * the host through an ecall, so the shortest round-trip text is the
 * interpreter's own) and `hashOf` (also through the host, which hashes the
 * canonical form with SHA-256). */
#include "tel.h"
#include "../include/cax.h"

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

/* Applies f to n arguments, one saturated call at a time. */
V rt_apply(V f, uint32_t n, const V *args) {
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

static double dbl(V v) {
  return *(const double *)v.val;
}

V rt_box_double(double x) {
  double *p = (double *)rt_alloc_filled(8);
  *p = x;
  V r = {T_DOUBLE, (uint32_t)p};
  return r;
}

/* Double + - * / (op 0..3); Ints never get here. */
V rt_arith(V a, V b, uint32_t op) {
  double x = dbl(a), y = dbl(b);
  switch (op) {
    case 0: return rt_box_double(x + y);
    case 1: return rt_box_double(x - y);
    case 2: return rt_box_double(x * y);
    default: return rt_box_double(x / y);
  }
}

V rt_negate(V a) {
  if (a.tag == T_INT) {
    V r = {T_INT, -a.val};
    return r;
  }
  return rt_box_double(-dbl(a));
}

V rt_abs(V a) {
  if (a.tag == T_INT) {
    V r = {T_INT, (int32_t)a.val < 0 ? -a.val : a.val};
    return r;
  }
  /* clear the sign bit, as Math.abs does (also for -0.0 and NaN) */
  uint32_t *w = (uint32_t *)rt_alloc_filled(8);
  const uint32_t *src = (const uint32_t *)a.val;
  w[0] = src[0];
  w[1] = src[1] & 0x7FFFFFFFu;
  V r = {T_DOUBLE, (uint32_t)w};
  return r;
}

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

/* ---- the stack check of the runtime's recursive functions ---------------------- */

/* Set by _start (entry.S): the lowest sp a recursive function of the runtime may run at. */
extern uint32_t rt_c_stack_limit;

/* Ends the run with E_BUDGET (stack) when the caller's frame is below the limit: below the stack lie the
 * collector's bitmaps and the heap, which a deeper frame would overwrite. */
static inline void check_stack(void) {
  uint32_t sp;
  __asm__ volatile("mv %0, sp" : "=r"(sp));
  if (sp < rt_c_stack_limit) rt_fail(ERR_STACK, 0);
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
      case T_DOUBLE: {
        double x = dbl(a), y = dbl(b);
        if (x != x || y != y) return 2;
        return x == y ? 0 : x < y ? -1 : 1;
      }
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
  for (V c = a; c.tag == T_CONS; c = ((const Cons *)c.val)->tail) {
    Cons *cell = (Cons *)rt_alloc_filled(sizeof(Cons)); /* every word written below, before anything allocates */
    cell->head = ((const Cons *)c.val)->head;
    cell->tail.tag = T_CONS;
    cell->tail.val = 0; /* the next cell, or b's payload at the end */
    if (last) last->tail.val = (uint32_t)cell;
    else result.val = (uint32_t)cell;
    last = cell;
  }
  last->tail = b;
  return result;
}

/* ---- effects ------------------------------------------------------------------ */

/* An effect node {kind, n, values…}; the host decodes it (host/compiler/effects.ts). */
V rt_effect(uint32_t kind, uint32_t n, const V *args) {
  Tuple *t = (Tuple *)rt_alloc_filled(8 + 8 * n); /* every word written below, before anything allocates */
  uint32_t *w = (uint32_t *)t;
  w[0] = kind;
  w[1] = n;
  V *items = (V *)(w + 2);
  for (uint32_t i = 0; i < n; i++) items[i] = args[i];
  V r = {T_EFFECT, (uint32_t)t};
  return r;
}

/* ---- hashOf ------------------------------------------------------------------- */

/* The host hashes the value's canonical form (it reads the heap up to rt_hp, the high-water mark)
 * and writes the 32 bytes of the digest into the buffer. */
V rt_hash_of(V v) {
  uint32_t buf = rt_alloc(32);
  cax_effect(EFFECT_HASH_OF, v.tag, v.val, buf, rt_hp, 0, 0);
  V r = {T_HASH, buf};
  return r;
}

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

static void put_double(V v) {
  const uint32_t *w = (const uint32_t *)v.val;
  uint32_t room = out_at < out_end ? out_end - out_at : 0;
  /* the host writes the text only when it fits the room, and always answers its length */
  cax_reply r = cax_effect(EFFECT_SHOW_DOUBLE, w[0], w[1], out_at, room, 0, 0);
  if (r.a0 > room) out_end = out_at;
  out_at += r.a0;
}

static void put_value(V v) {
  check_stack();
  switch (v.tag) {
    case T_INT: put_int((int32_t)v.val); return;
    case T_BOOL: puts_(v.val ? "True" : "False"); return;
    case T_UNIT: puts_("()"); return;
    case T_DOUBLE: put_double(v); return;
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
    default: puts_("<effect>"); return;
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
