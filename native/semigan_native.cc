// OpenBLAS-backed kernels for semigan's wasm backend. OpenBLAS is opened with dlopen at run time, so building
// needs only a C++ compiler and Node's headers; without OpenBLAS the addon loads and says so, and semigan keeps
// the pure wasm kernels.
#include <node_api.h>
#include <dlfcn.h>
#include <cstring>
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace {

typedef void (*SgemmFn)(int, int, int, int, int, int, float, const float*, int, const float*, int, float,
                        float*, int);
typedef void (*SetThreadsFn)(int);
typedef int (*GetThreadsFn)(void);
typedef char* (*GetConfigFn)(void);

constexpr int kRowMajor = 101, kNoTrans = 111, kTrans = 112;

SgemmFn sgemm_fn = nullptr;
SetThreadsFn set_threads_fn = nullptr;
GetThreadsFn get_threads_fn = nullptr;
GetConfigFn get_config_fn = nullptr;
std::string loaded_path;
int max_threads = 0;      // what the user asked for (or OpenBLAS's default)
int current_threads = 0;  // what OpenBLAS is set to now

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


// ---- convolutions (NHWC input, filter [kh, kw, ci, co]) as im2col + sgemm, in batch chunks so the column
// buffer stays near 32 MB whatever the batch.
struct ConvDims {
  int64_t n, h, w, ci, kh, kw, co, stride, pad_top, pad_left, oh, ow;
};

bool GetConvDims(napi_env env, napi_value v, ConvDims* d) {
  int64_t* f[] = {&d->n, &d->h, &d->w, &d->ci, &d->kh, &d->kw, &d->co, &d->stride, &d->pad_top, &d->pad_left, &d->oh, &d->ow};
  for (uint32_t i = 0; i < 12; i++) {
    napi_value e;
    if (napi_get_element(env, v, i, &e) != napi_ok || !GetInt(env, e, f[i])) return false;
  }
  return d->n > 0 && d->h > 0 && d->w > 0 && d->ci > 0 && d->kh > 0 && d->kw > 0 && d->co > 0 && d->stride > 0 &&
         d->oh > 0 && d->ow > 0;
}

thread_local std::vector<float> col_buffer;

int64_t ChunkSize(const ConvDims& d) {
  const int64_t per_image = d.oh * d.ow * d.kh * d.kw * d.ci;
  const int64_t chunk = std::max<int64_t>(1, (int64_t(8) << 20) / per_image);
  return std::min(chunk, d.n);
}

// col[(b, oy, ox), (ky, kx, c)] for images [n0, n0 + nb)
void Im2Col(const ConvDims& d, const float* x, int64_t n0, int64_t nb, float* col) {
  const int64_t row = d.kh * d.kw * d.ci;
  for (int64_t b = 0; b < nb; b++) {
    const float* img = x + (n0 + b) * d.h * d.w * d.ci;
    for (int64_t oy = 0; oy < d.oh; oy++) {
      for (int64_t ox = 0; ox < d.ow; ox++) {
        float* dst = col + ((b * d.oh + oy) * d.ow + ox) * row;
        for (int64_t ky = 0; ky < d.kh; ky++) {
          const int64_t iy = oy * d.stride + ky - d.pad_top;
          if (iy < 0 || iy >= d.h) {
            std::memset(dst, 0, sizeof(float) * d.kw * d.ci);
            dst += d.kw * d.ci;
            continue;
          }
          for (int64_t kx = 0; kx < d.kw; kx++, dst += d.ci) {
            const int64_t ix = ox * d.stride + kx - d.pad_left;
            if (ix < 0 || ix >= d.w) {
              std::memset(dst, 0, sizeof(float) * d.ci);
            } else {
              std::memcpy(dst, img + (iy * d.w + ix) * d.ci, sizeof(float) * d.ci);
            }
          }
        }
      }
    }
  }
}

// dx += scatter of col, the adjoint of Im2Col
void Col2Im(const ConvDims& d, const float* col, int64_t n0, int64_t nb, float* dx) {
  const int64_t row = d.kh * d.kw * d.ci;
  for (int64_t b = 0; b < nb; b++) {
    float* img = dx + (n0 + b) * d.h * d.w * d.ci;
    for (int64_t oy = 0; oy < d.oh; oy++) {
      for (int64_t ox = 0; ox < d.ow; ox++) {
        const float* src = col + ((b * d.oh + oy) * d.ow + ox) * row;
        for (int64_t ky = 0; ky < d.kh; ky++) {
          const int64_t iy = oy * d.stride + ky - d.pad_top;
          if (iy < 0 || iy >= d.h) {
            src += d.kw * d.ci;
            continue;
          }
          for (int64_t kx = 0; kx < d.kw; kx++, src += d.ci) {
            const int64_t ix = ox * d.stride + kx - d.pad_left;
            if (ix < 0 || ix >= d.w) continue;
            float* o = img + (iy * d.w + ix) * d.ci;
            for (int64_t c = 0; c < d.ci; c++) o[c] += src[c];
          }
        }
      }
    }
  }
}

bool Direct(const ConvDims& d) {
  return d.kh == 1 && d.kw == 1 && d.stride == 1 && d.pad_top == 0 && d.pad_left == 0 && d.oh == d.h && d.ow == d.w;
}

// conv(kind, dims[12], a, b, out): kind 0 forward (a=x, b=w, out=y), 1 input gradient (a=dy, b=w, out=dx),
// 2 filter gradient (a=x, b=dy, out=dw).
napi_value Conv(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc != 5) return Throw(env, "conv expects 5 arguments");
  if (!sgemm_fn) return Throw(env, "OpenBLAS is not loaded");
  int64_t kind;
  ConvDims d;
  if (!GetInt(env, argv[0], &kind) || !GetConvDims(env, argv[1], &d)) return Throw(env, "conv: bad dims");
  float *a, *b, *out;
  size_t la, lb, lo;
  if (!GetF32(env, argv[2], &a, &la) || !GetF32(env, argv[3], &b, &lb) || !GetF32(env, argv[4], &out, &lo))
    return Throw(env, "conv: arrays must be Float32Arrays");
  const size_t xs = d.n * d.h * d.w * d.ci, ws = d.kh * d.kw * d.ci * d.co, ys = d.n * d.oh * d.ow * d.co;
  const size_t need[3][3] = {{xs, ws, ys}, {ys, ws, xs}, {xs, ys, ws}};
  if (kind < 0 || kind > 2 || la < need[kind][0] || lb < need[kind][1] || lo < need[kind][2])
    return Throw(env, "conv: array too small for the given dims");
  const int64_t row = d.kh * d.kw * d.ci, pix = d.oh * d.ow, chunk = ChunkSize(d);
  const bool direct = Direct(d);
  if (!direct) col_buffer.resize(chunk * pix * row);
  float* col = col_buffer.data();
  if (kind == 1) std::memset(out, 0, sizeof(float) * xs);
  ThreadsFor(std::min(chunk, d.n) * pix * row * d.co);
  for (int64_t n0 = 0; n0 < d.n; n0 += chunk) {
    const int64_t nb = std::min(chunk, d.n - n0), m = nb * pix;
    if (kind == 0) {
      const float* src = direct ? a + n0 * pix * row : col;
      if (!direct) Im2Col(d, a, n0, nb, col);
      sgemm_fn(kRowMajor, kNoTrans, kNoTrans, m, d.co, row, 1.0f, src, row, b, d.co, 0.0f, out + n0 * pix * d.co, d.co);
    } else if (kind == 1) {
      float* dst = direct ? out + n0 * pix * row : col;
      sgemm_fn(kRowMajor, kNoTrans, kTrans, m, row, d.co, 1.0f, a + n0 * pix * d.co, d.co, b, d.co, 0.0f, dst, row);
      if (!direct) Col2Im(d, col, n0, nb, out);
    } else {
      const float* src = direct ? a + n0 * pix * row : col;
      if (!direct) Im2Col(d, a, n0, nb, col);
      sgemm_fn(kRowMajor, kTrans, kNoTrans, row, d.co, m, 1.0f, src, row, b + n0 * pix * d.co, d.co, n0 ? 1.0f : 0.0f, out,
               d.co);
    }
  }
  return nullptr;
}


// Batch norm over rows of [rows, c] (every axis but the last of NHWC), batch statistics. Memory-bound: a pass
// here is ≈1 ms over 1 M floats, against ≈3 ms for the same loop in JavaScript.
// batchNorm(c, eps, x, gamma (length 0: none), beta, y, mean, inv)
napi_value BatchNorm(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc != 8) return Throw(env, "batchNorm expects 8 arguments");
  int64_t c;
  double eps;
  float *x, *g, *b, *y, *mean, *inv;
  size_t lx, lg, lb, ly, lm, li;
  if (!GetInt(env, argv[0], &c) || napi_get_value_double(env, argv[1], &eps) != napi_ok || c <= 0 ||
      !GetF32(env, argv[2], &x, &lx) || !GetF32(env, argv[3], &g, &lg) || !GetF32(env, argv[4], &b, &lb) ||
      !GetF32(env, argv[5], &y, &ly) || !GetF32(env, argv[6], &mean, &lm) || !GetF32(env, argv[7], &inv, &li))
    return Throw(env, "batchNorm: bad arguments");
  if (lx % c || lx == 0 || ly < lx || (lg && lg < size_t(c)) || lb < size_t(c) || lm < size_t(c) || li < size_t(c))
    return Throw(env, "batchNorm: array sizes do not match");
  const int64_t rows = lx / c;
  // shifted sums (by the first row) keep E[x²] − E[x]² accurate when |mean| ≫ std
  std::vector<double> s(c, 0.0), q(c, 0.0);
  for (int64_t r = 0; r < rows; r++) {
    const float* xr = x + r * c;
    for (int64_t j = 0; j < c; j++) {
      const double d = double(xr[j]) - double(x[j]);
      s[j] += d;
      q[j] += d * d;
    }
  }
  std::vector<float> scale(c), shift(c);
  for (int64_t j = 0; j < c; j++) {
    const double m = s[j] / rows;
    const double var = std::max(0.0, q[j] / rows - m * m);
    mean[j] = float(x[j] + m);
    inv[j] = float(1.0 / std::sqrt(var + eps));
    scale[j] = (lg ? g[j] : 1.0f) * inv[j];
    shift[j] = b[j] - mean[j] * scale[j];
  }
  for (int64_t r = 0; r < rows; r++) {
    const float* xr = x + r * c;
    float* yr = y + r * c;
    for (int64_t j = 0; j < c; j++) yr[j] = xr[j] * scale[j] + shift[j];
  }
  return nullptr;
}

// batchNormGrad(c, dy, x, mean, inv, gamma (length 0: none), dx, dgamma, dbeta):
// dβ = Σ dy, dγ = Σ dy·x̂, dx = γ·inv·(dy − dβ/M − x̂·dγ/M)
napi_value BatchNormGrad(napi_env env, napi_callback_info info) {
  size_t argc = 9;
  napi_value argv[9];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc != 9) return Throw(env, "batchNormGrad expects 9 arguments");
  int64_t c;
  float *dy, *x, *mean, *inv, *g, *dx, *dg, *db;
  size_t ldy, lx, lm, li, lg, ldx, ldg, ldb;
  if (!GetInt(env, argv[0], &c) || c <= 0 || !GetF32(env, argv[1], &dy, &ldy) || !GetF32(env, argv[2], &x, &lx) ||
      !GetF32(env, argv[3], &mean, &lm) || !GetF32(env, argv[4], &inv, &li) || !GetF32(env, argv[5], &g, &lg) ||
      !GetF32(env, argv[6], &dx, &ldx) || !GetF32(env, argv[7], &dg, &ldg) || !GetF32(env, argv[8], &db, &ldb))
    return Throw(env, "batchNormGrad: bad arguments");
  if (lx % c || lx == 0 || ldy < lx || ldx < lx || lm < size_t(c) || li < size_t(c) || (lg && lg < size_t(c)) ||
      ldg < size_t(c) || ldb < size_t(c))
    return Throw(env, "batchNormGrad: array sizes do not match");
  const int64_t rows = lx / c;
  std::vector<double> sdy(c, 0.0), sdyx(c, 0.0);
  for (int64_t r = 0; r < rows; r++) {
    const float *dr = dy + r * c, *xr = x + r * c;
    for (int64_t j = 0; j < c; j++) {
      sdy[j] += dr[j];
      sdyx[j] += double(dr[j]) * (xr[j] - mean[j]);
    }
  }
  std::vector<float> k(c), a(c), cst(c);
  for (int64_t j = 0; j < c; j++) {
    const double dgamma = sdyx[j] * inv[j];
    db[j] = float(sdy[j]);
    dg[j] = float(dgamma);
    const double kj = (lg ? g[j] : 1.0f) * double(inv[j]);
    // dx = k·dy + a·x + cst, with the per-channel terms folded
    const double aj = -kj * inv[j] * dgamma / rows;
    k[j] = float(kj);
    a[j] = float(aj);
    cst[j] = float(-kj * sdy[j] / rows - aj * mean[j]);
  }
  for (int64_t r = 0; r < rows; r++) {
    const float *dr = dy + r * c, *xr = x + r * c;
    float* o = dx + r * c;
    for (int64_t j = 0; j < c; j++) o[j] = k[j] * dr[j] + a[j] * xr[j] + cst[j];
  }
  return nullptr;
}

napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"load", nullptr, Load, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sgemmBatch", nullptr, SgemmBatch, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv", nullptr, Conv, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"batchNorm", nullptr, BatchNorm, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"batchNormGrad", nullptr, BatchNormGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
