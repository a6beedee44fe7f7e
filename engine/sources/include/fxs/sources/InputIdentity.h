#pragma once

#include <fxs/core/Result.h>

#include <cstdint>
#include <string>

namespace fxs {

/// Who an input file is: enough to tell later whether a result came from the same bytes.
struct InputIdentity {
    std::string path; ///< absolute path at the time of the run
    std::uint64_t sizeBytes = 0; ///< file size
    std::string sha256FirstMiB; ///< SHA-256 (hex) of the first MiB (of the whole file when smaller)

    /// Identifies `path` (reads at most 1 MiB of it).
    static Result<InputIdentity> of(const std::string& path);
};

} // namespace fxs
