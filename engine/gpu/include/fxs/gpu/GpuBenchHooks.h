#pragma once

#include <cstddef>
#include <cstdint>
#include <fxs/core/Result.h>
#include <fxs/gpu/GpuC2Accumulator.h>
#include <memory>
#include <vector>

namespace fxs {

/// Benchmark-only entry points of the CUDA backend (fxs-bench gpu): device time without the copies, the copy limit,
/// pinned host buffers. Nothing in the data path calls them; they stay out of GpuC2Accumulator's interface.
class GpuBenchHooks {
public:
    /// Correlates the last batch uploaded to `accumulator` again `repeats` times from device memory (no copies),
    /// adding it to the totals; the seconds the device took, or an Error (no batch yet, no CUDA backend).
    static Result<double> rerunResident(GpuC2Accumulator& accumulator, int repeats);
    /// Pinned host memory for `floats` floats (frees itself), or null without a device.
    static std::shared_ptr<float> allocatePinned(std::size_t floats);
    /// Pinned host memory for `pixels` uint16 pixels (raw detector frames), or null without a device.
    static std::shared_ptr<std::uint16_t> allocatePinnedRaw(std::size_t pixels);
    /// The polar intensities of the last batch as the device holds them (frames × nQ × nPhi): for raw frames, the
    /// device remap's output (tests compare it with PolarRemapper on the CPU).
    static Result<std::vector<float>> lastBatchIntensities(GpuC2Accumulator& accumulator);
    /// Host-to-device copy rate from pinned memory in bytes per second, measured over `bytes`.
    static Result<double> measureHostToDevice(std::size_t bytes);
};

} // namespace fxs
