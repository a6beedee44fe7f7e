#pragma once

#include "JobFiles.h"
#include "WorkerConfig.h"
#include "fxs/Result.h"

#include <mpi.h>

namespace fxs::remote {

/// One fxs-worker run on every rank of `comm`: the shots are cut into work units (ids 0 … units−1); rank 0 reads
/// the checkpoint (if any) and broadcasts the units already done; the rest are dealt out in rounds, each rank
/// accumulating its units with a C2Pipeline; after every round the sums are reduced to rank 0, which writes a
/// snapshot and an atomic checkpoint (sums + ids of units done + computation hash). At the end rank 0 writes the
/// result. Collective; an Error is the same on every rank only for config errors, so callers abort on error.
Status runWorker(const JobFiles& files, MPI_Comm comm);

} // namespace fxs::remote
