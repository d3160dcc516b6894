// Shared by the feature extractors: window functions, deterministic dither, and the block of frames that
// goes through the SIMD kernels (gather lane-interleaved, run the kernels, write row-major rows).
#ifndef HUSHSCRIBE_NATIVE_FRAME_BLOCK_H_
#define HUSHSCRIBE_NATIVE_FRAME_BLOCK_H_

#include <cstdint>
#include <string>
#include <vector>

#include "kernels.h"

namespace hushscribe {

// Symmetric (periodic=False) windows as torch builds them: "hann" (alias "hanning", torchaudio's Kaldi name),
// "hamming", "blackman", "bartlett", "rectangular"; "povey" is hann^0.85 (Kaldi). Throws std::invalid_argument for other names.
std::vector<float> MakeWindow(const std::string& name, int length);

// Standard normal noise that depends only on (seed, frame, sample), so streaming in any chunking dithers
// every frame exactly as one call on the whole signal does.
float DitherNoise(uint32_t seed, int64_t frame, int sample);

class FrameBlock {
 public:
  FrameBlock(const SimdKernels& kernels, int fft_size, int frame_length);

  int lanes() const { return kernels_.lanes; }
  // The frame in `lane` is frame_length contiguous samples at `samples` (must stay valid until Compute)...
  void SetFrame(int lane, const float* samples) { sources_[lane] = samples; }
  // ...or the lane's own buffer, which the caller fills (reflected edges, dither, zero padding).
  float* LaneBuffer(int lane);
  // Runs the kernels on lanes [0, used_lanes) (the rest see silence) and appends those frames to rows
  // ([frame][bin]).
  void Compute(const FramePrepareParams& params, const FftTables& fft, const SparseMelBank& bank, MelLogMode mode,
               float log_value, int used_lanes, std::vector<float>* rows);

 private:
  const SimdKernels& kernels_;
  int frame_length_;
  std::vector<const float*> sources_;
  std::vector<float> lane_buffers_, silence_, frames_, re_, im_, power_, mel_;
};

}  // namespace hushscribe

#endif  // HUSHSCRIBE_NATIVE_FRAME_BLOCK_H_
