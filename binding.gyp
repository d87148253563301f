{
  "targets": [
    {
      "target_name": "conflux_native",
      "sources": ["native/addon.cc", "native/mapping.cc", "native/futex.cc", "native/process.cc", "native/signals.cc", "native/truncation.cc",
        "native/numeric-kernels.cc", "native/kernel-pool.cc", "native/patch-weights.cc",
        "native/envelope-cholesky.cc", "native/sparse-apply.cc", "native/kd-tree.cc",
        "native/row-assembly.cc", "native/dense-kernels.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags_cc": ["-std=c++17", "-O3", "-Wall", "-Wextra", "-Wno-psabi", "-fexceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "libraries": ["-lpthread"]
    }
  ]
}
