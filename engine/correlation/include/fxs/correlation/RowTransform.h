#pragma once

#include <fxs/correlation/FftKernels.h>
#include <fxs/core/FftwLock.h>

#include <complex>
#include <cstddef>

namespace fxs::detail {

/// Copies `bytes` from src to dst with streaming (non-temporal) stores where the CPU has them: dst is written once
/// and read only much later, so write-allocating its lines would only double the memory traffic and evict what
/// the caller still works on. streamFence() orders them before anything that follows.
void streamStore(const void* src, void* dst, std::size_t bytes);
void streamFence();

/// r2c over φ of one shot's nQ rows into row `row` of a batch array laid out [n][row][q] (the layout ?herk
/// reads), for frequencies 0..nKeep−1. FFTW writes a compact [n][q] block, vectorised across q and small enough
/// for L2; each kept frequency's nQ values then stream to their slab. Letting FFTW write the batch array directly
/// scatters nPhi/2 + 1 partial cache lines per row over an array far larger than the caches: the transform then
/// ran 2–3× slower (fxs-bench c2, docs/PERFORMANCE.md).
template <class Real> class RowTransform {
public:
    using K = Kernels<Real>;
    using Complex = typename K::Complex;

    /// `in`: rows of nPhi values, `inDist` apart (16-byte aligned, as every input passed later must be).
    RowTransform(int nQ, int nPhi, int inDist, int nKeep, Real* in)
        : m_nQ(nQ)
        , m_nKeep(nKeep)
        , m_spec(static_cast<std::size_t>(nPhi / 2 + 1) * nQ)
    {
        std::lock_guard lock(fftwPlannerMutex());
        m_plan = K::planRows(nPhi, nQ, in, inDist, m_spec.data(), nQ, FFTW_ESTIMATE);
    }
    ~RowTransform()
    {
        std::lock_guard lock(fftwPlannerMutex());
        K::destroy(m_plan);
    }
    RowTransform(const RowTransform&) = delete;
    RowTransform& operator=(const RowTransform&) = delete;

    /// Transforms the rows at `in` into row `row` of `batch`, whose frequency slabs are `slab` elements apart.
    void operator()(Real* in, Complex* batch, std::size_t slab, int row)
    {
        K::execute(m_plan, in, m_spec.data());
        const std::size_t bytes = static_cast<std::size_t>(m_nQ) * sizeof(Complex);
        Complex* dst = batch + static_cast<std::size_t>(row) * m_nQ;
        for (int n = 0; n < m_nKeep; ++n) {
            streamStore(m_spec.data() + static_cast<std::size_t>(n) * m_nQ, dst + n * slab, bytes);
        }
        streamFence();
    }

private:
    int m_nQ, m_nKeep;
    AlignedArray<Complex, K> m_spec; // one shot's spectra, [n][q]
    typename K::Plan m_plan {};
};

} // namespace fxs::detail
