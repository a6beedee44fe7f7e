#pragma once

// Small, fast, reproducible random numbers for the simulator: xoshiro256** seeded by splitmix64 from
// (seed, shot, stream), so that every shot and every pixel block has its own stream and a frame does not
// depend on the number of threads or on the order in which frames are made.

#include <cmath>
#include <cstdint>
#include <numbers>

namespace fxs::sim {

/// splitmix64 step: a good 64-bit mixer (Steele, Lea & Flood 2014).
inline std::uint64_t splitmix64(std::uint64_t& x)
{
    std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/// xoshiro256** (Blackman & Vigna 2018) with uniform, Gaussian and Poisson draws.
class Random {
public:
    Random(std::uint64_t seed, std::uint64_t shot, std::uint64_t stream)
    {
        std::uint64_t x = seed;
        x = splitmix64(x) ^ (shot * 0xd1b54a32d192ed03ULL);
        x = splitmix64(x) ^ (stream * 0x8cb92ba72f3d8dd7ULL);
        for (auto& v : m_s) {
            v = splitmix64(x);
        }
    }
    std::uint64_t next()
    {
        const std::uint64_t result = rotl(m_s[1] * 5, 7) * 9;
        const std::uint64_t t = m_s[1] << 17;
        m_s[2] ^= m_s[0];
        m_s[3] ^= m_s[1];
        m_s[1] ^= m_s[2];
        m_s[0] ^= m_s[3];
        m_s[2] ^= t;
        m_s[3] = rotl(m_s[3], 45);
        return result;
    }
    /// Uniform in [0, 1).
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    /// Standard normal (Box–Muller; the second value is dropped for simplicity).
    double gaussian()
    {
        const double u = 1.0 - uniform();
        const double v = uniform();
        return std::sqrt(-2.0 * std::log(u)) * std::cos(2.0 * std::numbers::pi * v);
    }
    /// Poisson(λ): inversion below λ = 10, Hörmann's PTRS rejection above (as numpy does).
    std::int64_t poisson(double lambda)
    {
        if (!(lambda > 0.0)) {
            return 0;
        }
        if (lambda < 10.0) {
            // Inversion by sequential search of the CDF: one uniform and ~λ multiply-adds, cheaper than the
            // multiplication method's λ + 1 uniforms.
            const double u = uniform();
            // k = 0 iff u ≤ e^{−λ}; since 1 − λ ≤ e^{−λ}, most pixels of a sparse frame skip the exp.
            if (u <= 1.0 - lambda) {
                return 0;
            }
            double p = std::exp(-lambda);
            double cdf = p;
            std::int64_t k = 0;
            while (u > cdf && k < 200) { // the cap only guards against rounding when u is within 1e-16 of 1
                ++k;
                p *= lambda / static_cast<double>(k);
                cdf += p;
            }
            return k;
        }
        return ptrs(lambda);
    }

private:
    static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

    // log k! without std::lgamma, which writes the global `signgam` (a data race between threads).
    static double logFactorial(double k)
    {
        static constexpr double small[8] = { 0.0, 0.0, 0.6931471805599453, 1.791759469228055, 3.1780538303479458,
            4.787491742782046, 6.579251212010101, 8.525161361065415 };
        if (k < 8.0) {
            return small[static_cast<int>(k)];
        }
        const double x = k + 1.0;
        const double x2 = x * x;
        return (x - 0.5) * std::log(x) - x + 0.5 * std::log(2.0 * std::numbers::pi)
            + (1.0 / 12.0 - (1.0 / 360.0 - 1.0 / (1260.0 * x2)) / x2) / x;
    }

    std::int64_t ptrs(double lam)
    {
        const double slam = std::sqrt(lam);
        const double loglam = std::log(lam);
        const double b = 0.931 + 2.53 * slam;
        const double a = -0.059 + 0.02483 * b;
        const double invalpha = 1.1239 + 1.1328 / (b - 3.4);
        const double vr = 0.9277 - 3.6224 / (b - 2.0);
        for (;;) {
            const double u = uniform() - 0.5;
            const double v = uniform();
            const double us = 0.5 - std::abs(u);
            const double k = std::floor((2.0 * a / us + b) * u + lam + 0.43);
            if (us >= 0.07 && v <= vr) {
                return static_cast<std::int64_t>(k);
            }
            if (k < 0.0 || (us < 0.013 && v > us)) {
                continue;
            }
            if (std::log(v) + std::log(invalpha) - std::log(a / (us * us) + b) <= -lam + k * loglam - logFactorial(k)) {
                return static_cast<std::int64_t>(k);
            }
        }
    }

    std::uint64_t m_s[4];
};

} // namespace fxs::sim
