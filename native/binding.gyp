{
  "targets": [
    {
      "target_name": "semigan_native",
      "sources": ["semigan_native.cc", "conv.cc", "batch_norm.cc", "dense.cc", "bias_act.cc", "conv_dnnl.cc", "random.cc", "parallel.cc", "elementwise.cc", "adam.cc", "max_pool.cc"],
      "cflags_cc": ["-O3", "-march=x86-64-v2", "-std=c++17", "-fno-exceptions"],
      "libraries": ["-ldl", "-lpthread"]
    }
  ]
}
