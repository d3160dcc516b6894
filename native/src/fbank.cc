#include "fbank.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>

namespace hushscribe {

namespace {
double MelScale(double hz) { return 1127.0 * std::log(1.0 + hz / 700.0); }
}  // namespace

// Same expressions as torchaudio, so the integer frame sizes round the same way.
int KaldiFbankConfig::WindowSize() const { return static_cast<int>(sample_rate * frame_length_ms * 0.001); }
int KaldiFbankConfig::WindowShift() const { return static_cast<int>(sample_rate * frame_shift_ms * 0.001); }
int KaldiFbankConfig::PaddedWindowSize() const {
  int size = 1;
  while (size < WindowSize()) size <<= 1;
  return size;
}
double KaldiFbankConfig::EffectiveHighFreq() const { return high_freq <= 0 ? high_freq + 0.5 * sample_rate : high_freq; }

void KaldiFbankConfig::Validate() const {
  auto fail = [](const std::string& message) { throw std::invalid_argument("KaldiFbankConfig: " + message); };
  if (!(sample_rate > 0 && sample_rate <= 384000)) fail("sample_rate must be in (0, 384000]");
  if (num_bins < 1 || num_bins > 1024) fail("num_bins must be in [1, 1024]");
  if (WindowSize() < 2 || PaddedWindowSize() > 65536) fail("frame_length_ms must give 2 to 65536 samples per frame");
  if (WindowShift() < 1) fail("frame_shift_ms must give at least one sample");
  if (!(preemphasis >= 0 && preemphasis <= 1)) fail("preemphasis must be in [0, 1]");
  if (window != "povey" && window != "hann" && window != "hanning" && window != "hamming" && window != "rectangular" && window != "blackman") {
    fail("window must be povey, hann (hanning), hamming, rectangular or blackman");
  }
  if (!(dither >= 0 && std::isfinite(dither))) fail("dither must be >= 0");
  const double nyquist = 0.5 * sample_rate;
  if (!(low_freq >= 0 && low_freq < nyquist)) fail("low_freq must be in [0, Nyquist)");
  const double high = EffectiveHighFreq();
  if (!(high > low_freq && high <= nyquist)) fail("high_freq must resolve to (low_freq, Nyquist]");
  if (!(energy_floor >= 0 && std::isfinite(energy_floor))) fail("energy_floor must be >= 0");
}

std::string KaldiFbankConfig::ToString() const {
  std::ostringstream os;
  os << "KaldiFbankConfig(sample_rate=" << sample_rate << ", num_bins=" << num_bins
     << ", frame_length_ms=" << frame_length_ms << ", frame_shift_ms=" << frame_shift_ms
     << ", preemphasis=" << preemphasis << ", remove_dc_offset=" << (remove_dc_offset ? "true" : "false")
     << ", window=\"" << window << "\", dither=" << dither << ", dither_seed=" << dither_seed
     << ", snip_edges=" << (snip_edges ? "true" : "false") << ", low_freq=" << low_freq
     << ", high_freq=" << high_freq << ", energy_floor=" << energy_floor << ")";
  return os.str();
}

SparseMelBank MakeKaldiMelBank(const KaldiFbankConfig& config) {
  const int num_fft_bins = config.PaddedWindowSize() / 2;
  const double fft_bin_width = config.sample_rate / config.PaddedWindowSize();
  const double mel_low = MelScale(config.low_freq);
  const double mel_high = MelScale(config.EffectiveHighFreq());
  const double mel_delta = (mel_high - mel_low) / (config.num_bins + 1);

  SparseMelBank bank;
  bank.num_bins = config.num_bins;
  for (int b = 0; b < config.num_bins; ++b) {
    const double left = mel_low + b * mel_delta, center = mel_low + (b + 1) * mel_delta,
                 right = mel_low + (b + 2) * mel_delta;
    int first = -1;
    std::vector<float> weights;
    for (int k = 0; k < num_fft_bins; ++k) {
      const double mel = MelScale(fft_bin_width * k);
      const double weight = std::max(0.0, std::min((mel - left) / (center - left), (right - mel) / (right - center)));
      if (weight > 0) {
        if (first < 0) first = k;
        weights.resize(k - first + 1, 0.0f);
        weights[k - first] = static_cast<float>(weight);
      }
    }
    bank.first.push_back(first < 0 ? 0 : first);
    bank.length.push_back(static_cast<int32_t>(weights.size()));
    bank.offset.push_back(static_cast<int32_t>(bank.weights.size()));
    bank.weights.insert(bank.weights.end(), weights.begin(), weights.end());
  }
  return bank;
}

KaldiFbankComputer::KaldiFbankComputer(const KaldiFbankConfig& config, const SimdKernels& kernels)
    : config_((config.Validate(), config)),
      window_size_(config.WindowSize()),
      window_shift_(config.WindowShift()),
      fft_(MakeFftTables(config.PaddedWindowSize())),
      bank_(MakeKaldiMelBank(config)),
      window_(MakeWindow(config.window, config.WindowSize())),
      block_(kernels, config.PaddedWindowSize(), config.WindowSize()) {
  prepare_.frame_length = window_size_;
  prepare_.window_offset = 0;
  prepare_.remove_dc_offset = config.remove_dc_offset;
  prepare_.preemphasis = config.preemphasis;
  prepare_.window = window_.data();
}

int64_t KaldiFbankComputer::FrameStart(int64_t frame) const {
  if (config_.snip_edges) return frame * window_shift_;
  return frame * window_shift_ - (window_size_ / 2 - window_shift_ / 2);
}

float KaldiFbankComputer::Sample(int64_t index) const {
  // Reflection without repeating the edge sample ([2, 1, 0, 0, 1, 2]), repeated for signals shorter than
  // the reflection.
  while (index < 0 || index >= total_samples_) index = index < 0 ? -index - 1 : 2 * total_samples_ - 1 - index;
  return buffer_[static_cast<size_t>(index - buffer_start_)];
}

void KaldiFbankComputer::Emit(int64_t end_frame, std::vector<float>* rows) {
  const int lanes = block_.lanes();
  while (next_frame_ < end_frame) {
    const int used = static_cast<int>(std::min<int64_t>(lanes, end_frame - next_frame_));
    for (int lane = 0; lane < used; ++lane) {
      const int64_t frame = next_frame_ + lane;
      const int64_t start = FrameStart(frame);
      const bool inside = start >= 0 && start + window_size_ <= total_samples_;
      if (inside && config_.dither == 0.0f) {
        block_.SetFrame(lane, buffer_.data() + (start - buffer_start_));
        continue;
      }
      float* frame_samples = block_.LaneBuffer(lane);
      for (int t = 0; t < window_size_; ++t) {
        frame_samples[t] = Sample(start + t);
        if (config_.dither != 0.0f) frame_samples[t] += config_.dither * DitherNoise(config_.dither_seed, frame, t);
      }
    }
    block_.Compute(prepare_, fft_, bank_, MelLogMode::kFloor, std::numeric_limits<float>::epsilon(), used, rows);
    next_frame_ += used;
  }
  // Keep what later frames may still read, reflections included.
  const int64_t keep_from = std::max<int64_t>(0, FrameStart(next_frame_) - window_size_);
  if (keep_from > buffer_start_) {
    buffer_.erase(buffer_.begin(), buffer_.begin() + (keep_from - buffer_start_));
    buffer_start_ = keep_from;
  }
}

void KaldiFbankComputer::Accept(const float* samples, size_t count, std::vector<float>* rows) {
  if (finished_) throw std::logic_error("FbankStream: accept() after finish()");
  buffer_.insert(buffer_.end(), samples, samples + count);
  total_samples_ += static_cast<int64_t>(count);
  // Frame f is complete once its last sample has arrived (no right-edge reflection needed yet).
  const int64_t available = total_samples_ - window_size_ - FrameStart(0);
  const int64_t ready = available < 0 ? 0 : available / window_shift_ + 1;
  Emit(ready, rows);
}

void KaldiFbankComputer::Finish(std::vector<float>* rows) {
  if (finished_) throw std::logic_error("FbankStream: finish() called twice");
  finished_ = true;
  int64_t total_frames;
  if (config_.snip_edges) {
    total_frames = total_samples_ < window_size_ ? 0 : 1 + (total_samples_ - window_size_) / window_shift_;
  } else {
    total_frames = total_samples_ == 0 ? 0 : (total_samples_ + window_shift_ / 2) / window_shift_;
  }
  Emit(total_frames, rows);
}

}  // namespace hushscribe
