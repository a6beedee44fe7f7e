#include "StatsKernels.h"

#include <cstring>
#include <limits>

// Function multiversioning (GCC on x86-64 with ifunc): one clone per ISA level, chosen at load time (as RowKernels).
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
#define FXS_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define FXS_CLONES
#endif

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
