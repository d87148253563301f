// Four doubles as one value (GCC/Clang vector extensions): the compiler maps
// it to one AVX register where the function is built for AVX2 (the
// "arch=x86-64-v3" clone of a kernel) and to two SSE2 registers otherwise. A
// kernel built in clones picks the widest the CPU runs, once, at load time.
#pragma once

#include <string.h>

namespace conflux {

typedef double Double4 __attribute__((vector_size(32)));

#define CONFLUX_KERNEL __attribute__((target_clones("arch=x86-64-v3", "default")))
// Helpers of kernels: always inlined, so that they are built for each clone of the kernel that calls them.
#define CONFLUX_INLINE static inline __attribute__((always_inline))

inline Double4 Load4(const double* address) {
  Double4 value;
  memcpy(&value, address, sizeof value);
  return value;
}

inline void Store4(double* address, Double4 value) { memcpy(address, &value, sizeof value); }

inline Double4 Broadcast4(double value) { return Double4{value, value, value, value}; }

inline double Sum4(Double4 value) { return (value[0] + value[1]) + (value[2] + value[3]); }

}  // namespace conflux
