#pragma once

#include "RemapTable.h"

#include <fxs/frames/Frame.h>

#include <cstdint>

namespace fxs {

/// Which loop applies a RemapTable (private to the engine).
enum class RemapKernel {
    Scalar, ///< one multiply-add per (pixel, bin) contribution through the CSR rows: any x86-64 or other CPU
    Avx2Chunks, ///< 8-wide loads of each row's runs of consecutive pixels (RemapTable::chunk), AVX2 + FMA
};

/// The kernel remap() uses on this machine: Avx2Chunks where the CPU has AVX2 and FMA (checked at run time; the
/// build needs no -march flag), unless the environment sets FXS_REMAP_KERNEL=scalar; read once per process.
RemapKernel activeRemapKernel();
/// "avx2-chunks" or "scalar".
const char* remapKernelName(RemapKernel kernel);

/// Bins [b0, b1) of `t` applied to `pixels` (t.nSlow · t.nFast values of `type`): intensity into out[b], weight into
/// weight[b] (0 where the sum is not finite). `kernel` falls back to Scalar where the table has no chunks.
void applyRemapRows(RemapKernel kernel, const RemapTable& t, PixelType type, const std::byte* pixels, std::uint32_t b0,
    std::uint32_t b1, float* out, float* weight);

} // namespace fxs
