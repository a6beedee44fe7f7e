#pragma once

#include <cstdint>
#include <fxs/core/Result.h>
#include <fxs/polar/PolarFrame.h>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace fxs {

/// Settings of a PolarSpool.
struct PolarSpoolOptions {
    std::string parentDir; ///< where the run's spool folder is made; empty: the system's temporary folder
    std::uint64_t maxBytes = 20'000'000'000ULL; ///< the user's bound on the spool file (default 20 GB)
    std::uint64_t freeMarginBytes = 1ULL << 30; ///< left free on the filesystem when the bound is clamped to it
    bool keep = false; ///< keep the folder when the spool is closed (else it is removed)
};

/// Every shot's polar frame on disk, so that a change of veto rules can replay any shot (exact vetoes over the
/// whole run). One file `polar.spool` in a folder of its own: a header, then fixed-size records (shot index, a
/// checksum, nQ · nPhi float32 intensities and weights) used as a ring: past the bound the oldest shot's record is
/// overwritten, so the file never grows beyond it. Random access by shot index. Thread-safe.
class PolarSpool {
public:
    /// Makes the folder and the file for frames of nQ × nPhi. The bound is clamped to the filesystem's free space
    /// less the margin (note() says so); refused when the folder cannot be made or written.
    static Result<std::unique_ptr<PolarSpool>> create(int nQ, int nPhi, const PolarSpoolOptions& options);
    ~PolarSpool(); ///< closes the file; removes the folder unless `keep`
    PolarSpool(const PolarSpool&) = delete;
    PolarSpool& operator=(const PolarSpool&) = delete;

    /// Appends a frame (overwriting the oldest record when full); refused for another shape or a write error.
    Status append(const PolarFrame& frame);
    /// The frame of one shot; an error says when it is not (or no longer) held, or when its record is truncated
    /// or damaged (which file, which shot, which bytes).
    Result<PolarFrame> read(std::int64_t shotIndex) const;
    /// True when the spool holds that shot.
    bool contains(std::int64_t shotIndex) const;

    /// Bytes of the spool file now (header and records; never more than capacityBytes()).
    std::uint64_t fileBytes() const;
    /// The bound in effect (the user's, or less when the filesystem had less room).
    std::uint64_t capacityBytes() const { return m_capacityBytes; }
    /// Records the bound holds.
    std::int64_t capacityShots() const { return m_capacityShots; }
    /// Shots held now.
    std::int64_t shotsHeld() const;
    /// Bytes of one record.
    std::uint64_t recordBytes() const { return m_recordBytes; }
    /// The spool file.
    const std::string& path() const { return m_path; }
    /// The run's spool folder.
    const std::string& folder() const { return m_folder; }
    /// Non-empty when the bound was clamped to the free space: what was asked, what is used, and why.
    const std::string& note() const { return m_note; }

    /// Bytes of the file header.
    static constexpr std::uint64_t kHeaderBytes = 64;

private:
    PolarSpool() = default;
    std::uint64_t offsetOf(std::int64_t slot) const { return kHeaderBytes + std::uint64_t(slot) * m_recordBytes; }

    int m_fd = -1;
    int m_nQ = 0;
    int m_nPhi = 0;
    bool m_keep = false;
    std::string m_folder;
    std::string m_path;
    std::string m_note;
    std::uint64_t m_recordBytes = 0;
    std::uint64_t m_capacityBytes = 0;
    std::int64_t m_capacityShots = 0;
    mutable std::mutex m_mutex; ///< guards the index below and serialises file access
    std::int64_t m_next = 0; ///< records written so far (the next slot is m_next % m_capacityShots)
    std::vector<std::int64_t> m_slotShot; ///< shot held by each slot (−1: empty)
    std::unordered_map<std::int64_t, std::int64_t> m_slotOf; ///< shot → slot
};

} // namespace fxs
