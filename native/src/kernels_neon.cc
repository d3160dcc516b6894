// NEON kernels (arm64): four frames per block. NEON is part of the arm64 baseline, so no extra flags.
#include <arm_neon.h>

#include "kernels_generic.h"

namespace hushscribe {
namespace {

// Natural log of positive finite lanes (Cephes logf polynomial, about 1 ulp on [0.5, 1)).
float32x4_t Log128(float32x4_t x) {
  const float32x4_t one = vdupq_n_f32(1.0f);
  x = vmaxq_f32(x, vreinterpretq_f32_s32(vdupq_n_s32(0x00800000)));  // smallest normal
  int32x4_t exponent = vshrq_n_s32(vreinterpretq_s32_f32(x), 23);
  x = vreinterpretq_f32_s32(vandq_s32(vreinterpretq_s32_f32(x), vdupq_n_s32(~0x7f800000)));
  x = vreinterpretq_f32_s32(vorrq_s32(vreinterpretq_s32_f32(x), vreinterpretq_s32_f32(vdupq_n_f32(0.5f))));
  exponent = vsubq_s32(exponent, vdupq_n_s32(0x7f));
  float32x4_t e = vaddq_f32(vcvtq_f32_s32(exponent), one);
  // Mantissas below sqrt(1/2) are doubled (and the exponent lowered) to centre the polynomial on 1.
  const uint32x4_t small = vcltq_f32(x, vdupq_n_f32(0.707106781186547524f));
  const float32x4_t tmp = vreinterpretq_f32_u32(vandq_u32(vreinterpretq_u32_f32(x), small));
  x = vsubq_f32(x, one);
  e = vsubq_f32(e, vreinterpretq_f32_u32(vandq_u32(vreinterpretq_u32_f32(one), small)));
  x = vaddq_f32(x, tmp);
  const float32x4_t z = vmulq_f32(x, x);
  float32x4_t y = vdupq_n_f32(7.0376836292E-2f);
  y = vfmaq_f32(vdupq_n_f32(-1.1514610310E-1f), y, x);
  y = vfmaq_f32(vdupq_n_f32(1.1676998740E-1f), y, x);
  y = vfmaq_f32(vdupq_n_f32(-1.2420140846E-1f), y, x);
  y = vfmaq_f32(vdupq_n_f32(1.4249322787E-1f), y, x);
  y = vfmaq_f32(vdupq_n_f32(-1.6668057665E-1f), y, x);
  y = vfmaq_f32(vdupq_n_f32(2.0000714765E-1f), y, x);
  y = vfmaq_f32(vdupq_n_f32(-2.4999993993E-1f), y, x);
  y = vfmaq_f32(vdupq_n_f32(3.3333331174E-1f), y, x);
  y = vmulq_f32(vmulq_f32(y, x), z);
  y = vfmaq_f32(y, e, vdupq_n_f32(-2.12194440e-4f));
  y = vfmsq_f32(y, z, vdupq_n_f32(0.5f));
  x = vaddq_f32(x, y);
  return vfmaq_f32(x, e, vdupq_n_f32(0.693359375f));
}

struct NeonOps {
  using V = float32x4_t;
  static constexpr int kLanes = 4;
  static V Load(const float* p) { return vld1q_f32(p); }
  static void Store(float* p, V v) { vst1q_f32(p, v); }
  static V Set1(float x) { return vdupq_n_f32(x); }
  static V Add(V a, V b) { return vaddq_f32(a, b); }
  static V Sub(V a, V b) { return vsubq_f32(a, b); }
  static V Mul(V a, V b) { return vmulq_f32(a, b); }
  static V Div(V a, V b) { return vdivq_f32(a, b); }
  static V MulAdd(V a, V b, V c) { return vfmaq_f32(c, a, b); }
  static V Max(V a, V b) { return vmaxq_f32(a, b); }
  static void GatherFrames(const float* const* sources, int length, float* frames) {
    generic::GatherFramesLoop<kLanes>(sources, length, frames);
  }
  static V Log(V a) { return Log128(a); }
};

}  // namespace

const SimdKernels& NeonKernels() {
  static const SimdKernels kernels = generic::MakeKernels<NeonOps>("neon");
  return kernels;
}

}  // namespace hushscribe
