#pragma once

#include <fxs/polar/PolarFrame.h>

#include <cstdint>

namespace fxs::remote {

/// A deterministic generator of polar test frames (not physics): frame(i) depends only on (seed, i), so any rank
/// can make any shot in any order, a resumed run makes the same shots, and a test can recompute them on its own.
/// Each ring carries a few angular harmonics with random phases (so C2 has structure) plus noise; a fraction of
/// bins is masked (weight 0, intensity NaN, as detector gaps are) and some have partial weights.
class SyntheticPolarSource {
public:
    SyntheticPolarSource(int nQ, int nPhi, std::uint64_t seed, double maskedFraction = 0.0);

    /// The frame of shot `shotIndex`.
    PolarFrame frame(std::int64_t shotIndex) const;

private:
    int m_nQ;
    int m_nPhi;
    std::uint64_t m_seed;
    double m_maskedFraction;
};

} // namespace fxs::remote
