#include "MtipWorkspace.h"

#include <fxs/core/FftwLock.h>
#include <fxs/core/ParallelRange.h>

#include <algorithm>
#include <cmath>
#include <fftw3.h>
#include <mutex>

namespace fxs::detail {

struct MtipWorkspace::Fft {
    std::complex<double>* data = nullptr;
    fftw_plan forward = nullptr;
    fftw_plan backward = nullptr;
    ~Fft()
    {
        std::lock_guard lock(fftwPlannerMutex());
        if (forward) {
            fftw_destroy_plan(forward);
        }
        if (backward) {
            fftw_destroy_plan(backward);
        }
        fftw_free(data);
    }
};

namespace {

// FFTW's thread count is global to the planner: set it only while planning, under the planner lock, so that
// other engine code planning double-precision transforms keeps single-threaded plans.
void planThreaded(int n, int threads, std::complex<double>* data, fftw_plan& fwd, fftw_plan& bwd)
{
    std::lock_guard lock(fftwPlannerMutex());
    static const bool threadsOk = fftw_init_threads() != 0;
    if (threadsOk) {
        fftw_plan_with_nthreads(threads);
    }
    auto* d = reinterpret_cast<fftw_complex*>(data);
    // FFTW_ESTIMATE: the plan does not depend on timings, so a seed gives the same bits on every run.
    fwd = fftw_plan_dft_3d(n, n, n, d, d, FFTW_FORWARD, FFTW_ESTIMATE);
    bwd = fftw_plan_dft_3d(n, n, n, d, d, FFTW_BACKWARD, FFTW_ESTIMATE);
    if (threadsOk) {
        fftw_plan_with_nthreads(1);
    }
}

} // namespace

MtipWorkspace::MtipWorkspace(int n, double dk, const KamInvariants& shells, bool qSquaredWeights, int threads)
    : m_n(n)
    , m_size(static_cast<std::size_t>(n) * n * n)
    , m_threads(threads)
    , m_transform(shells.lMax, shells.nQ)
    , m_sampler(n, dk, shells.qInvA, m_transform)
    , m_projection(shells, qSquaredWeights)
    , m_fft(std::make_unique<Fft>())
{
    {
        std::lock_guard lock(fftwPlannerMutex());
        m_fft->data = reinterpret_cast<std::complex<double>*>(fftw_alloc_complex(m_size));
    }
    planThreaded(n, threads, m_fft->data, m_fft->forward, m_fft->backward);
    m_intensity.assign(m_size, 0.0);
    m_nodes.assign(m_transform.samplesPerShell() * m_transform.nShells(), 0.0);
    m_coeffs.assign(m_transform.coefficientsPerShell() * m_transform.nShells(), 0.0);
    m_projected = m_coeffs;
    m_delta.assign(m_sampler.voxels().size(), 0.0);
}

MtipWorkspace::~MtipWorkspace() = default;

std::vector<double> MtipWorkspace::fourierProjection(const std::vector<double>& rho, std::vector<double>& rhoPrime)
{
    std::complex<double>* f = m_fft->data;
    parallelChunks(m_size, m_threads, [&](std::size_t, std::size_t b, std::size_t e) {
        for (std::size_t i = b; i < e; ++i) {
            f[i] = rho[i];
        }
    });
    fftw_execute(m_fft->forward);
    parallelChunks(m_size, m_threads, [&](std::size_t, std::size_t b, std::size_t e) {
        for (std::size_t i = b; i < e; ++i) {
            m_intensity[i] = std::norm(f[i]);
        }
    });
    m_sampler.sample(m_intensity.data(), m_nodes.data(), m_threads);
    m_transform.analyse(m_nodes.data(), m_coeffs.data(), m_threads);
    const std::size_t stride = m_transform.coefficientsPerShell();
    std::vector<double> errors = m_projection.invariantErrors(m_coeffs.data(), stride);
    m_projected = m_coeffs;
    m_projection.project(m_projected.data(), stride);
    // Only the change of the l ≤ L content goes back to the voxels: what the data do not constrain is kept.
    for (std::size_t i = 0; i < m_projected.size(); ++i) {
        m_projected[i] -= m_coeffs[i];
    }
    m_transform.synthesise(m_projected.data(), m_nodes.data(), m_threads);
    m_sampler.gather(m_nodes.data(), m_delta.data(), m_threads);
    const auto& voxels = m_sampler.voxels();
    parallelChunks(voxels.size(), m_threads, [&](std::size_t, std::size_t b, std::size_t e) {
        for (std::size_t p = b; p < e; ++p) {
            const std::size_t v = voxels[p];
            const double before = m_intensity[v];
            const double after = std::max(0.0, before + m_delta[p]);
            f[v] = before > 0.0 ? f[v] * std::sqrt(after / before) : std::complex<double>(std::sqrt(after), 0.0);
        }
    });
    fftw_execute(m_fft->backward);
    rhoPrime.resize(m_size);
    const double norm = 1.0 / static_cast<double>(m_size);
    parallelChunks(m_size, m_threads, [&](std::size_t, std::size_t b, std::size_t e) {
        for (std::size_t i = b; i < e; ++i) {
            rhoPrime[i] = f[i].real() * norm;
        }
    });
    return errors;
}

double MtipWorkspace::realSpaceStep(MtipStep::Kind kind, double beta, std::vector<double>& rho,
    const std::vector<double>& rp, const std::vector<std::uint8_t>& support) const
{
    const bool hio = kind == MtipStep::Kind::Hio;
    const std::size_t parts = static_cast<std::size_t>(std::max(1, m_threads));
    std::vector<double> total(parts, 0.0), outside(parts, 0.0);
    parallelChunks(m_size, m_threads, [&](std::size_t c, std::size_t b, std::size_t e) {
        double t = 0.0, o = 0.0;
        for (std::size_t i = b; i < e; ++i) {
            t += rp[i] * rp[i];
            if (support[i] && rp[i] >= 0.0) {
                rho[i] = rp[i];
            } else {
                o += rp[i] * rp[i];
                rho[i] = hio ? rho[i] - beta * rp[i] : 0.0;
            }
        }
        total[c] = t;
        outside[c] = o;
    });
    double t = 0.0, o = 0.0;
    for (std::size_t c = 0; c < parts; ++c) {
        t += total[c];
        o += outside[c];
    }
    return t > 0.0 ? o / t : 0.0;
}

void MtipWorkspace::shrinkWrap(
    const std::vector<double>& rho, std::vector<std::uint8_t>& support, double sigma, double threshold) const
{
    const int n = m_n;
    const int radius = std::max(1, static_cast<int>(std::ceil(3.0 * sigma)));
    std::vector<double> kernel(2 * radius + 1);
    double ks = 0.0;
    for (int k = -radius; k <= radius; ++k) {
        kernel[k + radius] = std::exp(-0.5 * k * k / std::max(1e-6, sigma * sigma));
        ks += kernel[k + radius];
    }
    std::vector<double> a(m_size), b(m_size);
    for (std::size_t i = 0; i < m_size; ++i) {
        a[i] = support[i] ? std::max(0.0, rho[i]) : 0.0;
    }
    const std::size_t strides[3] = { 1, static_cast<std::size_t>(n), static_cast<std::size_t>(n) * n };
    for (int axis = 0; axis < 3; ++axis) {
        const std::size_t st = strides[axis];
        parallelChunks(m_size, m_threads, [&](std::size_t, std::size_t beg, std::size_t end) {
            for (std::size_t i = beg; i < end; ++i) {
                const int c = static_cast<int>((i / st) % n);
                const std::size_t base = i - static_cast<std::size_t>(c) * st;
                double v = 0.0;
                for (int k = -radius; k <= radius; ++k) {
                    const int j = ((c + k) % n + n) % n;
                    v += kernel[k + radius] * a[base + static_cast<std::size_t>(j) * st];
                }
                b[i] = v / ks;
            }
        });
        std::swap(a, b);
    }
    const double peak = *std::max_element(a.begin(), a.end());
    if (!(peak > 0.0)) {
        return; // an empty density would give an empty support: keep the old one
    }
    for (std::size_t i = 0; i < m_size; ++i) {
        support[i] = a[i] >= threshold * peak ? 1 : 0;
    }
}

} // namespace fxs::detail
