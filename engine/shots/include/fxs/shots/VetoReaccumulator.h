#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <fxs/correlation/C2Accumulator.h>
#include <fxs/correlation/C2Sums.h>
#include <fxs/polar/PolarFrame.h>
#include <fxs/core/Result.h>

namespace fxs {

/// What a change of veto rules does to the C2 (docs/USER_GUIDE.md, "Vetoes"): C2 sums are additive over shots,
/// so the new C2 is the old sums plus the shots that became accepted minus those that became vetoed. The polar
/// frames of the most recent shots are kept in a bounded ring for that; a shot whose verdict changes after it
/// left the ring keeps its old place in the C2 and is counted as unreachable.
class VetoReaccumulator {
public:
    /// `config` must match the C2 being corrected; `capacityBytes` bounds the kept frames.
    VetoReaccumulator(const C2Config& config, std::size_t capacityBytes);

    /// Keeps a shot's polar frame and whether it went into the C2 (oldest frames drop out past the capacity).
    void keep(PolarFrame frame, bool inC2);
    /// The correction for new verdicts: sums to add to the C2 (negative for shots now vetoed; merge() them).
    /// `accepted` says the new verdict per shot; the kept frames' state follows.
    Result<C2Sums> correction(const std::function<bool(std::int64_t)>& accepted);
    /// Of `changedShots` (ShotLedger::redecide), how many are no longer kept and so cannot be corrected.
    std::int64_t unreachable(const std::vector<std::int64_t>& changedShots) const;
    /// Shots kept.
    std::size_t size() const { return m_ring.size(); }
    /// Oldest shot kept (−1 when empty).
    std::int64_t oldestShot() const { return m_ring.empty() ? -1 : m_ring.front().frame.shotIndex; }

private:
    struct Kept {
        PolarFrame frame;
        bool inC2 = false;
    };
    C2Config m_config;
    std::size_t m_capacityBytes = 0;
    std::size_t m_bytes = 0;
    std::deque<Kept> m_ring;
};

} // namespace fxs
