#pragma once

#include "fxs.pb.h"
#include <fxs/core/Result.h>

#include <grpcpp/support/status.h>

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
    /// Checks the files that a resolved spec's HDF5 inputs (cxi.paths, the masks of geometry_values, the geometry's
    /// own mask_file) reach through external links, virtual datasets and external raw data, recursively, listed by
    /// fxs-probe: PERMISSION_DENIED naming the linked file, the file that links to it and the roots when one lies
    /// outside them; INVALID_ARGUMENT when the links form a cycle or cannot be listed.
    grpc::Status checkLinkedFiles(const fxs::v1::JobSpec& resolved) const;
    /// The resolved roots.
    const std::vector<std::filesystem::path>& roots() const { return m_roots; }
    /// "/data/a, /data/b" (or "none").
    std::string describe() const;

private:
    /// `path` resolved (symlinks followed) when it lies under a root; else an empty path.
    std::filesystem::path inside(const std::filesystem::path& path) const;
    grpc::Status checkFile(const std::string& field, const std::string& path) const;

    std::vector<std::filesystem::path> m_roots;
};

} // namespace fxs::remote
