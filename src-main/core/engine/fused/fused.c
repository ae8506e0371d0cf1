/*
 * Residual's fused dense autoencoder kernel (WebAssembly SIMD, no libc).
 *
 * One instance holds one network: parameters, gradients, Adam moments and every activation buffer in one
 * linear memory, with every width padded to a multiple of 4 (padding weights and activations stay 0).
 * A training step is forward → loss → backward → Adam in one call; scoring is a forward pass whose
 * per-row and per-column squared errors are computed in the same pass.
 *
 * The interface (the setup struct, activation and loss codes, the exports' prototypes) is layout.h, generated with
 * layout.ts from layout.json: change it there.
 *
 * Build: npm run build:wasm (scripts/build-wasm.mjs): clang --target=wasm32 -O3 -msimd128 -nostdlib.
 */
#include <wasm_simd128.h>
#include "layout.h"

extern unsigned char __heap_base;
static u32 heap_top;

static void *alloc(u32 bytes) {
  if (!heap_top) heap_top = ((u32)&__heap_base + 15u) & ~15u;
  u32 p = heap_top;
  heap_top = (p + bytes + 15u) & ~15u;
  u32 have = (u32)__builtin_wasm_memory_size(0) * 65536u;
  if (heap_top > have) {
    u32 pages = (heap_top - have + 65535u) / 65536u;
    if (__builtin_wasm_memory_grow(0, pages) == (unsigned long)-1) return 0;
  }
  /* Memory only grows and nothing is freed, so every block is fresh, zeroed memory. */
  return (void *)p;
}

/* ---- float math (Cephes single precision) ---------------------------------------------------------- */

static inline float ldexp_i(float z, int n) {
  while (n > 127) { z *= 1.7014118e38f; n -= 127; }
  while (n < -126) { z *= 1.1754944e-38f; n += 126; }
  union { u32 u; float f; } s;
  s.u = (u32)(n + 127) << 23;
  return z * s.f;
}

static float expf_(float x) {
  if (x != x) return x;
  if (x > 88.72283f) return __builtin_inff();
  if (x < -103.97208f) return 0.0f;
  float fz = __builtin_floorf(1.44269504088896341f * x + 0.5f);
  x -= fz * 0.693359375f;
  x -= fz * -2.12194440e-4f;
  float z = x * x;
  float p = ((((( 1.9875691500E-4f * x + 1.3981999507E-3f) * x + 8.3334519073E-3f) * x + 4.1665795894E-2f) * x + 1.6666665459E-1f) * x + 5.0000001201E-1f) * z + x + 1.0f;
  return ldexp_i(p, (int)fz);
}

static float logf_(float x) {
  union { float f; u32 u; } v = { x };
  int e = (int)((v.u >> 23) & 0xff) - 126;
  v.u = (v.u & 0x807fffffu) | 0x3f000000u; /* mantissa in [0.5, 1) */
  float m = v.f;
  if (m < 0.70710678118654752440f) { e -= 1; m = m + m - 1.0f; } else m = m - 1.0f;
  float z = m * m;
  float y = (((((((( 7.0376836292E-2f * m - 1.1514610310E-1f) * m + 1.1676998740E-1f) * m - 1.2420140846E-1f) * m + 1.4249322787E-1f) * m - 1.6668057665E-1f) * m + 2.0000714765E-1f) * m - 2.4999993993E-1f) * m + 3.3333331174E-1f) * m * z;
  float fe = (float)e;
  y += -2.12194440e-4f * fe;
  y += -0.5f * z;
  float r = m + y;
  return r + 0.693359375f * fe;
}

/* log(1 + u) for u ≥ 0. */
static float log1pf_(float u) {
  float w = 1.0f + u;
  if (w == 1.0f) return u;
  return logf_(w) * (u / (w - 1.0f));
}

static float tanhf_(float x) {
  float a = x < 0 ? -x : x;
  if (a < 0.625f) {
    float z = x * x;
    return ((((-5.70498872745E-3f * z + 2.06390887954E-2f) * z - 5.37397155531E-2f) * z + 1.33314422036E-1f) * z - 3.33332819422E-1f) * z * x + x;
  }
  if (a > 9.0f) return x < 0 ? -1.0f : 1.0f;
  float t = 1.0f - 2.0f / (expf_(a + a) + 1.0f);
  return x < 0 ? -t : t;
}

static float expm1f_(float x) {
  if (x > -0.5f && x < 0.5f) {
    /* Taylor to x^8 on |x| < 0.5: relative error below float epsilon. */
    float p = x * (1.0f + x * (0.5f + x * (1.6666667e-1f + x * (4.1666668e-2f + x * (8.3333338e-3f + x * (1.3888889e-3f + x * (1.9841270e-4f + x * 2.4801587e-5f)))))));
    return p;
  }
  return expf_(x) - 1.0f;
}

static inline float sigmoidf_(float x) { return 1.0f / (1.0f + expf_(-x)); }

/* ---- the network ------------------------------------------------------------------------------------- */

static int L, maxB, lossKind, codeLayer, dReal, maxDim;
static int din[MAXL], dout[MAXL], dreal[MAXL], act[MAXL], dropAfter[MAXL];
static float *W[MAXL], *bias[MAXL], *gW[MAXL], *gb[MAXL], *Y[MAXL], *H[MAXL], *mask[MAXL];
static float *params, *grads, *mom1, *mom2, *otherGrads;
static u32 nParams;
static float *X0, *T, *dA, *dB, *scratch;
static float leakyAlpha = 0.2f;
static fz_setup_t setup_in;
/* Variational autoencoder: the layer holding both heads, [mean | log-variance] (each latentP wide, latent real),
   the latent sample Z that feeds the decoder, the noise that drew it, KL weight beta and KL in scores. */
static int vaeHead = -1, latent, latentP, scoreKl;
static float beta;
static float *Z, *EPS;
/* Wasserstein autoencoder (WAE-MMD): prior samples PZ and d(λ·MMD)/d code DZ (maxB × the code layer's padded width);
   mmdActive: the last objective filled DZ, so the backward pass adds it at the code layer. */
static int mmdOn, mmdActive;
static float mmdLambda;
static float *PZ, *DZ;
static double lastParts[4];

fz_setup_t *fz_setup_in(void) { return &setup_in; }
float *fz_params(void) { return params; }
float *fz_input(void) { return X0; }
float *fz_target(void) { return T; }
float *fz_mask(int l) { return l == vaeHead ? EPS : mask[l]; }
float *fz_output(void) { return Y[L - 1]; }
float *fz_code(void) { return codeLayer >= 0 ? Y[codeLayer] : 0; }
float *fz_prior(void) { return mmdOn ? PZ : 0; }
u32 fz_param_count(void) { return nParams; }
double fz_part(int i) { return lastParts[i]; }

/* The network written at fz_setup_in() (fz_setup_t, layout.h). Returns 0 on success, -1 when memory cannot grow. */
int fz_setup(void) {
  const fz_setup_t *s = &setup_in;
  L = s->layers; maxB = s->maxRows; lossKind = s->loss; codeLayer = s->codeLayer; dReal = s->inputDims;
  vaeHead = s->vaeHead; latent = s->latent; latentP = (latent + 3) & ~3; scoreKl = s->scoreKl; beta = s->beta;
  mmdOn = s->mmd && codeLayer >= 0; mmdLambda = s->mmdLambda; mmdActive = 0;
  maxDim = 0;
  nParams = 0;
  for (int l = 0; l < L; l++) {
    int ir = s->layer[l].inReal, orl = s->layer[l].outReal;
    din[l] = (ir + 3) & ~3; dout[l] = (orl + 3) & ~3; dreal[l] = orl;
    act[l] = s->layer[l].act; dropAfter[l] = s->layer[l].dropAfter;
    nParams += (u32)(din[l] * dout[l] + dout[l]);
    if (din[l] > maxDim) maxDim = din[l];
    if (dout[l] > maxDim) maxDim = dout[l];
  }
  params = alloc(nParams * 4); grads = alloc(nParams * 4); mom1 = alloc(nParams * 4); mom2 = alloc(nParams * 4);
  otherGrads = alloc(nParams * 4);
  if (!params || !grads || !mom1 || !mom2 || !otherGrads) return -1;
  u32 off = 0;
  u32 scratchSize = 0;
  for (int l = 0; l < L; l++) {
    W[l] = params + off; gW[l] = grads + off; off += (u32)(din[l] * dout[l]);
    bias[l] = params + off; gb[l] = grads + off; off += (u32)dout[l];
    Y[l] = alloc((u32)(maxB * dout[l]) * 4);
    if (!Y[l]) return -1;
    if (dropAfter[l]) { mask[l] = alloc((u32)(maxB * dout[l]) * 4); H[l] = alloc((u32)(maxB * dout[l]) * 4); if (!mask[l] || !H[l]) return -1; }
    else { mask[l] = 0; H[l] = Y[l]; }
    u32 a = (u32)(din[l] * dout[l]), b = (u32)(din[l] * maxB);
    if (a > scratchSize) scratchSize = a;
    if (b > scratchSize) scratchSize = b;
  }
  X0 = alloc((u32)(maxB * din[0]) * 4); T = alloc((u32)(maxB * din[0]) * 4);
  dA = alloc((u32)(maxB * maxDim) * 4); dB = alloc((u32)(maxB * maxDim) * 4);
  scratch = alloc(scratchSize * 4);
  if (!X0 || !T || !dA || !dB || !scratch) return -1;
  if (vaeHead >= 0) {
    Z = alloc((u32)(maxB * latentP) * 4); EPS = alloc((u32)(maxB * latentP) * 4);
    if (!Z || !EPS) return -1;
  }
  if (mmdOn) {
    PZ = alloc((u32)(maxB * dout[codeLayer]) * 4); DZ = alloc((u32)(maxB * dout[codeLayer]) * 4);
    if (!PZ || !DZ) return -1;
  }
  return 0;
}

/* The kernel widths of the WAE paper's code, as multiples of C = 2·d_z (σ² = 1). */
static const float IMQ_SCALES[7] = { 0.1f, 0.2f, 0.5f, 1.0f, 2.0f, 5.0f, 10.0f };

static double sq_dist(const float *a, const float *b, int n) {
  double s = 0;
  for (int k = 0; k < n; k++) { double t = (double)a[k] - (double)b[k]; s += t * t; }
  return s;
}

/*
 * The unbiased MMD with the inverse multiquadratic kernel Σ_s C_s/(C_s + ‖x − y‖²) between the B codes (code layer
 * outputs) and the B prior samples in PZ (src-main/core/engine/family/mmd.ts is the reference, tested by hand), and
 * λ·d MMD / d code into DZ. The whole batch at once: its rows are coupled, so a WAE trains on one thread.
 */
static double mmd_imq(int B) {
  const int O = dout[codeLayer], dz = dreal[codeLayer];
  const float *q = Y[codeLayer], *p = PZ;
  double cs[7];
  for (int k = 0; k < 7; k++) cs[k] = 2.0 * (double)dz * (double)IMQ_SCALES[k];
  for (int i = 0; i < B * O; i++) DZ[i] = 0.0f;
  const double wq = 1.0 / ((double)B * (double)(B - 1)), wx = 1.0 / ((double)B * (double)B);
  double qq = 0, pp = 0, qp = 0;
  for (int i = 0; i < B; i++) {
    const float *qi = q + i * O;
    for (int j = i + 1; j < B; j++) {
      const float *qj = q + j * O;
      double d2 = sq_dist(qi, qj, dz), kv = 0, slope = 0;
      for (int k = 0; k < 7; k++) { double t = cs[k] + d2; kv += cs[k] / t; slope -= cs[k] / (t * t); }
      qq += 2.0 * kv;
      const float g = (float)((double)mmdLambda * 4.0 * slope * wq);
      for (int c = 0; c < dz; c++) { float t = g * (qi[c] - qj[c]); DZ[i * O + c] += t; DZ[j * O + c] -= t; }
    }
    for (int j = i + 1; j < B; j++) {
      double d2 = sq_dist(p + i * O, p + j * O, dz), kv = 0;
      for (int k = 0; k < 7; k++) kv += cs[k] / (cs[k] + d2);
      pp += 2.0 * kv;
    }
    for (int j = 0; j < B; j++) {
      const float *pj = p + j * O;
      double d2 = sq_dist(qi, pj, dz), kv = 0, slope = 0;
      for (int k = 0; k < 7; k++) { double t = cs[k] + d2; kv += cs[k] / t; slope -= cs[k] / (t * t); }
      qp += kv;
      const float g = (float)((double)mmdLambda * -4.0 * slope * wx);
      for (int c = 0; c < dz; c++) DZ[i * O + c] += g * (qi[c] - pj[c]);
    }
  }
  return (qq + pp) * wq - 2.0 * qp * wx;
}

/* C[M×N] = A[M×K] · B[K×N] (+ bias[N]); N a multiple of 4; row-major, contiguous. */
static void gemm(const float *A, const float *Bm, float *C, int M, int K, int N, const float *bi) {
  const v128_t zero = wasm_f32x4_splat(0.0f);
  int i = 0;
  /* 4 rows × 8 columns: 8 accumulators, 2 weight vectors, 1 broadcast. A 6 × 8 block (12 accumulators) would fit
     x64's 16 vector registers on paper, but V8's register allocator spills four of them every k step: measured
     here, 4 × 8 runs 1.4× faster (35 vs 25 GFLOP/s on one thread at 1024 × 784 × 128). */
  for (; i + 4 <= M; i += 4) {
    const float *a0 = A + i * K, *a1 = a0 + K, *a2 = a1 + K, *a3 = a2 + K;
    float *c0 = C + i * N, *c1 = c0 + N, *c2 = c1 + N, *c3 = c2 + N;
    int j = 0;
    for (; j + 8 <= N; j += 8) {
      v128_t b0 = bi ? wasm_v128_load(bi + j) : zero, b1 = bi ? wasm_v128_load(bi + j + 4) : zero;
      v128_t s00 = b0, s01 = b1, s10 = b0, s11 = b1, s20 = b0, s21 = b1, s30 = b0, s31 = b1;
      const float *bp = Bm + j;
      for (int k = 0; k < K; k++, bp += N) {
        v128_t w0 = wasm_v128_load(bp), w1 = wasm_v128_load(bp + 4);
        v128_t x;
        x = wasm_f32x4_splat(a0[k]); s00 = wasm_f32x4_add(s00, wasm_f32x4_mul(x, w0)); s01 = wasm_f32x4_add(s01, wasm_f32x4_mul(x, w1));
        x = wasm_f32x4_splat(a1[k]); s10 = wasm_f32x4_add(s10, wasm_f32x4_mul(x, w0)); s11 = wasm_f32x4_add(s11, wasm_f32x4_mul(x, w1));
        x = wasm_f32x4_splat(a2[k]); s20 = wasm_f32x4_add(s20, wasm_f32x4_mul(x, w0)); s21 = wasm_f32x4_add(s21, wasm_f32x4_mul(x, w1));
        x = wasm_f32x4_splat(a3[k]); s30 = wasm_f32x4_add(s30, wasm_f32x4_mul(x, w0)); s31 = wasm_f32x4_add(s31, wasm_f32x4_mul(x, w1));
      }
      wasm_v128_store(c0 + j, s00); wasm_v128_store(c0 + j + 4, s01);
      wasm_v128_store(c1 + j, s10); wasm_v128_store(c1 + j + 4, s11);
      wasm_v128_store(c2 + j, s20); wasm_v128_store(c2 + j + 4, s21);
      wasm_v128_store(c3 + j, s30); wasm_v128_store(c3 + j + 4, s31);
    }
    for (; j < N; j += 4) {
      v128_t b0 = bi ? wasm_v128_load(bi + j) : zero;
      v128_t s0 = b0, s1 = b0, s2 = b0, s3 = b0;
      const float *bp = Bm + j;
      for (int k = 0; k < K; k++, bp += N) {
        v128_t w0 = wasm_v128_load(bp);
        s0 = wasm_f32x4_add(s0, wasm_f32x4_mul(wasm_f32x4_splat(a0[k]), w0));
        s1 = wasm_f32x4_add(s1, wasm_f32x4_mul(wasm_f32x4_splat(a1[k]), w0));
        s2 = wasm_f32x4_add(s2, wasm_f32x4_mul(wasm_f32x4_splat(a2[k]), w0));
        s3 = wasm_f32x4_add(s3, wasm_f32x4_mul(wasm_f32x4_splat(a3[k]), w0));
      }
      wasm_v128_store(c0 + j, s0); wasm_v128_store(c1 + j, s1); wasm_v128_store(c2 + j, s2); wasm_v128_store(c3 + j, s3);
    }
  }
  for (; i < M; i++) {
    const float *a0 = A + i * K;
    float *c0 = C + i * N;
    for (int j = 0; j < N; j += 4) {
      v128_t s0 = bi ? wasm_v128_load(bi + j) : zero;
      const float *bp = Bm + j;
      for (int k = 0; k < K; k++, bp += N) s0 = wasm_f32x4_add(s0, wasm_f32x4_mul(wasm_f32x4_splat(a0[k]), wasm_v128_load(bp)));
      wasm_v128_store(c0 + j, s0);
    }
  }
}

static void transpose(const float *src, float *dst, int rows, int cols) {
  for (int r = 0; r < rows; r++) {
    const float *s = src + r * cols;
    for (int c = 0; c < cols; c++) dst[c * rows + r] = s[c];
  }
}

static void activate(float *y, int B, int n, int nreal, int a) {
  const int total = B * n;
  switch (a) {
    case ACT_LINEAR: break;
    case ACT_RELU: {
      const v128_t z = wasm_f32x4_splat(0.0f);
      for (int i = 0; i < total; i += 4) wasm_v128_store(y + i, wasm_f32x4_pmax(z, wasm_v128_load(y + i)));
      break;
    }
    case ACT_LEAKY_RELU:
      for (int i = 0; i < total; i++) { float v = y[i]; y[i] = v > 0 ? v : v * leakyAlpha; }
      break;
    case ACT_ELU:
      for (int i = 0; i < total; i++) { float v = y[i]; y[i] = v > 0 ? v : expm1f_(v); }
      break;
    case ACT_TANH:
      for (int i = 0; i < total; i++) y[i] = tanhf_(y[i]);
      break;
    case ACT_SIGMOID:
      for (int i = 0; i < total; i++) y[i] = sigmoidf_(y[i]);
      break;
  }
  if (nreal < n && a != ACT_LINEAR) for (int r = 0; r < B; r++) for (int c = nreal; c < n; c++) y[r * n + c] = 0.0f;
}

/* d ← d ⊙ f'(y), f given by its output y. */
static void activation_grad(float *d, const float *y, int total, int a) {
  switch (a) {
    case ACT_LINEAR: break;
    case ACT_RELU: {
      const v128_t z = wasm_f32x4_splat(0.0f);
      for (int i = 0; i < total; i += 4) {
        v128_t m = wasm_f32x4_gt(wasm_v128_load(y + i), z);
        wasm_v128_store(d + i, wasm_v128_and(wasm_v128_load(d + i), m));
      }
      break;
    }
    case ACT_LEAKY_RELU:
      for (int i = 0; i < total; i++) if (!(y[i] > 0)) d[i] *= leakyAlpha;
      break;
    case ACT_ELU:
      for (int i = 0; i < total; i++) if (!(y[i] >= 0)) d[i] *= y[i] + 1.0f;
      break;
    case ACT_TANH:
      for (int i = 0; i < total; i++) d[i] *= 1.0f - y[i] * y[i];
      break;
    case ACT_SIGMOID:
      for (int i = 0; i < total; i++) d[i] *= y[i] * (1.0f - y[i]);
      break;
  }
}

static void forward(int B, int training) {
  const float *x = X0;
  for (int l = 0; l < L; l++) {
    gemm(x, W[l], Y[l], B, din[l], dout[l], bias[l]);
    activate(Y[l], B, dout[l], dreal[l], act[l]);
    if (l == vaeHead) {
      /* Reparameterisation while training (z = μ + e^{½ log σ²}·ε), the mean otherwise. */
      for (int r = 0; r < B; r++) {
        const float *mu = Y[l] + r * 2 * latentP, *lv = mu + latentP;
        float *z = Z + r * latentP;
        const float *e = EPS + r * latentP;
        for (int j = 0; j < latentP; j++) z[j] = j < latent ? (training ? mu[j] + expf_(0.5f * lv[j]) * e[j] : mu[j]) : 0.0f;
      }
      x = Z;
    } else if (training && dropAfter[l]) {
      const int total = B * dout[l];
      for (int i = 0; i < total; i += 4) wasm_v128_store(H[l] + i, wasm_f32x4_mul(wasm_v128_load(Y[l] + i), wasm_v128_load(mask[l] + i)));
      x = H[l];
    } else {
      x = Y[l];
    }
  }
}

/*
 * The objective on the forward pass just run, over B rows of a batch of Btotal (a thread's share: the
 * mean is over the whole batch, so the shares' losses and gradients add up). With grad, dA receives
 * d loss / d output.
 */
static double objective(int B, int Btotal, const float *target, float l1, int grad) {
  const int n = dout[L - 1];
  const float *z = Y[L - 1];
  const double inv = 1.0 / ((double)Btotal * (double)dReal);
  const float scale = (float)(lossKind == LOSS_MSE ? 2.0 * inv : inv);
  double sum = 0;
  for (int r = 0; r < B; r++) {
    const float *zr = z + r * n, *tr = target + r * n;
    float *gr = dA + r * n;
    double rs = 0;
    for (int c = 0; c < dReal; c++) {
      float zv = zr[c], tv = tr[c];
      if (lossKind == LOSS_MSE) {
        float df = zv - tv;
        rs += (double)(df * df);
        if (grad) gr[c] = df * scale;
      } else {
        float t = tv < 0 ? 0.0f : tv > 1 ? 1.0f : tv;
        float az = zv < 0 ? -zv : zv;
        float e = expf_(-az);
        rs += (double)((zv > 0 ? zv : 0.0f) - zv * t + log1pf_(e));
        if (grad) gr[c] = (sigmoidf_(zv) - t) * scale;
      }
    }
    if (grad) for (int c = dReal; c < n; c++) gr[c] = 0.0f;
    sum += rs;
  }
  double main = sum * inv, pen = 0;
  if (codeLayer >= 0 && l1 > 0) {
    const int cn = dout[codeLayer], cr = dreal[codeLayer];
    const float *cy = Y[codeLayer];
    double s = 0;
    for (int r = 0; r < B; r++) for (int c = 0; c < cr; c++) { float v = cy[r * cn + c]; s += (double)(v < 0 ? -v : v); }
    pen = (double)l1 * s / (double)Btotal;
  }
  double kl = 0;
  if (vaeHead >= 0) {
    /* (beta / dims) · mean over rows of KL(N(μ, σ²) ‖ N(0, 1)) = −½ Σ (1 + log σ² − μ² − σ²). */
    const float *y = Y[vaeHead];
    double s = 0;
    for (int r = 0; r < B; r++) {
      const float *mu = y + r * 2 * latentP, *lv = mu + latentP;
      for (int j = 0; j < latent; j++) s += -0.5 * (1.0 + (double)lv[j] - (double)mu[j] * (double)mu[j] - (double)expf_(lv[j]));
    }
    kl = (double)beta / (double)dReal * s / (double)Btotal;
  }
  /* A WAE's penalty while training (the deterministic objective is the reconstruction alone, as Network.loss): the
     whole batch is this call's (no helper thread), and one row has no unbiased MMD. */
  double mmd = 0;
  mmdActive = mmdOn && grad && B >= 2 && B == Btotal;
  if (mmdActive) mmd = mmd_imq(B);
  lastParts[PART_MMD] = mmd;
  lastParts[PART_KL] = kl;
  lastParts[PART_RECONSTRUCTION] = main; lastParts[PART_L1] = pen;
  return main + pen + kl + (double)mmdLambda * mmd;
}

/* Backward from dA (d loss / d output) into grads. */
static void backward(int B, int Btotal, float l1) {
  float *d = dA, *other = dB;
  for (int l = L - 1; l >= 0; l--) {
    const int I = din[l], O = dout[l];
    if (l == vaeHead) {
      /* d holds d loss / d z: through the sample to [d μ | d log σ²], plus the KL term's own gradient. */
      const float k = beta / (float)dReal / (float)Btotal;
      for (int r = 0; r < B; r++) {
        const float *mu = Y[l] + r * O, *lv = mu + latentP, *dz = d + r * latentP, *e = EPS + r * latentP;
        float *dm = other + r * O, *dl = dm + latentP;
        for (int j = 0; j < latentP; j++) {
          if (j < latent) {
            dm[j] = dz[j] + k * mu[j];
            dl[j] = dz[j] * e[j] * 0.5f * expf_(0.5f * lv[j]) + k * 0.5f * (expf_(lv[j]) - 1.0f);
          } else {
            dm[j] = 0.0f;
            dl[j] = 0.0f;
          }
        }
      }
      float *t = d; d = other; other = t;
    } else if (l < L - 1) {
      /* d holds d loss / d (this layer's output as the next layer saw it). */
      if (dropAfter[l] && mask[l]) for (int i = 0; i < B * O; i += 4) wasm_v128_store(d + i, wasm_f32x4_mul(wasm_v128_load(d + i), wasm_v128_load(mask[l] + i)));
      if (l == codeLayer && l1 > 0) {
        const float g = l1 / (float)Btotal;
        const int cr = dreal[l];
        for (int r = 0; r < B; r++) for (int c = 0; c < cr; c++) d[r * O + c] += Y[l][r * O + c] > 0 ? g : -g;
      }
      if (l == codeLayer && mmdActive) for (int i = 0; i < B * O; i++) d[i] += DZ[i];
      activation_grad(d, Y[l], B * O, act[l]);
    }
    const float *x = l == 0 ? X0 : l - 1 == vaeHead ? Z : (dropAfter[l - 1] ? H[l - 1] : Y[l - 1]);
    /* gW = xᵀ · d */
    transpose(x, scratch, B, I);
    gemm(scratch, d, gW[l], I, B, O, 0);
    /* gb = column sums of d */
    for (int c = 0; c < O; c += 4) {
      v128_t s = wasm_f32x4_splat(0.0f);
      for (int r = 0; r < B; r++) s = wasm_f32x4_add(s, wasm_v128_load(d + r * O + c));
      wasm_v128_store(gb[l] + c, s);
    }
    if (l > 0) {
      /* d_in = d · Wᵀ */
      transpose(W[l], scratch, I, O);
      gemm(d, scratch, other, B, O, I, 0);
      float *t = d; d = other; other = t;
    }
  }
}

/* Adam as tf.train.adam: m, v, bias correction by 1 - beta^t (given as omb1, omb2), epsilon after the sqrt. */
static void adam(float lr, float b1, float b2, float eps, float omb1, float omb2, int addOther) {
  const float c1 = 1.0f - b1, c2 = 1.0f - b2;
  const v128_t vb1 = wasm_f32x4_splat(b1), vb2 = wasm_f32x4_splat(b2), vc1 = wasm_f32x4_splat(c1), vc2 = wasm_f32x4_splat(c2);
  const v128_t vo1 = wasm_f32x4_splat(omb1), vo2 = wasm_f32x4_splat(omb2), ve = wasm_f32x4_splat(eps), vlr = wasm_f32x4_splat(-lr);
  for (u32 i = 0; i < nParams; i += 4) {
    v128_t g = wasm_v128_load(grads + i);
    /* Two threads' shares: a + b == b + a in IEEE arithmetic, so both apply the same update. */
    if (addOther) g = wasm_f32x4_add(g, wasm_v128_load(otherGrads + i));
    v128_t m = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(mom1 + i), vb1), wasm_f32x4_mul(g, vc1));
    v128_t v = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(mom2 + i), vb2), wasm_f32x4_mul(wasm_f32x4_mul(g, g), vc2));
    wasm_v128_store(mom1 + i, m);
    wasm_v128_store(mom2 + i, v);
    v128_t mh = wasm_f32x4_div(m, vo1), vh = wasm_f32x4_div(v, vo2);
    v128_t u = wasm_f32x4_mul(wasm_f32x4_div(mh, wasm_f32x4_add(wasm_f32x4_sqrt(vh), ve)), vlr);
    wasm_v128_store(params + i, wasm_f32x4_add(wasm_v128_load(params + i), u));
  }
}

/*
 * One training step on B rows in fz_input (noisy inputs when hasTarget, clean targets in fz_target),
 * dropout masks in fz_mask(l) when the layer drops. Returns the batch loss (before the update).
 */
double fz_train_step(int B, int hasTarget, float l1, float lr, float b1, float b2, float eps, float omb1, float omb2) {
  forward(B, 1);
  double loss = objective(B, B, hasTarget ? T : X0, l1, 1);
  backward(B, B, l1);
  adam(lr, b1, b2, eps, omb1, omb2, 0);
  return loss;
}

/* A thread's share of a step: gradients of its B rows of a Btotal batch (no update). */
double fz_grad_part(int B, int Btotal, int hasTarget, float l1) {
  forward(B, 1);
  double loss = objective(B, Btotal, hasTarget ? T : X0, l1, 1);
  backward(B, Btotal, l1);
  return loss;
}

/* The update after fz_grad_part, with the other thread's gradients in fz_other_grads(). */
void fz_adam_shared(float lr, float b1, float b2, float eps, float omb1, float omb2) {
  adam(lr, b1, b2, eps, omb1, omb2, 1);
}
float *fz_other_grads(void) { return otherGrads; }

/* Deterministic objective (no dropout, no noise) over B rows in fz_input. */
double fz_eval_loss(int B, float l1) {
  forward(B, 0);
  return objective(B, B, X0, l1, 0);
}

/* Gradients only (no update), for tests: returns the loss. */
double fz_grad_only(int B, int hasTarget, float l1) {
  forward(B, 1);
  double loss = objective(B, B, hasTarget ? T : X0, l1, 1);
  backward(B, B, l1);
  return loss;
}
float *fz_grads(void) { return grads; }
float *fz_moments(int which) { return which ? mom2 : mom1; }

/*
 * Scoring: forward B rows of fz_input, reconstruction (sigmoid for BCE) vs the input; per row the mean
 * squared error over the real dims into rowOut, per explained column (owners[j] = column of dim j) the
 * squared errors summed in float64 into featOut (B × cols). When reconOut is set, the reconstruction
 * (B × dReal) goes there too.
 */
/* One row's KL(N(μ, σ²) ‖ N(0, 1)) from the last forward pass (0 without a VAE). */
static double kl_row(int r) {
  if (vaeHead < 0) return 0;
  const float *mu = Y[vaeHead] + r * 2 * latentP, *lv = mu + latentP;
  double s = 0;
  for (int j = 0; j < latent; j++) s += -0.5 * (1.0 + (double)lv[j] - (double)mu[j] * (double)mu[j] - (double)expf_(lv[j]));
  return s;
}

void fz_score(int B, const int *owners, int cols, float *rowOut, float *featOut, float *reconOut, double *acc) {
  forward(B, 0);
  const int n = dout[L - 1], ni = din[0];
  const float *z = Y[L - 1];
  int identity = lossKind == LOSS_MSE && !reconOut && cols == dReal;
  for (int j = 0; identity && j < dReal; j++) identity = owners[j] == j;
  if (identity) {
    /* Every model dim is its own column (numeric data, MSE): the same float64 squares, four dims per step. */
    for (int r = 0; r < B; r++) {
      const float *zr = z + r * n, *xr = X0 + r * ni;
      float *fo = featOut + r * cols;
      v128_t t0 = wasm_f64x2_splat(0.0), t1 = t0;
      int j = 0;
      for (; j + 4 <= dReal; j += 4) {
        v128_t z4 = wasm_v128_load(zr + j), x4 = wasm_v128_load(xr + j);
        v128_t zh = wasm_i32x4_shuffle(z4, z4, 2, 3, 0, 1), xh = wasm_i32x4_shuffle(x4, x4, 2, 3, 0, 1);
        v128_t e0 = wasm_f64x2_sub(wasm_f64x2_promote_low_f32x4(z4), wasm_f64x2_promote_low_f32x4(x4));
        v128_t e1 = wasm_f64x2_sub(wasm_f64x2_promote_low_f32x4(zh), wasm_f64x2_promote_low_f32x4(xh));
        e0 = wasm_f64x2_mul(e0, e0);
        e1 = wasm_f64x2_mul(e1, e1);
        t0 = wasm_f64x2_add(t0, e0);
        t1 = wasm_f64x2_add(t1, e1);
        v128_t f0 = wasm_f32x4_demote_f64x2_zero(e0), f1 = wasm_f32x4_demote_f64x2_zero(e1);
        wasm_v128_store(fo + j, wasm_i32x4_shuffle(f0, f1, 0, 1, 4, 5));
      }
      t0 = wasm_f64x2_add(t0, t1);
      double total = wasm_f64x2_extract_lane(t0, 0) + wasm_f64x2_extract_lane(t0, 1);
      for (; j < dReal; j++) {
        double e = (double)zr[j] - (double)xr[j];
        e *= e;
        fo[j] = (float)e;
        total += e;
      }
      rowOut[r] = (float)(total / (double)dReal + (scoreKl ? kl_row(r) / (double)dReal : 0.0));
    }
    return;
  }
  for (int r = 0; r < B; r++) {
    for (int c = 0; c < cols; c++) acc[c] = 0;
    double total = 0;
    const float *zr = z + r * n, *xr = X0 + r * ni;
    for (int j = 0; j < dReal; j++) {
      float rec = lossKind == LOSS_BCE ? sigmoidf_(zr[j]) : zr[j];
      if (reconOut) reconOut[r * dReal + j] = rec;
      double e = (double)rec - (double)xr[j];
      e *= e;
      acc[owners[j]] += e;
      total += e;
    }
    rowOut[r] = (float)(total / (double)dReal + (scoreKl ? kl_row(r) / (double)dReal : 0.0));
    for (int c = 0; c < cols; c++) featOut[r * cols + c] = (float)acc[c];
  }
}

/* Scratch memory for the caller (scoring buffers); 16-byte aligned, zeroed (fresh pages). */
void *fz_alloc(u32 bytes) { return alloc(bytes); }
