#include "common.h"
#include <algorithm>
#include <cstring>
#include <vector>

namespace semigan {

namespace {

// ---- convolutions (NHWC input, filter [kh, kw, ci, co]) as im2col + sgemm, in batch chunks so the column
// buffer stays near 32 MB whatever the batch.

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

}  // namespace

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
  if (DnnlConv(int(kind), d, a, b, out)) return nullptr;
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

// useDnnl(on: boolean): boolean, whether convolutions now go through oneDNN
napi_value UseDnnl(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  bool on = false;
  if (argc != 1 || napi_get_value_bool(env, argv[0], &on) != napi_ok) return Throw(env, "useDnnl(on: boolean)");
  napi_value result;
  napi_get_boolean(env, DnnlEnable(on), &result);
  return result;
}

}  // namespace semigan
