#pragma once

#include "Arrays.h"

#include <fxs/correlation/C2Snapshot.h>
#include <fxs/correlation/C2Sums.h>

namespace fxs::python {

/// SnapshotOptions from the keyword arguments every snapshot() method takes.
SnapshotOptions snapshotOptions(bool splitHalf, bool interShot, bool fourier, int threads, double maskThreshold);

/// Adds the keyword arguments of snapshotOptions() to a binding.
#define FXS_SNAPSHOT_ARGS                                                                                             \
    py::arg("split_half") = true, py::arg("inter_shot") = true, py::arg("fourier") = true, py::arg("threads") = 0,   \
        py::arg("mask_relative_threshold") = 1e-4

/// A snapshot computed from sums with the GIL released.
std::shared_ptr<C2Snapshot> snapshotOf(const C2Sums& sums, const SnapshotOptions& options);

} // namespace fxs::python
