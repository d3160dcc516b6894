// Which kernel set this CPU can run: decided at run time, so one binary serves every x86-64 or arm64 CPU.
#include "kernels.h"

namespace hushscribe {

std::vector<const SimdKernels*> AvailableKernels() {
  std::vector<const SimdKernels*> sets{&ScalarKernels()};
#if defined(__x86_64__)
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) sets.push_back(&Avx2Kernels());
#endif
#if defined(__aarch64__)
  sets.push_back(&NeonKernels());  // Advanced SIMD is mandatory on arm64.
#endif
  return sets;
}

const SimdKernels& BestKernels() { return *AvailableKernels().back(); }

const SimdKernels* FindKernels(const std::string& name) {
  for (const SimdKernels* set : AvailableKernels()) {
    if (name == set->name) return set;
  }
  return nullptr;
}

}  // namespace hushscribe
