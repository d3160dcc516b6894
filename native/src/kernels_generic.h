// The feature-extraction kernels written once over a vector-operations policy `Ops` (lanes, load/store,
// arithmetic, log). Each instruction-set file includes this header with its own Ops and is compiled with
// its own flags, so the scalar reference and the SIMD versions cannot drift apart.
// Fused multiply-add (Ops::MulAdd) is used only where every term is non-negative (power, mel sums): in the
// FFT, cancellation would turn its different rounding into large relative errors in quiet bins, so there
// each lane computes exactly what the scalar reference computes (the build sets -ffp-contract=off).
#ifndef HUSHSCRIBE_NATIVE_KERNELS_GENERIC_H_
#define HUSHSCRIBE_NATIVE_KERNELS_GENERIC_H_

#include "kernels.h"

namespace hushscribe {
namespace generic {

// Interleaves `W` frames sample by sample; instruction sets with a fast transpose override it in Ops.
template <int W>
void GatherFramesLoop(const float* const* sources, int frame_length, float* frames) {
  for (int t = 0; t < frame_length; ++t) {
    for (int lane = 0; lane < W; ++lane) frames[t * W + lane] = sources[lane][t];
  }
}

template <class Ops>
void PrepareFrames(const FramePrepareParams& params, const FftTables& fft, float* frames, float* re, float* im) {
  using V = typename Ops::V;
  constexpr int W = Ops::kLanes;
  const int half = fft.fft_size / 2;
  const int length = params.frame_length;
  const V zero = Ops::Set1(0.0f);
  for (int n = 0; n < half; ++n) {
    Ops::Store(re + n * W, zero);
    Ops::Store(im + n * W, zero);
  }
  if (params.remove_dc_offset) {
    V sum = zero;
    for (int t = 0; t < length; ++t) sum = Ops::Add(sum, Ops::Load(frames + t * W));
    const V mean = Ops::Div(sum, Ops::Set1(static_cast<float>(length)));
    for (int t = 0; t < length; ++t) Ops::Store(frames + t * W, Ops::Sub(Ops::Load(frames + t * W), mean));
  }
  if (params.preemphasis != 0.0f) {
    // Backwards, so every step still sees the unfiltered previous sample; the first sample uses itself.
    const V coeff = Ops::Set1(params.preemphasis);
    for (int t = length - 1; t > 0; --t) {
      const V filtered = Ops::Sub(Ops::Load(frames + t * W), Ops::Mul(coeff, Ops::Load(frames + (t - 1) * W)));
      Ops::Store(frames + t * W, filtered);
    }
    const V first = Ops::Load(frames);
    Ops::Store(frames, Ops::Sub(first, Ops::Mul(coeff, first)));
  }
  // Windowed samples go straight to their bit-reversed slot: even samples are the real parts and odd
  // samples the imaginary parts of the half-size complex FFT input.
  const int32_t* bit_reverse = fft.bit_reverse.data();
  for (int t = 0; t < length; ++t) {
    const int s = params.window_offset + t;
    const V windowed = Ops::Mul(Ops::Load(frames + t * W), Ops::Set1(params.window[t]));
    Ops::Store(((s & 1) ? im : re) + bit_reverse[s >> 1] * W, windowed);
  }
}

template <class Ops>
void FftPower(const FftTables& fft, float* re, float* im, float* power) {
  using V = typename Ops::V;
  constexpr int W = Ops::kLanes;
  const int m = fft.fft_size / 2;
  // First radix-2 stage: the twiddle is 1.
  for (int i = 0; i < m; i += 2) {
    const V ar = Ops::Load(re + i * W), ai = Ops::Load(im + i * W);
    const V br = Ops::Load(re + (i + 1) * W), bi = Ops::Load(im + (i + 1) * W);
    Ops::Store(re + i * W, Ops::Add(ar, br));
    Ops::Store(im + i * W, Ops::Add(ai, bi));
    Ops::Store(re + (i + 1) * W, Ops::Sub(ar, br));
    Ops::Store(im + (i + 1) * W, Ops::Sub(ai, bi));
  }
  for (int len = 4; len <= m; len <<= 1) {
    const int half = len / 2;
    const float* cos_table = fft.stage_cos.data() + (half - 1);
    const float* sin_table = fft.stage_sin.data() + (half - 1);
    for (int i = 0; i < m; i += len) {
      for (int j = 0; j < half; ++j) {
        const V wr = Ops::Set1(cos_table[j]), wi = Ops::Set1(sin_table[j]);
        float* ur_p = re + (i + j) * W;
        float* ui_p = im + (i + j) * W;
        float* vr_p = re + (i + j + half) * W;
        float* vi_p = im + (i + j + half) * W;
        const V xr = Ops::Load(vr_p), xi = Ops::Load(vi_p);
        const V vr = Ops::Sub(Ops::Mul(xr, wr), Ops::Mul(xi, wi));
        const V vi = Ops::Add(Ops::Mul(xr, wi), Ops::Mul(xi, wr));
        const V ur = Ops::Load(ur_p), ui = Ops::Load(ui_p);
        Ops::Store(ur_p, Ops::Add(ur, vr));
        Ops::Store(ui_p, Ops::Add(ui, vi));
        Ops::Store(vr_p, Ops::Sub(ur, vr));
        Ops::Store(vi_p, Ops::Sub(ui, vi));
      }
    }
  }
  // Split the half-size complex spectrum Z into the real signal's spectrum X:
  // X[k] = (Z[k] + conj Z[m-k]) / 2 + w^k (Z[k] - conj Z[m-k]) / 2i, then |X[k]|^2.
  const V half_v = Ops::Set1(0.5f);
  for (int k = 0; k <= m; ++k) {
    const int a = k % m, b = (m - k) % m;
    const V ar = Ops::Load(re + a * W), ai = Ops::Load(im + a * W);
    const V br = Ops::Load(re + b * W), bi = Ops::Load(im + b * W);  // Z[m-k]; its conjugate is (br, -bi)
    const V er = Ops::Mul(half_v, Ops::Add(ar, br));
    const V ei = Ops::Mul(half_v, Ops::Sub(ai, bi));
    const V odd_r = Ops::Mul(half_v, Ops::Add(ai, bi));
    const V odd_i = Ops::Mul(half_v, Ops::Sub(br, ar));
    const V c = Ops::Set1(fft.split_cos[k]), s = Ops::Set1(fft.split_sin[k]);
    const V xr = Ops::Add(er, Ops::Sub(Ops::Mul(odd_r, c), Ops::Mul(odd_i, s)));
    const V xi = Ops::Add(ei, Ops::Add(Ops::Mul(odd_r, s), Ops::Mul(odd_i, c)));
    Ops::Store(power + k * W, Ops::MulAdd(xr, xr, Ops::Mul(xi, xi)));
  }
}

template <class Ops>
void MelLog(const SparseMelBank& bank, MelLogMode mode, float value, const float* power, float* out) {
  using V = typename Ops::V;
  constexpr int W = Ops::kLanes;
  const V value_v = Ops::Set1(value);
  for (int b = 0; b < bank.num_bins; ++b) {
    const float* weights = bank.weights.data() + bank.offset[b];
    const float* p = power + bank.first[b] * W;
    V acc = Ops::Set1(0.0f);
    for (int k = 0; k < bank.length[b]; ++k) acc = Ops::MulAdd(Ops::Load(p + k * W), Ops::Set1(weights[k]), acc);
    const V guarded = mode == MelLogMode::kFloor ? Ops::Max(acc, value_v) : Ops::Add(acc, value_v);
    Ops::Store(out + b * W, Ops::Log(guarded));
  }
}

template <class Ops>
SimdKernels MakeKernels(const char* name) {
  return SimdKernels{name, Ops::kLanes, &Ops::GatherFrames, &PrepareFrames<Ops>, &FftPower<Ops>, &MelLog<Ops>};
}

}  // namespace generic
}  // namespace hushscribe

#endif  // HUSHSCRIBE_NATIVE_KERNELS_GENERIC_H_
