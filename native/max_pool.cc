// 2×2 max-pooling with stride 2 on NHWC, forward and backward: the JavaScript loops of
// src/kernels/wasm-max-pool.ts (each pass took about half a convolution's time in the photo discriminator's
// step), with the same comparisons in the same order, so the same bits and the same ties.
#include "common.h"
#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace semigan {

namespace {

struct PoolDims {
  int64_t n, h, w, c, oh, ow;
};

bool GetPoolArgs(napi_env env, napi_callback_info info, size_t arrays, PoolDims* d, float** a, size_t* l) {
  double s[4];
  if (!GetArgs(env, info, 4, s, arrays, a, l)) return false;
  for (double v : s)
    if (!(v >= 1 && v <= double(1LL << 40))) return false;
  *d = {int64_t(s[0]), int64_t(s[1]), int64_t(s[2]), int64_t(s[3]), int64_t(s[1]) / 2, int64_t(s[2]) / 2};
  return d->oh >= 1 && d->ow >= 1;
}

}  // namespace

// maxPool2(n, h, w, c, x, y): y[b, i, j, k] = max of x's 2×2 window at (2i, 2j)
napi_value MaxPool2(napi_env env, napi_callback_info info) {
  PoolDims d;
  float* a[2];
  size_t l[2];
  if (!GetPoolArgs(env, info, 2, &d, a, l)) return Throw(env, "maxPool2: bad arguments");
  const size_t in = size_t(d.n * d.h * d.w * d.c), out = size_t(d.n * d.oh * d.ow * d.c);
  if (l[0] < in || l[1] < out) return Throw(env, "maxPool2: array sizes do not match");
  const float* x = a[0];
  float* y = a[1];
  const int64_t row = d.w * d.c, c = d.c;
  // one output row (b, i) per item
  ParallelFor(d.n * d.oh, kParallelGrain / (4 * d.ow * c) + 1, [=](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++) {
      const int64_t b = r / d.oh, i = r % d.oh;
      float* o = y + r * d.ow * c;
      for (int64_t j = 0; j < d.ow; j++, o += c) {
        const float* p = x + (b * d.h + 2 * i) * row + 2 * j * c;
        const float *p1 = p + c, *p2 = p + row, *p3 = p + row + c;
        for (int64_t k = 0; k < c; k++) {
          const float m1 = p[k] > p1[k] ? p[k] : p1[k];
          const float m2 = p2[k] > p3[k] ? p2[k] : p3[k];
          o[k] = m1 > m2 ? m1 : m2;
        }
      }
    }
  });
  return nullptr;
}

// maxPool2Grad(n, h, w, c, dy, x, y, dx): each dy to the first element of its window equal to the window's
// maximum y (row-major order, as tfjs breaks ties); dx is zero elsewhere. Every element of a window is written
// through masks rather than by a branch to the maximum: the branch mispredicts on activations (measured on
// [64, 64, 64, 24]: 70 ms branching, against 12 ms for the forward pass), and gcc does not vectorise the
// selects by itself.
napi_value MaxPool2Grad(napi_env env, napi_callback_info info) {
  PoolDims d;
  float* a[4];
  size_t l[4];
  if (!GetPoolArgs(env, info, 4, &d, a, l)) return Throw(env, "maxPool2Grad: bad arguments");
  const size_t in = size_t(d.n * d.h * d.w * d.c), out = size_t(d.n * d.oh * d.ow * d.c);
  if (l[0] < out || l[1] < in || l[2] < out || l[3] < in) return Throw(env, "maxPool2Grad: array sizes do not match");
  const float *dy = a[0], *x = a[1], *y = a[2];
  float* dx = a[3];
  const int64_t row = d.w * d.c, c = d.c, tail = (d.w - 2 * d.ow) * c;
  // one pair of input rows (b, 2i, 2i + 1) per item, and the odd last row of an image with the last pair
  ParallelFor(d.n * d.oh, kParallelGrain / (4 * d.ow * c) + 1, [=](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++) {
      const int64_t b = r / d.oh, i = r % d.oh;
      const float *p = x + (b * d.h + 2 * i) * row, *g = dy + r * d.ow * c, *m = y + r * d.ow * c;
      float* q = dx + (b * d.h + 2 * i) * row;
      const int64_t cl = c, rl = row, ow = d.ow;
      for (int64_t j = 0; j < ow; j++, p += 2 * cl, q += 2 * cl, g += cl, m += cl) {
        const float *p1 = p + cl, *p2 = p + rl;
        float *q1 = q + cl, *q2 = q + rl, *q3 = q + rl + cl;
        int64_t k = 0;
#ifdef __SSE2__
        // masks of "this element takes the gradient" (first equal to the maximum), four channels at a time
        const __m128 ones = _mm_castsi128_ps(_mm_set1_epi32(-1));
        for (; k + 4 <= cl; k += 4) {
          const __m128 mk = _mm_loadu_ps(m + k), gk = _mm_loadu_ps(g + k);
          const __m128 e0 = _mm_cmpeq_ps(_mm_loadu_ps(p + k), mk);
          const __m128 e1 = _mm_andnot_ps(e0, _mm_cmpeq_ps(_mm_loadu_ps(p1 + k), mk));
          const __m128 e01 = _mm_or_ps(e0, e1);
          const __m128 e2 = _mm_andnot_ps(e01, _mm_cmpeq_ps(_mm_loadu_ps(p2 + k), mk));
          const __m128 e3 = _mm_andnot_ps(_mm_or_ps(e01, e2), ones);
          _mm_storeu_ps(q + k, _mm_and_ps(e0, gk));
          _mm_storeu_ps(q1 + k, _mm_and_ps(e1, gk));
          _mm_storeu_ps(q2 + k, _mm_and_ps(e2, gk));
          _mm_storeu_ps(q3 + k, _mm_and_ps(e3, gk));
        }
#endif
        for (; k < cl; k++) {
          const float mk = m[k], gk = g[k];
          const bool e0 = p[k] == mk, e1 = !e0 && p1[k] == mk, e2 = !e0 && !e1 && p2[k] == mk;
          q[k] = e0 ? gk : 0.0f;
          q1[k] = e1 ? gk : 0.0f;
          q2[k] = e2 ? gk : 0.0f;
          q3[k] = !e0 && !e1 && !e2 ? gk : 0.0f;
        }
      }
      if (tail) {
        std::memset(q, 0, sizeof(float) * size_t(tail));
        std::memset(q + row, 0, sizeof(float) * size_t(tail));
      }
      if (i == d.oh - 1 && d.h % 2) std::memset(dx + (b * d.h + d.h - 1) * row, 0, sizeof(float) * size_t(row));
    }
  });
  return nullptr;
}

}  // namespace semigan
