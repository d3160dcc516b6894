// Scalar reference kernels: one frame per block. Compiled without auto-vectorisation (see binding.gyp)
// so that it stays the plain reference every SIMD set is checked and benchmarked against.
#include <algorithm>
#include <cmath>

#include "kernels_generic.h"

namespace hushscribe {
namespace {

struct ScalarOps {
  using V = float;
  static constexpr int kLanes = 1;
  static V Load(const float* p) { return *p; }
  static void Store(float* p, V v) { *p = v; }
  static V Set1(float x) { return x; }
  static V Add(V a, V b) { return a + b; }
  static V Sub(V a, V b) { return a - b; }
  static V Mul(V a, V b) { return a * b; }
  static V Div(V a, V b) { return a / b; }
  static V MulAdd(V a, V b, V c) { return a * b + c; }
  static V Max(V a, V b) { return std::max(a, b); }
  static void GatherFrames(const float* const* sources, int length, float* frames) {
    generic::GatherFramesLoop<kLanes>(sources, length, frames);
  }
  static V Log(V a) { return std::log(a); }
};

}  // namespace

const SimdKernels& ScalarKernels() {
  static const SimdKernels kernels = generic::MakeKernels<ScalarOps>("scalar");
  return kernels;
}

}  // namespace hushscribe
