#pragma once

#include <fxs/results/SumsFile.h>
#include <fxs/correlation/C2Sums.h>
#include <fxs/pipeline/C2Pipeline.h>

#include <memory>
#include <mpi.h>
#include <vector>

namespace fxs::remote {

/// A reduction of every rank's C2 totals to `root` that runs while the ranks go on accumulating: start() packs the
/// pipeline's totals where they are (the lower triangles of the signal, mask and squares matrices, which hold the
/// sums, the image sums and the shot counts, as doubles; no copy of the sums off the root) and starts MPI_Ireduce in
/// pieces below MPI's int count limit; progress() between shots lets MPI move the data; finish() waits and gives the
/// total on the root. Collective: every rank starts one with sums of the same shape, in the same order. On a
/// communicator of one rank nothing is packed or sent.
class SumsReduction {
public:
    /// Starts the reduction of `pipeline`'s totals (flushed first); they may change once this returns.
    static std::unique_ptr<SumsReduction> start(C2Pipeline& pipeline, int root, MPI_Comm comm);
    SumsReduction(const SumsReduction&) = delete;
    SumsReduction& operator=(const SumsReduction&) = delete;
    ~SumsReduction(); ///< waits for what is still in flight (MPI must not write into freed memory)

    /// Lets MPI progress; true once the reduction is complete.
    bool progress();
    /// Waits for the reduction; on the root the summed sums, elsewhere empty sums.
    C2Sums finish();

private:
    SumsReduction(int root, MPI_Comm comm);
    void send(const C2Sums& sums, MPI_Comm comm);

    C2Sums m_sums; ///< the root's copy (the total's shape and its own part; the total after finish)
    std::vector<double> m_send, m_receive;
    std::vector<MPI_Request> m_requests;
    int m_root = 0;
    int m_rank = 0;
    bool m_packed = false; ///< false on a communicator of one rank
};

/// Gathers every rank's rejected shots to `root` (collective), appended to `out` there; `mine` is cleared.
void gatherRejected(std::vector<RejectedShot>& mine, std::vector<RejectedShot>& out, int root, MPI_Comm comm);

/// Gathers every rank's int64 values to `root` (collective), appended to `out` there; `mine` is cleared.
void gatherIds(std::vector<std::int64_t>& mine, std::vector<std::int64_t>& out, int root, MPI_Comm comm);

/// Gathers every rank's int64 values to `root` (collective), concatenated in rank order there; empty elsewhere.
std::vector<std::int64_t> gatherValues(const std::vector<std::int64_t>& mine, int root, MPI_Comm comm);

/// A barrier that sleeps while it waits (MPI_Barrier spins): ranks done early wait for rank 0's reconstruction
/// without taking its cores.
void sleepingBarrier(MPI_Comm comm);

} // namespace fxs::remote
