#include "StatsKernels.h"

#include <fxs/core/TargetClones.h>

#include <cstring>
#include <limits>

namespace fxs::detail {

namespace {
inline bool finite(float v)
{
    std::uint32_t b;
    std::memcpy(&b, &v, sizeof b);
    return (b & 0x7f800000u) != 0x7f800000u;
}
} // namespace

FXS_CLONES PolarSums polarSums(
    const float* intensity, const float* weight, std::size_t n, double saturation, double photonThreshold)
{
    double sum = 0.0;
    double mx = -std::numeric_limits<double>::infinity();
    std::int64_t sat = 0, lit = 0, valid = 0, nonFinite = 0;
    // `&`, not `&&`, and selects: no branches, so the loop vectorises.
#pragma omp simd reduction(+ : sum, sat, lit, valid, nonFinite) reduction(max : mx)
    for (std::size_t i = 0; i < n; ++i) {
        const bool weighted = weight[i] > 0.0f;
        const bool isFinite = finite(intensity[i]);
        const bool ok = weighted & isFinite;
        const double v = ok ? static_cast<double>(intensity[i]) : 0.0;
        sum += v;
        mx = (ok & (v > mx)) ? v : mx;
        valid += ok;
        sat += ok & (v >= saturation);
        lit += ok & (v > photonThreshold);
        nonFinite += weighted & !isFinite;
    }
    return { sum, mx, sat, lit, valid, nonFinite };
}

} // namespace fxs::detail
