#pragma once

#include <cstdint>
#include <string>

namespace fxs {

/// The one model of a run's shot counts (docs/USER_GUIDE.md, "Vetoes"): the Vetoes panel, the health bar and the
/// C2 explorer all show these figures, taken together at one moment, so they always agree.
struct VetoCounts {
    std::int64_t read = 0; ///< shots read, refused frames included
    std::int64_t refused = 0; ///< frames refused by validation (they change nothing)
    std::int64_t vetoedByHand = 0; ///< shots in a hand-vetoed range
    std::int64_t vetoedByRule = 0; ///< shots a threshold vetoes (and no hand range)
    std::int64_t inC2 = 0; ///< shots whose frames are in the C2 now
    std::int64_t pending = 0; ///< shots whose verdict changed and whose place in the C2 is being corrected
    std::int64_t unreachable = 0; ///< shots whose verdict changed but whose frame could not be read again
    std::int64_t passTotal = 0; ///< shots of the current re-evaluation (0: none running)
    std::int64_t passDone = 0; ///< of those, re-evaluated so far
    std::int64_t lastPassShots = 0; ///< shots the last finished re-evaluation corrected
    std::uint64_t spoolBytes = 0; ///< bytes of the polar spool on disk
    std::uint64_t spoolCapacityBytes = 0; ///< its bound
    std::string problem; ///< the last reason a shot could not be re-read (empty: none)

    /// Shots the rules accept now.
    std::int64_t accepted() const { return read - refused - vetoedByHand - vetoedByRule; }
    /// True while a re-evaluation is running (the C2 is not exact yet).
    bool reevaluating() const { return pending > 0; }
};

} // namespace fxs
