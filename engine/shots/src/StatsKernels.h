#pragma once

#include <cstddef>
#include <cstdint>

namespace fxs::detail {

/// What ShotStats sums over the usable bins of a polar image.
struct PolarSums {
    double sum = 0.0;
    double max = 0.0; ///< -inf when no bin is usable
    std::int64_t saturated = 0;
    std::int64_t lit = 0;
    std::int64_t valid = 0;
    std::int64_t weightedNonFinite = 0; ///< bins of weight > 0 holding NaN or ±inf (left out of the sums)
};

/// The sums over the n bins of weight > 0 whose intensity is finite, in one branch-free pass that vectorises
/// (StatsKernels.cpp is built with -fopenmp-simd and -fno-trapping-math, one clone per x86-64 ISA level).
PolarSums polarSums(
    const float* intensity, const float* weight, std::size_t n, double saturation, double photonThreshold);

} // namespace fxs::detail
