// Band-limited streaming resampler: windowed-sinc (Kaiser) interpolation evaluated through a polyphase
// table. Output n is the band-limited input evaluated at time n * from_rate / to_rate, so there is no delay;
// chunked processing gives exactly the samples one call on the whole signal gives.
#ifndef HUSHSCRIBE_NATIVE_RESAMPLER_H_
#define HUSHSCRIBE_NATIVE_RESAMPLER_H_

#include <cstdint>
#include <string>
#include <vector>

namespace hushscribe {

struct ResamplerConfig {
  int from_rate = 16000;
  int to_rate = 16000;
  int zero_crossings = 32;   // filter half-length in zero crossings of the sinc
  double rolloff = 0.92;     // cutoff as a fraction of the lower Nyquist frequency
  double kaiser_beta = 8.6;  // about 80 dB stop-band attenuation

  void Validate() const;  // throws std::invalid_argument naming the first bad field
  std::string ToString() const;
};

class Resampler {
 public:
  explicit Resampler(const ResamplerConfig& config);

  // Appends the output samples whose input neighbourhood has fully arrived.
  void Process(const float* samples, size_t count, std::vector<float>* out);
  // Appends the rest, treating the signal as zero after its end; the stream can then start again.
  void Flush(std::vector<float>* out);

 private:
  void Emit(int64_t end_output, std::vector<float>* out);

  ResamplerConfig config_;
  int64_t up_ = 1, down_ = 1;  // to_rate / from_rate as a reduced fraction up_/down_
  int half_taps_ = 0;          // taps on each side of the interpolation point
  std::vector<float> table_;   // [phase][2 * half_taps_]
  std::vector<float> buffer_;  // input samples [buffer_start_, total_in_)
  int64_t buffer_start_ = 0;
  int64_t total_in_ = 0;
  int64_t next_out_ = 0;
};

}  // namespace hushscribe

#endif  // HUSHSCRIBE_NATIVE_RESAMPLER_H_
