#include "common.h"
#include <cmath>

namespace semigan {

// y = max(p, αp) with p = x + b over the last axis: a convolution's bias and leaky ReLU in one pass. As wasm
// ops it is Add, Step and Multiply forward and a Multiply and a bias reduction backward, each a full pass.
// biasAct(c, alpha, x, b, y)
napi_value BiasAct(napi_env env, napi_callback_info info) {
  double s[2];
  float* a[3];
  size_t l[3];
  if (!GetArgs(env, info, 2, s, 3, a, l) || s[0] < 1) return Throw(env, "biasAct: bad arguments");
  const int64_t c = int64_t(s[0]);
  const double alpha = s[1];
  const float *x = a[0], *b = a[1];
  float* y = a[2];
  if (l[0] % c || l[1] < size_t(c) || l[2] < l[0]) return Throw(env, "biasAct: array sizes do not match");
  const float al = float(alpha);
  ParallelFor(int64_t(l[0]) / c, kParallelGrain / c + 1, [=](int64_t r0, int64_t r1) {
    for (int64_t i = r0 * c; i < r1 * c; i += c) {
      for (int64_t j = 0; j < c; j++) y[i + j] = LeakyAct(x[i + j] + b[j], al);
    }
  });
  return nullptr;
}

// biasActGrad(c, alpha, dy, y, dx, db): dx = dy·(y > 0 ? 1 : α), db = Σ dx over rows
napi_value BiasActGrad(napi_env env, napi_callback_info info) {
  double s[2];
  float* a[4];
  size_t l[4];
  if (!GetArgs(env, info, 2, s, 4, a, l) || s[0] < 1) return Throw(env, "biasActGrad: bad arguments");
  const int64_t c = int64_t(s[0]);
  const double alpha = s[1];
  const float *dy = a[0], *y = a[1];
  float *dx = a[2], *db = a[3];
  if (l[0] % c || l[1] < l[0] || l[2] < l[0] || l[3] < size_t(c)) return Throw(env, "biasActGrad: array sizes do not match");
  const float al = float(alpha);
  ParallelFor(int64_t(l[0]), kParallelGrain, [=](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; i++) dx[i] = dy[i] * LeakySlope(y[i], al);
  });
  ColumnSums(dx, l[0] / c, c, db);
  return nullptr;
}

// tanh(x + b) over the last axis: a DCGAN generator's output layer. tanh as 1 − 2/(e^{2p} + 1), which gcc
// vectorises: 2.6 ms on 786 k floats against 10.6 ms for std::tanh, within 2e-7.
// biasTanh(c, x, b, y)
napi_value BiasTanh(napi_env env, napi_callback_info info) {
  double s[1];
  float* a[3];
  size_t l[3];
  if (!GetArgs(env, info, 1, s, 3, a, l) || s[0] < 1) return Throw(env, "biasTanh: bad arguments");
  const int64_t c = int64_t(s[0]);
  const float *x = a[0], *b = a[1];
  float* y = a[2];
  if (l[0] % c || l[1] < size_t(c) || l[2] < l[0]) return Throw(env, "biasTanh: array sizes do not match");
  ParallelFor(int64_t(l[0]) / c, kParallelGrain / c + 1, [=](int64_t r0, int64_t r1) {
    for (int64_t i = r0 * c; i < r1 * c; i += c) {
      for (int64_t j = 0; j < c; j++) {
        const float p = std::fmin(std::fmax(x[i + j] + b[j], -15.0f), 15.0f);
        const float e = std::exp(2.0f * p);
        y[i + j] = (e - 1.0f) / (e + 1.0f);
      }
    }
  });
  return nullptr;
}

// biasTanhGrad(c, dy, y, dx, db): dx = dy·(1 − y²), db = Σ dx over rows
napi_value BiasTanhGrad(napi_env env, napi_callback_info info) {
  double s[1];
  float* a[4];
  size_t l[4];
  if (!GetArgs(env, info, 1, s, 4, a, l) || s[0] < 1) return Throw(env, "biasTanhGrad: bad arguments");
  const int64_t c = int64_t(s[0]);
  const float *dy = a[0], *y = a[1];
  float *dx = a[2], *db = a[3];
  if (l[0] % c || l[1] < l[0] || l[2] < l[0] || l[3] < size_t(c)) return Throw(env, "biasTanhGrad: array sizes do not match");
  ParallelFor(int64_t(l[0]), kParallelGrain, [=](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; i++) dx[i] = dy[i] * (1.0f - y[i] * y[i]);
  });
  ColumnSums(dx, l[0] / c, c, db);
  return nullptr;
}

}  // namespace semigan
