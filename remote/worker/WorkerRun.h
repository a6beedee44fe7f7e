#pragma once

#include "JobFiles.h"
#include "WorkerConfig.h"
#include <fxs/core/Result.h>
#include <fxs/pipeline/C2Pipeline.h>

#include <mpi.h>

namespace fxs::remote {

/// One fxs-worker run on every rank of `comm`: the shots are cut into work units (ids 0 … units−1); rank 0 reads
/// the checkpoint (if any) and broadcasts the units already done; the rest are handed out one at a time (an atomic
/// counter on rank 0, MPI one-sided), each rank putting the shots of its units through the vetoes into a
/// C2Pipeline, so that a faster rank takes more and none waits at the end for a slower one. Every reduce_interval_s
/// (or units_per_reduce units) the sums start travelling to rank 0 while the ranks go on (a non-blocking
/// reduction, finished at the next round's end), and rank 0 writes a snapshot and an atomic checkpoint (sums + ids
/// of units done + rejected shots + computation hash) off the critical path. At the end rank 0 writes the result,
/// the HDF5 results file and, when asked, reconstructs the density while the other ranks wait asleep. Collective; an
/// Error is the same on every rank only for config errors, so callers abort on error.
Status runWorker(const JobFiles& files, MPI_Comm comm);

/// The C2 pipeline of one rank: the job's accumulator, threads and backend (a GPU rank bound round-robin over the
/// node's devices by its node-local rank).
C2PipelineConfig pipelineConfig(const WorkerConfig& cfg, int rank);

class ShotProvider;
/// `pc` with the provider's raw map offered to the GPU (cfg.device_remap not "off"): uint16 detector frames of one
/// geometry may then cross PCIe raw and be remapped on the device, when C2Pipeline finds that faster (or is told
/// "on"); the job's device description says which.
C2PipelineConfig offeringRawFrames(C2PipelineConfig pc, const ShotProvider& provider);

} // namespace fxs::remote
