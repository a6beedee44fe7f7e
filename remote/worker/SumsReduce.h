#pragma once

#include <fxs/results/SumsFile.h>
#include <fxs/correlation/C2Sums.h>

#include <mpi.h>

namespace fxs::remote {

/// Sums every rank's C2Sums into rank `root`'s copy (MPI_Reduce with MPI_SUM on the double arrays, in pieces
/// below MPI's int count limit; of the signal and mask matrices only the lower triangles, which hold the sums).
/// Collective: every rank calls it with sums of the same shape. On the root `sums` becomes the total; elsewhere it
/// is left unchanged.
void reduceSums(C2Sums& sums, int root, MPI_Comm comm);

/// Gathers every rank's rejected shots to `root` (collective), appended to `out` there; `mine` is cleared.
void gatherRejected(std::vector<RejectedShot>& mine, std::vector<RejectedShot>& out, int root, MPI_Comm comm);

/// Gathers one int64 from every rank to `root` (collective); the values by rank there, empty elsewhere.
std::vector<std::int64_t> gatherCounts(std::int64_t mine, int root, MPI_Comm comm);

/// Gathers every rank's int64 values to `root` (collective), concatenated in rank order there; empty elsewhere.
std::vector<std::int64_t> gatherValues(const std::vector<std::int64_t>& mine, int root, MPI_Comm comm);

/// A barrier that sleeps while it waits (MPI_Barrier spins): ranks done early wait for rank 0's reconstruction
/// without taking its cores.
void sleepingBarrier(MPI_Comm comm);

} // namespace fxs::remote
