#pragma once

// The other files an HDF5 file pulls bytes from: NeXus/CXI external links, virtual dataset (VDS) sources and
// external raw-data files, followed recursively. A server that lets jobs read only under its data roots checks
// every one of them, not just the file named in the request.

#include <fxs/core/Result.h>

#include <string>
#include <vector>

namespace fxs {

/// One file that an HDF5 file's links or datasets reach.
struct LinkedFile {
    std::string path; ///< the file as HDF5 would open it (absolute; symlinks not resolved)
    std::string from; ///< the file that names it
    std::string object; ///< the link or dataset there, e.g. "/entry/data/data_000001"
    std::string kind; ///< "external link", "virtual dataset source" or "external raw data"
    bool exists = false; ///< false: no such file now (a dangling link); not followed further
};

/// Every file `linkedFiles` reached, each listed once (the first way it was reached), in the order found.
struct LinkedFiles {
    std::vector<LinkedFile> files;
    /// Set when the files link in a cycle: "a.h5 → b.h5 (external link /x) → a.h5 (external link /y)".
    std::string cycle;

    /// {"ok":true,"files":[{…}],"cycle":"…"} or {"ok":false,"error":"…"}.
    static std::string toJson(const Result<LinkedFiles>& r);
    static Result<LinkedFiles> fromJson(const std::string& text);
};

/// Bounds of the walk: a deeper chain, more files or more objects in one file is an Error naming the bound.
struct LinkWalkLimits {
    int maxDepth = 16; ///< files in one chain of links, the first included
    int maxFiles = 4096; ///< distinct files reached
    long long maxObjects = 1000000; ///< links visited in one file
};

/// The files that HDF5 file `path` reaches, recursively (each file walked once, so a cycle cannot loop; it is
/// reported in `cycle`). A relative name resolves as HDF5 1.10 resolves it without prefix variables: external
/// links and VDS sources against the folder of the file that names them (an absolute name that does not exist
/// falls back to its last component there), then the current folder; external raw data against the current folder.
/// A VDS source "." is the file itself. A file that is not HDF5 has none. This runs the HDF5 library on the file:
/// on untrusted files go through FileProbe::linkedFiles (a separate process).
Result<LinkedFiles> linkedFiles(const std::string& path, const LinkWalkLimits& limits = {});

} // namespace fxs
