#pragma once

#include <fxs/core/Result.h>
#include <fxs/correlation/C2Sums.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace fxs {

/// A shot the veto rules kept out of the sums, with the reason (VetoDecision::reason).
struct RejectedShot {
    std::int64_t shot = 0;
    std::string reason;
};

/// C2 sums on disk: the one format of checkpoints and sums files, written by the CLI, the monitor and the MPI worker
/// (layout in docs/RESULTS_SCHEMA.md, "Sums files"): "FXSCKPT\0", uint32 version 3, uint32 0, uint64 header length, a
/// JSON header, the arrays as little-endian values (signal[0], signal[1], mask[0], mask[1] complex128; the squares,
/// the weighted intensity and weight sums float64; the shots done int64), then a SHA-256 of everything before it.
/// Written atomically (temporary file, fsync, rename, fsync of the folder). Readers also take the formats of earlier
/// versions: versions 1 and 2 of this layout (no squares: sums without standard errors) and "FXS1SUMS".
struct SumsFile {
    C2Sums sums; ///< the additive state
    std::vector<std::int64_t> shotsDone; ///< indices of the shots in `sums` (local runs)
    std::vector<std::int64_t> unitsDone; ///< ids of the work units in `sums`, ascending (remote jobs)
    std::vector<RejectedShot> rejected; ///< shots of those units the vetoes rejected, ascending (remote jobs)
    std::string configuration; ///< the configuration (JSON) the run was started with, if it keeps one
    std::uint64_t computationHash = 0; ///< WorkerConfig::computationHash of the job that made it (remote jobs)
    std::string softwareVersion; ///< fxs::versionString() of the writer ("" in FXS1SUMS files)
    std::string format; ///< the layout it was read from: "FXSCKPT 3", "FXSCKPT 2", "FXSCKPT 1" or "FXS1SUMS"

    /// Writes atomically in the current layout.
    Status write(const std::filesystem::path& path) const { return write(path, sums, *this); }
    /// Writes `sums` with the other fields of `meta` (whose own sums are ignored): no copy of large sums.
    static Status write(const std::filesystem::path& path, const C2Sums& sums, const SumsFile& meta);
    /// Reads any of the three layouts and verifies it; the message names the file and what is wrong.
    static Result<SumsFile> read(const std::filesystem::path& path);
    /// Reads the header only: shape, shot counts, configuration, units done and rejected shots; the arrays and
    /// shotsDone stay empty and the checksum is not verified. Cheap for large sums.
    static Result<SumsFile> readHeader(const std::filesystem::path& path);
};

} // namespace fxs
