#pragma once

#include "fxs/Result.h"

#include <filesystem>
#include <functional>
#include <string>

namespace fxs::remote {

/// Writes `path` atomically: `write` fills a temporary file next to it, which is flushed to disk and renamed
/// over `path`, so readers (the server, a resumed worker) see the old or the new file, never a torn one.
Status writeFileAtomically(const std::filesystem::path& path, const std::function<bool(std::FILE*)>& write);
/// Same for a text.
Status writeTextAtomically(const std::filesystem::path& path, const std::string& text);
/// The whole file as text, or an Error naming it.
Result<std::string> readText(const std::filesystem::path& path);

} // namespace fxs::remote
