// Shared pieces of semigan's native addon: OpenBLAS entry points (opened with dlopen at run time) and N-API
// argument helpers. Each kernel family lives in its own file.
#pragma once
#include <node_api.h>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>

namespace semigan {

typedef void (*SgemmFn)(int, int, int, int, int, int, float, const float*, int, const float*, int, float,
                        float*, int);
typedef void (*SetThreadsFn)(int);
typedef int (*GetThreadsFn)(void);
typedef char* (*GetConfigFn)(void);

constexpr int kRowMajor = 101, kNoTrans = 111, kTrans = 112;

extern SgemmFn sgemm_fn;
extern SetThreadsFn set_threads_fn;
extern GetThreadsFn get_threads_fn;
extern GetConfigFn get_config_fn;
extern int max_threads;
extern int current_threads;

void ThreadsFor(int64_t macs);
// fn(begin, end) over [0, n) split into contiguous parts of at least `grain` items, one per thread (parallel.cc);
// the split depends only on n, grain and the thread count, and fn must not depend on which thread runs it
void ParallelFor(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn);
// below this many floats a pass stays on the calling thread: waking a worker costs ≈20–50 µs
constexpr int64_t kParallelGrain = 1 << 16;
napi_value Throw(napi_env env, const char* msg);
bool GetInt(napi_env env, napi_value v, int64_t* out);
bool GetF32(napi_env env, napi_value v, float** data, size_t* length);
bool GetF32s(napi_env env, napi_value* argv, size_t count, float** data, size_t* length);
// The usual kernel call, (numbers × scalars, Float32Array × arrays): false unless the count and every type match.
// Integers arrive as numbers too; callers check their ranges.
bool GetArgs(napi_env env, napi_callback_info info, size_t scalars, double* s, size_t arrays, float** a, size_t* l);
// row-major C = op(A)·op(B), with the thread count chosen by size
void Sgemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const float* a, const float* b, float* c);

// max(p, αp) for 0 ≤ α ≤ 1, and its slope read from the output, written so that gcc vectorises them. For any
// select between 1 and α it emits a branch, which mispredicts half the time on activations (measured on 3 M
// floats: 13 ms); a select on the bits (y > 0 ⇔ int(y) > 0 for non-NaN y) takes 1.3 ms.
inline float LeakyAct(float p, float alpha) { return p > alpha * p ? p : alpha * p; }
inline float LeakySlope(float y, float alpha) {
  const float one = 1.0f;
  int32_t yb, ob, ab;
  std::memcpy(&yb, &y, 4);
  std::memcpy(&ob, &one, 4);
  std::memcpy(&ab, &alpha, 4);
  const int32_t mask = -int32_t(yb > 0);
  const int32_t r = (ob & mask) | (ab & ~mask);
  float out;
  std::memcpy(&out, &r, 4);
  return out;
}

// out[j] = Σ_r a[r·c + j]: float partial sums over blocks of rows (vectorised), folded into doubles per block
void ColumnSums(const float* a, int64_t rows, int64_t c, float* out);
// out[j] = Σ_r a[r·c + j]·b[r·c + j], the same way
void ColumnDotSums(const float* a, const float* b, int64_t rows, int64_t c, float* out);

// NHWC input, filter [kh, kw, ci, co], output [n, oh, ow, co]
struct ConvDims {
  int64_t n, h, w, ci, kh, kw, co, stride, pad_top, pad_left, oh, ow;
};

// oneDNN (conv_dnnl.cc): DnnlLoad describes the library, "" when it is not there; DnnlConv returns false for
// anything it did not run, and the caller falls back to im2col + sgemm.
std::string DnnlLoad();
void DnnlSetThreads(int n);
// turns the oneDNN path off and on again (tests compare it with im2col); returns whether it is now in use
bool DnnlEnable(bool on);
bool DnnlConv(int kind, const ConvDims& d, const float* a, const float* b, float* out);

napi_value Conv(napi_env env, napi_callback_info info);
napi_value UseDnnl(napi_env env, napi_callback_info info);
napi_value BatchNorm(napi_env env, napi_callback_info info);
napi_value BatchNormGrad(napi_env env, napi_callback_info info);
napi_value MaxPool2(napi_env env, napi_callback_info info);
napi_value MaxPool2Grad(napi_env env, napi_callback_info info);
napi_value DenseForward(napi_env env, napi_callback_info info);
napi_value DenseBackward(napi_env env, napi_callback_info info);
napi_value BiasAct(napi_env env, napi_callback_info info);
napi_value BiasActGrad(napi_env env, napi_callback_info info);
napi_value BiasTanh(napi_env env, napi_callback_info info);
napi_value SetZiggurat(napi_env env, napi_callback_info info);
napi_value FillNormal(napi_env env, napi_callback_info info);
napi_value FillUniform(napi_env env, napi_callback_info info);
napi_value FillDropout(napi_env env, napi_callback_info info);
napi_value BiasTanhGrad(napi_env env, napi_callback_info info);
napi_value Binary(napi_env env, napi_callback_info info);
napi_value Adam(napi_env env, napi_callback_info info);
napi_value Average(napi_env env, napi_callback_info info);

}  // namespace semigan
