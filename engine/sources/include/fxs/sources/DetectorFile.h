#pragma once

// A run's detector data file opened the one way `fxs correlate`, the monitor and fxs-worker all read it.

#include <fxs/core/Result.h>
#include <fxs/frames/FrameSource.h>
#include <fxs/sources/CxiFileSource.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace fxs {

/// Frames of `file`:`dataset` when it is a mask with one slab per frame of `pixelCount` pixels (N × …, rank ≥ 3,
/// N > 1: European XFEL's `mask`); 0 when it is a single slab or cannot be opened.
std::int64_t maskFramesIn(const std::string& file, const std::string& dataset, std::size_t pixelCount);

/// The frames of `path`: the stack `options.datasetPath` (with its mask per frame, when the options give one), or,
/// when `path` is a DECTRIS NeXus master file (its links listed by fxs-probe in its own process) and the dataset is
/// not one of its links, the data links data_000001, data_000002, … read in order as one run (ChainedSource). A
/// link whose data file is missing ends the run before it; `log` (when given) is told so, and which links are read.
Result<std::unique_ptr<FrameSource>> openDetectorFile(const std::string& path, const CxiSourceOptions& options,
    const std::function<void(const std::string&)>& log = {});

} // namespace fxs
