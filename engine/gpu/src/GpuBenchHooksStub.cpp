// The benchmark hooks when this build has no CUDA: each says so (fxs-bench gpu skips before calling them).
#ifndef FXS_HAVE_CUDA
#include <fxs/gpu/GpuBenchHooks.h>

namespace fxs {

Result<double> GpuBenchHooks::rerunResident(GpuC2Accumulator&, int) { return Error { "no CUDA backend" }; }
std::shared_ptr<float> GpuBenchHooks::allocatePinned(std::size_t) { return {}; }
Result<double> GpuBenchHooks::measureHostToDevice(std::size_t) { return Error { "no CUDA backend" }; }
std::shared_ptr<std::uint16_t> GpuBenchHooks::allocatePinnedRaw(std::size_t) { return {}; }
Result<std::vector<float>> GpuBenchHooks::lastBatchIntensities(GpuC2Accumulator&)
{
    return Error { "no CUDA backend" };
}

} // namespace fxs
#endif
