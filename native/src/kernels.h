// SIMD kernel table: the hot loops of feature extraction, one implementation per instruction set.
// Every kernel works on a block of `lanes` frames stored lane-interleaved ([index][lane]), so the
// scalar reference (lanes = 1) and the vector versions run the same arithmetic in the same order.
#ifndef HUSHSCRIBE_NATIVE_KERNELS_H_
#define HUSHSCRIBE_NATIVE_KERNELS_H_

#include <cstdint>
#include <string>
#include <vector>

namespace hushscribe {

// Tables for a real FFT of size fft_size, computed as a complex FFT of half that size.
struct FftTables {
  int fft_size = 0;                    // N, a power of two >= 4
  std::vector<int32_t> bit_reverse;    // N/2 entries: position of packed sample pair n in FFT order
  std::vector<float> stage_cos;        // twiddles of every radix-2 stage, concatenated (N/2 - 1 entries)
  std::vector<float> stage_sin;
  std::vector<float> split_cos;        // N/2 + 1 twiddles that split the half-size FFT into the real one
  std::vector<float> split_sin;
};

// Mel filters stored sparsely: bin b covers FFT bins [first[b], first[b] + length[b]).
struct SparseMelBank {
  int num_bins = 0;
  std::vector<int32_t> first;
  std::vector<int32_t> length;
  std::vector<int32_t> offset;  // start of bin b's weights in `weights`
  std::vector<float> weights;
};

// How a frame of frame_length samples becomes FFT input.
struct FramePrepareParams {
  int frame_length = 0;          // samples per frame (the window length)
  int window_offset = 0;         // where the window starts inside the zero-padded FFT frame
  bool remove_dc_offset = false; // subtract the frame mean first (Kaldi)
  float preemphasis = 0.0f;      // x[t] -= c * x[t-1], x[0] -= c * x[0] (Kaldi, per frame); 0 = off
  const float* window = nullptr; // frame_length coefficients
};

enum class MelLogMode { kFloor, kAddGuard };  // log(max(e, v)) (Kaldi) or log(e + v) (NeMo)

struct SimdKernels {
  const char* name;
  int lanes;
  // sources: `lanes` pointers to frame_length contiguous samples each; frames: [frame_length][lanes].
  void (*gather_frames)(const float* const* sources, int frame_length, float* frames);
  // frames: [frame_length][lanes] (consumed as scratch). re, im: [N/2][lanes], fully overwritten.
  void (*prepare_frames)(const FramePrepareParams& params, const FftTables& fft, float* frames, float* re,
                         float* im);
  // re, im: FFT input in bit-reversed order (transformed in place); power: [N/2 + 1][lanes].
  void (*fft_power)(const FftTables& fft, float* re, float* im, float* power);
  // power: [N/2 + 1][lanes]; out: [num_bins][lanes].
  void (*mel_log)(const SparseMelBank& bank, MelLogMode mode, float value, const float* power, float* out);
};

const SimdKernels& ScalarKernels();
#if defined(__x86_64__)
const SimdKernels& Avx2Kernels();
#endif
#if defined(__aarch64__)
const SimdKernels& NeonKernels();
#endif

// Kernel sets this CPU can run, scalar first.
std::vector<const SimdKernels*> AvailableKernels();
// The best available set (the last of AvailableKernels()).
const SimdKernels& BestKernels();
// Kernel set by name, or nullptr when unknown or unsupported by this CPU.
const SimdKernels* FindKernels(const std::string& name);

FftTables MakeFftTables(int fft_size);

}  // namespace hushscribe

#endif  // HUSHSCRIBE_NATIVE_KERNELS_H_
