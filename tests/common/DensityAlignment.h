#pragma once

// Test support: compare a reconstruction with its truth. A reconstruction is defined up to rotation, inversion
// and translation (FXS_SPEC §5), so the moving density is aligned onto the reference first: both centres of mass
// are matched, a coarse search over uniformly random rotations (with and without inversion) scores the overlap on
// the reference's significant voxels, and the best candidates are refined by a shrinking local search over
// rotations and sub-voxel shifts. Densities are n³, x fastest.

#include <algorithm>
#include <array>
#include <cmath>
#include <complex>
#include <fxs/core/Rotation.h>
#include <numbers>
#include <random>
#include <vector>

namespace fxs::test {

/// Pearson correlation of two equally sized arrays.
inline double pearson(const std::vector<float>& a, const std::vector<float>& b)
{
    const std::size_t n = std::min(a.size(), b.size());
    double ma = 0, mb = 0;
    for (std::size_t i = 0; i < n; ++i) {
        ma += a[i];
        mb += b[i];
    }
    ma /= n;
    mb /= n;
    double sab = 0, saa = 0, sbb = 0;
    for (std::size_t i = 0; i < n; ++i) {
        sab += (a[i] - ma) * (b[i] - mb);
        saa += (a[i] - ma) * (a[i] - ma);
        sbb += (b[i] - mb) * (b[i] - mb);
    }
    return saa > 0 && sbb > 0 ? sab / std::sqrt(saa * sbb) : 0.0;
}

struct Alignment {
    double correlation = 0.0; ///< Pearson over the whole grid after alignment
    bool inverted = false;
    Rotation rotation;
    std::array<double, 3> shiftVoxels { 0, 0, 0 };
    std::vector<float> aligned; ///< the moving density resampled onto the reference
};

namespace detail {

inline double trilinear(const std::vector<float>& d, int n, double x, double y, double z)
{
    const int x0 = static_cast<int>(std::floor(x)), y0 = static_cast<int>(std::floor(y)),
              z0 = static_cast<int>(std::floor(z));
    const double tx = x - x0, ty = y - y0, tz = z - z0;
    double v = 0;
    for (int c = 0; c < 8; ++c) {
        const int ix = x0 + (c & 1), iy = y0 + ((c >> 1) & 1), iz = z0 + ((c >> 2) & 1);
        if (ix < 0 || iy < 0 || iz < 0 || ix >= n || iy >= n || iz >= n) {
            continue;
        }
        const double w = ((c & 1) ? tx : 1 - tx) * (((c >> 1) & 1) ? ty : 1 - ty) * (((c >> 2) & 1) ? tz : 1 - tz);
        v += w * d[(static_cast<std::size_t>(iz) * n + iy) * n + ix];
    }
    return v;
}

inline std::array<double, 3> centreOfMass(const std::vector<float>& d, int n)
{
    std::array<double, 3> c { 0, 0, 0 };
    double m = 0;
    for (int iz = 0; iz < n; ++iz) {
        for (int iy = 0; iy < n; ++iy) {
            for (int ix = 0; ix < n; ++ix) {
                const double v = std::max(0.0f, d[(static_cast<std::size_t>(iz) * n + iy) * n + ix]);
                c[0] += v * ix;
                c[1] += v * iy;
                c[2] += v * iz;
                m += v;
            }
        }
    }
    for (auto& x : c) {
        x = m > 0 ? x / m : n / 2.0;
    }
    return c;
}

struct Pose {
    std::array<double, 4> quat { 1, 0, 0, 0 };
    bool inverted = false;
    std::array<double, 3> shift { 0, 0, 0 };
    double score = -1e300;
};

// Position in the moving grid of reference voxel p: c_mov + s · R (p − c_ref) + shift, s = −1 when inverted.
inline std::array<double, 3> mapPoint(const Pose& pose, const Rotation& r, const std::array<double, 3>& p,
    const std::array<double, 3>& cRef, const std::array<double, 3>& cMov)
{
    const auto v = r.apply({ p[0] - cRef[0], p[1] - cRef[1], p[2] - cRef[2] });
    const double s = pose.inverted ? -1.0 : 1.0;
    return { cMov[0] + s * v[0] + pose.shift[0], cMov[1] + s * v[1] + pose.shift[1],
        cMov[2] + s * v[2] + pose.shift[2] };
}

} // namespace detail

namespace detail {

// The scoring set: the reference's voxels above 2 % of its peak, and both centres of mass.
struct AlignProblem {
    const std::vector<float>& moving;
    int n;
    std::array<double, 3> cRef, cMov;
    std::vector<std::array<double, 3>> pts;
    std::vector<double> vals;

    AlignProblem(const std::vector<float>& reference, const std::vector<float>& mov, int size)
        : moving(mov)
        , n(size)
        , cRef(centreOfMass(reference, size))
        , cMov(centreOfMass(mov, size))
    {
        const float peak = *std::max_element(reference.begin(), reference.end());
        for (int iz = 0; iz < n; ++iz) {
            for (int iy = 0; iy < n; ++iy) {
                for (int ix = 0; ix < n; ++ix) {
                    const float v = reference[(static_cast<std::size_t>(iz) * n + iy) * n + ix];
                    if (v > 0.02f * peak) {
                        pts.push_back({ double(ix), double(iy), double(iz) });
                        vals.push_back(v);
                    }
                }
            }
        }
    }

    // Overlap normalised by the moving density's norm on the sampled points, so that a pose cannot win by
    // moving a dense part of the moving map onto the points.
    double score(Pose& pose) const
    {
        const Rotation r = Rotation::fromQuaternion(pose.quat[0], pose.quat[1], pose.quat[2], pose.quat[3]);
        double sab = 0, sbb = 0;
        for (std::size_t k = 0; k < pts.size(); ++k) {
            const auto m = mapPoint(pose, r, pts[k], cRef, cMov);
            const double b = trilinear(moving, n, m[0], m[1], m[2]);
            sab += vals[k] * b;
            sbb += b * b;
        }
        pose.score = sbb > 0 ? sab / std::sqrt(sbb) : -1e300;
        return pose.score;
    }
};

// Shrinking random local search around a pose (rotation and sub-voxel shift).
inline void refine(const AlignProblem& problem, Pose& best, std::mt19937_64& rng)
{
    std::normal_distribution<double> g(0.0, 1.0);
    for (double step = 0.15; step > 0.004; step *= 0.6) {
        for (int trial = 0; trial < 40; ++trial) {
            Pose t = best;
            const double norm = std::sqrt(
                t.quat[0] * t.quat[0] + t.quat[1] * t.quat[1] + t.quat[2] * t.quat[2] + t.quat[3] * t.quat[3]);
            for (auto& c : t.quat) {
                c = c / norm + step * g(rng);
            }
            for (auto& s : t.shift) {
                s += step * 3.0 * g(rng);
            }
            if (problem.score(t) > best.score) {
                best = t;
            }
        }
    }
}

} // namespace detail

/// Aligns `moving` onto `reference` (both n³) over rotations, inversion and shifts.
inline Alignment alignDensities(
    const std::vector<float>& reference, const std::vector<float>& moving, int n, int coarseRotations = 3000)
{
    using namespace detail;
    const AlignProblem problem(reference, moving, n);
    std::mt19937_64 rng(12345);
    std::normal_distribution<double> g(0.0, 1.0);
    std::vector<Pose> poses;
    for (int k = 0; k < coarseRotations; ++k) {
        const std::array<double, 4> q { g(rng), g(rng), g(rng), g(rng) };
        for (int inv = 0; inv < 2; ++inv) {
            Pose p { q, inv == 1, { 0, 0, 0 } };
            problem.score(p);
            poses.push_back(p);
        }
    }
    std::sort(poses.begin(), poses.end(), [](const Pose& a, const Pose& b) { return a.score > b.score; });
    poses.resize(std::min<std::size_t>(poses.size(), 6));
    for (Pose& p : poses) {
        refine(problem, p, rng);
    }
    const Pose best
        = *std::max_element(poses.begin(), poses.end(), [](const Pose& a, const Pose& b) { return a.score < b.score; });
    Alignment out;
    out.inverted = best.inverted;
    out.rotation = Rotation::fromQuaternion(best.quat[0], best.quat[1], best.quat[2], best.quat[3]);
    out.shiftVoxels = best.shift;
    out.aligned.assign(reference.size(), 0.0f);
    for (int iz = 0; iz < n; ++iz) {
        for (int iy = 0; iy < n; ++iy) {
            for (int ix = 0; ix < n; ++ix) {
                const auto m
                    = mapPoint(best, out.rotation, { double(ix), double(iy), double(iz) }, problem.cRef, problem.cMov);
                out.aligned[(static_cast<std::size_t>(iz) * n + iy) * n + ix]
                    = static_cast<float>(trilinear(moving, n, m[0], m[1], m[2]));
            }
        }
    }
    out.correlation = pearson(reference, out.aligned);
    return out;
}

/// Fourier shell correlation of two n³ densities (naive separable DFT: for small test grids), shells of 1 dk.
inline std::vector<double> fourierShellCorrelation(const std::vector<float>& a, const std::vector<float>& b, int n)
{
    auto dft3 = [n](const std::vector<float>& d) {
        std::vector<std::complex<double>> x(d.begin(), d.end()), y(x.size());
        std::vector<std::complex<double>> tw(n);
        for (int k = 0; k < n; ++k) {
            tw[k] = std::polar(1.0, -2.0 * std::numbers::pi * k / n);
        }
        const std::size_t strides[3] = { 1, static_cast<std::size_t>(n), static_cast<std::size_t>(n) * n };
        for (std::size_t st : strides) {
            for (std::size_t i = 0; i < x.size(); ++i) {
                const int c = static_cast<int>((i / st) % n);
                const std::size_t base = i - c * st;
                std::complex<double> v = 0;
                for (int j = 0; j < n; ++j) {
                    v += tw[(static_cast<std::size_t>(c) * j) % n] * x[base + j * st];
                }
                y[i] = v;
            }
            std::swap(x, y);
        }
        return x;
    };
    const auto fa = dft3(a), fb = dft3(b);
    const int shells = n / 2;
    std::vector<std::complex<double>> num(shells);
    std::vector<double> da(shells), db(shells);
    for (int iz = 0; iz < n; ++iz) {
        for (int iy = 0; iy < n; ++iy) {
            for (int ix = 0; ix < n; ++ix) {
                auto f = [n](int i) { return i < n / 2 ? i : i - n; };
                const int s
                    = static_cast<int>(std::lround(std::sqrt(double(f(ix) * f(ix) + f(iy) * f(iy) + f(iz) * f(iz)))));
                if (s >= shells) {
                    continue;
                }
                const std::size_t i = (static_cast<std::size_t>(iz) * n + iy) * n + ix;
                num[s] += fa[i] * std::conj(fb[i]);
                da[s] += std::norm(fa[i]);
                db[s] += std::norm(fb[i]);
            }
        }
    }
    std::vector<double> out(shells);
    for (int s = 0; s < shells; ++s) {
        out[s] = da[s] > 0 && db[s] > 0 ? num[s].real() / std::sqrt(da[s] * db[s]) : 0.0;
    }
    return out;
}

} // namespace fxs::test
