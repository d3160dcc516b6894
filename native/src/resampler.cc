#include "resampler.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>
#include <stdexcept>

namespace hushscribe {

namespace {
// Modified Bessel function of the first kind, order 0 (power series; converges fast for beta < 20).
double BesselI0(double x) {
  double sum = 1.0, term = 1.0;
  for (int k = 1; k < 50; ++k) {
    term *= (x / (2.0 * k)) * (x / (2.0 * k));
    sum += term;
  }
  return sum;
}
}  // namespace

void ResamplerConfig::Validate() const {
  auto fail = [](const std::string& message) { throw std::invalid_argument("ResamplerConfig: " + message); };
  if (from_rate < 1000 || from_rate > 384000) fail("from_rate must be in [1000, 384000]");
  if (to_rate < 1000 || to_rate > 384000) fail("to_rate must be in [1000, 384000]");
  if (to_rate / std::gcd(from_rate, to_rate) > 4096) fail("to_rate / gcd(from_rate, to_rate) must be <= 4096");
  if (zero_crossings < 2 || zero_crossings > 256) fail("zero_crossings must be in [2, 256]");
  if (!(rolloff > 0.5 && rolloff <= 1.0)) fail("rolloff must be in (0.5, 1]");
  if (!(kaiser_beta >= 0 && kaiser_beta <= 20)) fail("kaiser_beta must be in [0, 20]");
  const int divisor = std::gcd(from_rate, to_rate);
  const double up = to_rate / divisor, down = from_rate / divisor;
  if (up != down && up * 2.0 * std::ceil(zero_crossings / (rolloff * std::min(1.0, up / down))) > (1 << 22)) {
    fail("from_rate and to_rate need a filter table of more than 4M taps; choose rates with a simpler ratio");
  }
}

std::string ResamplerConfig::ToString() const {
  std::ostringstream os;
  os << "ResamplerConfig(from_rate=" << from_rate << ", to_rate=" << to_rate << ", zero_crossings=" << zero_crossings
     << ", rolloff=" << rolloff << ", kaiser_beta=" << kaiser_beta << ")";
  return os.str();
}

Resampler::Resampler(const ResamplerConfig& config) : config_((config.Validate(), config)) {
  const int divisor = std::gcd(config.from_rate, config.to_rate);
  up_ = config.to_rate / divisor;
  down_ = config.from_rate / divisor;
  if (up_ == down_) return;  // identity: no filter
  // Cutoff in cycles per input sample * 2 (1 = input Nyquist); downsampling lowers it to the output Nyquist.
  const double cutoff = config.rolloff * std::min(1.0, static_cast<double>(up_) / down_);
  half_taps_ = static_cast<int>(std::ceil(config.zero_crossings / cutoff));
  const int taps = 2 * half_taps_;
  const double beta_norm = BesselI0(config.kaiser_beta);
  table_.resize(static_cast<size_t>(up_) * taps);
  for (int64_t phase = 0; phase < up_; ++phase) {
    const double fraction = static_cast<double>(phase) / up_;
    for (int k = 0; k < taps; ++k) {
      // Tap k reads input (base - half_taps + 1 + k); its distance from the interpolation point:
      const double t = (k - half_taps_ + 1) - fraction;
      const double x = M_PI * cutoff * t;
      const double sinc = t == 0 ? 1.0 : std::sin(x) / x;
      const double r = t / half_taps_;
      const double kaiser = std::fabs(r) >= 1 ? 0.0 : BesselI0(config.kaiser_beta * std::sqrt(1 - r * r)) / beta_norm;
      table_[phase * taps + k] = static_cast<float>(cutoff * sinc * kaiser);
    }
  }
}

void Resampler::Emit(int64_t end_output, std::vector<float>* out) {
  const int taps = 2 * half_taps_;
  for (; next_out_ < end_output; ++next_out_) {
    const int64_t position = next_out_ * down_;  // in units of 1/up_ input samples
    const int64_t base = position / up_;
    const float* filter = table_.data() + (position % up_) * taps;
    const int64_t first = base - half_taps_ + 1;
    float acc = 0.0f;
    for (int k = 0; k < taps; ++k) {
      const int64_t index = first + k;
      if (index >= buffer_start_ && index < total_in_) acc += filter[k] * buffer_[index - buffer_start_];
    }
    out->push_back(acc);
  }
  const int64_t keep_from = std::max<int64_t>(0, next_out_ * down_ / up_ - half_taps_ + 1);
  if (keep_from > buffer_start_) {
    const int64_t drop = std::min<int64_t>(keep_from, total_in_) - buffer_start_;
    buffer_.erase(buffer_.begin(), buffer_.begin() + drop);
    buffer_start_ += drop;
  }
}

void Resampler::Process(const float* samples, size_t count, std::vector<float>* out) {
  if (up_ == down_) {
    out->insert(out->end(), samples, samples + count);
    return;
  }
  buffer_.insert(buffer_.end(), samples, samples + count);
  total_in_ += static_cast<int64_t>(count);
  // Output n needs inputs up to floor(n * down / up) + half_taps.
  const int64_t last_base = total_in_ - 1 - half_taps_;
  if (last_base < 0) return;
  Emit((last_base + 1) * up_ / down_ + ((last_base + 1) * up_ % down_ != 0 ? 1 : 0), out);
}

void Resampler::Flush(std::vector<float>* out) {
  if (up_ != down_) {
    // ceil(total_in * up / down) outputs cover the input; the missing right neighbours count as zero.
    Emit((total_in_ * up_ + down_ - 1) / down_, out);
  }
  buffer_.clear();
  buffer_start_ = total_in_ = next_out_ = 0;
}

}  // namespace hushscribe
