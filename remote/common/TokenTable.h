#pragma once

#include "Role.h"
#include <fxs/core/Result.h>

#include <filesystem>
#include <string>
#include <vector>

namespace fxs::remote {

/// One named token of the server's token file.
struct TokenEntry {
    std::string name; ///< who: written into the audit log and each job's owner
    Role role = Role::Watch;
    std::string token; ///< the bearer secret
    int maxJobs = 0; ///< concurrent running jobs; 0: no limit
    int maxRanks = 0; ///< total ranks of the running jobs; 0: no limit
};

/// The server's tokens, read from a file only its owner may read (mode 0600). One entry a line:
///
///     # name    role     token                             limits (optional)
///     alice     operate  3kq0V9c2...                       jobs=2 ranks=64
///     beamline  watch    Zp81xQ...
///
/// A file of a single word (the one-token file of earlier servers) is one admin entry named "default".
class TokenTable {
public:
    /// Reads and checks the file; the Error names the line at fault (or the chmod that fixes the mode).
    static Result<TokenTable> read(const std::filesystem::path& path);
    /// Parses the file's text (no mode check); `path` only names it in messages.
    static Result<TokenTable> parse(const std::string& text, const std::string& path);

    /// The entry whose token is `token`, or nullptr. Every entry is compared in full, without an early exit, so
    /// the time taken says nothing about which entry or how much of a guess matched.
    const TokenEntry* find(const std::string& token) const;
    /// Every entry, in file order.
    const std::vector<TokenEntry>& entries() const { return m_entries; }

private:
    std::vector<TokenEntry> m_entries;
};

} // namespace fxs::remote
