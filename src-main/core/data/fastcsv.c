/*
 * The CSV import's two hot loops in WebAssembly (scripts/build-data-wasm.mjs compiles this into fastcsv-wasm.ts;
 * fastcsv.ts loads it):
 *
 * fc_rows: plain rows of numbers straight from the file's bytes into column buffers — what the TypeScript fast path
 *   (TableBuilder.fastRow with values.ts's scanNumber) does per character, with the same rules, so that every value
 *   is the same double: optional sign, digits with at most one decimal mark, optional exponent, a value of at most 15
 *   significant digits and a power of ten within 1e±22 computed as one correctly rounded IEEE multiplication or
 *   division (Clinger's fast path). Anything else — quotes, spaces, missing-value tokens, longer numbers, a lone CR
 *   at the end, a field count other than the header's — stops the call before that row, which the TypeScript
 *   tokenizer then reads (with its messages for bad input).
 *
 * fc_sort_f64: an ascending LSD radix sort of doubles (no NaN) by their bit patterns, -0 before +0, as
 *   Float64Array.prototype.sort orders them: the statistics sort every numeric column.
 *
 * Memory only grows (fc_reserve): the caller writes its bytes at fc_reserve's answer and reads the values back.
 */
typedef unsigned int u32;
typedef unsigned long long u64;

extern unsigned char __heap_base;

/* The one region of scratch memory, from the heap base: grown when a bigger one is asked for, never moved. */
void *fc_reserve(u32 bytes) {
  u32 base = ((u32)&__heap_base + 15u) & ~15u;
  u32 top = base + bytes;
  u32 have = (u32)__builtin_wasm_memory_size(0) * 65536u;
  if (top > have) {
    u32 pages = (top - have + 65535u) / 65536u;
    if (__builtin_wasm_memory_grow(0, pages) == (unsigned long)-1) return 0;
  }
  return (void *)base;
}

static const double POW10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* Column kinds of fc_rows: a number is parsed and stored; a skipped column's field is passed over (no quotes). */
#define FC_NUMBER 0
#define FC_SKIP 1

#define LF 10
#define CR 13
#define QUOTE 34

static inline int field_end(int c, int delim) { return c == delim || c == LF || c == CR; }

/*
 * Parses whole rows of buf[pos, len) while each is plain: `ncols` fields split by `delim`, ended by LF, CRLF or a CR
 * followed by another character; numbers (FC_NUMBER; an empty field is missing, NaN) written to
 * out[c * stride + row]. At most maxRows rows. Returns the rows parsed; *endPos is the byte after the last one.
 */
int fc_rows(const unsigned char *buf, int pos, int len, int ncols, const unsigned char *kinds, int delim, int dcomma,
            double *out, int stride, int maxRows, int *endPos) {
  const int mark = dcomma ? ',' : '.';
  int rows = 0;
  while (rows < maxRows && pos < len) {
    int i = pos;
    int c;
    for (c = 0; c < ncols; c++) {
      if (kinds[c] == FC_NUMBER) {
        const int start = i;
        int ch = i < len ? buf[i] : -1;
        int neg = 0;
        if (ch == '-' || ch == '+') {
          neg = ch == '-';
          ch = ++i < len ? buf[i] : -1;
        }
        const int intStart = i;
        while (ch == '0') ch = ++i < len ? buf[i] : -1;
        const int sigStart = i;
        double mant = 0;
        while (ch >= '0' && ch <= '9') {
          mant = mant * 10 + (ch - '0');
          ch = ++i < len ? buf[i] : -1;
        }
        int sig = i - sigStart;
        int digits = i - intStart;
        int exp = 0;
        if (ch == mark) {
          ch = ++i < len ? buf[i] : -1;
          const int fracStart = i;
          if (mant == 0)
            while (ch == '0') ch = ++i < len ? buf[i] : -1;
          const int fracSig = i;
          while (ch >= '0' && ch <= '9') {
            mant = mant * 10 + (ch - '0');
            ch = ++i < len ? buf[i] : -1;
          }
          sig += i - fracSig;
          digits += i - fracStart;
          exp = fracStart - i;
        }
        double v;
        if (digits == 0) {
          /* Nothing at all before the field's end: missing. A lone sign or a mark is not a number. */
          if (i != start || i >= len || !field_end(buf[i], delim)) goto stop;
          v = __builtin_nan("");
        } else {
          if (ch == 'e' || ch == 'E') {
            int j = i + 1;
            int e = 0;
            int edigits = 0;
            int ec = j < len ? buf[j] : -1;
            const int eneg = ec == '-';
            if (ec == '-' || ec == '+') ec = ++j < len ? buf[j] : -1;
            while (ec >= '0' && ec <= '9') {
              if (e < 100000) e = e * 10 + (ec - '0');
              edigits++;
              ec = ++j < len ? buf[j] : -1;
            }
            if (edigits > 0) {
              exp += eneg ? -e : e;
              i = j;
            }
          }
          if (mant == 0) v = 0;
          else if (sig <= 15 && exp >= -22 && exp <= 22) v = exp < 0 ? mant / POW10[-exp] : mant * POW10[exp];
          else goto stop; /* beyond the fast path: the tokenizer's Number() reads it */
          if (neg) v = -v;
        }
        out[c * stride + rows] = v;
      } else {
        if (i < len && buf[i] == QUOTE) goto stop;
        while (i < len && !field_end(buf[i], delim)) i++;
      }
      if (i >= len) goto stop;
      const int ch = buf[i];
      if (c < ncols - 1) {
        if (ch != delim) goto stop;
        i++;
      } else if (ch == LF) i++;
      else if (ch == CR && i + 1 < len) i += buf[i + 1] == LF ? 2 : 1;
      else goto stop;
    }
    pos = i;
    rows++;
  }
stop:
  *endPos = pos;
  return rows;
}

/* ---- sort ------------------------------------------------------------------------------------------ */

#define RADIX_BITS 11
#define RADIX (1 << RADIX_BITS)
#define DIGITS 6 /* 6 × 11 ≥ 64 */

static u32 counts[DIGITS][RADIX];

/* Doubles (as their bits) to unsigned keys of the same order: negatives flipped whole, the rest get the sign bit. */
static inline u64 key_of(u64 b) { return (b >> 63) ? ~b : b | 0x8000000000000000ull; }
static inline u64 bits_of(u64 k) { return (k >> 63) ? k & 0x7fffffffffffffffull : ~k; }

/* Sorts n doubles at a ascending (tmp: n more); the result is at a. */
void fc_sort_f64(double *a, double *tmp, int n) {
  u64 *x = (u64 *)a;
  u64 *y = (u64 *)tmp;
  for (int d = 0; d < DIGITS; d++)
    for (int k = 0; k < RADIX; k++) counts[d][k] = 0;
  for (int i = 0; i < n; i++) {
    const u64 k = key_of(x[i]);
    x[i] = k;
    for (int d = 0; d < DIGITS; d++) counts[d][(k >> (d * RADIX_BITS)) & (RADIX - 1)]++;
  }
  u64 *src = x;
  u64 *dst = y;
  for (int d = 0; d < DIGITS; d++) {
    const int shift = d * RADIX_BITS;
    u32 *cnt = counts[d];
    /* A digit every key shares moves nothing: skip its pass. */
    if (n == 0 || cnt[(src[0] >> shift) & (RADIX - 1)] == (u32)n) continue;
    u32 sum = 0;
    for (int k = 0; k < RADIX; k++) {
      const u32 c = cnt[k];
      cnt[k] = sum;
      sum += c;
    }
    for (int i = 0; i < n; i++) {
      const u64 k = src[i];
      dst[cnt[(k >> shift) & (RADIX - 1)]++] = k;
    }
    u64 *t = src;
    src = dst;
    dst = t;
  }
  for (int i = 0; i < n; i++) x[i] = bits_of(src[i]);
}

/* ---- statistics ------------------------------------------------------------------------------------ */

#define TOP 10

/*
 * The sort-based part of numericStats (stats.ts) over the n values (no NaN) at a, in its exact arithmetic: the
 * Neumaier-compensated mean and the sum of squared deviations in row order, then the ascending sort (a holds it
 * after; tmp: n more) and, over the sorted runs, the distinct values and the TOP most frequent (ties to the earlier
 * run, as stats.ts's TopList keeps them). out: mean, squares, distinct, top count, then TOP values and TOP counts.
 */
void fc_stats(double *a, double *tmp, int n, double *out) {
  double s = 0, comp = 0;
  for (int i = 0; i < n; i++) {
    const double v = a[i];
    const double t = s + v;
    comp += __builtin_fabs(s) >= __builtin_fabs(v) ? s - t + v : v - t + s;
    s = t;
  }
  const double mean = (s + comp) / n;
  double sq = 0;
  for (int i = 0; i < n; i++) {
    const double d = a[i] - mean;
    sq += d * d;
  }
  fc_sort_f64(a, tmp, n);
  double topKey[TOP + 1];
  double topCount[TOP + 1];
  int len = 0;
  int distinct = 0;
  for (int i = 0; i < n;) {
    const double v = a[i];
    int j = i + 1;
    while (j < n && a[j] == v) j++;
    distinct++;
    const double count = j - i;
    if (!(len == TOP && topCount[TOP - 1] >= count)) {
      int at = len;
      while (at > 0 && topCount[at - 1] < count) at--;
      for (int k = len; k > at; k--) {
        topKey[k] = topKey[k - 1];
        topCount[k] = topCount[k - 1];
      }
      topKey[at] = v;
      topCount[at] = count;
      if (len < TOP) len++;
    }
    i = j;
  }
  out[0] = mean;
  out[1] = sq;
  out[2] = distinct;
  out[3] = len;
  for (int k = 0; k < len; k++) {
    out[4 + k] = topKey[k];
    out[4 + TOP + k] = topCount[k];
  }
}
