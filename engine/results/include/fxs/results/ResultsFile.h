#pragma once

#include <fxs/correlation/C2Snapshot.h>
#include <fxs/correlation/C2Sums.h>
#include <fxs/sources/InputIdentity.h>
#include <fxs/sources/StreamCounts.h>
#include <fxs/core/Result.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace fxs {

/// The shot ledger as plain columns (one entry per shot seen, accepted or not).
struct LedgerColumns {
    std::vector<std::int64_t> shotIndex; ///< shot index in the run
    std::vector<std::uint8_t> accepted; ///< 1 when the shot went into C2
    std::vector<std::string> reason; ///< why a shot was refused ("" when accepted)
    std::vector<std::int64_t> seriesId; ///< series / train id per shot (streams, EuXFEL files; -1 unknown); empty: none
    std::vector<std::int64_t> frameNumber; ///< image id / pulse index in the train per shot; empty: none
    std::vector<std::int64_t> pulseId; ///< facility pulse id per shot (-1 unknown); empty: none
};

/// The HDF5 results file of one run; layout and meaning in docs/RESULTS_SCHEMA.md (attribute `schema_version`).
/// Every write replaces what the same call wrote before, so a run can refresh its file at each snapshot.
class ResultsFile {
public:
    /// The version of the layout this code writes (root attribute `schema_version`).
    static constexpr int kSchemaVersion = 2; // 2: standard errors (/c2/*_std_error, /sums/squares)

    /// Creates (truncates) `path` and writes the root attributes (schema and software version, creation time).
    static Result<std::unique_ptr<ResultsFile>> create(const std::string& path);
    ~ResultsFile();
    ResultsFile(const ResultsFile&) = delete;
    ResultsFile& operator=(const ResultsFile&) = delete;

    /// Writes /c2: normalised C2, mask correlation, flags, mean image, inter-shot and difference C2, split-half
    /// coefficients and the Fourier coefficients C_n (complex: compound {r, i}), and the standard errors of c2 and C_n
    /// when the snapshot has them.
    Status writeSnapshot(const C2Snapshot& snapshot);
    /// Writes /sums: the even/odd half-sums (complex spectra), the squares (when kept), the mean-image sums and the
    /// shot counts.
    Status writeSums(const C2Sums& sums);
    /// Writes a float64 array /analysis/<name> (e.g. "invariants/B_l", "density") of the given dimensions.
    Status writeArray(const std::string& name, std::span<const double> values, const std::vector<std::int64_t>& dims,
        const std::string& description = {});
    /// Writes /analysis/stream_counts: a detector stream's messages, frames, malformed (skipped), dropped (by the
    /// publisher), reconnects, series and left_uncorrelated (frames received but never taken), in that order.
    Status writeStreamCounts(const StreamCounts& counts);
    /// Writes /ledger: shot_index, accepted, reason (columns of equal length), and series_id, frame_number when given.
    Status writeLedger(const LedgerColumns& ledger);
    /// Writes /run/geometry: the geometry as text (e.g. the CrystFEL .geom file).
    Status writeGeometry(const std::string& text);
    /// Writes /run/configuration: the run's configuration as a JSON string.
    Status writeConfiguration(const std::string& json);
    /// Writes /inputs: path, size_bytes and sha256_first_mib of every input file.
    Status writeInputs(const std::vector<InputIdentity>& inputs);
    /// Flushes everything to disk (the file stays open).
    Status flush();
    /// Closes the file; later writes fail.
    Status close();

private:
    struct Impl;
    explicit ResultsFile(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m;
};

} // namespace fxs
