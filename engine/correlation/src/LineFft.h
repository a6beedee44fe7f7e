#pragma once

// Per-thread FFTW plans of one φ line for snapshots (C2Snapshot, SnapshotPairWorker): private to the correlation stage.

#include <algorithm>
#include <complex>
#include <fftw3.h>
#include <fxs/core/FftwLock.h>
#include <mutex>

namespace fxs::detail {

// Per-thread FFTW work space: one c2r (frequency → Δ) and one r2c (Δ → frequency) of length nPhi.
class LineFft {
    using cd = std::complex<double>;

public:
    explicit LineFft(int nPhi)
        : m_n(nPhi)
        , m_freq(fftw_alloc_complex(nPhi / 2 + 1))
        , m_line(fftw_alloc_real(nPhi))
    {
        std::lock_guard lock(fftwPlannerMutex());
        m_c2r = fftw_plan_dft_c2r_1d(nPhi, m_freq, m_line, FFTW_ESTIMATE);
        m_r2c = fftw_plan_dft_r2c_1d(nPhi, m_line, m_freq, FFTW_ESTIMATE);
    }
    ~LineFft()
    {
        std::lock_guard lock(fftwPlannerMutex());
        fftw_destroy_plan(m_c2r);
        fftw_destroy_plan(m_r2c);
        fftw_free(m_freq);
        fftw_free(m_line);
    }
    LineFft(const LineFft&) = delete;
    LineFft& operator=(const LineFft&) = delete;

    // out[k] = (1/nPhi) Σ_{n full} X_n e^{2πi nk/nPhi} with X_{−n} = conj X_n; X given for n = 0 … nPhi/2.
    template <class F> void inverse(F&& coefficient, double* out)
    {
        for (int n = 0; n <= m_n / 2; ++n) {
            const cd v = coefficient(n);
            m_freq[n][0] = v.real();
            m_freq[n][1] = v.imag();
        }
        fftw_execute(m_c2r);
        for (int k = 0; k < m_n; ++k) {
            out[k] = m_line[k] / m_n;
        }
    }
    // Coefficients C_n = (1/nPhi) Σ_k x_k e^{−2πi nk/nPhi} for n = 0 … nPhi/2.
    void forward(const double* x, cd* out, int nKeep)
    {
        std::copy(x, x + m_n, m_line);
        fftw_execute(m_r2c);
        for (int n = 0; n < nKeep; ++n) {
            out[n] = cd(m_freq[n][0], m_freq[n][1]) / static_cast<double>(m_n);
        }
    }

private:
    int m_n;
    fftw_complex* m_freq;
    double* m_line;
    fftw_plan m_c2r;
    fftw_plan m_r2c;
};

} // namespace fxs::detail
