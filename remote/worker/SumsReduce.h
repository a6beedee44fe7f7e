#pragma once

#include "fxs/C2Sums.h"

#include <mpi.h>

namespace fxs::remote {

/// Sums every rank's C2Sums into rank `root`'s copy (MPI_Reduce with MPI_SUM on the double arrays, in pieces
/// below MPI's int count limit). Collective: every rank calls it with sums of the same shape. On the root `sums`
/// becomes the total; elsewhere it is left unchanged.
void reduceSums(C2Sums& sums, int root, MPI_Comm comm);

} // namespace fxs::remote
