#include "RowKernels.h"

#include <fxs/core/TargetClones.h>
#include <fxs/correlation/RowTransform.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

// Built with -fno-trapping-math (engine/CMakeLists.txt): `w > 0 ? w (I − m) : 0` may then compute both arms
// and select, which is what lets these loops vectorise; nothing here reads floating-point exception flags.

namespace fxs::detail {

namespace {
inline std::uint32_t bitsOf(float v)
{
    std::uint32_t b;
    std::memcpy(&b, &v, sizeof b);
    return b;
}

// 1 when a bin breaks add()'s rules: a weight outside [0, 1] (NaN included), or a weighted non-finite intensity.
// `&` and `|`, not `&&`: no branches, so the loops that call it vectorise.
inline unsigned badBin(float intensity, float w)
{
    const unsigned weightOk = static_cast<unsigned>(w >= 0.0f) & static_cast<unsigned>(w <= 1.0f);
    const unsigned finite = static_cast<unsigned>((bitsOf(intensity) & 0x7f800000u) != 0x7f800000u);
    return (weightOk ^ 1u) | (static_cast<unsigned>(w > 0.0f) & (finite ^ 1u));
}
} // namespace

FXS_CLONES bool binsValid(const float* intensity, const float* weight, std::size_t n)
{
    unsigned bad = 0;
    for (std::size_t i = 0; i < n; ++i) {
        bad |= badBin(intensity[i], weight[i]);
    }
    return bad == 0;
}

FXS_CLONES bool ringSums(const float* intensity, const float* weight, int n, RingSums& sums)
{
    double sw = 0.0;
    double swi = 0.0;
    unsigned bad = 0;
#pragma omp simd reduction(+ : sw, swi) reduction(| : bad)
    for (int p = 0; p < n; ++p) {
        bad |= badBin(intensity[p], weight[p]);
        const double w = weight[p];
        sw += w;
        swi += w > 0.0 ? w * intensity[p] : 0.0;
    }
    sums = { sw, swi };
    return bad == 0;
}

FXS_CLONES void addWeights(const float* weight, double count, double* dst, std::size_t n)
{
    for (std::size_t i = 0; i < n; ++i) {
        dst[i] += count * weight[i];
    }
}

namespace {
FXS_CLONES void addWidened1(const float* a, double* dst, int n)
{
    for (int i = 0; i < n; ++i) {
        dst[i] += static_cast<double>(a[i]);
    }
}

FXS_CLONES void addWidened2(const float* a, const float* b, double* dst, int n)
{
    for (int i = 0; i < n; ++i) {
        dst[i] += static_cast<double>(a[i]) + static_cast<double>(b[i]);
    }
}
} // namespace

namespace {
// The lower triangle's rows of `count` float matrices (`width` floats per element) added into double totals.
void foldRows(const float* const* src, int count, double* dst, std::size_t base, int nQ, int width)
{
    for (int r = 0; r < nQ; ++r) {
        const std::size_t off = (base + static_cast<std::size_t>(r) * nQ) * width;
        double* out = dst + off;
        const int n = width * (r + 1);
        int s = 0;
        for (; s + 1 < count; s += 2) {
            addWidened2(src[s] + off, src[s + 1] + off, out, n);
        }
        if (s < count) {
            addWidened1(src[s] + off, out, n);
        }
    }
}

// Up to 64 sources at once (flushTogether's workers), as float pointers.
template <class T> std::vector<const float*> asFloats(const T* const* src, int count)
{
    std::vector<const float*> f(static_cast<std::size_t>(count));
    for (int s = 0; s < count; ++s) {
        f[static_cast<std::size_t>(s)] = reinterpret_cast<const float*>(src[s]);
    }
    return f;
}
} // namespace

void foldLowerTriangle(
    const std::complex<float>* const* src, int count, std::complex<double>* dst, std::size_t base, int nQ)
{
    foldRows(asFloats(src, count).data(), count, reinterpret_cast<double*>(dst), base, nQ, 2);
}

void foldLowerTriangle(const float* const* src, int count, double* dst, std::size_t base, int nQ)
{
    foldRows(src, count, dst, base, nQ, 1);
}

FXS_CLONES void squaredMagnitudes(const std::complex<float>* a, std::size_t n, float* out)
{
    const auto* f = reinterpret_cast<const float*>(a);
    for (std::size_t i = 0; i < n; ++i) {
        out[i] = f[2 * i] * f[2 * i] + f[2 * i + 1] * f[2 * i + 1];
    }
}

FXS_CLONES void squaredMagnitudes(const std::complex<double>* a, std::size_t n, double* out)
{
    const auto* f = reinterpret_cast<const double*>(a);
    for (std::size_t i = 0; i < n; ++i) {
        out[i] = f[2 * i] * f[2 * i] + f[2 * i + 1] * f[2 * i + 1];
    }
}

void streamStore(const void* src, void* dst, std::size_t bytes)
{
#if defined(__SSE2__)
    auto* d = static_cast<unsigned char*>(dst);
    const auto* s = static_cast<const unsigned char*>(src);
    const std::size_t head = std::min(bytes, (16 - (reinterpret_cast<std::uintptr_t>(d) & 15)) & 15);
    std::memcpy(d, s, head);
    d += head;
    s += head;
    bytes -= head;
    for (; bytes >= 16; bytes -= 16, d += 16, s += 16) {
        _mm_stream_si128(reinterpret_cast<__m128i*>(d), _mm_loadu_si128(reinterpret_cast<const __m128i*>(s)));
    }
    std::memcpy(d, s, bytes);
#else
    std::memcpy(dst, src, bytes);
#endif
}

void streamFence()
{
#if defined(__SSE2__)
    _mm_sfence();
#endif
}

bool sameBits(const std::vector<float>& a, const std::vector<float>& b)
{
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

namespace {
// In double, as the ring mean is: a float mean of large counts would shift every bin of the ring alike.
template <class Real>
inline void deviation(const float* intensity, const float* weight, double mean, double* meanNum, Real* row, int n)
{
    for (int p = 0; p < n; ++p) {
        const double w = weight[p];
        const double v = static_cast<double>(intensity[p]);
        meanNum[p] += w > 0.0 ? w * v : 0.0;
        row[p] = static_cast<Real>(w > 0.0 ? w * (v - mean) : 0.0);
    }
}
} // namespace

FXS_CLONES void deviationAndMean(
    const float* intensity, const float* weight, double mean, double* meanNum, float* row, int n)
{
    deviation(intensity, weight, mean, meanNum, row, n);
}

FXS_CLONES void deviationAndMean(
    const float* intensity, const float* weight, double mean, double* meanNum, double* row, int n)
{
    deviation(intensity, weight, mean, meanNum, row, n);
}

} // namespace fxs::detail
