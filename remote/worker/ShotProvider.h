#pragma once

#include "WorkerConfig.h"
#include "fxs/PolarFrame.h"
#include "fxs/Result.h"

#include <functional>
#include <memory>
#include <mpi.h>

namespace fxs::remote {

/// Where a rank's polar frames come from, by shot index, so that any rank can do any work unit:
/// the synthetic generator, or a CXI stack (seek + read + PolarRemapper onto the job's grid).
class ShotProvider {
public:
    virtual ~ShotProvider() = default;
    /// Calls `sink` with the polar frames of shots first … last−1, in order.
    virtual Status produce(std::int64_t first, std::int64_t last, const std::function<void(PolarFrame&&)>& sink) = 0;
};

/// Opens the job's input on every rank of `comm` (collective). For a CXI stack rank 0 validates the file with
/// fxs-probe first and the others open it only once it passed; cfg.shots and cfg.inputIdentity are then set
/// from the file.
Result<std::unique_ptr<ShotProvider>> openShotProvider(WorkerConfig& cfg, MPI_Comm comm);

} // namespace fxs::remote
