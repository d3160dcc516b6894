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
  // Sample t of the frame in `lane`.
  void Set(int lane, int t, float value) { frames_[static_cast<size_t>(t) * kernels_.lanes + lane] = value; }
  // Zeroes the lanes from `used_lanes` on, so leftovers of an earlier block never reach the kernels.
  void ClearUnusedLanes(int used_lanes);
  // Runs the kernels on the block and appends the first used_lanes frames to rows ([frame][bin]).
  void Compute(const FramePrepareParams& params, const FftTables& fft, const SparseMelBank& bank, MelLogMode mode,
               float log_value, int used_lanes, std::vector<float>* rows);

 private:
  const SimdKernels& kernels_;
  int frame_length_;
  std::vector<float> frames_, re_, im_, power_, mel_;
};

}  // namespace hushscribe

#endif  // HUSHSCRIBE_NATIVE_FRAME_BLOCK_H_
