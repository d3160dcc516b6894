// AVX2 + FMA kernels: eight frames per block. This file alone is compiled with -mavx2 -mfma; it is
// only called after the CPU reported both features.
#include <immintrin.h>

#include "kernels_generic.h"

namespace hushscribe {
namespace {

// Natural log of positive finite lanes (Cephes logf polynomial, about 1 ulp on [0.5, 1)).
__m256 Log256(__m256 x) {
  const __m256 one = _mm256_set1_ps(1.0f);
  x = _mm256_max_ps(x, _mm256_castsi256_ps(_mm256_set1_epi32(0x00800000)));  // smallest normal
  __m256i exponent = _mm256_srli_epi32(_mm256_castps_si256(x), 23);
  x = _mm256_and_ps(x, _mm256_castsi256_ps(_mm256_set1_epi32(~0x7f800000)));
  x = _mm256_or_ps(x, _mm256_set1_ps(0.5f));  // mantissa in [0.5, 1)
  exponent = _mm256_sub_epi32(exponent, _mm256_set1_epi32(0x7f));
  __m256 e = _mm256_add_ps(_mm256_cvtepi32_ps(exponent), one);
  // Mantissas below sqrt(1/2) are doubled (and the exponent lowered) to centre the polynomial on 1.
  const __m256 small = _mm256_cmp_ps(x, _mm256_set1_ps(0.707106781186547524f), _CMP_LT_OS);
  const __m256 tmp = _mm256_and_ps(x, small);
  x = _mm256_sub_ps(x, one);
  e = _mm256_sub_ps(e, _mm256_and_ps(one, small));
  x = _mm256_add_ps(x, tmp);
  const __m256 z = _mm256_mul_ps(x, x);
  __m256 y = _mm256_set1_ps(7.0376836292E-2f);
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(-1.1514610310E-1f));
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(1.1676998740E-1f));
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(-1.2420140846E-1f));
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(1.4249322787E-1f));
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(-1.6668057665E-1f));
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(2.0000714765E-1f));
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(-2.4999993993E-1f));
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(3.3333331174E-1f));
  y = _mm256_mul_ps(_mm256_mul_ps(y, x), z);
  y = _mm256_fmadd_ps(e, _mm256_set1_ps(-2.12194440e-4f), y);
  y = _mm256_fnmadd_ps(z, _mm256_set1_ps(0.5f), y);
  x = _mm256_add_ps(x, y);
  return _mm256_fmadd_ps(e, _mm256_set1_ps(0.693359375f), x);
}

// Eight frames, eight samples at a time: load a row per frame, transpose the 8x8 tile, store a row per sample.
void GatherFrames8(const float* const* sources, int length, float* frames) {
  int t = 0;
  for (; t + 8 <= length; t += 8) {
    __m256 r[8];
    for (int lane = 0; lane < 8; ++lane) r[lane] = _mm256_loadu_ps(sources[lane] + t);
    const __m256 a0 = _mm256_unpacklo_ps(r[0], r[1]), a1 = _mm256_unpackhi_ps(r[0], r[1]);
    const __m256 a2 = _mm256_unpacklo_ps(r[2], r[3]), a3 = _mm256_unpackhi_ps(r[2], r[3]);
    const __m256 a4 = _mm256_unpacklo_ps(r[4], r[5]), a5 = _mm256_unpackhi_ps(r[4], r[5]);
    const __m256 a6 = _mm256_unpacklo_ps(r[6], r[7]), a7 = _mm256_unpackhi_ps(r[6], r[7]);
    const __m256 b0 = _mm256_shuffle_ps(a0, a2, _MM_SHUFFLE(1, 0, 1, 0));
    const __m256 b1 = _mm256_shuffle_ps(a0, a2, _MM_SHUFFLE(3, 2, 3, 2));
    const __m256 b2 = _mm256_shuffle_ps(a1, a3, _MM_SHUFFLE(1, 0, 1, 0));
    const __m256 b3 = _mm256_shuffle_ps(a1, a3, _MM_SHUFFLE(3, 2, 3, 2));
    const __m256 b4 = _mm256_shuffle_ps(a4, a6, _MM_SHUFFLE(1, 0, 1, 0));
    const __m256 b5 = _mm256_shuffle_ps(a4, a6, _MM_SHUFFLE(3, 2, 3, 2));
    const __m256 b6 = _mm256_shuffle_ps(a5, a7, _MM_SHUFFLE(1, 0, 1, 0));
    const __m256 b7 = _mm256_shuffle_ps(a5, a7, _MM_SHUFFLE(3, 2, 3, 2));
    float* out = frames + t * 8;
    _mm256_storeu_ps(out + 0 * 8, _mm256_permute2f128_ps(b0, b4, 0x20));
    _mm256_storeu_ps(out + 1 * 8, _mm256_permute2f128_ps(b1, b5, 0x20));
    _mm256_storeu_ps(out + 2 * 8, _mm256_permute2f128_ps(b2, b6, 0x20));
    _mm256_storeu_ps(out + 3 * 8, _mm256_permute2f128_ps(b3, b7, 0x20));
    _mm256_storeu_ps(out + 4 * 8, _mm256_permute2f128_ps(b0, b4, 0x31));
    _mm256_storeu_ps(out + 5 * 8, _mm256_permute2f128_ps(b1, b5, 0x31));
    _mm256_storeu_ps(out + 6 * 8, _mm256_permute2f128_ps(b2, b6, 0x31));
    _mm256_storeu_ps(out + 7 * 8, _mm256_permute2f128_ps(b3, b7, 0x31));
  }
  for (; t < length; ++t) {
    for (int lane = 0; lane < 8; ++lane) frames[t * 8 + lane] = sources[lane][t];
  }
}

struct Avx2Ops {
  using V = __m256;
  static constexpr int kLanes = 8;
  static V Load(const float* p) { return _mm256_loadu_ps(p); }
  static void Store(float* p, V v) { _mm256_storeu_ps(p, v); }
  static V Set1(float x) { return _mm256_set1_ps(x); }
  static V Add(V a, V b) { return _mm256_add_ps(a, b); }
  static V Sub(V a, V b) { return _mm256_sub_ps(a, b); }
  static V Mul(V a, V b) { return _mm256_mul_ps(a, b); }
  static V Div(V a, V b) { return _mm256_div_ps(a, b); }
  static V MulAdd(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  static V Max(V a, V b) { return _mm256_max_ps(a, b); }
  static void GatherFrames(const float* const* sources, int length, float* frames) {
    GatherFrames8(sources, length, frames);
  }
  static V Log(V a) { return Log256(a); }
};

}  // namespace

const SimdKernels& Avx2Kernels() {
  static const SimdKernels kernels = generic::MakeKernels<Avx2Ops>("avx2");
  return kernels;
}

}  // namespace hushscribe
