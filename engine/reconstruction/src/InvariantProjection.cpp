#include <fxs/reconstruction/InvariantProjection.h>

#include <fxs/invariants/SphericalHarmonics.h>

#include <algorithm>
#include <cmath>
#include <lapacke.h>

namespace fxs {

InvariantProjection::InvariantProjection(const KamInvariants& inv, bool qSquaredWeights)
    : m_lMax(inv.lMax)
    , m_nShells(inv.nQ)
    , m_data(inv)
{
    const int n = m_nShells;
    for (int i = 0; i < n; ++i) {
        m_weights.push_back(qSquaredWeights ? inv.qInvA[i] * inv.qInvA[i] : 1.0);
    }
    std::vector<double> v(static_cast<std::size_t>(n) * n), w(n);
    for (int l = 0; l <= m_lMax; l += 2) {
        const double* b = inv.matrix(l);
        for (int i = 0; i < n; ++i) {
            for (int j = 0; j < n; ++j) {
                v[static_cast<std::size_t>(i) * n + j] = 0.5 * (b[i * n + j] + b[j * n + i]);
            }
        }
        const int k = std::min(2 * l + 1, n);
        std::vector<double> c(static_cast<std::size_t>(n) * k, 0.0);
        if (LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'V', 'U', n, v.data(), n, w.data()) == 0) {
            // Ascending eigenvalues: column a of C_l is the (n−1−a)-th eigenvector scaled by √λ.
            for (int a = 0; a < k; ++a) {
                const int e = n - 1 - a;
                const double s = std::sqrt(std::max(0.0, w[e]));
                for (int i = 0; i < n; ++i) {
                    c[static_cast<std::size_t>(i) * k + a] = s * v[static_cast<std::size_t>(i) * n + e];
                }
            }
        }
        m_c.push_back(std::move(c));
        m_k.push_back(k);
    }
}

void InvariantProjection::projectL(int l, double* il) const
{
    const int n = m_nShells, k = m_k[l / 2], d = 2 * l + 1;
    const std::vector<double>& c = m_c[l / 2];
    std::vector<double> m(static_cast<std::size_t>(k) * d, 0.0);
    for (int i = 0; i < n; ++i) {
        for (int a = 0; a < k; ++a) {
            const double ca = c[static_cast<std::size_t>(i) * k + a] * m_weights[i];
            for (int j = 0; j < d; ++j) {
                m[static_cast<std::size_t>(a) * d + j] += ca * il[static_cast<std::size_t>(i) * d + j];
            }
        }
    }
    const int r = std::min(k, d);
    std::vector<double> s(r), u(static_cast<std::size_t>(k) * r), vt(static_cast<std::size_t>(r) * d), work(r);
    if (LAPACKE_dgesvd(LAPACK_ROW_MAJOR, 'S', 'S', k, d, m.data(), d, s.data(), u.data(), r, vt.data(), d, work.data())
        != 0) {
        return;
    }
    // U_l = A Bᵀ (k × d), then I_l = C_l U_l.
    std::vector<double> ul(static_cast<std::size_t>(k) * d, 0.0);
    for (int a = 0; a < k; ++a) {
        for (int t = 0; t < r; ++t) {
            const double ua = u[static_cast<std::size_t>(a) * r + t];
            for (int j = 0; j < d; ++j) {
                ul[static_cast<std::size_t>(a) * d + j] += ua * vt[static_cast<std::size_t>(t) * d + j];
            }
        }
    }
    for (int i = 0; i < n; ++i) {
        for (int j = 0; j < d; ++j) {
            double v = 0.0;
            for (int a = 0; a < k; ++a) {
                v += c[static_cast<std::size_t>(i) * k + a] * ul[static_cast<std::size_t>(a) * d + j];
            }
            il[static_cast<std::size_t>(i) * d + j] = v;
        }
    }
}

void InvariantProjection::project(double* coeffs, std::size_t stride) const
{
    std::vector<double> il;
    for (int l = 0; l <= m_lMax; l += 2) {
        const int d = 2 * l + 1;
        const std::size_t off = SphericalHarmonics::evenOffset(l);
        il.resize(static_cast<std::size_t>(m_nShells) * d);
        for (int i = 0; i < m_nShells; ++i) {
            std::copy(coeffs + i * stride + off, coeffs + i * stride + off + d, il.begin() + i * d);
        }
        projectL(l, il.data());
        for (int i = 0; i < m_nShells; ++i) {
            std::copy(il.begin() + i * d, il.begin() + (i + 1) * d, coeffs + i * stride + off);
        }
    }
}

std::vector<double> InvariantProjection::invariantErrors(const double* coeffs, std::size_t stride) const
{
    std::vector<double> out;
    const int n = m_nShells;
    for (int l = 0; l <= m_lMax; l += 2) {
        const int d = 2 * l + 1;
        const std::size_t off = SphericalHarmonics::evenOffset(l);
        const double* b = m_data.matrix(l);
        double num = 0.0, den = 0.0;
        for (int i = 0; i < n; ++i) {
            for (int j = 0; j < n; ++j) {
                double model = 0.0;
                for (int t = 0; t < d; ++t) {
                    model += coeffs[i * stride + off + t] * coeffs[j * stride + off + t];
                }
                const double diff = b[i * n + j] - model;
                num += diff * diff;
                den += b[i * n + j] * b[i * n + j];
            }
        }
        out.push_back(den > 0.0 ? std::sqrt(num / den) : 0.0);
    }
    return out;
}

} // namespace fxs
