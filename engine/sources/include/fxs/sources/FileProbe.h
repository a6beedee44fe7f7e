#pragma once

#include <fxs/core/Result.h>
#include <fxs/sources/LinkedFiles.h>
#include <fxs/sources/NexusMaster.h>
#include <fxs/sources/StackInspector.h>

#include <cstddef>
#include <string>

namespace fxs {

/// How an untrusted file is validated out of process.
struct ProbeOptions {
    StackLimits limits; ///< shape, size and read limits passed to fxs-probe
    double timeLimitS = 30.0; ///< fxs-probe is killed after this long
    std::size_t memoryLimitBytes = std::size_t { 3 } << 30; ///< address-space limit of fxs-probe (RLIMIT_AS)
    bool swmr = false; ///< open as a SWMR reader (a live file being written)
    std::string executable; ///< fxs-probe to run; empty: $FXS_PROBE, next to this program, $FXS_BIN_DIR, $PATH
};

/// Validates a detector stack in a separate fxs-probe process (fork + exec, time and memory limits), so that a
/// malformed file that crashes or exhausts the HDF5 library takes down the probe, never the caller.
class FileProbe {
public:
    /// Runs fxs-probe on `path`:`dataset` and returns its verdict, or an Error that says what went wrong
    /// (refused, crashed, timed out, ran out of memory, could not be started). Blocks until the probe ends
    /// (at most timeLimitS): call it from a worker thread, never the GUI thread. Thread-safe.
    static Result<StackInfo> validate(
        const std::string& path, const std::string& dataset, const ProbeOptions& options = {});
    /// The data links of a DECTRIS NeXus master file (NexusMaster::dataLinks), listed by fxs-probe in its own
    /// process: empty when `path` is not a master file.
    static Result<NexusLinks> nexusDataLinks(const std::string& path, const ProbeOptions& options = {});
    /// Every file that `path` reaches through external links, virtual datasets and external raw data, recursively
    /// (fxs::linkedFiles), listed by fxs-probe in its own process: none when `path` is not HDF5.
    static Result<LinkedFiles> linkedFiles(const std::string& path, const ProbeOptions& options = {});
    /// The fxs-probe executable that validate() would run for `options`.
    static std::string findExecutable(const ProbeOptions& options = {});
};

} // namespace fxs
