#include "frame_block.h"

#include <cmath>
#include <stdexcept>

namespace hushscribe {

std::vector<float> MakeWindow(const std::string& name, int length) {
  std::vector<float> window(length);
  const double denominator = length > 1 ? length - 1 : 1;
  for (int n = 0; n < length; ++n) {
    const double a = 2.0 * M_PI * n / denominator;
    double w;
    if (name == "hann" || name == "hanning") {
      w = 0.5 - 0.5 * std::cos(a);
    } else if (name == "povey") {
      w = std::pow(0.5 - 0.5 * std::cos(a), 0.85);
    } else if (name == "hamming") {
      w = 0.54 - 0.46 * std::cos(a);
    } else if (name == "blackman") {
      w = 0.42 - 0.5 * std::cos(a) + 0.08 * std::cos(2.0 * a);
    } else if (name == "bartlett") {
      w = 1.0 - std::fabs(2.0 * n / denominator - 1.0);
    } else if (name == "rectangular") {
      w = 1.0;
    } else {
      throw std::invalid_argument("unknown window '" + name + "'");
    }
    window[n] = static_cast<float>(w);
  }
  return window;
}

namespace {
uint64_t SplitMix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}
}  // namespace

float DitherNoise(uint32_t seed, int64_t frame, int sample) {
  const uint64_t key = SplitMix64((static_cast<uint64_t>(seed) << 32) ^ static_cast<uint64_t>(frame)) ^
                       static_cast<uint64_t>(sample);
  const uint64_t bits = SplitMix64(key);
  // Box-Muller from two 26-bit uniforms in (0, 1].
  const double u1 = (static_cast<double>(bits >> 38) + 1.0) / 67108864.0;
  const double u2 = static_cast<double>((bits >> 12) & 0x3ffffff) / 67108864.0;
  return static_cast<float>(std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2));
}

FrameBlock::FrameBlock(const SimdKernels& kernels, int fft_size, int frame_length)
    : kernels_(kernels),
      frame_length_(frame_length),
      sources_(kernels.lanes),
      lane_buffers_(static_cast<size_t>(frame_length) * kernels.lanes),
      silence_(frame_length),
      frames_(static_cast<size_t>(frame_length) * kernels.lanes),
      re_(static_cast<size_t>(fft_size / 2) * kernels.lanes),
      im_(re_.size()),
      power_(static_cast<size_t>(fft_size / 2 + 1) * kernels.lanes) {}

float* FrameBlock::LaneBuffer(int lane) {
  float* buffer = lane_buffers_.data() + static_cast<size_t>(lane) * frame_length_;
  sources_[lane] = buffer;
  return buffer;
}

void FrameBlock::Compute(const FramePrepareParams& params, const FftTables& fft, const SparseMelBank& bank,
                         MelLogMode mode, float log_value, int used_lanes, std::vector<float>* rows) {
  const int lanes = kernels_.lanes;
  mel_.resize(static_cast<size_t>(bank.num_bins) * lanes);
  for (int lane = used_lanes; lane < lanes; ++lane) sources_[lane] = silence_.data();
  kernels_.gather_frames(sources_.data(), frame_length_, frames_.data());
  kernels_.prepare_frames(params, fft, frames_.data(), re_.data(), im_.data());
  kernels_.fft_power(fft, re_.data(), im_.data(), power_.data());
  kernels_.mel_log(bank, mode, log_value, power_.data(), mel_.data());
  const size_t first = rows->size();
  rows->resize(first + static_cast<size_t>(used_lanes) * bank.num_bins);
  float* out = rows->data() + first;
  for (int lane = 0; lane < used_lanes; ++lane) {
    for (int b = 0; b < bank.num_bins; ++b) out[lane * bank.num_bins + b] = mel_[static_cast<size_t>(b) * lanes + lane];
  }
}

}  // namespace hushscribe
