// ParticleModel::density: the truth density on a grid (for M-TIP comparisons and MRC maps).
#include <fxs/simulation/ParticleModel.h>

#include <algorithm>
#include <cmath>
#include <numbers>

namespace fxs {

namespace {

// Fraction of the Gaussian N(centre, σ²) (a point when σ = 0) inside each voxel along one axis.
std::vector<double> axisWeights(int n, double voxelA, double centre, double sigma)
{
    std::vector<double> w(n, 0.0);
    if (sigma <= 0.0) {
        const long i = std::lround(centre / voxelA) + n / 2;
        if (i >= 0 && i < n) {
            w[i] = 1.0;
        }
        return w;
    }
    const double s = 1.0 / (std::sqrt(2.0) * sigma);
    const int origin = n / 2; // the voxel centred on 0
    for (int i = 0; i < n; ++i) {
        const double x = (i - origin) * voxelA - centre;
        if (std::abs(x) <= 8.0 * sigma + voxelA) {
            w[i] = 0.5 * (std::erf((x + 0.5 * voxelA) * s) - std::erf((x - 0.5 * voxelA) * s));
        }
    }
    return w;
}

void addGaussian(ModelDensity& d, const Scatterer& s)
{
    const auto wx = axisWeights(d.n, d.voxelA, s.positionA[0], s.sigmaA);
    const auto wy = axisWeights(d.n, d.voxelA, s.positionA[1], s.sigmaA);
    const auto wz = axisWeights(d.n, d.voxelA, s.positionA[2], s.sigmaA);
    const double scale = s.amplitude / (d.voxelA * d.voxelA * d.voxelA);
    for (int iz = 0; iz < d.n; ++iz) {
        for (int iy = 0; iy < d.n; ++iy) {
            const double wyz = wz[iz] * wy[iy] * scale;
            if (wyz == 0.0) {
                continue;
            }
            for (int ix = 0; ix < d.n; ++ix) {
                d.values[d.at(ix, iy, iz)] += static_cast<float>(wyz * wx[ix]);
            }
        }
    }
}

void addSphere(ModelDensity& d, const Scatterer& s)
{
    // 4³ sub-samples per voxel: the boundary voxels get the fraction of their volume inside.
    constexpr int sub = 4;
    const double rho = s.amplitude / (4.0 / 3.0 * std::numbers::pi * s.radiusA * s.radiusA * s.radiusA);
    const double r2 = s.radiusA * s.radiusA;
    const double h = d.voxelA;
    const int origin = d.n / 2; // the voxel centred on 0
    auto range = [&](int axis) {
        const int lo = std::max(0, static_cast<int>(std::floor((s.positionA[axis] - s.radiusA) / h)) + origin - 1);
        const int hi = std::min(d.n - 1, static_cast<int>(std::ceil((s.positionA[axis] + s.radiusA) / h)) + origin + 1);
        return std::pair { lo, hi };
    };
    const auto [x0, x1] = range(0);
    const auto [y0, y1] = range(1);
    const auto [z0, z1] = range(2);
    for (int iz = z0; iz <= z1; ++iz) {
        for (int iy = y0; iy <= y1; ++iy) {
            for (int ix = x0; ix <= x1; ++ix) {
                const int ox = ix - origin, oy = iy - origin, oz = iz - origin;
                int inside = 0;
                for (int k = 0; k < sub * sub * sub; ++k) {
                    const int kx = k % sub, ky = (k / sub) % sub, kz = k / (sub * sub); // sub-sample indices
                    const double dx = (ox + (kx + 0.5) / sub - 0.5) * h - s.positionA[0];
                    const double dy = (oy + (ky + 0.5) / sub - 0.5) * h - s.positionA[1];
                    const double dz = (oz + (kz + 0.5) / sub - 0.5) * h - s.positionA[2];
                    inside += dx * dx + dy * dy + dz * dz <= r2;
                }
                d.values[d.at(ix, iy, iz)] += static_cast<float>(rho * inside / (sub * sub * sub));
            }
        }
    }
}

} // namespace

ModelDensity ParticleModel::density(int n, double voxelA) const
{
    ModelDensity d;
    if (n <= 0 || n > 1024 || !(voxelA > 0.0) || !std::isfinite(voxelA)) {
        return d;
    }
    d.n = n;
    d.voxelA = voxelA;
    d.values.assign(static_cast<std::size_t>(n) * n * n, 0.0f);
    for (const auto& s : m_scatterers) {
        if (s.kind == Scatterer::Kind::Sphere) {
            addSphere(d, s);
        } else {
            addGaussian(d, s);
        }
    }
    return d;
}

} // namespace fxs
