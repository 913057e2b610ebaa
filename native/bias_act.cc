#include "common.h"
#include <cmath>

namespace semigan {

// y = max(p, αp) with p = x + b over the last axis: a convolution's bias and leaky ReLU in one pass. As wasm
// ops it is Add, Step and Multiply forward and a Multiply and a bias reduction backward, each a full pass.
// biasAct(c, alpha, x, b, y)
napi_value BiasAct(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  int64_t c;
  double alpha;
  float* a[3];
  size_t l[3];
  if (argc != 5 || !GetInt(env, argv[0], &c) || c <= 0 || napi_get_value_double(env, argv[1], &alpha) != napi_ok ||
      !GetF32s(env, argv + 2, 3, a, l))
    return Throw(env, "biasAct: bad arguments");
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
  size_t argc = 6;
  napi_value argv[6];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  int64_t c;
  double alpha;
  float* a[4];
  size_t l[4];
  if (argc != 6 || !GetInt(env, argv[0], &c) || c <= 0 || napi_get_value_double(env, argv[1], &alpha) != napi_ok ||
      !GetF32s(env, argv + 2, 4, a, l))
    return Throw(env, "biasActGrad: bad arguments");
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
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  int64_t c;
  float* a[3];
  size_t l[3];
  if (argc != 4 || !GetInt(env, argv[0], &c) || c <= 0 || !GetF32s(env, argv + 1, 3, a, l))
    return Throw(env, "biasTanh: bad arguments");
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
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  int64_t c;
  float* a[4];
  size_t l[4];
  if (argc != 5 || !GetInt(env, argv[0], &c) || c <= 0 || !GetF32s(env, argv + 1, 4, a, l))
    return Throw(env, "biasTanhGrad: bad arguments");
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
