{
  "variables": {
    "common_cflags": ["-O3", "-std=c++17", "-fPIC", "-ffp-contract=off", "-Wall", "-Wextra"]
  },
  "targets": [
    {
      # Scalar reference kernels, built without auto-vectorisation so they stay the plain baseline.
      "target_name": "kernels_scalar",
      "type": "static_library",
      "sources": ["src/kernels_scalar.cc"],
      "cflags_cc": ["<@(common_cflags)", "-fno-tree-vectorize"],
      "cflags_cc!": ["-fno-exceptions", "-O2", "-O0", "-std=gnu++17", "-std=gnu++20"]
    },
    {
      "target_name": "hushscribe_native",
      "sources": [
        "src/addon.cc",
        "src/fbank.cc",
        "src/nemo_mel.cc",
        "src/fft.cc",
        "src/frame_block.cc",
        "src/simd_dispatch.cc",
        "src/resampler.cc",
        "src/ngram_lm.cc",
        "src/sd_notify.cc",
        "src/file_lock.cc"
      ],
      "dependencies": [
        "kernels_scalar",
        "<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"
      ],
      "cflags_cc": ["<@(common_cflags)"],
      "cflags_cc!": ["-fno-exceptions", "-O2", "-O0", "-std=gnu++17", "-std=gnu++20"],
      "conditions": [
        ["target_arch=='x64'", {"dependencies": ["kernels_avx2"]}],
        ["target_arch=='arm64'", {"sources": ["src/kernels_neon.cc"]}]
      ]
    }
  ],
  "conditions": [
    ["target_arch=='x64'", {
      "targets": [
        {
          # Only this file may contain AVX2/FMA instructions; it runs after CPU detection said yes.
          "target_name": "kernels_avx2",
          "type": "static_library",
          "sources": ["src/kernels_avx2.cc"],
          "cflags_cc": ["<@(common_cflags)", "-mavx2", "-mfma"],
          "cflags_cc!": ["-fno-exceptions", "-O2", "-O0", "-std=gnu++17", "-std=gnu++20"]
        }
      ]
    }]
  ]
}
