#pragma once

#include <fxs/simulation/ParticleModel.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <memory>

namespace fxs::sim {

/// |F(q⃗)|² / F(0)² of a particle on a regular 3D grid, sampled by trilinear interpolation. Friedel symmetry
/// (|F(q⃗)| = |F(−q⃗)| for a real density) lets the grid hold only the half-space q_z ≤ 0 (plus one layer).
class IntensityTable {
public:
    /// Tabulates `model` over |q| ≤ qMaxInvA with the given step (Å⁻¹), using `threads` threads.
    static IntensityTable build(const ParticleModel& model, double qMaxInvA, double stepInvA, int threads);

    /// Interpolated |F(q⃗)|² / F(0)²; q outside the table is clamped to its edge.
    float sample(float qx, float qy, float qz) const
    {
        if (qz > 0.0f) {
            qx = -qx;
            qy = -qy;
            qz = -qz;
        }
        const float fx = clampIndex((qx + m_origin) * m_invStep, m_nxy);
        const float fy = clampIndex((qy + m_origin) * m_invStep, m_nxy);
        const float fz = clampIndex((qz + m_origin) * m_invStep, m_nz);
        const int ix = static_cast<int>(fx);
        const int iy = static_cast<int>(fy);
        const int iz = static_cast<int>(fz);
        const float tx = fx - static_cast<float>(ix);
        const float ty = fy - static_cast<float>(iy);
        const float tz = fz - static_cast<float>(iz);
        const float* p = m_values.get() + (static_cast<std::size_t>(iz) * m_nxy + iy) * m_nxy + ix;
        const std::size_t sy = m_nxy;
        const std::size_t sz = static_cast<std::size_t>(m_nxy) * m_nxy;
        const float c00 = p[0] + tx * (p[1] - p[0]);
        const float c10 = p[sy] + tx * (p[sy + 1] - p[sy]);
        const float c01 = p[sz] + tx * (p[sz + 1] - p[sz]);
        const float c11 = p[sz + sy] + tx * (p[sz + sy + 1] - p[sz + sy]);
        const float c0 = c00 + ty * (c10 - c00);
        const float c1 = c01 + ty * (c11 - c01);
        return c0 + tz * (c1 - c0);
    }
    /// Starts loading the cache lines that sample(qx, qy, qz) will read (issued a few pixels ahead, it hides the
    /// table's memory latency: rotated detector rows and polar rings jump across the table).
    void prefetch(float qx, float qy, float qz) const
    {
        if (qz > 0.0f) {
            qx = -qx;
            qy = -qy;
            qz = -qz;
        }
        const int ix = static_cast<int>(clampIndex((qx + m_origin) * m_invStep, m_nxy));
        const int iy = static_cast<int>(clampIndex((qy + m_origin) * m_invStep, m_nxy));
        const int iz = static_cast<int>(clampIndex((qz + m_origin) * m_invStep, m_nz));
        const float* p = m_values.get() + (static_cast<std::size_t>(iz) * m_nxy + iy) * m_nxy + ix;
        const std::size_t sy = m_nxy;
        const std::size_t sz = static_cast<std::size_t>(m_nxy) * m_nxy;
        __builtin_prefetch(p);
        __builtin_prefetch(p + sy);
        __builtin_prefetch(p + sz);
        __builtin_prefetch(p + sz + sy);
    }
    /// Largest |q| covered, in Å⁻¹.
    double qMaxInvA() const { return m_qMax; }
    /// Grid step in Å⁻¹.
    double stepInvA() const { return 1.0 / m_invStep; }
    /// Points of the grid (0 when the memory could not be had).
    std::size_t points() const { return m_points; }

private:
    // Keeps the cell index in [0, n − 2] so that the +1 neighbours exist.
    static float clampIndex(float f, int n)
    {
        const float hi = static_cast<float>(n - 2) + 0.999f;
        return f < 0.0f ? 0.0f : (f > hi ? hi : f);
    }

    struct Free {
        void operator()(float* p) const { std::free(p); }
    };
    std::unique_ptr<float[], Free> m_values; ///< nz × nxy × nxy, x fastest, on transparent huge pages
    std::size_t m_points = 0;
    int m_nxy = 0;
    int m_nz = 0;
    float m_origin = 0.0f; ///< q of index 0 is −m_origin on every axis
    float m_invStep = 1.0f;
    double m_qMax = 0.0;
};

} // namespace fxs::sim
