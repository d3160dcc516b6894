// JavaScript bindings. native/index.ts has already filled defaults and validated every option with a
// friendly message; the C++ Validate() calls here are the second line of defence.
#include <napi.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "fbank.h"
#include "kernels.h"
#include "nemo_mel.h"
#include "ngram_lm.h"
#include "resampler.h"
#include "sd_notify.h"
#include "file_lock.h"

namespace hushscribe {
namespace {

const SimdKernels* g_active_kernels = nullptr;  // set at module load, changed by simdUse()

const SimdKernels& ActiveKernels() { return *g_active_kernels; }

double GetNumber(const Napi::Object& options, const char* key) {
  const Napi::Value value = options.Get(key);
  if (!value.IsNumber()) throw std::invalid_argument(std::string("option ") + key + " must be a number");
  return value.As<Napi::Number>().DoubleValue();
}
bool GetBool(const Napi::Object& options, const char* key) {
  const Napi::Value value = options.Get(key);
  if (!value.IsBoolean()) throw std::invalid_argument(std::string("option ") + key + " must be a boolean");
  return value.As<Napi::Boolean>().Value();
}
std::string GetString(const Napi::Object& options, const char* key) {
  const Napi::Value value = options.Get(key);
  if (!value.IsString()) throw std::invalid_argument(std::string("option ") + key + " must be a string");
  return value.As<Napi::String>().Utf8Value();
}
Napi::Object OptionsArg(const Napi::CallbackInfo& info, size_t index) {
  if (info.Length() <= index || !info[index].IsObject()) throw std::invalid_argument("options object expected");
  return info[index].As<Napi::Object>();
}

// Validate() with the whole configuration appended to the message, for logs and bug reports.
template <class Config>
void ValidateOrExplain(const Config& config) {
  try {
    config.Validate();
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string(e.what()) + " in " + config.ToString());
  }
}

KaldiFbankConfig ParseFbankConfig(const Napi::Object& o) {
  KaldiFbankConfig c;
  c.sample_rate = GetNumber(o, "sampleRate");
  c.num_bins = static_cast<int>(GetNumber(o, "numBins"));
  c.frame_length_ms = GetNumber(o, "frameLengthMs");
  c.frame_shift_ms = GetNumber(o, "frameShiftMs");
  c.preemphasis = static_cast<float>(GetNumber(o, "preemphasis"));
  c.remove_dc_offset = GetBool(o, "removeDcOffset");
  c.window = GetString(o, "window");
  c.dither = static_cast<float>(GetNumber(o, "dither"));
  c.dither_seed = static_cast<uint32_t>(GetNumber(o, "ditherSeed"));
  c.snip_edges = GetBool(o, "snipEdges");
  c.low_freq = GetNumber(o, "lowFreq");
  c.high_freq = GetNumber(o, "highFreq");
  c.energy_floor = static_cast<float>(GetNumber(o, "energyFloor"));
  ValidateOrExplain(c);
  return c;
}

NemoMelConfig ParseNemoConfig(const Napi::Object& o) {
  NemoMelConfig c;
  c.sample_rate = GetNumber(o, "sampleRate");
  c.num_bins = static_cast<int>(GetNumber(o, "numBins"));
  c.n_fft = static_cast<int>(GetNumber(o, "nFft"));
  c.window_length_ms = GetNumber(o, "windowLengthMs");
  c.hop_ms = GetNumber(o, "hopMs");
  c.preemphasis = static_cast<float>(GetNumber(o, "preemphasis"));
  c.window = GetString(o, "window");
  c.low_freq = GetNumber(o, "lowFreq");
  const Napi::Value high = o.Get("highFreq");
  c.high_freq = high.IsNull() ? -1.0 : GetNumber(o, "highFreq");
  c.log_guard = static_cast<float>(GetNumber(o, "logGuard"));
  c.normalize = GetString(o, "normalize");
  c.dither = static_cast<float>(GetNumber(o, "dither"));
  ValidateOrExplain(c);
  return c;
}

// The samples of a Float32Array argument, rejecting NaN and infinities (they would poison whole frames).
struct SampleView {
  const float* data;
  size_t size;
};
SampleView SamplesArg(const Napi::CallbackInfo& info, size_t index) {
  if (info.Length() <= index || !info[index].IsTypedArray() ||
      info[index].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    throw std::invalid_argument("samples must be a Float32Array");
  }
  const Napi::Float32Array array = info[index].As<Napi::Float32Array>();
  SampleView view{array.Data(), array.ElementLength()};
  for (size_t i = 0; i < view.size; ++i) {
    if (!std::isfinite(view.data[i])) {
      throw std::invalid_argument("samples[" + std::to_string(i) + "] is " + std::to_string(view.data[i]) +
                                  "; samples must be finite");
    }
  }
  return view;
}

Napi::Object MakeFeatures(Napi::Env env, const std::vector<float>& rows, size_t num_bins) {
  Napi::Float32Array data = Napi::Float32Array::New(env, rows.size());
  std::copy(rows.begin(), rows.end(), data.Data());
  Napi::Object features = Napi::Object::New(env);
  features.Set("data", data);
  features.Set("numFrames", Napi::Number::New(env, static_cast<double>(num_bins ? rows.size() / num_bins : 0)));
  features.Set("numBins", Napi::Number::New(env, static_cast<double>(num_bins)));
  return features;
}

Napi::Float32Array MakeSamples(Napi::Env env, const std::vector<float>& samples) {
  Napi::Float32Array array = Napi::Float32Array::New(env, samples.size());
  std::copy(samples.begin(), samples.end(), array.Data());
  return array;
}

// Runs a call, turning C++ exceptions into JavaScript errors (RangeError for bad arguments).
template <class Fn>
Napi::Value Guard(Napi::Env env, Fn&& fn) {
  try {
    return fn();
  } catch (const std::invalid_argument& e) {
    throw Napi::RangeError::New(env, e.what());
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, e.what());
  }
}

std::vector<float> FbankWhole(const KaldiFbankConfig& config, const SimdKernels& kernels, const float* samples,
                              size_t count) {
  KaldiFbankComputer computer(config, kernels);
  std::vector<float> rows;
  computer.Accept(samples, count, &rows);
  computer.Finish(&rows);
  return rows;
}

// Computes features off the JavaScript thread on a private copy of the samples.
class FeatureWorker : public Napi::AsyncWorker {
 public:
  using Compute = std::function<std::vector<float>(const std::vector<float>&)>;
  FeatureWorker(Napi::Env env, std::vector<float> samples, size_t num_bins, Compute compute)
      : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), samples_(std::move(samples)),
        num_bins_(num_bins), compute_(std::move(compute)) {}
  Napi::Promise Promise() const { return deferred_.Promise(); }

 protected:
  void Execute() override {
    try {
      rows_ = compute_(samples_);
    } catch (const std::exception& e) {
      SetError(e.what());
    }
  }
  void OnOK() override { deferred_.Resolve(MakeFeatures(Env(), rows_, num_bins_)); }
  void OnError(const Napi::Error& error) override { deferred_.Reject(error.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  std::vector<float> samples_;
  size_t num_bins_;
  Compute compute_;
  std::vector<float> rows_;
};

Napi::Value ComputeFbank(const Napi::CallbackInfo& info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    const SampleView samples = SamplesArg(info, 0);
    const KaldiFbankConfig config = ParseFbankConfig(OptionsArg(info, 1));
    return MakeFeatures(info.Env(), FbankWhole(config, ActiveKernels(), samples.data, samples.size), config.num_bins);
  });
}

Napi::Value ComputeFbankAsync(const Napi::CallbackInfo& info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    const SampleView samples = SamplesArg(info, 0);
    const KaldiFbankConfig config = ParseFbankConfig(OptionsArg(info, 1));
    const SimdKernels* kernels = &ActiveKernels();
    auto* worker = new FeatureWorker(info.Env(), std::vector<float>(samples.data, samples.data + samples.size),
                                     config.num_bins, [config, kernels](const std::vector<float>& s) {
                                       return FbankWhole(config, *kernels, s.data(), s.size());
                                     });
    worker->Queue();
    return worker->Promise();
  });
}

std::vector<float> NemoWhole(const NemoMelConfig& config, const SimdKernels& kernels, const float* samples,
                             size_t count) {
  size_t frames = 0;
  return ComputeNemoMel(config, kernels, samples, count, &frames);
}

Napi::Value ComputeNemoMelSync(const Napi::CallbackInfo& info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    const SampleView samples = SamplesArg(info, 0);
    const NemoMelConfig config = ParseNemoConfig(OptionsArg(info, 1));
    return MakeFeatures(info.Env(), NemoWhole(config, ActiveKernels(), samples.data, samples.size), config.num_bins);
  });
}

Napi::Value ComputeNemoMelAsync(const Napi::CallbackInfo& info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    const SampleView samples = SamplesArg(info, 0);
    const NemoMelConfig config = ParseNemoConfig(OptionsArg(info, 1));
    const SimdKernels* kernels = &ActiveKernels();
    auto* worker = new FeatureWorker(info.Env(), std::vector<float>(samples.data, samples.data + samples.size),
                                     config.num_bins, [config, kernels](const std::vector<float>& s) {
                                       return NemoWhole(config, *kernels, s.data(), s.size());
                                     });
    worker->Queue();
    return worker->Promise();
  });
}

class ResamplerWrap : public Napi::ObjectWrap<ResamplerWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "Resampler",
                       {InstanceMethod("process", &ResamplerWrap::Process),
                        InstanceMethod("flush", &ResamplerWrap::Flush)});
  }
  explicit ResamplerWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<ResamplerWrap>(info) {
    Guard(info.Env(), [&]() -> Napi::Value {
      if (info.Length() < 2 || !info[0].IsNumber() || !info[1].IsNumber()) {
        throw std::invalid_argument("Resampler(fromRate, toRate) expects two numbers");
      }
      ResamplerConfig config;
      config.from_rate = info[0].As<Napi::Number>().Int32Value();
      config.to_rate = info[1].As<Napi::Number>().Int32Value();
      ValidateOrExplain(config);
      resampler_ = std::make_unique<Resampler>(config);
      return info.Env().Undefined();
    });
  }

 private:
  Napi::Value Process(const Napi::CallbackInfo& info) {
    return Guard(info.Env(), [&]() -> Napi::Value {
      const SampleView samples = SamplesArg(info, 0);
      std::vector<float> out;
      resampler_->Process(samples.data, samples.size, &out);
      return MakeSamples(info.Env(), out);
    });
  }
  Napi::Value Flush(const Napi::CallbackInfo& info) {
    std::vector<float> out;
    resampler_->Flush(&out);
    return MakeSamples(info.Env(), out);
  }
  std::unique_ptr<Resampler> resampler_;
};

// The mapped n-gram LM. logProb(word, ...history) takes the history oldest first, as plain numbers: the beam search
// calls it once per new (history, word) pair, so it avoids allocating arrays per call.
class NgramLmWrap : public Napi::ObjectWrap<NgramLmWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NgramLm",
                       {InstanceMethod("logProb", &NgramLmWrap::LogProb),
                        InstanceMethod("vocabulary", &NgramLmWrap::Vocabulary),
                        InstanceMethod("info", &NgramLmWrap::Info),
                        InstanceMethod("close", &NgramLmWrap::Close)});
  }
  explicit NgramLmWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NgramLmWrap>(info) {
    Guard(info.Env(), [&]() -> Napi::Value {
      if (info.Length() < 1 || !info[0].IsString()) throw std::invalid_argument("NgramLm(path) expects a file path");
      lm_ = std::make_unique<NgramLm>(info[0].As<Napi::String>().Utf8Value());
      return info.Env().Undefined();
    });
  }

 private:
  const NgramLm& Lm(const Napi::Env& env) const {
    if (!lm_) throw Napi::Error::New(env, "the language model is closed");
    return *lm_;
  }
  Napi::Value LogProb(const Napi::CallbackInfo& info) {
    const NgramLm& lm = Lm(info.Env());
    uint32_t history[kMaxNgramOrder];
    const int len = std::min<int>(static_cast<int>(info.Length()) - 1, kMaxNgramOrder);
    if (len < 0) throw Napi::RangeError::New(info.Env(), "logProb(word, ...history) expects a word id");
    for (int i = 0; i < len; ++i) history[i] = info[i + 1].As<Napi::Number>().Uint32Value();
    return Napi::Number::New(info.Env(), lm.LogProb(history, len, info[0].As<Napi::Number>().Uint32Value()));
  }
  Napi::Value Vocabulary(const Napi::CallbackInfo& info) {
    const NgramLm& lm = Lm(info.Env());
    return Napi::String::New(info.Env(), lm.vocab(), lm.vocab_bytes());
  }
  Napi::Value Info(const Napi::CallbackInfo& info) {
    const NgramLm& lm = Lm(info.Env());
    Napi::Object o = Napi::Object::New(info.Env());
    Napi::Array counts = Napi::Array::New(info.Env(), lm.order());
    for (int n = 1; n <= lm.order(); ++n) counts.Set(static_cast<uint32_t>(n - 1), lm.count(n));
    o.Set("order", lm.order());
    o.Set("counts", counts);
    o.Set("bos", lm.bos());
    o.Set("eos", lm.eos());
    o.Set("unk", lm.unk());
    o.Set("fileBytes", static_cast<double>(lm.file_bytes()));
    return o;
  }
  Napi::Value Close(const Napi::CallbackInfo& info) {
    lm_.reset();
    return info.Env().Undefined();
  }
  std::unique_ptr<NgramLm> lm_;
};

Napi::Value SdNotifyBinding(const Napi::CallbackInfo& info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    if (info.Length() < 2 || !info[0].IsString() || !info[1].IsString()) {
      throw std::invalid_argument("sdNotify(socketName, message) expects two strings");
    }
    SdNotify(info[0].As<Napi::String>().Utf8Value(), info[1].As<Napi::String>().Utf8Value());
    return info.Env().Undefined();
  });
}

Napi::Value TryLockFileBinding(const Napi::CallbackInfo& info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    if (info.Length() < 1 || !info[0].IsNumber()) throw std::invalid_argument("tryLockFile(fd) expects a file descriptor");
    return Napi::Boolean::New(info.Env(), TryLockFile(info[0].As<Napi::Number>().Int32Value()));
  });
}

// Returns the allocator's free memory to the system (glibc keeps what onnxruntime and the decoder freed, tens of
// MB after a long utterance). False where the C library has no malloc_trim (musl): nothing to do there.
Napi::Value ReleaseFreeMemory(const Napi::CallbackInfo& info) {
#ifdef __GLIBC__
  malloc_trim(0);
  return Napi::Boolean::New(info.Env(), true);
#else
  return Napi::Boolean::New(info.Env(), false);
#endif
}

// Makes glibc serve allocations of `thresholdBytes` and more with their own mmap, unmapped (returned to the system)
// when freed. By default the threshold rises to the largest block freed so far (up to 32 MB), so after the first
// long utterance onnxruntime's tensors of several MB come from the heap, where one block still in use at the top
// pins everything below it: resident until a malloc_trim, and fragmented after. Fixing the threshold also turns
// off that dynamic adjustment. False where the C library is not glibc (musl always maps large blocks).
Napi::Value MapLargeAllocations(const Napi::CallbackInfo& info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    if (info.Length() < 1 || !info[0].IsNumber()) throw std::invalid_argument("mapLargeAllocations(thresholdBytes) expects a number");
#ifdef __GLIBC__
    const int threshold = info[0].As<Napi::Number>().Int32Value();
    return Napi::Boolean::New(info.Env(), mallopt(M_MMAP_THRESHOLD, threshold) == 1);
#else
    return Napi::Boolean::New(info.Env(), false);
#endif
  });
}

Napi::Value SimdAvailable(const Napi::CallbackInfo& info) {
  const std::vector<const SimdKernels*> sets = AvailableKernels();
  Napi::Array names = Napi::Array::New(info.Env(), sets.size());
  for (size_t i = 0; i < sets.size(); ++i) names.Set(static_cast<uint32_t>(i), sets[i]->name);
  return names;
}

Napi::Value SimdActive(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), ActiveKernels().name); }

Napi::Value SimdUse(const Napi::CallbackInfo& info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    if (info.Length() < 1 || !info[0].IsString()) throw std::invalid_argument("simdUse(name) expects a string");
    const std::string name = info[0].As<Napi::String>().Utf8Value();
    const SimdKernels* kernels = FindKernels(name);
    if (kernels == nullptr) throw std::invalid_argument("SIMD kernel set '" + name + "' is not available on this CPU");
    g_active_kernels = kernels;
    return info.Env().Undefined();
  });
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  g_active_kernels = &BestKernels();
  exports.Set("computeFbank", Napi::Function::New(env, ComputeFbank));
  exports.Set("computeFbankAsync", Napi::Function::New(env, ComputeFbankAsync));
  exports.Set("computeNemoMel", Napi::Function::New(env, ComputeNemoMelSync));
  exports.Set("computeNemoMelAsync", Napi::Function::New(env, ComputeNemoMelAsync));
  exports.Set("Resampler", ResamplerWrap::Define(env));
  exports.Set("NgramLm", NgramLmWrap::Define(env));
  exports.Set("sdNotify", Napi::Function::New(env, SdNotifyBinding));
  exports.Set("tryLockFile", Napi::Function::New(env, TryLockFileBinding));
  exports.Set("releaseFreeMemory", Napi::Function::New(env, ReleaseFreeMemory));
  exports.Set("mapLargeAllocations", Napi::Function::New(env, MapLargeAllocations));
  exports.Set("simdAvailable", Napi::Function::New(env, SimdAvailable));
  exports.Set("simdActive", Napi::Function::New(env, SimdActive));
  exports.Set("simdUse", Napi::Function::New(env, SimdUse));
  return exports;
}

}  // namespace
}  // namespace hushscribe

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return hushscribe::Init(env, exports); }

NODE_API_MODULE(hushscribe_native, InitAddon)
