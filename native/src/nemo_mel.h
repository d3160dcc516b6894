// NeMo's AudioToMelSpectrogramPreprocessor features: pre-emphasis over the whole signal, centred STFT with
// zero padding of n_fft/2, power spectrum, Slaney mel filters (librosa defaults), log(x + guard) and
// per-feature normalisation over time.
#ifndef HUSHSCRIBE_NATIVE_NEMO_MEL_H_
#define HUSHSCRIBE_NATIVE_NEMO_MEL_H_

#include <cstddef>
#include <string>
#include <vector>

#include "kernels.h"

namespace hushscribe {

struct NemoMelConfig {
  double sample_rate = 16000;
  int num_bins = 80;
  int n_fft = 512;
  double window_length_ms = 25;
  double hop_ms = 10;
  float preemphasis = 0.97f;  // 0 = off
  std::string window = "hann";  // hann, hamming, blackman, bartlett, rectangular
  double low_freq = 0;
  double high_freq = -1;  // < 0: Nyquist
  float log_guard = 5.9604644775390625e-8f;  // 2^-24
  std::string normalize = "per_feature";  // per_feature or none
  float dither = 0.0f;

  int WindowLength() const;  // samples
  int Hop() const;           // samples
  double EffectiveHighFreq() const;
  void Validate() const;  // throws std::invalid_argument naming the first bad field
  std::string ToString() const;
};

// librosa.filters.mel(sr, n_fft, n_mels, fmin, fmax) with htk=False, norm="slaney".
SparseMelBank MakeSlaneyMelBank(const NemoMelConfig& config);

// Features of the whole signal, row-major [frame][bin]; sets *num_frames.
std::vector<float> ComputeNemoMel(const NemoMelConfig& config, const SimdKernels& kernels, const float* samples,
                                  size_t count, size_t* num_frames);

}  // namespace hushscribe

#endif  // HUSHSCRIBE_NATIVE_NEMO_MEL_H_
