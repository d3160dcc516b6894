// Tables for the real FFT used by every feature extractor (Kaldi fbank and NeMo mel both take the power
// spectrum of a zero-padded frame whose length is a power of two).
#include <cmath>
#include <stdexcept>
#include <string>

#include "kernels.h"

namespace hushscribe {

FftTables MakeFftTables(int fft_size) {
  if (fft_size < 4 || (fft_size & (fft_size - 1)) != 0) {
    throw std::invalid_argument("FFT size must be a power of two >= 4, got " + std::to_string(fft_size));
  }
  const int half = fft_size / 2;
  int bits = 0;
  while ((1 << bits) < half) ++bits;

  FftTables tables;
  tables.fft_size = fft_size;
  tables.bit_reverse.resize(half);
  for (int n = 0; n < half; ++n) {
    int reversed = 0;
    for (int b = 0; b < bits; ++b) reversed |= ((n >> b) & 1) << (bits - 1 - b);
    tables.bit_reverse[n] = reversed;
  }
  // Twiddles in double, rounded once, so every kernel set starts from identical tables.
  for (int len = 2; len <= half; len <<= 1) {
    for (int j = 0; j < len / 2; ++j) {
      const double angle = -2.0 * M_PI * j / len;
      tables.stage_cos.push_back(static_cast<float>(std::cos(angle)));
      tables.stage_sin.push_back(static_cast<float>(std::sin(angle)));
    }
  }
  for (int k = 0; k <= half; ++k) {
    const double angle = -2.0 * M_PI * k / fft_size;
    tables.split_cos.push_back(static_cast<float>(std::cos(angle)));
    tables.split_sin.push_back(static_cast<float>(std::sin(angle)));
  }
  return tables;
}

}  // namespace hushscribe
