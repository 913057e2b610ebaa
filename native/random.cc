// semigan's seeded stream (sfc32 + a 128-layer ziggurat, src/random.ts) in C++: the same draws as the
// JavaScript, written straight into a Float32Array. Noise layers and dropout masks draw millions a step (≈4.5 ns
// each in JavaScript: ≈35 ms of a 64×64 GAN step). The fast path is integer arithmetic and one product, identical
// to the JavaScript; the ≈2% slow path uses log and exp, where glibc and V8 may differ in the last bit of a
// double, which rounding to float32 almost always hides.
#include "common.h"
#include <cmath>

namespace semigan {

namespace {

double kn[128], wn[128], fn[128], zig_r = 0;
bool tables = false;

struct Sfc32 {
  uint32_t a, b, c, d;
  uint32_t Next() {
    const uint32_t t = a + b + d;
    d += 1;
    a = b ^ (b >> 9);
    b = c + (c << 3);
    c = (c << 21) | (c >> 11);
    c += t;
    return t;
  }
  double Uniform() { return Next() / 4294967296.0; }
};

double NormalTail(Sfc32& r, int32_t hz, int iz) {
  for (;;) {
    if (iz == 0) {
      double x, y;
      do {
        x = -std::log(1 - r.Uniform()) / zig_r;
        y = -std::log(1 - r.Uniform());
      } while (y + y < x * x);
      return hz > 0 ? zig_r + x : -zig_r - x;
    }
    const double x = hz * wn[iz];
    if (fn[iz] + r.Uniform() * (fn[iz - 1] - fn[iz]) < std::exp(-0.5 * x * x)) return x;
    hz = int32_t(r.Next());
    iz = hz & 127;
    if (std::fabs(double(hz)) < kn[iz]) return hz * wn[iz];
  }
}

bool GetState(napi_env env, napi_value v, uint32_t** s) {
  napi_typedarray_type type;
  size_t length;
  void* ptr;
  napi_value buffer;
  size_t offset;
  if (napi_get_typedarray_info(env, v, &type, &length, &ptr, &buffer, &offset) != napi_ok) return false;
  if (type != napi_uint32_array || length != 4) return false;
  *s = static_cast<uint32_t*>(ptr);
  return true;
}

}  // namespace

// setZiggurat(kn, wn, fn, r): the JavaScript's tables (Float64Array × 3), so both sides use the same numbers
napi_value SetZiggurat(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  double* t[3];
  for (int i = 0; i < 3; i++) {
    napi_typedarray_type type;
    size_t length;
    void* ptr;
    napi_value buffer;
    size_t offset;
    if (argc != 4 || napi_get_typedarray_info(env, argv[i], &type, &length, &ptr, &buffer, &offset) != napi_ok ||
        type != napi_float64_array || length != 128)
      return Throw(env, "setZiggurat(kn, wn, fn: Float64Array(128), r: number)");
    t[i] = static_cast<double*>(ptr);
  }
  if (napi_get_value_double(env, argv[3], &zig_r) != napi_ok) return Throw(env, "setZiggurat: bad r");
  for (int i = 0; i < 128; i++) {
    kn[i] = t[0][i];
    wn[i] = t[1][i];
    fn[i] = t[2][i];
  }
  tables = true;
  return nullptr;
}

// The three bulk fills share their arguments, (state: Uint32Array(4), out: Float32Array, ...P numbers), and run on
// a copy of the state that is written back afterwards, so the JavaScript continues the stream where they stop.
template <int P, typename Fill>
napi_value WithStream(napi_env env, napi_callback_info info, const char* usage, Fill fill) {
  size_t argc = 2 + P;
  napi_value argv[2 + P];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  uint32_t* s;
  float* out;
  size_t n;
  double p[P];
  bool ok = argc == 2 + P && GetState(env, argv[0], &s) && GetF32(env, argv[1], &out, &n);
  for (int i = 0; ok && i < P; i++) ok = napi_get_value_double(env, argv[2 + i], &p[i]) == napi_ok;
  if (!ok) return Throw(env, usage);
  Sfc32 r{s[0], s[1], s[2], s[3]};
  fill(r, out, n, p);
  s[0] = r.a;
  s[1] = r.b;
  s[2] = r.c;
  s[3] = r.d;
  return nullptr;
}

// fillNormal(state, out, std): out[i] = std·N(0, 1)
napi_value FillNormal(napi_env env, napi_callback_info info) {
  if (!tables) return Throw(env, "fillNormal: call setZiggurat first");
  return WithStream<1>(env, info, "fillNormal(state, out, std)", [](Sfc32& r, float* out, size_t n, const double* p) {
    const double sd = p[0];
    for (size_t i = 0; i < n; i++) {
      const int32_t hz = int32_t(r.Next());
      const int iz = hz & 127;
      out[i] = float(std::fabs(double(hz)) < kn[iz] ? hz * wn[iz] * sd : NormalTail(r, hz, iz) * sd);
    }
  });
}

// fillUniform(state, out, lo, hi): out[i] = lo + U[0, 1)·(hi − lo)
napi_value FillUniform(napi_env env, napi_callback_info info) {
  return WithStream<2>(env, info, "fillUniform(state, out, lo, hi)", [](Sfc32& r, float* out, size_t n, const double* p) {
    const double lo = p[0], w = p[1] - p[0];
    for (size_t i = 0; i < n; i++) out[i] = float(lo + r.Uniform() * w);
  });
}

// fillDropout(state, out, rate, keep): out[i] = (float(U[0, 1)) < rate ? 0 : keep), the draws of fillUniform(0, 1).
// The select as a product: a branch here mispredicts on every other element when rate is ½.
napi_value FillDropout(napi_env env, napi_callback_info info) {
  return WithStream<2>(env, info, "fillDropout(state, out, rate, keep)", [](Sfc32& r, float* out, size_t n, const double* p) {
    const double rate = p[0];
    const float keep = float(p[1]);
    for (size_t i = 0; i < n; i++) out[i] = keep * float(!(double(float(r.Uniform())) < rate));
  });
}

}  // namespace semigan
