// Every SIMD kernel set this CPU runs against the scalar reference, plus the scalar FFT against a
// double-precision DFT. Plain C++ (no Node), so it also runs cross-compiled under qemu-aarch64 for NEON.
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "fbank.h"
#include "frame_block.h"
#include "kernels.h"
#include "nemo_mel.h"

using namespace hushscribe;

namespace {

int g_failures = 0;

std::string Fmt(double value) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.3g", value);
  return text;
}

void Check(bool ok, const std::string& what) {
  std::printf("%s - %s\n", ok ? "ok" : "FAIL", what.c_str());
  if (!ok) ++g_failures;
}

std::vector<float> RandomFrames(std::mt19937& rng, int count, float scale) {
  std::normal_distribution<float> normal(0.0f, scale);
  std::vector<float> frames(count);
  for (float& v : frames) v = normal(rng) + 0.05f * scale;  // a little DC, so remove_dc_offset matters
  return frames;
}

// Runs prepare + FFT power + mel log for one lane layout; frames are [frame][t].
struct Pipeline {
  std::vector<float> power;  // [frame][k]
  std::vector<float> mel;    // [frame][bin]
};

Pipeline Run(const SimdKernels& kernels, const FramePrepareParams& params, const FftTables& fft,
             const SparseMelBank& bank, MelLogMode mode, float value, const std::vector<float>& frames, int count) {
  const int lanes = kernels.lanes, half = fft.fft_size / 2, length = params.frame_length;
  Pipeline result;
  std::vector<float> block(static_cast<size_t>(length) * lanes), re(half * lanes), im(half * lanes),
      power((half + 1) * lanes), mel(bank.num_bins * lanes);
  const std::vector<float> silence(length, 0.0f);
  std::vector<const float*> sources(lanes);
  for (int first = 0; first < count; first += lanes) {
    for (int lane = 0; lane < lanes; ++lane) {
      sources[lane] = first + lane < count ? frames.data() + (first + lane) * length : silence.data();
    }
    kernels.gather_frames(sources.data(), length, block.data());
    kernels.prepare_frames(params, fft, block.data(), re.data(), im.data());
    kernels.fft_power(fft, re.data(), im.data(), power.data());
    kernels.mel_log(bank, mode, value, power.data(), mel.data());
    for (int lane = 0; lane < lanes && first + lane < count; ++lane) {
      for (int k = 0; k <= half; ++k) result.power.push_back(power[k * lanes + lane]);
      for (int b = 0; b < bank.num_bins; ++b) result.mel.push_back(mel[b * lanes + lane]);
    }
  }
  return result;
}

double MaxAbsDiff(const std::vector<float>& a, const std::vector<float>& b) {
  double worst = a.size() == b.size() ? 0.0 : INFINITY;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) worst = std::max(worst, std::fabs(double(a[i]) - b[i]));
  return worst;
}

// Largest power difference relative to the frame's peak power (quiet bins carry rounding noise only).
double MaxRelativePowerDiff(const std::vector<float>& a, const std::vector<float>& b, int bins) {
  double worst = 0;
  for (size_t f = 0; f * bins < a.size(); ++f) {
    double peak = 0;
    for (int k = 0; k < bins; ++k) peak = std::max(peak, double(a[f * bins + k]));
    for (int k = 0; k < bins; ++k) worst = std::max(worst, std::fabs(double(a[f * bins + k]) - b[f * bins + k]) / peak);
  }
  return worst;
}

void TestFftAgainstDft() {
  std::mt19937 rng(7);
  for (int n : {8, 64, 512, 1024}) {
    const FftTables fft = MakeFftTables(n);
    const std::vector<float> x = RandomFrames(rng, n, 1.0f);
    std::vector<float> window(n, 1.0f);
    FramePrepareParams params;
    params.frame_length = n;
    params.window = window.data();
    std::vector<float> frame = x, re(n / 2), im(n / 2), power(n / 2 + 1);
    ScalarKernels().prepare_frames(params, fft, frame.data(), re.data(), im.data());
    ScalarKernels().fft_power(fft, re.data(), im.data(), power.data());
    double worst = 0, peak = 0;
    for (int k = 0; k <= n / 2; ++k) {
      double sr = 0, si = 0;
      for (int t = 0; t < n; ++t) {
        sr += x[t] * std::cos(2 * M_PI * k * t / n);
        si -= x[t] * std::sin(2 * M_PI * k * t / n);
      }
      const double expected = sr * sr + si * si;
      peak = std::max(peak, expected);
      worst = std::max(worst, std::fabs(expected - power[k]));
    }
    Check(worst / peak < 1e-5, "scalar FFT power matches a double DFT, N=" + std::to_string(n) +
                                   " (relative error " + Fmt(worst / peak) + ")");
  }
}

void TestKernelSet(const SimdKernels& kernels) {
  std::mt19937 rng(42);
  const std::string name = kernels.name;

  // Gathering is a pure copy: lane-interleaved output must equal the naive layout exactly.
  for (int length : {400, 37}) {
    const std::vector<float> input = RandomFrames(rng, kernels.lanes * length, 1.0f);
    std::vector<const float*> sources;
    for (int lane = 0; lane < kernels.lanes; ++lane) sources.push_back(input.data() + lane * length);
    std::vector<float> gathered(input.size()), reference(input.size());
    kernels.gather_frames(sources.data(), length, gathered.data());
    for (int t = 0; t < length; ++t) {
      for (int lane = 0; lane < kernels.lanes; ++lane) reference[t * kernels.lanes + lane] = input[lane * length + t];
    }
    Check(gathered == reference, name + " gather_frames interleaves " + std::to_string(length) + "-sample frames exactly");
  }
  const int frames = 3 * kernels.lanes + 1;  // a partial block too

  // Kaldi: 400-sample frames, DC removal, pre-emphasis, povey window, 512-point FFT, floor then log.
  KaldiFbankConfig kaldi;
  const FftTables fft512 = MakeFftTables(kaldi.PaddedWindowSize());
  const SparseMelBank kaldi_bank = MakeKaldiMelBank(kaldi);
  const std::vector<float> povey = MakeWindow("povey", kaldi.WindowSize());
  FramePrepareParams kaldi_params;
  kaldi_params.frame_length = kaldi.WindowSize();
  kaldi_params.remove_dc_offset = true;
  kaldi_params.preemphasis = 0.97f;
  kaldi_params.window = povey.data();
  for (float scale : {1e-4f, 0.3f, 3000.0f}) {
    const std::vector<float> input = RandomFrames(rng, frames * kaldi_params.frame_length, scale);
    const Pipeline reference = Run(ScalarKernels(), kaldi_params, fft512, kaldi_bank, MelLogMode::kFloor, 1.1920929e-7f, input, frames);
    const Pipeline candidate = Run(kernels, kaldi_params, fft512, kaldi_bank, MelLogMode::kFloor, 1.1920929e-7f, input, frames);
    const double power_diff = MaxRelativePowerDiff(reference.power, candidate.power, 257);
    const double mel_diff = MaxAbsDiff(reference.mel, candidate.mel);
    Check(power_diff < 1e-6, name + " kaldi prepare+fft_power agrees with scalar, scale " + Fmt(scale) +
                                 " (relative " + Fmt(power_diff) + ")");
    Check(mel_diff <= 1e-4, name + " kaldi mel_log agrees with scalar within 1e-4, scale " + Fmt(scale) +
                                " (" + Fmt(mel_diff) + ")");
  }

  // NeMo: 400-sample hann window centred in a 512-point frame, Slaney mel, log(x + 2^-24).
  NemoMelConfig nemo;
  const SparseMelBank slaney = MakeSlaneyMelBank(nemo);
  const std::vector<float> hann = MakeWindow("hann", nemo.WindowLength());
  FramePrepareParams nemo_params;
  nemo_params.frame_length = nemo.WindowLength();
  nemo_params.window_offset = (nemo.n_fft - nemo.WindowLength()) / 2;
  nemo_params.window = hann.data();
  const std::vector<float> input = RandomFrames(rng, frames * nemo_params.frame_length, 0.1f);
  const Pipeline reference = Run(ScalarKernels(), nemo_params, fft512, slaney, MelLogMode::kAddGuard, nemo.log_guard, input, frames);
  const Pipeline candidate = Run(kernels, nemo_params, fft512, slaney, MelLogMode::kAddGuard, nemo.log_guard, input, frames);
  Check(MaxAbsDiff(reference.mel, candidate.mel) <= 1e-4, name + " nemo mel_log agrees with scalar within 1e-4");

  // Silence hits the floor / guard exactly: log must be exact there, too.
  const std::vector<float> silence(frames * kaldi_params.frame_length, 0.0f);
  const Pipeline quiet = Run(kernels, kaldi_params, fft512, kaldi_bank, MelLogMode::kFloor, 1.1920929e-7f, silence, frames);
  double worst = 0;
  for (float v : quiet.mel) worst = std::max(worst, std::fabs(v - std::log(1.1920929e-7)));
  Check(worst <= 1e-5, name + " silence gives log(epsilon) in every bin");

  // The whole Kaldi extractor with this set against the scalar one, streamed in uneven chunks.
  std::vector<float> signal = RandomFrames(rng, 16000, 0.2f);
  KaldiFbankComputer whole(kaldi, ScalarKernels()), chunked(kaldi, kernels);
  std::vector<float> expected, actual;
  whole.Accept(signal.data(), signal.size(), &expected);
  whole.Finish(&expected);
  for (size_t offset = 0, step = 1; offset < signal.size(); offset += step, step = step * 3 % 997 + 1) {
    chunked.Accept(signal.data() + offset, std::min(step, signal.size() - offset), &actual);
  }
  chunked.Finish(&actual);
  Check(expected.size() == actual.size() && MaxAbsDiff(expected, actual) <= 1e-4,
        name + " streamed fbank agrees with whole-signal scalar fbank");
}

}  // namespace

int main() {
  TestFftAgainstDft();
  std::string names;
  for (const SimdKernels* kernels : AvailableKernels()) {
    if (kernels == &ScalarKernels()) continue;
    names += std::string(names.empty() ? "" : ", ") + kernels->name;
    TestKernelSet(*kernels);
  }
  std::printf("# SIMD kernel sets tested against scalar: %s\n", names.c_str());
  Check(AvailableKernels().size() >= 2, "a SIMD kernel set besides scalar is available");
  std::printf("# %d failure(s)\n", g_failures);
  return g_failures == 0 ? 0 : 1;
}
