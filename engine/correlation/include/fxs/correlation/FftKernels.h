#pragma once

// Precision traits over FFTW and CBLAS, so one implementation serves float (cherk) and double (zherk),
// and FFTW-aligned arrays backed by transparent huge pages.

#include <cblas.h>
#include <complex>
#include <cstdint>
#include <cstring>
#include <fftw3.h>
#include <sys/mman.h>

namespace fxs::detail {

/// Asks for transparent huge pages on a large block before its first touch: the C2 sums are hundreds of MB,
/// and faulting them in 4 KiB pages costs more system time than the arithmetic.
inline void adviseHugePages(void* p, std::size_t bytes)
{
    constexpr std::uintptr_t huge = 2u << 20;
    if (bytes < 4 * huge) {
        return;
    }
    const auto begin = (reinterpret_cast<std::uintptr_t>(p) + huge - 1) & ~(huge - 1);
    const auto end = (reinterpret_cast<std::uintptr_t>(p) + bytes) & ~(huge - 1);
    if (end > begin) {
        madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
    }
}

/// Distance, in elements, between the frequency slabs of an [n][row][q] spectrum array holding `rows` × nQ
/// values per frequency. Each shot writes one block to every slab (RowTransform); when the stride is a multiple
/// of a large power of two (256 shots × 300 q × 8 B = 9,600 cache lines) all 129 write streams land in the same
/// cache sets (when FFTW wrote the slabs directly, that halved its speed). An odd number of cache lines spreads
/// them over every set.
template <class T> std::size_t frequencyStride(std::size_t values)
{
    constexpr std::size_t line = 64;
    static_assert(line % sizeof(T) == 0);
    constexpr std::size_t perLine = line / sizeof(T);
    std::size_t lines = (values + perLine - 1) / perLine;
    if (lines % 2 == 0) {
        ++lines;
    }
    return lines * perLine;
}

template <class Real> struct Kernels;

template <> struct Kernels<float> {
    using Complex = std::complex<float>;
    using Plan = fftwf_plan;
    static void* alloc(std::size_t bytes) { return fftwf_malloc(bytes); }
    static void release(void* p) { fftwf_free(p); }
    static Plan planRows(int n, int rows, float* in, int idist, Complex* out, int ostride, unsigned flags)
    {
        return fftwf_plan_many_dft_r2c(
            1, &n, rows, in, nullptr, 1, idist, reinterpret_cast<fftwf_complex*>(out), nullptr, ostride, 1, flags);
    }
    static void execute(Plan p) { fftwf_execute(p); }
    static void execute(Plan p, float* in, Complex* out)
    {
        fftwf_execute_dft_r2c(p, in, reinterpret_cast<fftwf_complex*>(out));
    }
    static void destroy(Plan p) { fftwf_destroy_plan(p); }
    static void herk(int n, int k, float alpha, const Complex* a, float beta, Complex* c)
    {
        cblas_cherk(CblasColMajor, CblasUpper, CblasNoTrans, n, k, alpha, a, n, beta, c, n);
    }
    static void syrk(int n, int k, const float* a, float beta, float* c)
    {
        cblas_ssyrk(CblasColMajor, CblasUpper, CblasNoTrans, n, k, 1.0f, a, n, beta, c, n);
    }
};

template <> struct Kernels<double> {
    using Complex = std::complex<double>;
    using Plan = fftw_plan;
    static void* alloc(std::size_t bytes) { return fftw_malloc(bytes); }
    static void release(void* p) { fftw_free(p); }
    static Plan planRows(int n, int rows, double* in, int idist, Complex* out, int ostride, unsigned flags)
    {
        return fftw_plan_many_dft_r2c(
            1, &n, rows, in, nullptr, 1, idist, reinterpret_cast<fftw_complex*>(out), nullptr, ostride, 1, flags);
    }
    static void execute(Plan p) { fftw_execute(p); }
    static void execute(Plan p, double* in, Complex* out)
    {
        fftw_execute_dft_r2c(p, in, reinterpret_cast<fftw_complex*>(out));
    }
    static void destroy(Plan p) { fftw_destroy_plan(p); }
    static void herk(int n, int k, double alpha, const Complex* a, double beta, Complex* c)
    {
        cblas_zherk(CblasColMajor, CblasUpper, CblasNoTrans, n, k, alpha, a, n, beta, c, n);
    }
    static void syrk(int n, int k, const double* a, double beta, double* c)
    {
        cblas_dsyrk(CblasColMajor, CblasUpper, CblasNoTrans, n, k, 1.0, a, n, beta, c, n);
    }
};

/// An FFTW-aligned, zeroed array.
template <class T, class K> class AlignedArray {
public:
    explicit AlignedArray(std::size_t n)
        : m_n(n)
        , m_p(static_cast<T*>(K::alloc(n * sizeof(T))))
    {
        adviseHugePages(m_p, n * sizeof(T));
        std::memset(static_cast<void*>(m_p), 0, n * sizeof(T));
    }
    ~AlignedArray() { K::release(m_p); }
    AlignedArray(const AlignedArray&) = delete;
    AlignedArray& operator=(const AlignedArray&) = delete;
    T* data() const { return m_p; }
    std::size_t size() const { return m_n; }

private:
    std::size_t m_n;
    T* m_p;
};

} // namespace fxs::detail
