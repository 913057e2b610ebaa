// Convolutions through oneDNN (libdnnl.so.2, Debian's libdnnl2: what PyTorch's own CPU convolutions run on),
// opened with dlopen at run time like OpenBLAS. Built only where oneDNN 2.x headers are installed
// (libdnnl-dev); anywhere else, or when the library is missing, conv.cc's im2col + sgemm path runs.
// Measured on a 2-core AVX-512 Xeon, [192, 16, 16, 32] × [3, 3, 32, 32]: im2col + OpenBLAS 15 ms forward,
// oneDNN on NHWC 7.9 ms, oneDNN in its own blocked layout 2.5 ms (plus the reorders this file does).
#include "common.h"
#include <dlfcn.h>
#include <cstdlib>
#include <map>
#include <memory>
#include <vector>

#if __has_include(<oneapi/dnnl/dnnl.h>)
#include <oneapi/dnnl/dnnl.h>
#if DNNL_VERSION_MAJOR == 2
#define SEMIGAN_DNNL 1
#endif
#endif

namespace semigan {

#ifndef SEMIGAN_DNNL

std::string DnnlLoad() { return ""; }
void DnnlSetThreads(int) {}
bool DnnlEnable(bool) { return false; }
bool DnnlConv(int, const ConvDims&, const float*, const float*, float*) { return false; }

#else

namespace {

#define DNNL_FUNCTIONS(X)                                                                                           \
  X(dnnl_engine_create) X(dnnl_stream_create) X(dnnl_stream_wait) X(dnnl_memory_desc_init_by_tag)                   \
  X(dnnl_memory_desc_equal) X(dnnl_memory_desc_get_size) X(dnnl_convolution_forward_desc_init)                      \
  X(dnnl_convolution_backward_data_desc_init) X(dnnl_convolution_backward_weights_desc_init)                        \
  X(dnnl_primitive_desc_create) X(dnnl_primitive_desc_query_md) X(dnnl_primitive_desc_destroy)                      \
  X(dnnl_primitive_create) X(dnnl_primitive_execute) X(dnnl_memory_create) X(dnnl_memory_destroy)                   \
  X(dnnl_reorder_primitive_desc_create) X(dnnl_version)

struct Api {
#define DECLARE(name) decltype(&::name) name = nullptr;
  DNNL_FUNCTIONS(DECLARE)
#undef DECLARE
  void (*omp_set_num_threads)(int) = nullptr;
};

Api api;
bool loaded = false;
bool enabled = true;
dnnl_engine_t engine = nullptr;
dnnl_stream_t stream = nullptr;

// One operand of a cached convolution: the caller's NHWC/HWIO layout, and the layout oneDNN chose for it
// with a reorder between them when they differ.
struct Operand {
  int arg;
  bool output;
  dnnl_memory_desc_t user;
  dnnl_memory_desc_t inner;
  dnnl_primitive_t reorder = nullptr;
  size_t floats = 0;  // of oneDNN's layout, when it differs
};

// scratch for the reordered operands, shared by every cached shape (calls come one at a time from JavaScript):
// a buffer per shape would hold ≈12 MB per activation-sized operand for the life of the process
std::vector<float> scratch[3];

struct Entry {
  dnnl_primitive_t conv = nullptr;
  Operand ops[3];
};

std::map<std::vector<int64_t>, std::unique_ptr<Entry>> cache;

bool Ok(dnnl_status_t s) { return s == dnnl_success; }

bool Describe(const ConvDims& d, dnnl_memory_desc_t* src, dnnl_memory_desc_t* wei, dnnl_memory_desc_t* dst,
              dnnl_format_tag_t act, dnnl_format_tag_t w) {
  dnnl_dims_t sd = {d.n, d.ci, d.h, d.w}, wd = {d.co, d.ci, d.kh, d.kw}, dd = {d.n, d.co, d.oh, d.ow};
  return Ok(api.dnnl_memory_desc_init_by_tag(src, 4, sd, dnnl_f32, act)) &&
         Ok(api.dnnl_memory_desc_init_by_tag(wei, 4, wd, dnnl_f32, w)) &&
         Ok(api.dnnl_memory_desc_init_by_tag(dst, 4, dd, dnnl_f32, act));
}

// conv: the primitive's descriptor; queries: which memory each operand is, in the order of Entry::ops
std::unique_ptr<Entry> Build(int kind, const ConvDims& d) {
  dnnl_memory_desc_t src, wei, dst, any_src, any_wei, any_dst;
  if (!Describe(d, &src, &wei, &dst, dnnl_nhwc, dnnl_hwio) ||
      !Describe(d, &any_src, &any_wei, &any_dst, dnnl_format_tag_any, dnnl_format_tag_any))
    return nullptr;
  dnnl_dims_t strides = {d.stride, d.stride}, pl = {d.pad_top, d.pad_left};
  dnnl_dims_t pr = {(d.oh - 1) * d.stride + d.kh - d.h - d.pad_top, (d.ow - 1) * d.stride + d.kw - d.w - d.pad_left};
  dnnl_convolution_desc_t fd, cd;
  dnnl_primitive_desc_t fwd = nullptr, pd = nullptr;
  if (!Ok(api.dnnl_convolution_forward_desc_init(&fd, dnnl_forward_training, dnnl_convolution_direct, &any_src,
                                                 &any_wei, nullptr, &any_dst, strides, pl, pr)) ||
      !Ok(api.dnnl_primitive_desc_create(&fwd, &fd, nullptr, engine, nullptr)))
    return nullptr;
  struct Spec {
    int arg;
    dnnl_query_t query;
    const dnnl_memory_desc_t* user;
    bool output;
  };
  Spec specs[3];
  if (kind == 0) {
    pd = fwd;
    fwd = nullptr;
    specs[0] = {DNNL_ARG_SRC, dnnl_query_src_md, &src, false};
    specs[1] = {DNNL_ARG_WEIGHTS, dnnl_query_weights_md, &wei, false};
    specs[2] = {DNNL_ARG_DST, dnnl_query_dst_md, &dst, true};
  } else if (kind == 1) {
    if (!Ok(api.dnnl_convolution_backward_data_desc_init(&cd, dnnl_convolution_direct, &any_src, &any_wei, &any_dst,
                                                         strides, pl, pr)) ||
        !Ok(api.dnnl_primitive_desc_create(&pd, &cd, nullptr, engine, fwd)))
      pd = nullptr;
    specs[0] = {DNNL_ARG_DIFF_DST, dnnl_query_diff_dst_md, &dst, false};
    specs[1] = {DNNL_ARG_WEIGHTS, dnnl_query_weights_md, &wei, false};
    specs[2] = {DNNL_ARG_DIFF_SRC, dnnl_query_diff_src_md, &src, true};
  } else {
    if (!Ok(api.dnnl_convolution_backward_weights_desc_init(&cd, dnnl_convolution_direct, &any_src, &any_wei,
                                                            nullptr, &any_dst, strides, pl, pr)) ||
        !Ok(api.dnnl_primitive_desc_create(&pd, &cd, nullptr, engine, fwd)))
      pd = nullptr;
    specs[0] = {DNNL_ARG_SRC, dnnl_query_src_md, &src, false};
    specs[1] = {DNNL_ARG_DIFF_DST, dnnl_query_diff_dst_md, &dst, false};
    specs[2] = {DNNL_ARG_DIFF_WEIGHTS, dnnl_query_diff_weights_md, &wei, true};
  }
  if (fwd) api.dnnl_primitive_desc_destroy(fwd);
  if (!pd) return nullptr;
  auto e = std::make_unique<Entry>();
  bool ok = Ok(api.dnnl_primitive_create(&e->conv, pd));
  for (int i = 0; ok && i < 3; i++) {
    Operand& op = e->ops[i];
    op.arg = specs[i].arg;
    op.output = specs[i].output;
    op.user = *specs[i].user;
    op.inner = *api.dnnl_primitive_desc_query_md(pd, specs[i].query, 0);
    if (api.dnnl_memory_desc_equal(&op.user, &op.inner)) continue;
    dnnl_primitive_desc_t rpd;
    const dnnl_memory_desc_t* from = op.output ? &op.inner : &op.user;
    const dnnl_memory_desc_t* to = op.output ? &op.user : &op.inner;
    ok = Ok(api.dnnl_reorder_primitive_desc_create(&rpd, from, engine, to, engine, nullptr)) &&
         Ok(api.dnnl_primitive_create(&op.reorder, rpd));
    if (ok) api.dnnl_primitive_desc_destroy(rpd);
    op.floats = api.dnnl_memory_desc_get_size(&op.inner) / sizeof(float) + 1;
  }
  api.dnnl_primitive_desc_destroy(pd);
  return ok ? std::move(e) : nullptr;
}

bool Run(Entry& e, const float* a, const float* b, float* out) {
  float* user[3] = {const_cast<float*>(a), const_cast<float*>(b), out};
  dnnl_memory_t mems[3][2] = {};  // [operand][user, inner]
  dnnl_exec_arg_t args[3];
  bool ok = true;
  for (int i = 0; ok && i < 3; i++) {
    Operand& op = e.ops[i];
    ok = Ok(api.dnnl_memory_create(&mems[i][0], &op.user, engine, user[i]));
    if (ok && op.reorder) {
      if (scratch[i].size() < op.floats) scratch[i].resize(op.floats);
      ok = Ok(api.dnnl_memory_create(&mems[i][1], &op.inner, engine, scratch[i].data()));
    }
    if (!ok) break;
    args[i] = {op.arg, op.reorder ? mems[i][1] : mems[i][0]};
    if (op.reorder && !op.output) {
      dnnl_exec_arg_t r[] = {{DNNL_ARG_FROM, mems[i][0]}, {DNNL_ARG_TO, mems[i][1]}};
      ok = Ok(api.dnnl_primitive_execute(op.reorder, stream, 2, r));
    }
  }
  if (ok) ok = Ok(api.dnnl_primitive_execute(e.conv, stream, 3, args));
  for (int i = 0; ok && i < 3; i++) {
    if (!e.ops[i].reorder || !e.ops[i].output) continue;
    dnnl_exec_arg_t r[] = {{DNNL_ARG_FROM, mems[i][1]}, {DNNL_ARG_TO, mems[i][0]}};
    ok = Ok(api.dnnl_primitive_execute(e.ops[i].reorder, stream, 2, r));
  }
  if (ok) ok = Ok(api.dnnl_stream_wait(stream));
  for (auto& m : mems)
    for (auto* h : m)
      if (h) api.dnnl_memory_destroy(h);
  return ok;
}

}  // namespace

std::string DnnlLoad() {
  const char* off = std::getenv("SEMIGAN_DNNL");
  if (off && std::string(off) == "0") return "";
  // OpenMP threads that spin after each parallel region take the core JavaScript and OpenBLAS need next
  setenv("OMP_WAIT_POLICY", "PASSIVE", 0);
  void* lib = dlopen("libdnnl.so.2", RTLD_NOW | RTLD_LOCAL);
  if (!lib) return "";
#define LOOKUP(name)                                                  \
  api.name = reinterpret_cast<decltype(api.name)>(dlsym(lib, #name)); \
  if (!api.name) return "";
  DNNL_FUNCTIONS(LOOKUP)
#undef LOOKUP
  api.omp_set_num_threads = reinterpret_cast<void (*)(int)>(dlsym(lib, "omp_set_num_threads"));
  if (!Ok(api.dnnl_engine_create(&engine, dnnl_cpu, 0)) ||
      !Ok(api.dnnl_stream_create(&stream, engine, dnnl_stream_default_flags)))
    return "";
  loaded = true;
  const dnnl_version_t* v = api.dnnl_version();
  return "oneDNN " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch);
}

void DnnlSetThreads(int n) {
  if (api.omp_set_num_threads) api.omp_set_num_threads(n);
}

bool DnnlEnable(bool on) {
  enabled = on;
  return loaded && enabled;
}

bool DnnlConv(int kind, const ConvDims& d, const float* a, const float* b, float* out) {
  if (!loaded || !enabled) return false;
  std::vector<int64_t> key = {kind, d.n, d.h, d.w, d.ci, d.kh, d.kw, d.co, d.stride, d.pad_top, d.pad_left, d.oh, d.ow};
  auto it = cache.find(key);
  if (it == cache.end()) it = cache.emplace(key, Build(kind, d)).first;
  // a shape oneDNN declined (null entry) stays on im2col + sgemm
  return it->second && Run(*it->second, a, b, out);
}

#endif

}  // namespace semigan
