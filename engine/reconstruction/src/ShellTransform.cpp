#include <fxs/reconstruction/ShellTransform.h>

#include <fxs/core/FftwLock.h>
#include <fxs/core/ParallelRange.h>
#include <fxs/invariants/SphericalHarmonics.h>

#include <cmath>
#include <complex>
#include <fftw3.h>
#include <mutex>
#include <numbers>

namespace fxs {

namespace {

// Gauss–Legendre nodes (ascending) and weights on [−1, 1] by Newton iteration on P_n.
void gaussLegendre(int n, std::vector<double>& x, std::vector<double>& w)
{
    x.assign(n, 0.0);
    w.assign(n, 0.0);
    for (int i = 0; i < (n + 1) / 2; ++i) {
        double z = std::cos(std::numbers::pi * (i + 0.75) / (n + 0.5));
        double dp = 1.0;
        for (int it = 0; it < 100; ++it) {
            double p0 = 1.0, p1 = z;
            for (int k = 2; k <= n; ++k) {
                const double p2 = ((2.0 * k - 1.0) * z * p1 - (k - 1.0) * p0) / k;
                p0 = p1;
                p1 = p2;
            }
            if (n == 1) {
                p0 = 1.0;
            }
            dp = n * (z * p1 - p0) / (z * z - 1.0);
            const double dz = p1 / dp;
            z -= dz;
            if (std::abs(dz) < 1e-15) {
                break;
            }
        }
        x[i] = -z;
        x[n - 1 - i] = z;
        w[i] = w[n - 1 - i] = 2.0 / ((1.0 - z * z) * dp * dp);
    }
}

} // namespace

struct ShellTransform::Fft {
    std::vector<double> real;
    std::complex<double>* spec = nullptr;
    fftw_plan forward = nullptr;
    fftw_plan backward = nullptr;
    ~Fft()
    {
        std::lock_guard lock(detail::fftwPlannerMutex());
        if (forward) {
            fftw_destroy_plan(forward);
        }
        if (backward) {
            fftw_destroy_plan(backward);
        }
        fftw_free(spec);
    }
};

ShellTransform::ShellTransform(int lMax, int nShells, int nTheta, int nPhi)
    : m_lMax(std::max(0, lMax - lMax % 2))
    , m_nShells(std::max(1, nShells))
    , m_nTheta(nTheta > 0 ? nTheta : 2 * m_lMax + 2)
    , m_nPhi(nPhi > 0 ? nPhi : 4 * m_lMax + 4)
    , m_nCoeff(SphericalHarmonics::evenCount(m_lMax))
    , m_fft(std::make_unique<Fft>())
{
    gaussLegendre(m_nTheta, m_x, m_w);
    const std::size_t tri = SphericalHarmonics::triangleSize(m_lMax);
    m_lambda.assign(tri * m_nTheta, 0.0);
    for (int i = 0; i < m_nTheta; ++i) {
        SphericalHarmonics::legendre(m_lMax, m_x[i], m_lambda.data() + tri * i);
    }
    const int rings = m_nShells * m_nTheta;
    const int nSpec = m_nPhi / 2 + 1;
    m_fft->real.assign(static_cast<std::size_t>(rings) * m_nPhi, 0.0);
    std::lock_guard lock(detail::fftwPlannerMutex());
    m_fft->spec = reinterpret_cast<std::complex<double>*>(fftw_alloc_complex(static_cast<std::size_t>(rings) * nSpec));
    auto* spec = reinterpret_cast<fftw_complex*>(m_fft->spec);
    m_fft->forward = fftw_plan_many_dft_r2c(
        1, &m_nPhi, rings, m_fft->real.data(), nullptr, 1, m_nPhi, spec, nullptr, 1, nSpec, FFTW_ESTIMATE);
    m_fft->backward = fftw_plan_many_dft_c2r(
        1, &m_nPhi, rings, spec, nullptr, 1, nSpec, m_fft->real.data(), nullptr, 1, m_nPhi, FFTW_ESTIMATE);
}

ShellTransform::~ShellTransform() = default;

double ShellTransform::phi(int j) const { return 2.0 * std::numbers::pi * j / m_nPhi; }

void ShellTransform::analyse(const double* samples, double* coeffs, int threads)
{
    std::copy(samples, samples + m_fft->real.size(), m_fft->real.begin());
    fftw_execute(m_fft->forward);
    const int nSpec = m_nPhi / 2 + 1;
    const int mMax = std::min(m_lMax, nSpec - 1);
    const std::size_t tri = SphericalHarmonics::triangleSize(m_lMax);
    const double dphi = 2.0 * std::numbers::pi / m_nPhi;
    detail::parallelChunks(m_nShells, threads, [&](std::size_t, std::size_t s0, std::size_t s1) {
        for (std::size_t s = s0; s < s1; ++s) {
            double* c = coeffs + s * m_nCoeff;
            std::fill(c, c + m_nCoeff, 0.0);
            for (int i = 0; i < m_nTheta; ++i) {
                const std::complex<double>* x = m_fft->spec + (s * m_nTheta + i) * nSpec;
                const double* lam = m_lambda.data() + tri * i;
                const double wq = m_w[i] * dphi;
                for (int m = 0; m <= mMax; ++m) {
                    // Σ f cos mφ = Re X_m, Σ f sin mφ = −Im X_m; the real basis carries √2 for m > 0.
                    const double scale = m == 0 ? wq : wq * std::numbers::sqrt2;
                    const double re = scale * x[m].real(), im = -scale * x[m].imag();
                    for (int l = m + (m % 2); l <= m_lMax; l += 2) {
                        const double v = lam[SphericalHarmonics::index(l, m)];
                        double* cl = c + SphericalHarmonics::evenOffset(l);
                        if (m == 0) {
                            cl[0] += v * re;
                        } else {
                            cl[2 * m - 1] += v * re;
                            cl[2 * m] += v * im;
                        }
                    }
                }
            }
        }
    });
}

void ShellTransform::synthesise(const double* coeffs, double* samples, int threads)
{
    const int nSpec = m_nPhi / 2 + 1;
    const int mMax = std::min(m_lMax, nSpec - 1);
    const std::size_t tri = SphericalHarmonics::triangleSize(m_lMax);
    detail::parallelChunks(m_nShells, threads, [&](std::size_t, std::size_t s0, std::size_t s1) {
        for (std::size_t s = s0; s < s1; ++s) {
            const double* c = coeffs + s * m_nCoeff;
            for (int i = 0; i < m_nTheta; ++i) {
                std::complex<double>* x = m_fft->spec + (s * m_nTheta + i) * nSpec;
                std::fill(x, x + nSpec, std::complex<double> {});
                const double* lam = m_lambda.data() + tri * i;
                for (int m = 0; m <= mMax; ++m) {
                    double gc = 0.0, gs = 0.0;
                    for (int l = m + (m % 2); l <= m_lMax; l += 2) {
                        const double v = lam[SphericalHarmonics::index(l, m)];
                        const double* cl = c + SphericalHarmonics::evenOffset(l);
                        gc += v * (m == 0 ? cl[0] : cl[2 * m - 1]);
                        gs += m == 0 ? 0.0 : v * cl[2 * m];
                    }
                    // c2r sums X_0 + 2 Re Σ X_m e^{imφ}: X_m = √2 (gc − i gs) / 2 reproduces √2 (gc cos + gs sin).
                    x[m] = m == 0 ? std::complex<double>(gc, 0.0)
                                  : std::complex<double>(gc, -gs) * (0.5 * std::numbers::sqrt2);
                }
            }
        }
    });
    fftw_execute(m_fft->backward);
    std::copy(m_fft->real.begin(), m_fft->real.end(), samples);
}

} // namespace fxs
