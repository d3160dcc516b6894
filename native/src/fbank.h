// Kaldi-compatible log mel filterbank, matching torchaudio.compliance.kaldi.fbank with use_energy=False,
// use_log_fbank=True, use_power=True, round_to_power_of_two=True. Streaming: frames come out as soon as
// their samples have arrived and are bit-identical to one call on the whole signal.
#ifndef HUSHSCRIBE_NATIVE_FBANK_H_
#define HUSHSCRIBE_NATIVE_FBANK_H_

#include <cstdint>
#include <string>
#include <vector>

#include "frame_block.h"
#include "kernels.h"

namespace hushscribe {

struct KaldiFbankConfig {
  double sample_rate = 16000;
  int num_bins = 80;
  double frame_length_ms = 25;
  double frame_shift_ms = 10;
  float preemphasis = 0.97f;
  bool remove_dc_offset = true;
  std::string window = "povey";  // povey, hann (or hanning), hamming, rectangular, blackman
  float dither = 0.0f;
  uint32_t dither_seed = 0;
  bool snip_edges = true;
  double low_freq = 20;
  double high_freq = 0;  // <= 0: offset from Nyquist
  float energy_floor = 0.0f;  // only used with use_energy, which this extractor never sets

  int WindowSize() const;        // samples per frame
  int WindowShift() const;       // samples between frame starts
  int PaddedWindowSize() const;  // FFT size: WindowSize rounded up to a power of two
  double EffectiveHighFreq() const;
  // Throws std::invalid_argument naming the first bad field.
  void Validate() const;
  std::string ToString() const;
};

// Kaldi's triangular mel filters over the first PaddedWindowSize()/2 FFT bins.
SparseMelBank MakeKaldiMelBank(const KaldiFbankConfig& config);

class KaldiFbankComputer {
 public:
  KaldiFbankComputer(const KaldiFbankConfig& config, const SimdKernels& kernels);

  int num_bins() const { return config_.num_bins; }
  // Appends the frames that became complete to rows ([frame][bin]).
  void Accept(const float* samples, size_t count, std::vector<float>* rows);
  // Appends the remaining frames (snip_edges=false reflects the tail). Accept after Finish throws.
  void Finish(std::vector<float>* rows);

 private:
  int64_t FrameStart(int64_t frame) const;
  float Sample(int64_t index) const;  // index may lie outside [0, total): reflected as Kaldi does
  void Emit(int64_t end_frame, std::vector<float>* rows);

  KaldiFbankConfig config_;
  int window_size_, window_shift_;
  FftTables fft_;
  SparseMelBank bank_;
  std::vector<float> window_;
  FramePrepareParams prepare_;
  FrameBlock block_;
  std::vector<float> buffer_;  // samples [buffer_start_, total_samples_)
  int64_t buffer_start_ = 0;
  int64_t total_samples_ = 0;
  int64_t next_frame_ = 0;
  bool finished_ = false;
};

}  // namespace hushscribe

#endif  // HUSHSCRIBE_NATIVE_FBANK_H_
