#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <fxs/correlation/C2Accumulator.h>
#include <fxs/correlation/C2Sums.h>
#include <fxs/pipeline/C2Pipeline.h>
#include <fxs/pipeline/VetoCounts.h>
#include <fxs/polar/PolarFrame.h>
#include <fxs/polar/PolarSpool.h>
#include <fxs/shots/ShotStats.h>
#include <fxs/shots/VetoRules.h>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

namespace fxs {

/// Reads shots of the run again (a file source, through the engine's shot path): calls `each` with the polar frame
/// of every shot of `shots` (ascending) it could read (`each` returning false stops it); an error says why the
/// others could not be.
using ShotRereader
    = std::function<Status(const std::vector<std::int64_t>& shots, const std::function<bool(PolarFrame&&)>& each)>;

/// Settings of a VetoReevaluator.
struct VetoReevaluatorConfig {
    C2Config c2; ///< the C2 being corrected (shape and conventions)
    std::size_t ringBytes = std::size_t(256) << 20; ///< recent polar frames kept in memory (a cache before the spool)
    bool spool = true; ///< keep every shot's polar frame on disk
    PolarSpoolOptions spoolOptions;
};

/// Exact vetoes over the whole run (docs/USER_GUIDE.md, "Vetoes"). Every shot goes through take(): judged with the
/// rules in force, its polar frame kept (a RAM ring of recent shots, then the on-disk PolarSpool) and pushed into
/// the C2 when accepted. A change of rules judges every shot again; a thread of its own then corrects the C2 for
/// each shot whose verdict changed (C2 sums are additive: newly accepted shots are added, newly vetoed ones
/// subtracted), reading its frame from the ring, the spool or, for a file, the file itself (ShotRereader). A shot
/// none of them holds keeps its old place and is counted as unreachable. counts() is the one model of the counts.
class VetoReevaluator {
public:
    /// Corrects `pipeline` (which must outlive this); `rules` are in force from the first shot.
    VetoReevaluator(
        C2Pipeline& pipeline, const VetoReevaluatorConfig& config, const VetoRules& rules, ShotRereader rereader = {});
    ~VetoReevaluator(); ///< stops the corrections (what was merged stays) and closes the spool
    VetoReevaluator(const VetoReevaluator&) = delete;
    VetoReevaluator& operator=(const VetoReevaluator&) = delete;

    /// A frame refused by validation: counted as read and refused.
    void recordRefused(std::int64_t shotIndex);
    /// Judges a shot with the rules in force, keeps its frame and pushes it into the C2 when accepted (waiting while
    /// the C2 queue is full). Returns the decision and whether the frame went into the C2. Shots come in shot order.
    std::pair<VetoDecision, bool> take(const ShotStats& stats, std::shared_ptr<const PolarFrame> frame);
    /// New rules: every shot is judged again at once; the C2 is corrected for the changed ones in the background.
    void setRules(const VetoRules& rules);
    /// A window mask at the polar-bin level (`droppedBins`: nQ · nPhi, 1 = dropped; empty = none): every dropped bin
    /// gets weight 0 and intensity 0 in every shot's C2 contribution. The frames kept stay unmasked, so a change
    /// (or a removal) makes every shot in the C2 mismatched and it is corrected like a verdict change: subtracted
    /// with the mask it went in with, added with the new one. New shots get the mask in force. False (nothing
    /// changed) when the size is wrong.
    bool setBinMask(std::vector<std::uint8_t> droppedBins);
    /// Blocks until no correction is pending (or stop()).
    void waitExact();
    /// Stops the corrections (shots not yet corrected stay pending).
    void stop();

    /// The counts, all taken at one moment.
    VetoCounts counts() const;
    /// Whether a shot's frame is in the C2 now, and the verdict of the rules in force (empty for unknown and
    /// refused shots).
    std::optional<std::pair<bool, VetoDecision>> verdict(std::int64_t shotIndex) const;
    /// Why the spool is missing or smaller than asked (empty when it is as asked).
    std::string spoolNote() const { return m_spoolNote; }
    /// The spool (null when none could be made).
    const PolarSpool* spool() const { return m_spool.get(); }

private:
    enum class Verdict : std::uint8_t { Accepted, Rule, Hand, Refused };
    struct Record {
        std::int64_t shot = 0;
        ShotStats stats;
        Verdict verdict = Verdict::Refused;
        bool inC2 = false;
        bool lost = false; ///< its frame could not be read again
        std::uint32_t maskGen = 0; ///< the bin mask its C2 contribution used (setBinMask's generation)
    };
    struct Change {
        std::int64_t shot;
        bool toC2;
        std::uint32_t maskGen;
    };
    using BinMask = std::shared_ptr<const std::vector<std::uint8_t>>;

    static Verdict verdictOf(const VetoDecision& d);
    static PolarFrame masked(const PolarFrame& frame, const BinMask& dropped);
    bool mismatch(const Record& r) const;
    Record* find(std::int64_t shot);
    const Record* find(std::int64_t shot) const;
    void tally(const Record& r, int sign);
    void keepInRing(std::shared_ptr<const PolarFrame> frame);
    void correctorLoop();
    std::vector<std::int64_t> mismatched() const;
    bool correct(const std::vector<std::int64_t>& shots);
    std::vector<std::int64_t> fromMemoryOrSpool(const std::vector<std::int64_t>& shots);
    void addToCorrection(const PolarFrame& frame);
    void markLost(std::int64_t shot, const std::string& why);
    void commit();

    C2Pipeline& m_pipeline;
    VetoReevaluatorConfig m_config;
    ShotRereader m_rereader;
    std::unique_ptr<PolarSpool> m_spool;
    std::string m_spoolNote;

    mutable std::mutex m_mutex; ///< guards every member below
    std::condition_variable m_wake;
    VetoRules m_rules;
    std::vector<Record> m_records; ///< in shot order
    std::deque<std::shared_ptr<const PolarFrame>> m_ring;
    std::unordered_map<std::int64_t, std::shared_ptr<const PolarFrame>> m_ringIndex;
    std::size_t m_ringUsed = 0;
    std::uint32_t m_maskGen = 0; ///< the bin mask in force
    std::unordered_map<std::uint32_t, BinMask> m_masks; ///< every generation still used by a record (0: none)
    VetoCounts m_counts;
    bool m_stop = false;
    bool m_busy = false; ///< the corrector is working on a pass

    // The corrector thread's own state: the correction being accumulated (double precision) and its shots.
    C2Accumulator m_plus;
    C2Accumulator m_minus;
    std::vector<Change> m_batch;
    std::thread m_corrector;
};

} // namespace fxs
