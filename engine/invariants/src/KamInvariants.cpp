#include <fxs/invariants/KamInvariants.h>

#include <fxs/core/ParallelRange.h>
#include <fxs/invariants/SphericalHarmonics.h>

#include <algorithm>
#include <cmath>
#include <lapacke.h>
#include <numbers>
#include <string>

namespace fxs {

namespace {

constexpr double kFourPi = 4.0 * std::numbers::pi;

struct SolveContext {
    const C2Snapshot& snap;
    const InvariantOptions& options;
    std::vector<double> cosTheta;
    int lMax = 0;
    int lFirst = 0; // 0 when B_0 is fitted from the C2, else 2
};

// Least squares over the valid Δ bins of one (q, q'): columns (1/4π) P_l(cos ψ(Δ)), minus their Δ-mean when
// every shot's ring mean was subtracted (that removes exactly the n = 0 component).
void fitPair(const SolveContext& ctx, int q, int qp, KamInvariants& out)
{
    const C2Snapshot& s = ctx.snap;
    const int nu = (ctx.lMax - ctx.lFirst) / 2 + 1;
    const double x = ctx.cosTheta[q], xp = ctx.cosTheta[qp];
    const double sx = std::sqrt(std::max(0.0, 1 - x * x)), sxp = std::sqrt(std::max(0.0, 1 - xp * xp));
    std::vector<double> pbar, pbarp, pl(ctx.lMax + 1);
    SphericalHarmonics::specLegendre(ctx.lMax, x, pbar);
    SphericalHarmonics::specLegendre(ctx.lMax, xp, pbarp);
    std::vector<double> a, rhs;
    int rows = 0;
    for (int k = 0; k < s.nPhi; ++k) {
        const std::size_t e = s.at(q, qp, k);
        if (!s.flags.empty() && s.flags[e] != C2Snapshot::Valid) {
            continue;
        }
        const double cosPsi = x * xp + sx * sxp * std::cos(2.0 * std::numbers::pi * k / s.nPhi);
        SphericalHarmonics::legendrePolynomials(ctx.lMax, cosPsi, pl.data());
        for (int j = 0; j < nu; ++j) {
            const int l = ctx.lFirst + 2 * j;
            const double mean = s.ringMeanSubtracted
                ? pbar[SphericalHarmonics::index(l, 0)] * pbarp[SphericalHarmonics::index(l, 0)]
                : 0.0;
            a.push_back(pl[l] / kFourPi - mean);
        }
        rhs.push_back(s.c2[e]);
        ++rows;
    }
    if (rows < nu) {
        return; // too few valid bins: leave this pair at 0
    }
    if (ctx.options.tikhonov > 0.0) {
        double norm2 = 0.0;
        for (double v : a) {
            norm2 += v * v;
        }
        const double ridge = std::sqrt(ctx.options.tikhonov * norm2 / nu);
        for (int j = 0; j < nu; ++j) {
            for (int i = 0; i < nu; ++i) {
                a.push_back(i == j ? ridge : 0.0);
            }
            rhs.push_back(0.0);
        }
        rows += nu;
    }
    // QR (dgels) is ~5× cheaper than the SVD solver; a rank-deficient system (info > 0) falls back to dgelsd.
    const std::vector<double> a0 = a, rhs0 = rhs;
    if (LAPACKE_dgels(LAPACK_ROW_MAJOR, 'N', rows, nu, 1, a.data(), nu, rhs.data(), 1) != 0) {
        a = a0;
        rhs = rhs0;
        std::vector<double> sv(nu);
        lapack_int rank = 0;
        if (LAPACKE_dgelsd(LAPACK_ROW_MAJOR, rows, nu, 1, a.data(), nu, rhs.data(), 1, sv.data(), 1e-12, &rank) != 0) {
            return;
        }
    }
    for (int j = 0; j < nu; ++j) {
        const int l = ctx.lFirst + 2 * j;
        out.b[out.at(l, q, qp)] = rhs[j];
        out.b[out.at(l, qp, q)] = rhs[j];
    }
}

// C_n = Σ_{l ≥ n} B_l P̄_l^n(x) P̄_l^n(x'): with only even l, C_L gives B_L, C_{L−2} then B_{L−2}, and so on.
void backSubstitutePair(const SolveContext& ctx, int q, int qp, KamInvariants& out)
{
    const C2Snapshot& s = ctx.snap;
    std::vector<double> pbar, pbarp;
    SphericalHarmonics::specLegendre(ctx.lMax, ctx.cosTheta[q], pbar);
    SphericalHarmonics::specLegendre(ctx.lMax, ctx.cosTheta[qp], pbarp);
    for (int n = ctx.lMax; n >= ctx.lFirst; n -= 2) {
        double c = s.fourier[s.atFourier(n, q, qp)].real();
        for (int l = n + 2; l <= ctx.lMax; l += 2) {
            const std::size_t i = SphericalHarmonics::index(l, n);
            c -= out.b[out.at(l, q, qp)] * pbar[i] * pbarp[i];
        }
        const std::size_t d = SphericalHarmonics::index(n, n);
        const double denom = pbar[d] * pbarp[d];
        const double bl = std::abs(denom) > 1e-300 ? c / denom : 0.0;
        out.b[out.at(n, q, qp)] = bl;
        out.b[out.at(n, qp, q)] = bl;
    }
}

Status checkInput(const C2Snapshot& s, const PolarGrid& grid, double wavelengthA, const InvariantOptions& o)
{
    if (s.nQ != grid.nQ || s.nPhi != grid.nPhi || !grid.valid()) {
        return Error { "invariants: the snapshot is " + std::to_string(s.nQ) + " q × " + std::to_string(s.nPhi)
            + " φ bins but the polar grid given is " + std::to_string(grid.nQ) + " × " + std::to_string(grid.nPhi) };
    }
    if (s.c2.size() != static_cast<std::size_t>(s.nQ) * s.nQ * s.nPhi) {
        return Error { "invariants: the snapshot holds no C2 of nQ × nQ × nPhi values" };
    }
    if (!(wavelengthA > 0.0) || grid.qMaxInvA * wavelengthA / kFourPi >= 1.0) {
        return Error { "invariants: wavelength " + std::to_string(wavelengthA) + " Å is not positive or too long "
            + "for q_max = " + std::to_string(grid.qMaxInvA) + " Å⁻¹ (need qλ/4π < 1)" };
    }
    for (std::size_t i = 0; i < s.c2.size(); ++i) {
        if (!std::isfinite(s.c2[i]) && (s.flags.empty() || s.flags[i] != C2Snapshot::Masked)) {
            return Error { "invariants: the C2 holds a non-finite value at element " + std::to_string(i) + " (q index "
                + std::to_string(i / (static_cast<std::size_t>(s.nQ) * s.nPhi)) + ")" };
        }
    }
    if (o.lMax < 0 && !(o.particleDiameterA > 0.0)) {
        return Error { "invariants: give either the highest l or a particle diameter in Å (both are unset)" };
    }
    if (!(o.meanParticlesPerShot > 0.0)) {
        return Error { "invariants: the mean number of particles per shot must be positive" };
    }
    return Status::success();
}

bool useSaxs(const C2Snapshot& s, const InvariantOptions& o)
{
    if (o.b0 == InvariantOptions::B0Source::Auto) {
        return s.ringMeanSubtracted || o.meanParticlesPerShot != 1.0;
    }
    return o.b0 == InvariantOptions::B0Source::Saxs;
}

// S(q): the angle average of the mean image over bins that were ever valid (0 marks never valid).
Status fillSaxsB0(const C2Snapshot& s, KamInvariants& out)
{
    if (s.meanImage.size() != static_cast<std::size_t>(s.nQ) * s.nPhi) {
        return Error { "invariants: B_0 from the SAXS curve needs the snapshot's mean image, which is empty" };
    }
    std::vector<double> saxs(s.nQ, 0.0);
    for (int q = 0; q < s.nQ; ++q) {
        int count = 0;
        for (int k = 0; k < s.nPhi; ++k) {
            const double v = s.meanImage[static_cast<std::size_t>(q) * s.nPhi + k];
            if (v != 0.0) {
                saxs[q] += v;
                ++count;
            }
        }
        saxs[q] = count > 0 ? saxs[q] / count : 0.0;
    }
    for (int q = 0; q < s.nQ; ++q) {
        for (int qp = 0; qp < s.nQ; ++qp) {
            out.b[out.at(0, q, qp)] = kFourPi * saxs[q] * saxs[qp];
        }
    }
    return Status::success();
}

// ⟨N⟩ scaling (FXS_SPEC §3), B_0 from the SAXS curve where the C2 cannot give it, then the PSD clean-up.
Status scaleAndCleanUp(const C2Snapshot& snap, const InvariantOptions& o, KamInvariants& out)
{
    if (useSaxs(snap, o)) {
        if (Status st = fillSaxsB0(snap, out); !st) {
            return st;
        }
        const double n = o.meanParticlesPerShot;
        std::transform(out.matrix(0), out.matrix(0) + static_cast<std::size_t>(out.nQ) * out.nQ, out.matrix(0),
            [n](double v) { return v / (n * n); });
    } else {
        std::transform(out.matrix(0), out.matrix(0) + static_cast<std::size_t>(out.nQ) * out.nQ, out.matrix(0),
            [&o](double v) { return v / o.meanParticlesPerShot; });
    }
    if (out.lMax >= 2) {
        std::transform(out.matrix(2), out.b.data() + out.b.size(), out.matrix(2),
            [&o](double v) { return v / o.meanParticlesPerShot; });
    }
    if (o.clipNegativeEigenvalues) {
        out.makePositiveSemidefinite(o.limitRank);
    } else if (o.symmetrise) {
        for (int l = 0; l <= out.lMax; l += 2) {
            double* m = out.matrix(l);
            for (int i = 0; i < out.nQ; ++i) {
                for (int j = i + 1; j < out.nQ; ++j) {
                    m[i * out.nQ + j] = m[j * out.nQ + i] = 0.5 * (m[i * out.nQ + j] + m[j * out.nQ + i]);
                }
            }
        }
    }
    return Status::success();
}

} // namespace

double KamInvariants::cosColatitude(double qInvA, double wavelengthA) { return -qInvA * wavelengthA / kFourPi; }

KamInvariants KamInvariants::zeros(std::vector<double> qInvA, int lMax)
{
    KamInvariants k;
    k.nQ = static_cast<int>(qInvA.size());
    k.lMax = std::max(0, lMax - lMax % 2);
    k.qInvA = std::move(qInvA);
    k.b.assign(static_cast<std::size_t>(k.lCount()) * k.nQ * k.nQ, 0.0);
    return k;
}

Result<KamInvariants> KamInvariants::fromSnapshot(
    const C2Snapshot& snap, const PolarGrid& grid, double wavelengthA, const InvariantOptions& o)
{
    if (Status st = checkInput(snap, grid, wavelengthA, o); !st) {
        return Error { st.message() };
    }
    int lMax = o.lMax >= 0 ? o.lMax - o.lMax % 2
                           : SphericalHarmonics::evenLMaxForDiameter(grid.qMaxInvA, o.particleDiameterA);
    std::vector<double> q(grid.nQ);
    for (int i = 0; i < grid.nQ; ++i) {
        q[i] = grid.qCentre(i);
    }
    KamInvariants out = zeros(q, lMax);
    out.wavelengthA = wavelengthA;
    SolveContext ctx { snap, o, {}, lMax, snap.ringMeanSubtracted ? 2 : 0 };
    for (double qi : q) {
        ctx.cosTheta.push_back(cosColatitude(qi, wavelengthA));
    }
    const bool back = o.method == InvariantOptions::Method::BackSubstitution;
    if (back && (snap.fourier.empty() || snap.nMax < lMax)) {
        return Error { "invariants: back-substitution up to l = " + std::to_string(lMax)
            + " needs the snapshot's Fourier coefficients up to n = " + std::to_string(lMax) + " (it has "
            + (snap.fourier.empty() ? std::string("none") : "n ≤ " + std::to_string(snap.nMax)) + ")" };
    }
    if (!back && lMax >= snap.nPhi / 2) {
        return Error { "invariants: l = " + std::to_string(lMax) + " cannot be fitted from " + std::to_string(snap.nPhi)
            + " Δ bins; lower the highest l or the particle diameter" };
    }
    // Rows of the upper triangle, interleaved so that every thread gets a similar share of pairs.
    detail::parallelChunks(static_cast<std::size_t>(grid.nQ), detail::resolveThreads(o.threads),
        [&](std::size_t c, std::size_t, std::size_t) {
            const int threads = std::min(detail::resolveThreads(o.threads), grid.nQ);
            for (int qi = static_cast<int>(c); qi < grid.nQ; qi += threads) {
                for (int qp = qi; qp < grid.nQ; ++qp) {
                    back ? backSubstitutePair(ctx, qi, qp, out) : fitPair(ctx, qi, qp, out);
                }
            }
        });
    if (Status st = scaleAndCleanUp(snap, o, out); !st) {
        return Error { st.message() };
    }
    return out;
}

void KamInvariants::makePositiveSemidefinite(bool limitRank)
{
    const int n = nQ;
    std::vector<double> w(n), v(static_cast<std::size_t>(n) * n);
    for (int l = 0; l <= lMax; l += 2) {
        double* m = matrix(l);
        for (int i = 0; i < n; ++i) {
            for (int j = 0; j < n; ++j) {
                v[static_cast<std::size_t>(i) * n + j] = 0.5 * (m[i * n + j] + m[j * n + i]);
            }
        }
        if (LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'V', 'U', n, v.data(), n, w.data()) != 0) {
            continue;
        }
        // Eigenvalues ascending: keep the top min(2l+1, n) that are positive.
        const int keepFrom = limitRank ? std::max(0, n - (2 * l + 1)) : 0;
        std::fill(m, m + static_cast<std::size_t>(n) * n, 0.0);
        for (int k = keepFrom; k < n; ++k) {
            if (!(w[k] > 0.0)) {
                continue;
            }
            for (int i = 0; i < n; ++i) {
                const double vi = w[k] * v[static_cast<std::size_t>(i) * n + k];
                for (int j = 0; j < n; ++j) {
                    m[static_cast<std::size_t>(i) * n + j] += vi * v[static_cast<std::size_t>(j) * n + k];
                }
            }
        }
    }
}

KamInvariants KamInvariants::subset(const std::vector<int>& rows, int lMaxKept) const
{
    std::vector<double> q;
    for (int r : rows) {
        q.push_back(qInvA.at(r));
    }
    KamInvariants out = zeros(q, std::min(lMax, lMaxKept));
    out.wavelengthA = wavelengthA;
    for (int l = 0; l <= out.lMax; l += 2) {
        for (int i = 0; i < out.nQ; ++i) {
            for (int j = 0; j < out.nQ; ++j) {
                out.b[out.at(l, i, j)] = b[at(l, rows[i], rows[j])];
            }
        }
    }
    return out;
}

} // namespace fxs
