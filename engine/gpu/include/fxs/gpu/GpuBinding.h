#pragma once

#include <fxs/core/Result.h>

#include <cstdlib>
#include <string>
#include <vector>

namespace fxs {

/// Which GPU an MPI rank uses: one rank per GPU, round-robin over the devices visible on its node, or over a
/// configured list. Ranks on one node are told apart by their node-local rank (Open MPI:
/// OMPI_COMM_WORLD_LOCAL_RANK; Slurm: SLURM_LOCALID).
struct GpuBinding {
    /// Device ordinal for node-local rank `localRank` with `visibleDevices` devices; `configured` (device
    /// ordinals) replaces the visible list when not empty. An Error when there is no device to bind to or a
    /// configured ordinal is not visible.
    static Result<int> deviceFor(int localRank, int visibleDevices, const std::vector<int>& configured = {});
    /// The node-local rank from the launcher's environment, or `fallback` (e.g. the world rank) when none is set.
    static int localRankFromEnvironment(int fallback);
    /// Parses "0,2,3" into device ordinals; an Error names the bad item.
    static Result<std::vector<int>> parseList(const std::string& text);
};

} // namespace fxs
