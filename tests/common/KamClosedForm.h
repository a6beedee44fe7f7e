#pragma once

// Independent oracle for the Kam invariants (FXS_SPEC §7): for point scatterers (or Gaussian blobs, whose form
// factors f_i(q) = a_i e^{−q²σ_i²/2} are real),
//     B_L(q, q') = 4π(2L+1) Σ_{ij,kl} f_i f_j(q) f_k f_l(q') j_L(q r_ij) j_L(q' r_kl) P_L(r̂_ij · r̂_kl),
// written with the C++17 special functions, without the engine's Legendre code.

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <vector>

namespace fxs::test {

struct Blob {
    double amplitude = 1.0;
    double sigmaA = 0.0; ///< 0: a point
    std::array<double, 3> positionA { 0, 0, 0 };
};

/// B_l(q_a, q_b) for even l ≤ lMax: (lMax/2 + 1) × nQ × nQ, row-major (the KamInvariants layout).
inline std::vector<double> closedFormInvariants(const std::vector<Blob>& blobs, const std::vector<double>& q, int lMax)
{
    struct Pair {
        double r;
        std::array<double, 3> dir;
        int i, j;
    };
    std::vector<Pair> pairs;
    for (int i = 0; i < static_cast<int>(blobs.size()); ++i) {
        for (int j = 0; j < static_cast<int>(blobs.size()); ++j) {
            std::array<double, 3> d;
            for (int a = 0; a < 3; ++a) {
                d[a] = blobs[i].positionA[a] - blobs[j].positionA[a];
            }
            const double r = std::sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
            if (r > 0) {
                for (auto& v : d) {
                    v /= r;
                }
            }
            pairs.push_back({ r, d, i, j });
        }
    }
    const int nQ = static_cast<int>(q.size()), nP = static_cast<int>(pairs.size());
    std::vector<double> out(static_cast<std::size_t>(lMax / 2 + 1) * nQ * nQ, 0.0);
    for (int l = 0; l <= lMax; l += 2) {
        // g[q][p] = f_i f_j(q) j_l(q r_p)
        std::vector<double> g(static_cast<std::size_t>(nQ) * nP);
        for (int a = 0; a < nQ; ++a) {
            for (int p = 0; p < nP; ++p) {
                const Blob& bi = blobs[pairs[p].i];
                const Blob& bj = blobs[pairs[p].j];
                const double fi = bi.amplitude * std::exp(-0.5 * q[a] * q[a] * bi.sigmaA * bi.sigmaA);
                const double fj = bj.amplitude * std::exp(-0.5 * q[a] * q[a] * bj.sigmaA * bj.sigmaA);
                const double jl = pairs[p].r > 0 ? std::sph_bessel(l, q[a] * pairs[p].r) : (l == 0 ? 1.0 : 0.0);
                g[static_cast<std::size_t>(a) * nP + p] = fi * fj * jl;
            }
        }
        std::vector<double> pl(static_cast<std::size_t>(nP) * nP);
        for (int p = 0; p < nP; ++p) {
            for (int s = 0; s < nP; ++s) {
                const auto& u = pairs[p].dir;
                const auto& v = pairs[s].dir;
                const double c = std::clamp(u[0] * v[0] + u[1] * v[1] + u[2] * v[2], -1.0, 1.0);
                pl[static_cast<std::size_t>(p) * nP + s] = std::legendre(l, c);
            }
        }
        for (int a = 0; a < nQ; ++a) {
            for (int b = 0; b < nQ; ++b) {
                double sum = 0.0;
                for (int p = 0; p < nP; ++p) {
                    const double gp = g[static_cast<std::size_t>(a) * nP + p];
                    if (gp == 0.0) {
                        continue;
                    }
                    for (int s = 0; s < nP; ++s) {
                        sum += gp * g[static_cast<std::size_t>(b) * nP + s] * pl[static_cast<std::size_t>(p) * nP + s];
                    }
                }
                out[(static_cast<std::size_t>(l / 2) * nQ + a) * nQ + b] = 4.0 * std::numbers::pi * (2 * l + 1) * sum;
            }
        }
    }
    return out;
}

} // namespace fxs::test
