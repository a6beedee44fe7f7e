#pragma once

#include <fxs/results/SumsFile.h>
#include <fxs/correlation/C2Sums.h>

#include <memory>
#include <mpi.h>
#include <vector>

namespace fxs::remote {

/// A reduction of every rank's sums to `root` that runs while the ranks go on accumulating: the constructor packs a
/// copy of the sums (the lower triangles of the signal, mask and squares matrices, which hold the sums, the image sums
/// and the shot counts, as doubles) and starts MPI_Ireduce; progress() between shots lets MPI move the data; finish() waits
/// and gives the total on the root. Collective: every rank starts one with sums of the same shape, in the same order.
class SumsReduction {
public:
    SumsReduction(C2Sums sums, int root, MPI_Comm comm); ///< takes the sums: no copy beyond the packed one
    /// Packs `sums` where they are (they may change once this returns): off the root no copy at all, and finish()
    /// there returns empty sums.
    static std::unique_ptr<SumsReduction> reading(const C2Sums& sums, int root, MPI_Comm comm);
    SumsReduction(const SumsReduction&) = delete;
    SumsReduction& operator=(const SumsReduction&) = delete;
    ~SumsReduction(); ///< waits for what is still in flight (MPI must not write into freed memory)

    /// Lets MPI progress; true once the reduction is complete.
    bool progress();
    /// Waits for the reduction; on the root the summed sums, elsewhere the sums this rank gave.
    C2Sums finish();

private:
    SumsReduction(int root, MPI_Comm comm);
    void start(const C2Sums& sums, MPI_Comm comm);

    C2Sums m_sums; ///< this rank's copy (its shape, and the total on the root after finish)
    std::vector<double> m_send, m_receive;
    std::vector<MPI_Request> m_requests;
    int m_root = 0;
    int m_rank = 0;
    bool m_packed = false; ///< false on a communicator of one rank
};

/// Sums every rank's C2Sums into rank `root`'s copy (MPI_Reduce with MPI_SUM on the double arrays, in pieces
/// below MPI's int count limit; of the signal and mask matrices only the lower triangles, which hold the sums).
/// Collective: every rank calls it with sums of the same shape. On the root `sums` becomes the total; elsewhere it
/// is left unchanged.
void reduceSums(C2Sums& sums, int root, MPI_Comm comm);

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
