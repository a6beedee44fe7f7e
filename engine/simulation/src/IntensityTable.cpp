#include "IntensityTable.h"

#include <fxs/core/ParallelBlocks.h>

#include <algorithm>
#include <complex>
#include <cstring>
#include <sys/mman.h>

namespace fxs::sim {

namespace {

using cplx = std::complex<float>;

// Per scatterer and axis: e^{−q²σ²/2} e^{i q r} along that axis (F of a Gaussian factorises over x, y, z);
// spheres get the phase only, their form factor depends on |q| and is applied per point.
std::vector<cplx> axisFactors(const Scatterer& s, int axis, int n, double origin, double step)
{
    std::vector<cplx> f(n);
    const double sigma = s.kind == Scatterer::Kind::Gaussian ? s.sigmaA : 0.0;
    for (int i = 0; i < n; ++i) {
        const double q = -origin + i * step;
        const double g = std::exp(-0.5 * q * q * sigma * sigma);
        const double ph = q * s.positionA[axis];
        f[i] = cplx(static_cast<float>(g * std::cos(ph)), static_cast<float>(g * std::sin(ph)));
    }
    return f;
}

// Zeroed floats on 2 MiB-aligned memory advised for transparent huge pages: look-ups at rotated q-vectors jump
// across a table of tens of MB, and with 4 KiB pages nearly every one of them would miss the TLB.
float* allocateTable(std::size_t points)
{
    constexpr std::size_t huge = std::size_t { 2 } << 20;
    const std::size_t bytes = (points * sizeof(float) + huge - 1) / huge * huge;
    void* p = std::aligned_alloc(huge, bytes);
    if (!p) {
        return nullptr;
    }
    madvise(p, bytes, MADV_HUGEPAGE);
    std::memset(p, 0, bytes);
    return static_cast<float*>(p);
}

} // namespace

IntensityTable IntensityTable::build(const ParticleModel& model, double qMaxInvA, double stepInvA, int threads)
{
    IntensityTable t;
    const double h = stepInvA;
    const double lim = qMaxInvA + 2.0 * h;
    t.m_nxy = static_cast<int>(std::ceil(2.0 * lim / h)) + 1;
    t.m_nz = static_cast<int>(std::ceil(lim / h)) + 2;
    t.m_origin = static_cast<float>(lim);
    t.m_invStep = static_cast<float>(1.0 / h);
    t.m_qMax = qMaxInvA;
    t.m_points = static_cast<std::size_t>(t.m_nz) * t.m_nxy * t.m_nxy;
    t.m_values.reset(allocateTable(t.m_points));
    if (!t.m_values) {
        t.m_points = 0; // out of memory: an empty table, and the simulator evaluates |F|² directly
        return t;
    }

    const auto& sc = model.scatterers();
    double norm = 0.0;
    for (const auto& s : sc) {
        norm += std::abs(s.amplitude);
    }
    const float scale = norm > 0.0 ? static_cast<float>(1.0 / (norm * norm)) : 0.0f;
    std::vector<std::vector<cplx>> fx, fy, fz;
    for (const auto& s : sc) {
        fx.push_back(axisFactors(s, 0, t.m_nxy, lim, h));
        fy.push_back(axisFactors(s, 1, t.m_nxy, lim, h));
        fz.push_back(axisFactors(s, 2, t.m_nz, lim, h));
    }
    parallelBlocks(t.m_nz, threads, [&](std::int64_t iz) {
        std::vector<cplx> row(t.m_nxy);
        const double qz = -lim + static_cast<double>(iz) * h;
        for (int iy = 0; iy < t.m_nxy; ++iy) {
            const double qy = -lim + iy * h;
            std::fill(row.begin(), row.end(), cplx(0.0f, 0.0f));
            for (std::size_t j = 0; j < sc.size(); ++j) {
                const cplx yz = static_cast<float>(sc[j].amplitude) * fy[j][iy] * fz[j][iz];
                const bool sphere = sc[j].kind == Scatterer::Kind::Sphere;
                for (int ix = 0; ix < t.m_nxy; ++ix) {
                    cplx v = yz * fx[j][ix];
                    if (sphere) {
                        const double qx = -lim + ix * h;
                        v *= static_cast<float>(
                            sphereFormFactor(std::sqrt(qx * qx + qy * qy + qz * qz) * sc[j].radiusA));
                    }
                    row[ix] += v;
                }
            }
            float* out = t.m_values.get() + (static_cast<std::size_t>(iz) * t.m_nxy + iy) * t.m_nxy;
            for (int ix = 0; ix < t.m_nxy; ++ix) {
                out[ix] = std::norm(row[ix]) * scale;
            }
        }
    });
    return t;
}

} // namespace fxs::sim
