#pragma once

#include <fxs/results/SumsFile.h>
#include <fxs/correlation/C2Sums.h>
#include <fxs/pipeline/C2Pipeline.h>

#include <memory>
#include <mpi.h>
#include <vector>

namespace fxs::remote {

/// C2 totals in the reduction's packed layout (the lower triangles of the signal, mask and squares matrices, the image
/// sums and the shot counts, as doubles): what rank 0 holds after a reduction, half the bytes of the C2Sums. The
/// buffer is shared (the checkpoint writer reads it on its thread) and goes back to the reductions' pool when the last
/// holder lets go, so that rounds reuse memory instead of faulting in a fresh 100 MB each.
struct PackedSums {
    C2Sums shape; ///< nQ, nPhi, nMax and ringMeanSubtracted of the total; its arrays are empty
    std::shared_ptr<const std::vector<double>> values; ///< null: nothing (a rank other than the root)

    bool empty() const { return values == nullptr; }
    /// Writes the total into `sums`, whose arrays are sized to the shape first when they are not (reusing them
    /// otherwise: their upper triangles must be zero, as unpackInto leaves them).
    void unpackInto(C2Sums& sums) const;
    /// The total as fresh sums (empty sums when empty()).
    C2Sums toSums() const;
};

/// A reduction of every rank's C2 totals to `root` that runs while the ranks go on accumulating: start() packs the
/// pipeline's totals where they are (no copy of the sums, on any rank) into a buffer kept between rounds and starts
/// MPI_Ireduce in pieces below MPI's int count limit; progress() between shots lets MPI move the data; finish() waits
/// and gives the packed total on the root. Collective: every rank starts one with sums of the same shape, in the same
/// order. On a communicator of one rank nothing is sent: the packed totals are the total.
class SumsReduction {
public:
    /// Starts the reduction of `pipeline`'s totals (flushed first); they may change once this returns.
    static std::unique_ptr<SumsReduction> start(C2Pipeline& pipeline, int root, MPI_Comm comm);
    SumsReduction(const SumsReduction&) = delete;
    SumsReduction& operator=(const SumsReduction&) = delete;
    ~SumsReduction(); ///< waits for what is still in flight (MPI must not write into freed memory)

    /// Lets MPI progress; true once the reduction is complete.
    bool progress();
    /// Waits for the reduction; on the root the packed total, elsewhere empty.
    PackedSums finish();

private:
    SumsReduction(int root, MPI_Comm comm);

    C2Sums m_shape;
    std::vector<double> m_send; ///< this rank's packed totals; on the root the total once finished
    std::vector<MPI_Request> m_requests;
    int m_root = 0;
    int m_rank = 0;
    int m_size = 1;
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
