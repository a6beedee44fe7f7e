#pragma once

#include <fxs/core/Result.h>

#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>

namespace fxs {

/// Whether a file must survive a crash of the machine (fsync before the rename) or only be whole for its readers.
enum class Durability { Synced, Volatile };

/// Writes `path` atomically: `write` fills a temporary file next to it, which is flushed (and, when Synced, made
/// durable with fsync, the folder too) and renamed over `path`, so readers (the server, a resumed run) see the old
/// or the new file, never a torn one. Volatile is for files rewritten several times a second whose only reader is
/// a live process (heartbeats): an fsync there can wait seconds behind a large checkpoint on the same disk.
Status writeFileAtomically(const std::filesystem::path& path, const std::function<bool(std::FILE*)>& write,
    Durability durability = Durability::Synced);
/// Same for a text.
Status writeTextAtomically(
    const std::filesystem::path& path, const std::string& text, Durability durability = Durability::Synced);
/// The whole file as text, or an Error naming it.
Result<std::string> readText(const std::filesystem::path& path);

} // namespace fxs
