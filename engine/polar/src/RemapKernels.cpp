#include "RemapKernels.h"

#include <cmath>
#include <cstdlib>
#include <cstring>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define FXS_REMAP_X86 1
#include <immintrin.h>
#endif

namespace fxs {

namespace {

// A bin's mean and weight from its row sum: a sum that is not finite (NaN/inf in a float frame) gives weight 0.
inline void finishRow(const RemapTable& t, std::uint32_t b, float acc, float* out, float* weight)
{
    const bool ok = std::isfinite(acc);
    out[b] = ok ? acc : 0.0f;
    weight[b] = ok ? t.weight[b] : 0.0f;
}

// One dot product per bin over contiguous (pixel, coef) arrays, in float. Rows are short (tens of pixels), so four
// partial sums break the add-latency chain that otherwise bounds the loop.
template <class T>
void applyScalar(const RemapTable& t, const T* px, std::uint32_t b0, std::uint32_t b1, float* out, float* weight)
{
    const std::uint32_t* idx = t.pixel.data();
    const float* coef = t.coef.data();
    for (std::uint32_t b = b0; b < b1; ++b) {
        float a0 = 0.0f, a1 = 0.0f, a2 = 0.0f, a3 = 0.0f;
        std::uint32_t k = t.rowStart[b];
        const std::uint32_t end = t.rowStart[b + 1];
        for (; k + 4 <= end; k += 4) {
            a0 += coef[k] * static_cast<float>(px[idx[k]]);
            a1 += coef[k + 1] * static_cast<float>(px[idx[k + 1]]);
            a2 += coef[k + 2] * static_cast<float>(px[idx[k + 2]]);
            a3 += coef[k + 3] * static_cast<float>(px[idx[k + 3]]);
        }
        for (; k < end; ++k) {
            a0 += coef[k] * static_cast<float>(px[idx[k]]);
        }
        finishRow(t, b, (a0 + a1) + (a2 + a3), out, weight);
    }
}

#ifdef FXS_REMAP_X86
#define FXS_AVX2 __attribute__((target("avx2,fma")))

// Eight pixels from p on, as floats (exactly static_cast<float> of each).
FXS_AVX2 inline __m256 load8(const std::uint16_t* p)
{
    return _mm256_cvtepi32_ps(_mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))));
}
FXS_AVX2 inline __m256 load8(const std::int16_t* p)
{
    return _mm256_cvtepi32_ps(_mm256_cvtepi16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))));
}
FXS_AVX2 inline __m256 load8(const std::int32_t* p)
{
    return _mm256_cvtepi32_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
}
FXS_AVX2 inline __m256 load8(const std::uint32_t* p)
{
    // hi · 65536 + lo in one fused multiply-add: the exact value rounded once, as static_cast<float> does.
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    const __m256 hi = _mm256_cvtepi32_ps(_mm256_srli_epi32(v, 16));
    const __m256 lo = _mm256_cvtepi32_ps(_mm256_and_si256(v, _mm256_set1_epi32(0xFFFF)));
    return _mm256_fmadd_ps(hi, _mm256_set1_ps(65536.0f), lo);
}
FXS_AVX2 inline __m256 load8(const float* p) { return _mm256_loadu_ps(p); }
FXS_AVX2 inline __m256 load8(const double* p)
{
    return _mm256_set_m128(_mm256_cvtpd_ps(_mm256_loadu_pd(p + 4)), _mm256_cvtpd_ps(_mm256_loadu_pd(p)));
}

// kLaneMask + 8 − n: the first n lanes all ones, the rest zero.
alignas(32) constexpr std::int32_t kLaneMask[16] = { -1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0 };

// One chunk: its n ≤ 8 pixels (lanes beyond n zeroed, so a NaN there cannot leak in) times its n coefficients
// (the lanes beyond read the next chunk's, multiplied by 0), added to acc.
template <class T>
FXS_AVX2 inline __m256 chunkStep(
    std::uint32_t d, const T* px, std::size_t nPixels, const float* coef, std::uint32_t& off, __m256 acc)
{
    const std::uint32_t first = d >> RemapTable::kChunkLenBits;
    const std::uint32_t n = (d & RemapTable::kChunkLenMask) + 1;
    __m256 v;
    if (static_cast<std::size_t>(first) + 8 <= nPixels) [[likely]] {
        v = load8(px + first);
    } else { // the last pixels of the frame: do not read past its end
        alignas(32) float tail[8] = {};
        for (std::uint32_t i = 0; i < n; ++i) {
            tail[i] = static_cast<float>(px[first + i]);
        }
        v = _mm256_load_ps(tail);
    }
    const __m256 lanes = _mm256_loadu_ps(reinterpret_cast<const float*>(kLaneMask + 8 - n));
    acc = _mm256_fmadd_ps(_mm256_and_ps(v, lanes), _mm256_loadu_ps(coef + off), acc);
    off += n;
    return acc;
}

// One row's sum as 8 lanes to be added: its chunks in turn on two accumulators, so that consecutive chunks do not
// wait on each other.
template <class T>
FXS_AVX2 inline __m256 rowLanes(const RemapTable& t, std::uint32_t b, const T* px, std::size_t nPixels)
{
    const std::uint32_t* chunk = t.chunk.data();
    const float* coef = t.coef.data();
    std::uint32_t off = t.rowStart[b];
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    std::uint32_t c = t.chunkStart[b];
    const std::uint32_t end = t.chunkStart[b + 1];
    for (; c + 2 <= end; c += 2) {
        acc0 = chunkStep(chunk[c], px, nPixels, coef, off, acc0);
        acc1 = chunkStep(chunk[c + 1], px, nPixels, coef, off, acc1);
    }
    if (c < end) {
        acc0 = chunkStep(chunk[c], px, nPixels, coef, off, acc0);
    }
    return _mm256_add_ps(acc0, acc1);
}

// A row's lane sums added up in the order the eight-row reduction below uses, ((l0 + l1) + (l2 + l3)) +
// ((l4 + l5) + (l6 + l7)), so that a bin's value does not depend on whether its row went alone or in a group
// (remapInto and remapIntoAlone give the same bits).
FXS_AVX2 inline float laneSum(__m256 v)
{
    const __m256 h = _mm256_hadd_ps(_mm256_hadd_ps(v, v), _mm256_hadd_ps(v, v));
    return _mm_cvtss_f32(_mm_add_ss(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1)));
}

// Each row as its chunks of consecutive pixels: one 8-wide load, convert and fused multiply-add per chunk instead of
// one scalar load, convert and multiply-add per contribution (rows hold ~5 pixels per run on a 2 Mpx detector).
// Rows go by eight (groups start at multiples of 8): their lane sums are reduced together (an 8 × 8 transpose by
// horizontal adds) and the eight bins finished in one vector (a sum that is not finite: intensity and weight 0).
template <class T>
FXS_AVX2 void applyChunks(
    const RemapTable& t, const T* px, std::uint32_t b0, std::uint32_t b1, float* out, float* weight)
{
    const std::size_t nPixels = static_cast<std::size_t>(t.nSlow) * t.nFast;
    const float* binWeight = t.weight.data();
    std::uint32_t b = b0;
    for (; b < b1 && b % 8 != 0; ++b) {
        finishRow(t, b, laneSum(rowLanes(t, b, px, nPixels)), out, weight);
    }
    for (; b + 8 <= b1; b += 8) {
        __m256 r[8];
        for (int i = 0; i < 8; ++i) {
            r[i] = rowLanes(t, b + i, px, nPixels);
        }
        const __m256 s0123 = _mm256_hadd_ps(_mm256_hadd_ps(r[0], r[1]), _mm256_hadd_ps(r[2], r[3]));
        const __m256 s4567 = _mm256_hadd_ps(_mm256_hadd_ps(r[4], r[5]), _mm256_hadd_ps(r[6], r[7]));
        const __m256 sum = _mm256_add_ps(
            _mm256_permute2f128_ps(s0123, s4567, 0x20), _mm256_permute2f128_ps(s0123, s4567, 0x31));
        const __m256 finite = _mm256_cmp_ps(_mm256_sub_ps(sum, sum), _mm256_setzero_ps(), _CMP_EQ_OQ);
        _mm256_storeu_ps(out + b, _mm256_and_ps(sum, finite));
        _mm256_storeu_ps(weight + b, _mm256_and_ps(_mm256_loadu_ps(binWeight + b), finite));
    }
    for (; b < b1; ++b) {
        finishRow(t, b, laneSum(rowLanes(t, b, px, nPixels)), out, weight);
    }
}
#endif

RemapKernel detectKernel()
{
    if (const char* forced = std::getenv("FXS_REMAP_KERNEL"); forced && std::strcmp(forced, "scalar") == 0) {
        return RemapKernel::Scalar;
    }
#ifdef FXS_REMAP_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        return RemapKernel::Avx2Chunks;
    }
#endif
    return RemapKernel::Scalar;
}

} // namespace

RemapKernel activeRemapKernel()
{
    static const RemapKernel kernel = detectKernel();
    return kernel;
}

const char* remapKernelName(RemapKernel kernel)
{
    return kernel == RemapKernel::Avx2Chunks ? "avx2-chunks" : "scalar";
}

void applyRemapRows(RemapKernel kernel, const RemapTable& t, PixelType type, const std::byte* pixels, std::uint32_t b0,
    std::uint32_t b1, float* out, float* weight)
{
    withPixelType(type, [&](auto v) {
        using T = decltype(v);
        const T* px = reinterpret_cast<const T*>(pixels);
#ifdef FXS_REMAP_X86
        if (kernel == RemapKernel::Avx2Chunks && !t.chunkStart.empty()) {
            applyChunks(t, px, b0, b1, out, weight);
            return;
        }
#endif
        (void)kernel;
        applyScalar(t, px, b0, b1, out, weight);
    });
}

} // namespace fxs
