#pragma once

// The dataset checks shared by StackInspector (untrusted files), the readers (after validation) and the CXI writer
// (the HDF5 type of a pixel type): HDF5 plumbing of the sources stage, not an API for front ends.

#include <fxs/sources/StackInspector.h>

#include <hdf5.h>

namespace fxs::detail {

/// Checks rank, type, dimensions, layout, chunk size and filters of an open dataset against `limits`;
/// fills every StackInfo field except framesRead. Allocates nothing that depends on the file's numbers.
Result<StackInfo> checkDataset(
    hid_t dset, const std::string& path, const std::string& dataset, const StackLimits& limits);
/// The native memory type to read a PixelType into.
hid_t memoryType(PixelType type);
/// Reads frames [first, first + count) of a checked stack into `out` (count · slab bytes, already sized), as
/// `memType` (default: the native type of the stack's pixel type).
Status readFrames(hid_t dset, const StackInfo& info, std::int64_t first, std::int64_t count, std::byte* out,
    hid_t memType = H5I_INVALID_HID);

} // namespace fxs::detail
