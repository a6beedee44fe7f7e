#include "SumsReduce.h"

#include <algorithm>
#include <complex>
#include <cstdint>

namespace fxs::remote {

namespace {

void reduceDoubles(double* data, std::size_t count, int root, MPI_Comm comm)
{
    int rank = 0;
    MPI_Comm_rank(comm, &rank);
    constexpr std::size_t kPiece = std::size_t { 1 } << 26; // 512 MiB of doubles, far below INT_MAX
    for (std::size_t off = 0; off < count; off += kPiece) {
        const int n = static_cast<int>(std::min(kPiece, count - off));
        if (rank == root) {
            MPI_Reduce(MPI_IN_PLACE, data + off, n, MPI_DOUBLE, MPI_SUM, root, comm);
        } else {
            MPI_Reduce(data + off, nullptr, n, MPI_DOUBLE, MPI_SUM, root, comm);
        }
    }
}

void reduceComplex(std::vector<std::complex<double>>& v, int root, MPI_Comm comm)
{
    // std::complex<double> is layout-compatible with double[2] (the standard guarantees it).
    reduceDoubles(reinterpret_cast<double*>(v.data()), v.size() * 2, root, comm);
}

} // namespace

void reduceSums(C2Sums& sums, int root, MPI_Comm comm)
{
    int rank = 0;
    MPI_Comm_rank(comm, &rank);
    // MPI_Reduce only reads the send buffer: non-root ranks keep their own sums unchanged.
    C2Sums& s = sums;
    for (int h = 0; h < 2; ++h) {
        reduceComplex(s.signal[h], root, comm);
        reduceComplex(s.mask[h], root, comm);
    }
    reduceDoubles(s.weightedIntensity.data(), s.weightedIntensity.size(), root, comm);
    reduceDoubles(s.weightSum.data(), s.weightSum.size(), root, comm);
    std::int64_t shots[2] = { s.shots[0], s.shots[1] };
    if (rank == root) {
        MPI_Reduce(MPI_IN_PLACE, shots, 2, MPI_INT64_T, MPI_SUM, root, comm);
        s.shots[0] = shots[0];
        s.shots[1] = shots[1];
    } else {
        MPI_Reduce(shots, nullptr, 2, MPI_INT64_T, MPI_SUM, root, comm);
    }
}

} // namespace fxs::remote
