#include <fxs/reconstruction/ShellSampler.h>

#include <fxs/core/ParallelRange.h>

#include <algorithm>
#include <cmath>
#include <numbers>

namespace fxs {

namespace {

// Lower index and fraction of u in a sorted array (clamped: outside the range the nearest end, fraction 0).
void bracket(const std::vector<double>& a, double u, std::int32_t& i, float& t)
{
    if (u <= a.front()) {
        i = 0;
        t = 0.0f;
        return;
    }
    if (u >= a.back()) {
        i = static_cast<std::int32_t>(a.size()) - 1;
        t = 0.0f;
        return;
    }
    const auto it = std::upper_bound(a.begin(), a.end(), u);
    i = static_cast<std::int32_t>(it - a.begin()) - 1;
    t = static_cast<float>((u - a[i]) / (a[i + 1] - a[i]));
}

} // namespace

ShellSampler::ShellSampler(int n, double dk, const std::vector<double>& shellQ, const ShellTransform& tr)
    : m_n(n)
    , m_nShells(static_cast<int>(shellQ.size()))
    , m_nTheta(tr.nTheta())
    , m_nPhi(tr.nPhi())
{
    for (int s = 0; s < m_nShells; ++s) {
        for (int i = 0; i < m_nTheta; ++i) {
            const double ct = tr.cosTheta(i), st = std::sqrt(std::max(0.0, 1.0 - ct * ct));
            for (int j = 0; j < m_nPhi; ++j) {
                const double u[3] = { shellQ[s] * st * std::cos(tr.phi(j)) / dk,
                    shellQ[s] * st * std::sin(tr.phi(j)) / dk, shellQ[s] * ct / dk };
                NodeStencil st3 {};
                for (int a = 0; a < 3; ++a) {
                    const double f = std::floor(u[a]);
                    const int lo = ((static_cast<int>(f) % n) + n) % n;
                    st3.lo[a] = lo;
                    st3.hi[a] = (lo + 1) % n;
                    st3.t[a] = static_cast<float>(u[a] - f);
                }
                m_nodeStencils.push_back(st3);
            }
        }
    }
    std::vector<double> xs;
    for (int i = 0; i < m_nTheta; ++i) {
        xs.push_back(tr.cosTheta(i));
    }
    const double dphi = 2.0 * std::numbers::pi / m_nPhi;
    for (int iz = 0; iz < n; ++iz) {
        for (int iy = 0; iy < n; ++iy) {
            for (int ix = 0; ix < n; ++ix) {
                const double k[3] = { (ix < n / 2 ? ix : ix - n) * dk, (iy < n / 2 ? iy : iy - n) * dk,
                    (iz < n / 2 ? iz : iz - n) * dk };
                const double q = std::sqrt(k[0] * k[0] + k[1] * k[1] + k[2] * k[2]);
                if (m_nShells == 0 || q < shellQ.front() || q > shellQ.back() || q <= 0.0) {
                    continue;
                }
                Stencil st {};
                bracket(shellQ, q, st.i0[0], st.t[0]);
                bracket(xs, k[2] / q, st.i0[1], st.t[1]);
                double phi = std::atan2(k[1], k[0]);
                phi += phi < 0.0 ? 2.0 * std::numbers::pi : 0.0;
                const double pj = phi / dphi;
                st.i0[2] = std::min(static_cast<std::int32_t>(pj), m_nPhi - 1);
                st.t[2] = static_cast<float>(pj - st.i0[2]);
                m_voxels.push_back(static_cast<std::uint32_t>((static_cast<std::size_t>(iz) * n + iy) * n + ix));
                m_voxelStencils.push_back(st);
            }
        }
    }
}

void ShellSampler::sample(const double* grid, double* samples, int threads) const
{
    const int n = m_n;
    detail::parallelChunks(m_nodeStencils.size(), threads, [&](std::size_t, std::size_t b, std::size_t e) {
        for (std::size_t p = b; p < e; ++p) {
            const NodeStencil& s = m_nodeStencils[p];
            const double tx = s.t[0], ty = s.t[1], tz = s.t[2];
            const std::size_t z0 = static_cast<std::size_t>(s.lo[2]) * n, z1 = static_cast<std::size_t>(s.hi[2]) * n;
            auto row = [&](std::size_t z, int y) {
                const double* r = grid + (z + y) * n;
                return (1.0 - tx) * r[s.lo[0]] + tx * r[s.hi[0]];
            };
            const double lower = (1.0 - ty) * row(z0, s.lo[1]) + ty * row(z0, s.hi[1]);
            const double upper = (1.0 - ty) * row(z1, s.lo[1]) + ty * row(z1, s.hi[1]);
            samples[p] = (1.0 - tz) * lower + tz * upper;
        }
    });
}

void ShellSampler::gather(const double* nodes, double* out, int threads) const
{
    const std::size_t perShell = static_cast<std::size_t>(m_nTheta) * m_nPhi;
    detail::parallelChunks(m_voxels.size(), threads, [&](std::size_t, std::size_t b, std::size_t e) {
        for (std::size_t p = b; p < e; ++p) {
            const Stencil& s = m_voxelStencils[p];
            const int sh[2] = { s.i0[0], std::min(s.i0[0] + 1, m_nShells - 1) };
            const int th[2] = { s.i0[1], std::min(s.i0[1] + 1, m_nTheta - 1) };
            const int ph[2] = { s.i0[2], (s.i0[2] + 1) % m_nPhi };
            double v = 0.0;
            for (int c = 0; c < 8; ++c) {
                const int a = c & 1, bth = (c >> 1) & 1, cph = (c >> 2) & 1;
                const double w
                    = (a ? s.t[0] : 1.0f - s.t[0]) * (bth ? s.t[1] : 1.0f - s.t[1]) * (cph ? s.t[2] : 1.0f - s.t[2]);
                v += w * nodes[sh[a] * perShell + static_cast<std::size_t>(th[bth]) * m_nPhi + ph[cph]];
            }
            out[p] = v;
        }
    });
}

} // namespace fxs
