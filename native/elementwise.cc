// Same-shape Add, Sub and Multiply on the wasm heap. wasm's binary kernels run one element at a time through
// the broadcasting index arithmetic: 11 ms for an Add of two [192, 64, 64, 3] tensors, where memory bandwidth
// allows ≈1 ms. In a GAN step they are the residual adds, the gradient sums where a tensor feeds two layers,
// dropout masks and input noise.
#include "common.h"

namespace semigan {

// binary(op, a, b, out): op 0 add, 1 subtract, 2 multiply; all four arrays the same length
napi_value Binary(napi_env env, napi_callback_info info) {
  double s[1];
  float* a[3];
  size_t l[3];
  if (!GetArgs(env, info, 1, s, 3, a, l) || !(s[0] == 0 || s[0] == 1 || s[0] == 2)) return Throw(env, "binary: bad arguments");
  const int op = int(s[0]);
  if (l[1] != l[0] || l[2] != l[0]) return Throw(env, "binary: array sizes do not match");
  const float *x = a[0], *y = a[1];
  float* out = a[2];
  ParallelFor(int64_t(l[0]), kParallelGrain, [=](int64_t begin, int64_t end) {
    if (op == 0)
      for (int64_t i = begin; i < end; i++) out[i] = x[i] + y[i];
    else if (op == 1)
      for (int64_t i = begin; i < end; i++) out[i] = x[i] - y[i];
    else
      for (int64_t i = begin; i < end; i++) out[i] = x[i] * y[i];
  });
  return nullptr;
}

// average(rate, a, p, out): out = a + rate·(p − a), a step of a weight average, with the float32 roundings of
// the Sub, Multiply and Add kernels it replaces (no FMA at this -march), so the bits are theirs
napi_value Average(napi_env env, napi_callback_info info) {
  double s[1];
  float* a[3];
  size_t l[3];
  if (!GetArgs(env, info, 1, s, 3, a, l)) return Throw(env, "average: bad arguments");
  if (l[1] != l[0] || l[2] != l[0]) return Throw(env, "average: array sizes do not match");
  const float rate = float(s[0]);
  const float *avg = a[0], *p = a[1];
  float* out = a[2];
  ParallelFor(int64_t(l[0]), kParallelGrain, [=](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; i++) {
      const float d = p[i] - avg[i];
      const float e = d * rate;
      out[i] = avg[i] + e;
    }
  });
  return nullptr;
}

}  // namespace semigan
