#pragma once

/// FXS_CLONES before a function: one clone per x86-64 ISA level (v4: AVX-512, v3: AVX2, and the baseline), chosen
/// at load time through ifunc (GCC on x86-64). Nothing elsewhere (Clang, other CPUs, AddressSanitizer builds).
/// Used by the per-bin kernels built with -fopenmp-simd and -fno-trapping-math (engine/CMakeLists.txt).
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
#define FXS_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define FXS_CLONES
#endif
