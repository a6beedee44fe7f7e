#pragma once

#include <fxs/core/Result.h>

#include <filesystem>
#include <string>

namespace fxs::remote {

/// Reads a bearer token from a file that only its owner may read (mode 0600 or stricter): the token is the
/// first line, surrounding whitespace removed. A file readable or writable by group or others is refused, with
/// the chmod that fixes it, because anyone who can read it can run jobs.
/// Ok when `path` exists and neither group nor others may access it; else the Error names the mode and the chmod.
Status checkOwnerOnly(const std::filesystem::path& path);

Result<std::string> readTokenFile(const std::filesystem::path& path);

} // namespace fxs::remote
