#pragma once

#include <fxs/geometry/DetectorGeometry.h>
#include <fxs/polar/PolarGrid.h>
#include <fxs/polar/PolarRemapper.h>
#include <fxs/core/Result.h>

#include <cstdint>
#include <memory>
#include <vector>

namespace fxs {

class RemapWorkers;

/// The pixel → polar bin matrix of a PolarRemapper in CSR form, one row per bin (private to the engine).
/// Rows are gathered (each bin reads its own pixels), so threads own disjoint output bins and need no atomics.
/// Within a row the pixels are in slab order, so they come in runs of consecutive pixels (~5 on a 2 Mpx detector
/// with a 300 × 256 grid); `chunk` lists each row's runs cut to at most 8 pixels, which the AVX2 kernel reads with
/// one 8-wide load each (RemapKernels.h). The coefficients are shared: a row's chunks cover its coef entries in order.
struct RemapTable {
    PolarGrid grid;
    RemapOptions options;
    int nSlow = 0;
    int nFast = 0;
    std::vector<std::uint32_t> rowStart; ///< nBins + 1 offsets into pixel/coef
    std::vector<std::uint32_t> pixel; ///< slab index of each contribution
    std::vector<float> coef; ///< f_bp · c_p / Σ_p f_bp: the bin mean is one dot product; 8 zeros follow the last
    std::vector<std::uint32_t> chunkStart; ///< nBins + 1 offsets into chunk; empty when the slab is too large
    std::vector<std::uint32_t> chunk; ///< (first pixel << kChunkLenBits) | (pixels − 1): ≤ 8 consecutive pixels
    std::vector<float> weight; ///< covered valid fraction of each bin
    std::vector<float> count; ///< Σ_p f_bp of each bin
    std::vector<std::uint32_t> blockStart; ///< bin ranges of the apply tasks, balanced by contributions

    static constexpr unsigned kChunkLenBits = 3;
    static constexpr std::uint32_t kChunkLenMask = (1u << kChunkLenBits) - 1;

    /// Number of contributions (coef holds padding beyond them).
    std::size_t nonZeros() const { return rowStart.back(); }

    /// Builds the table; `mask` has one entry per slab pixel (nonzero = usable).
    static Result<std::shared_ptr<const RemapTable>> build(const DetectorGeometry& geometry, const PolarGrid& grid,
        const RemapOptions& options, const std::vector<std::uint8_t>& mask, RemapWorkers& workers);
};

} // namespace fxs
