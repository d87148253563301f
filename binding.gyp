{
  "targets": [
    {
      "target_name": "conflux_native",
      "sources": ["native/addon.cc", "native/mapping.cc", "native/futex.cc", "native/process.cc", "native/signals.cc", "native/truncation.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags_cc": ["-std=c++17", "-O2", "-Wall", "-Wextra", "-fexceptions"],
      "cflags_cc!": ["-fno-exceptions"]
    }
  ]
}
