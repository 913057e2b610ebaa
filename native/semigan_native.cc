// OpenBLAS-backed kernels for semigan's wasm backend. OpenBLAS is opened with dlopen at run time, so building
// needs only a C++ compiler and Node's headers; without OpenBLAS the addon loads and says so, and semigan keeps
// the pure wasm kernels.
#include "common.h"
#include <algorithm>
#include <dlfcn.h>
#include <cstring>
#include <string>
#include <vector>

namespace semigan {

SgemmFn sgemm_fn = nullptr;
SetThreadsFn set_threads_fn = nullptr;
GetThreadsFn get_threads_fn = nullptr;
GetConfigFn get_config_fn = nullptr;
int max_threads = 0;      // what the user asked for (or OpenBLAS's default)
int current_threads = 0;  // what OpenBLAS is set to now
namespace {
std::string loaded_path;
}  // namespace

// Small products run faster on one thread: waking and joining OpenBLAS's pool costs more than it saves
// (measured: 300x64x64 took 10 ms on two threads of a busy 2-core machine, 0.1 ms on one).
void ThreadsFor(int64_t macs) {
  if (!set_threads_fn || max_threads <= 1) return;
  const int want = macs < (int64_t(1) << 23) ? 1 : max_threads;
  if (want != current_threads) {
    set_threads_fn(want);
    current_threads = want;
  }
}

napi_value Throw(napi_env env, const char* msg) {
  napi_throw_error(env, nullptr, msg);
  return nullptr;
}

bool GetInt(napi_env env, napi_value v, int64_t* out) { return napi_get_value_int64(env, v, out) == napi_ok; }

// A Float32Array argument as a pointer and element count (views on the wasm heap work: no copy).
bool GetF32(napi_env env, napi_value v, float** data, size_t* length) {
  napi_typedarray_type type;
  void* ptr;
  napi_value buffer;
  size_t offset;
  if (napi_get_typedarray_info(env, v, &type, length, &ptr, &buffer, &offset) != napi_ok) return false;
  if (type != napi_float32_array) return false;
  *data = static_cast<float*>(ptr);
  return true;
}


bool GetF32s(napi_env env, napi_value* argv, size_t count, float** data, size_t* length) {
  for (size_t i = 0; i < count; i++)
    if (!GetF32(env, argv[i], &data[i], &length[i])) return false;
  return true;
}

bool GetArgs(napi_env env, napi_callback_info info, size_t scalars, double* s, size_t arrays, float** a, size_t* l) {
  napi_value argv[24];
  size_t argc = 24;
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc != scalars + arrays) return false;
  for (size_t i = 0; i < scalars; i++)
    if (napi_get_value_double(env, argv[i], &s[i]) != napi_ok) return false;
  return GetF32s(env, argv + scalars, arrays, a, l);
}

void Sgemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const float* a, const float* b, float* c) {
  ThreadsFor(m * n * k);
  sgemm_fn(kRowMajor, ta ? kTrans : kNoTrans, tb ? kTrans : kNoTrans, m, n, k, 1.0f, a, ta ? m : k, b, tb ? k : n,
           0.0f, c, n);
}

// Partial sums in float over blocks of 256 rows vectorise; folding each block into doubles keeps the digits of a
// float sum over 10⁵–10⁶ rows.
template <typename Term>
void BlockedColumnSums(int64_t rows, int64_t c, float* out, Term term) {
  // float partial sums per block of 256 rows, blocks spread over threads, folded into doubles in block order:
  // the same bits whatever the thread count
  const int64_t blocks = (rows + 255) / 256;
  std::vector<float> part(blocks * c, 0.0f);
  ParallelFor(blocks, kParallelGrain / (256 * c) + 1, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; b++) {
      float* p = part.data() + b * c;
      for (int64_t r = b * 256; r < std::min(rows, b * 256 + 256); r++) {
        const int64_t base = r * c;
        for (int64_t j = 0; j < c; j++) p[j] += term(base + j);
      }
    }
  });
  std::vector<double> total(c, 0.0);
  for (int64_t b = 0; b < blocks; b++)
    for (int64_t j = 0; j < c; j++) total[j] += part[b * c + j];
  for (int64_t j = 0; j < c; j++) out[j] = float(total[j]);
}

void ColumnSums(const float* a, int64_t rows, int64_t c, float* out) {
  BlockedColumnSums(rows, c, out, [a](int64_t i) { return a[i]; });
}

void ColumnDotSums(const float* a, const float* b, int64_t rows, int64_t c, float* out) {
  BlockedColumnSums(rows, c, out, [a, b](int64_t i) { return a[i] * b[i]; });
}

namespace {

// load(paths: string[]): string | null — the first library that has cblas_sgemm wins.
napi_value Load(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  uint32_t n = 0;
  if (argc < 1 || napi_get_array_length(env, argv[0], &n) != napi_ok) return Throw(env, "load(paths: string[])");
  for (uint32_t i = 0; i < n && !sgemm_fn; i++) {
    napi_value item;
    napi_get_element(env, argv[0], i, &item);
    char path[4096];
    size_t len = 0;
    if (napi_get_value_string_utf8(env, item, path, sizeof path, &len) != napi_ok) continue;
    void* lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!lib) continue;
    auto fn = reinterpret_cast<SgemmFn>(dlsym(lib, "cblas_sgemm"));
    if (!fn) {
      dlclose(lib);
      continue;
    }
    sgemm_fn = fn;
    set_threads_fn = reinterpret_cast<SetThreadsFn>(dlsym(lib, "openblas_set_num_threads"));
    get_threads_fn = reinterpret_cast<GetThreadsFn>(dlsym(lib, "openblas_get_num_threads"));
    get_config_fn = reinterpret_cast<GetConfigFn>(dlsym(lib, "openblas_get_config"));
    loaded_path = path;
    max_threads = current_threads = get_threads_fn ? get_threads_fn() : 1;
  }
  napi_value result;
  if (!sgemm_fn) {
    napi_get_null(env, &result);
  } else {
    std::string desc = loaded_path;
    if (get_config_fn) desc += std::string(" (") + get_config_fn() + ")";
    static const std::string dnnl = DnnlLoad();
    if (!dnnl.empty()) desc += "; convolutions: " + dnnl;
    napi_create_string_utf8(env, desc.c_str(), desc.size(), &result);
  }
  return result;
}

napi_value SetThreads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  int64_t n = 0;
  if (argc < 1 || !GetInt(env, argv[0], &n) || n < 1) return Throw(env, "setThreads(n >= 1)");
  if (set_threads_fn) set_threads_fn(static_cast<int>(n));
  DnnlSetThreads(static_cast<int>(n));
  max_threads = current_threads = get_threads_fn ? get_threads_fn() : 1;
  napi_value result;
  napi_create_int32(env, get_threads_fn ? get_threads_fn() : 1, &result);
  return result;
}

// sgemmBatch(batch, transA, transB, M, N, K, A, strideA, B, strideB, C): C[i] = op(A[i]) · op(B[i]), row-major,
// strideA/strideB 0 to broadcast one matrix over the batch. Bounds are checked so a wrong call throws instead of
// reading outside the arrays.
napi_value SgemmBatch(napi_env env, napi_callback_info info) {
  size_t argc = 11;
  napi_value argv[11];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc != 11) return Throw(env, "sgemmBatch expects 11 arguments");
  if (!sgemm_fn) return Throw(env, "OpenBLAS is not loaded");
  int64_t batch, m, n, k, sa, sb;
  bool ta, tb;
  if (!GetInt(env, argv[0], &batch) || napi_get_value_bool(env, argv[1], &ta) != napi_ok ||
      napi_get_value_bool(env, argv[2], &tb) != napi_ok || !GetInt(env, argv[3], &m) || !GetInt(env, argv[4], &n) ||
      !GetInt(env, argv[5], &k) || !GetInt(env, argv[7], &sa) || !GetInt(env, argv[9], &sb))
    return Throw(env, "sgemmBatch: bad numeric argument");
  float *a, *b, *c;
  size_t la, lb, lc;
  if (!GetF32(env, argv[6], &a, &la) || !GetF32(env, argv[8], &b, &lb) || !GetF32(env, argv[10], &c, &lc))
    return Throw(env, "sgemmBatch: A, B and C must be Float32Arrays");
  if (batch < 1 || m < 0 || n < 0 || k < 0 || sa < 0 || sb < 0) return Throw(env, "sgemmBatch: negative size");
  if (static_cast<size_t>((batch - 1) * sa + m * k) > la || static_cast<size_t>((batch - 1) * sb + k * n) > lb ||
      static_cast<size_t>(batch * m * n) > lc)
    return Throw(env, "sgemmBatch: array too small for the given sizes");
  if (k == 0) {
    std::memset(c, 0, sizeof(float) * batch * m * n);
    return nullptr;
  }
  const int lda = ta ? m : k, ldb = tb ? k : n;
  ThreadsFor(m * n * k);
  for (int64_t i = 0; i < batch; i++) {
    sgemm_fn(kRowMajor, ta ? kTrans : kNoTrans, tb ? kTrans : kNoTrans, m, n, k, 1.0f, a + i * sa, lda, b + i * sb,
             ldb, 0.0f, c + i * m * n, n);
  }
  return nullptr;
}

napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"load", nullptr, Load, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sgemmBatch", nullptr, SgemmBatch, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv", nullptr, Conv, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"useDnnl", nullptr, UseDnnl, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"denseForward", nullptr, DenseForward, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"denseBackward", nullptr, DenseBackward, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"biasAct", nullptr, BiasAct, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"biasActGrad", nullptr, BiasActGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setZiggurat", nullptr, SetZiggurat, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"fillNormal", nullptr, FillNormal, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"fillUniform", nullptr, FillUniform, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"fillDropout", nullptr, FillDropout, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"biasTanh", nullptr, BiasTanh, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"biasTanhGrad", nullptr, BiasTanhGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"binary", nullptr, Binary, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"adam", nullptr, Adam, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"average", nullptr, Average, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"batchNorm", nullptr, BatchNorm, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"batchNormGrad", nullptr, BatchNormGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"maxPool2", nullptr, MaxPool2, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"maxPool2Grad", nullptr, MaxPool2Grad, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

}  // namespace
}  // namespace semigan

NAPI_MODULE(NODE_GYP_MODULE_NAME, semigan::Init)
