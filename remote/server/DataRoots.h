#pragma once

#include "fxs.pb.h"
#include <fxs/core/Result.h>

#include <filesystem>
#include <string>
#include <vector>

namespace fxs::remote {

/// The folders jobs may read input from (--data-root). A path is resolved first (symlinks followed, `..` folded)
/// and must then lie under one of them, so that neither `../` nor a link inside a root leads out of it.
class DataRoots {
public:
    /// Resolves every root (each must be an existing folder); the Error names the one that is not.
    static Result<DataRoots> create(const std::vector<std::filesystem::path>& roots);

    /// The resolved path of `path` when it lies under a root; else an Error naming `field`, the path and the roots.
    Result<std::filesystem::path> resolve(const std::string& field, const std::string& path) const;
    /// The spec with every input path (cxi.paths, cxi.geometry_path, simulator.geometry_path, a simulator model
    /// file) replaced by its resolved path, so that the worker opens what was checked; an Error for the first
    /// path outside the roots.
    Result<fxs::v1::JobSpec> resolveSpec(const fxs::v1::JobSpec& spec) const;
    /// The resolved roots.
    const std::vector<std::filesystem::path>& roots() const { return m_roots; }
    /// "/data/a, /data/b" (or "none").
    std::string describe() const;

private:
    std::vector<std::filesystem::path> m_roots;
};

} // namespace fxs::remote
