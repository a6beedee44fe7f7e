#include "SyntheticPolarSource.h"

#include <cmath>
#include <limits>
#include <numbers>

namespace fxs::remote {

namespace {

// splitmix64: a tiny counter-based generator, so shot i needs no state from shots before it.
struct SplitMix {
    std::uint64_t s;
    std::uint64_t next()
    {
        std::uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
};

} // namespace

SyntheticPolarSource::SyntheticPolarSource(int nQ, int nPhi, std::uint64_t seed, double maskedFraction)
    : m_nQ(nQ)
    , m_nPhi(nPhi)
    , m_seed(seed)
    , m_maskedFraction(maskedFraction)
{
}

PolarFrame SyntheticPolarSource::frame(std::int64_t shotIndex) const
{
    PolarFrame f = PolarFrame::zeros(m_nQ, m_nPhi, shotIndex);
    SplitMix rng { m_seed * 0x2545f4914f6cdd1dULL + static_cast<std::uint64_t>(shotIndex) };
    const double rotation = 2.0 * std::numbers::pi * rng.uniform(); // one orientation per shot
    for (int q = 0; q < m_nQ; ++q) {
        const double a2 = 1.0 + rng.uniform(), a4 = 0.5 * rng.uniform(), a6 = 0.25 * rng.uniform();
        for (int p = 0; p < m_nPhi; ++p) {
            const double phi = 2.0 * std::numbers::pi * (p + 0.5) / m_nPhi + rotation;
            const double v = 10.0 + q % 7 + a2 * std::cos(2 * phi) + a4 * std::cos(4 * phi + q) + a6 * std::cos(6 * phi)
                + 0.3 * (rng.uniform() - 0.5);
            const double u = rng.uniform();
            const std::size_t i = f.at(q, p);
            f.intensity[i] = static_cast<float>(v);
            if (u < m_maskedFraction) {
                f.weight[i] = 0.0f;
                f.intensity[i] = std::numeric_limits<float>::quiet_NaN();
            } else if (u < m_maskedFraction + 0.05) {
                f.weight[i] = 0.5f;
            }
        }
    }
    return f;
}

} // namespace fxs::remote
