#include "nemo_mel.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

#include "frame_block.h"

namespace hushscribe {

namespace {

// Slaney's mel scale: linear below 1 kHz, logarithmic above (librosa hz_to_mel / mel_to_hz, htk=False).
constexpr double kLinearStep = 200.0 / 3.0;
constexpr double kLogStartHz = 1000.0;
constexpr double kLogStartMel = kLogStartHz / kLinearStep;
const double kLogStep = std::log(6.4) / 27.0;

double HzToMel(double hz) {
  return hz >= kLogStartHz ? kLogStartMel + std::log(hz / kLogStartHz) / kLogStep : hz / kLinearStep;
}
double MelToHz(double mel) {
  return mel >= kLogStartMel ? kLogStartHz * std::exp(kLogStep * (mel - kLogStartMel)) : mel * kLinearStep;
}

}  // namespace

int NemoMelConfig::WindowLength() const { return static_cast<int>(std::lround(window_length_ms / 1000.0 * sample_rate)); }
int NemoMelConfig::Hop() const { return static_cast<int>(std::lround(hop_ms / 1000.0 * sample_rate)); }
double NemoMelConfig::EffectiveHighFreq() const { return high_freq < 0 ? 0.5 * sample_rate : high_freq; }

void NemoMelConfig::Validate() const {
  auto fail = [](const std::string& message) { throw std::invalid_argument("NemoMelConfig: " + message); };
  if (!(sample_rate > 0 && sample_rate <= 384000)) fail("sample_rate must be in (0, 384000]");
  if (num_bins < 1 || num_bins > 1024) fail("num_bins must be in [1, 1024]");
  if (n_fft < 4 || n_fft > 65536 || (n_fft & (n_fft - 1)) != 0) fail("n_fft must be a power of two in [4, 65536]");
  if (WindowLength() < 2 || WindowLength() > n_fft) fail("window_length_ms must give 2 to n_fft samples");
  if (Hop() < 1) fail("hop_ms must give at least one sample");
  if (!(preemphasis >= 0 && preemphasis <= 1)) fail("preemphasis must be in [0, 1]");
  if (window != "hann" && window != "hamming" && window != "blackman" && window != "bartlett" && window != "rectangular") {
    fail("window must be hann, hamming, blackman, bartlett or rectangular");
  }
  const double nyquist = 0.5 * sample_rate;
  if (!(low_freq >= 0 && low_freq < nyquist)) fail("low_freq must be in [0, Nyquist)");
  if (!(EffectiveHighFreq() > low_freq && EffectiveHighFreq() <= nyquist)) fail("high_freq must be in (low_freq, Nyquist]");
  if (!(log_guard > 0 && std::isfinite(log_guard))) fail("log_guard must be > 0");
  if (normalize != "per_feature" && normalize != "none") fail("normalize must be per_feature or none");
  if (!(dither >= 0 && std::isfinite(dither))) fail("dither must be >= 0");
}

std::string NemoMelConfig::ToString() const {
  std::ostringstream os;
  os << "NemoMelConfig(sample_rate=" << sample_rate << ", num_bins=" << num_bins << ", n_fft=" << n_fft
     << ", window_length_ms=" << window_length_ms << ", hop_ms=" << hop_ms << ", preemphasis=" << preemphasis
     << ", window=\"" << window << "\", low_freq=" << low_freq << ", high_freq=" << high_freq
     << ", log_guard=" << log_guard << ", normalize=\"" << normalize << "\", dither=" << dither << ")";
  return os.str();
}

SparseMelBank MakeSlaneyMelBank(const NemoMelConfig& config) {
  const int num_fft_bins = config.n_fft / 2 + 1;
  const double mel_low = HzToMel(config.low_freq), mel_high = HzToMel(config.EffectiveHighFreq());
  std::vector<double> edges(config.num_bins + 2);
  for (size_t i = 0; i < edges.size(); ++i) {
    edges[i] = MelToHz(mel_low + (mel_high - mel_low) * static_cast<double>(i) / (edges.size() - 1));
  }
  SparseMelBank bank;
  bank.num_bins = config.num_bins;
  for (int b = 0; b < config.num_bins; ++b) {
    const double lower_width = edges[b + 1] - edges[b], upper_width = edges[b + 2] - edges[b + 1];
    const double slaney_norm = 2.0 / (edges[b + 2] - edges[b]);
    int first = -1;
    std::vector<float> weights;
    for (int k = 0; k < num_fft_bins; ++k) {
      const double hz = config.sample_rate * k / config.n_fft;
      const double weight = std::max(0.0, std::min((hz - edges[b]) / lower_width, (edges[b + 2] - hz) / upper_width));
      if (weight > 0) {
        if (first < 0) first = k;
        weights.resize(k - first + 1, 0.0f);
        weights[k - first] = static_cast<float>(weight * slaney_norm);
      }
    }
    bank.first.push_back(first < 0 ? 0 : first);
    bank.length.push_back(static_cast<int32_t>(weights.size()));
    bank.offset.push_back(static_cast<int32_t>(bank.weights.size()));
    bank.weights.insert(bank.weights.end(), weights.begin(), weights.end());
  }
  return bank;
}

std::vector<float> ComputeNemoMel(const NemoMelConfig& config, const SimdKernels& kernels, const float* samples,
                                  size_t count, size_t* num_frames) {
  config.Validate();
  const int window_length = config.WindowLength(), hop = config.Hop();
  const FftTables fft = MakeFftTables(config.n_fft);
  const SparseMelBank bank = MakeSlaneyMelBank(config);
  const std::vector<float> window = MakeWindow(config.window, window_length);

  // Dither then pre-emphasis over the whole signal; the first sample passes unchanged.
  std::vector<float> signal(samples, samples + count);
  if (config.dither != 0.0f) {
    for (size_t i = 0; i < count; ++i) signal[i] += config.dither * DitherNoise(0, 0, static_cast<int>(i));
  }
  if (config.preemphasis != 0.0f) {
    for (size_t i = count; i-- > 1;) signal[i] = signal[i] - config.preemphasis * signal[i - 1];
  }

  // torch.stft(center=True): frame f is centred on sample f*hop; the window sits in the middle of n_fft.
  const size_t frames = count == 0 ? 0 : count / hop + 1;
  const int window_offset = (config.n_fft - window_length) / 2;
  FramePrepareParams prepare;
  prepare.frame_length = window_length;
  prepare.window_offset = window_offset;
  prepare.window = window.data();
  FrameBlock block(kernels, config.n_fft, window_length);
  std::vector<float> rows;
  rows.reserve(frames * config.num_bins);
  for (size_t frame = 0; frame < frames;) {
    const int used = static_cast<int>(std::min<size_t>(block.lanes(), frames - frame));
    for (int lane = 0; lane < used; ++lane) {
      const int64_t start = static_cast<int64_t>(frame + lane) * hop - config.n_fft / 2 + window_offset;
      if (start >= 0 && start + window_length <= static_cast<int64_t>(count)) {
        block.SetFrame(lane, signal.data() + start);
        continue;
      }
      float* frame_samples = block.LaneBuffer(lane);  // the centred STFT's zero padding
      for (int t = 0; t < window_length; ++t) {
        const int64_t index = start + t;
        frame_samples[t] = index >= 0 && index < static_cast<int64_t>(count) ? signal[index] : 0.0f;
      }
    }
    block.Compute(prepare, fft, bank, MelLogMode::kAddGuard, config.log_guard, used, &rows);
    frame += used;
  }

  if (config.normalize == "per_feature" && frames > 0) {
    // Mean and unbiased standard deviation of every bin over time (0 for a single frame), plus 1e-5.
    const int bins = config.num_bins;
    for (int b = 0; b < bins; ++b) {
      double sum = 0;
      for (size_t f = 0; f < frames; ++f) sum += rows[f * bins + b];
      const double mean = sum / frames;
      double squares = 0;
      for (size_t f = 0; f < frames; ++f) squares += (rows[f * bins + b] - mean) * (rows[f * bins + b] - mean);
      const double std_dev = (frames > 1 ? std::sqrt(squares / (frames - 1)) : 0.0) + 1e-5;
      for (size_t f = 0; f < frames; ++f) rows[f * bins + b] = static_cast<float>((rows[f * bins + b] - mean) / std_dev);
    }
  }
  *num_frames = frames;
  return rows;
}

}  // namespace hushscribe
