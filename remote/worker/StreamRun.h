#pragma once

#include "HeartbeatThread.h"
#include "JobFiles.h"
#include "WorkerConfig.h"
#include <fxs/core/Result.h>

#include <mpi.h>

namespace fxs::remote {

/// A job on a live detector stream (WorkerConfig input "stream"), on every rank of `comm`: each rank is a consumer
/// of the publisher (DECTRIS PUSH spreads the images over the ranks; each rank's Karabo REQ has one request in
/// flight) and puts its frames through the geometry, the vetoes and its C2Pipeline. Rounds of reduce_interval_s end
/// in a reduction to rank 0, which writes the stream ledger (every shot's series and frame number, the stream counts)
/// and the checkpoint; there the ranks agree whether the job ends: the stream ended (then every rank first takes
/// what it still holds), max_shots, time_limit_s, idle_timeout_s on every rank. A resumed job starts from the
/// checkpoint with new shots, numbered after the old ones. Rank 0 writes the results file at the end. Collective.
Status runStreamWorker(const JobFiles& files, const WorkerConfig& cfg, HeartbeatThread& heart, MPI_Comm comm);

} // namespace fxs::remote
