#include "common.h"
#include <cmath>
#include <vector>

namespace semigan {

// ---- a whole dense layer, y = max(p, αp) with p = x·v·s + b, s = g/‖v‖ per unit under weight norm (else 1):
// one call forward and one backward, sgemm plus the elementwise passes, so a small MLP's layer costs two
// kernel dispatches instead of ≈25.

// denseForward(n, k, m, alpha, x, v, g, b, u, y, norm); g of length 0: no weight norm (u, norm unused)
napi_value DenseForward(napi_env env, napi_callback_info info) {
  if (!sgemm_fn) return Throw(env, "OpenBLAS is not loaded");
  double sc[4];
  float* a[7];
  size_t l[7];
  if (!GetArgs(env, info, 4, sc, 7, a, l) || sc[0] < 1 || sc[1] < 1 || sc[2] < 1)
    return Throw(env, "denseForward: bad arguments");
  const int64_t n = int64_t(sc[0]), k = int64_t(sc[1]), m = int64_t(sc[2]);
  const double alpha = sc[3];
  float *x = a[0], *v = a[1], *g = a[2], *b = a[3], *u = a[4], *y = a[5], *norm = a[6];
  const bool wn = l[2] > 0;
  if (l[0] < size_t(n * k) || l[1] < size_t(k * m) || l[3] < size_t(m) || l[5] < size_t(n * m) ||
      (wn && (l[2] < size_t(m) || l[4] < size_t(n * m) || l[6] < size_t(m))))
    return Throw(env, "denseForward: array too small for the given sizes");
  const float al = float(alpha);
  std::vector<float> s(m, 1.0f);
  if (wn) {
    std::vector<double> sq(m, 0.0);
    for (int64_t r = 0; r < k; r++)
      for (int64_t j = 0; j < m; j++) sq[j] += double(v[r * m + j]) * v[r * m + j];
    for (int64_t j = 0; j < m; j++) {
      norm[j] = float(std::sqrt(sq[j] + 1e-12));
      s[j] = g[j] / norm[j];
    }
  }
  float* prod = wn ? u : y;
  Sgemm(false, false, n, m, k, x, v, prod);
  for (int64_t i = 0; i < n; i++) {
    const float* pr = prod + i * m;
    float* yr = y + i * m;
    for (int64_t j = 0; j < m; j++) {
      const float p = pr[j] * s[j] + b[j];
      yr[j] = LeakyAct(p, al);
    }
  }
  return nullptr;
}

// denseBackward(n, k, m, alpha, dy, x, v, g, y, u, norm, dpre, dx, dv, dg, db); g of length 0: no weight norm;
// dv of length 0: dx alone (the weights are constants in this pass: D inside a generator step); dx of length 0:
// no dx (the input is a constant: data entering D's first layer)
napi_value DenseBackward(napi_env env, napi_callback_info info) {
  if (!sgemm_fn) return Throw(env, "OpenBLAS is not loaded");
  double sc[4];
  float* a[12];
  size_t l[12];
  if (!GetArgs(env, info, 4, sc, 12, a, l) || sc[0] < 1 || sc[1] < 1 || sc[2] < 1)
    return Throw(env, "denseBackward: bad arguments");
  const int64_t n = int64_t(sc[0]), k = int64_t(sc[1]), m = int64_t(sc[2]);
  const double alpha = sc[3];
  float *dy = a[0], *x = a[1], *v = a[2], *g = a[3], *y = a[4], *u = a[5], *norm = a[6], *dpre = a[7], *dx = a[8],
        *dv = a[9], *dg = a[10], *db = a[11];
  const bool wn = l[3] > 0;
  const bool params = l[9] > 0, input = l[8] > 0;
  const size_t nm = n * m;
  if (!params && !input) return Throw(env, "denseBackward: neither dx nor dv wanted");
  if (l[0] < nm || l[1] < size_t(n * k) || l[2] < size_t(k * m) || l[4] < nm || l[7] < nm || (input && l[8] < size_t(n * k)) ||
      (params && (l[9] < size_t(k * m) || l[11] < size_t(m))) || (wn && (l[3] < size_t(m) || l[6] < size_t(m))) ||
      (wn && params && (l[5] < nm || l[10] < size_t(m))))
    return Throw(env, "denseBackward: array too small for the given sizes");
  const float al = float(alpha);
  for (size_t i = 0; i < nm; i++) dpre[i] = dy[i] * LeakySlope(y[i], al);
  if (params) ColumnSums(dpre, n, m, db);
  std::vector<float> s(m, 1.0f), dlds(m, 0.0f);
  if (wn) {
    if (params) ColumnDotSums(dpre, u, n, m, dlds.data());
    for (int64_t j = 0; j < m; j++) {
      if (params) dg[j] = dlds[j] / norm[j];
      s[j] = g[j] / norm[j];
    }
    for (int64_t i = 0; i < n; i++)
      for (int64_t j = 0; j < m; j++) dpre[i * m + j] *= s[j];
  }
  if (input) Sgemm(false, true, n, k, m, dpre, v, dx);
  if (!params) return nullptr;
  Sgemm(true, false, k, m, n, x, dpre, dv);
  if (wn) {
    // ∂s_j/∂v_rj = −g_j·v_rj/‖v_j‖³
    std::vector<float> c(m);
    for (int64_t j = 0; j < m; j++) c[j] = float(double(dlds[j]) * g[j] / (double(norm[j]) * norm[j] * norm[j]));
    for (int64_t r = 0; r < k; r++)
      for (int64_t j = 0; j < m; j++) dv[r * m + j] -= c[j] * v[r * m + j];
  }
  return nullptr;
}

}  // namespace semigan
