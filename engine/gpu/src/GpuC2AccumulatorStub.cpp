// The GPU backend when this build has no CUDA: every entry point says so, and callers use the CPU path.
#ifndef FXS_HAVE_CUDA
#include <fxs/gpu/CudaLibraries.h>
#include <fxs/gpu/GpuC2Accumulator.h>

namespace fxs {

bool detail::loadCudaLibraries(std::string* why)
{
    if (why) {
        *why = "this build of FXS Monitor has no CUDA backend (no CUDA toolkit at build time)";
    }
    return false;
}

struct GpuC2Accumulator::Impl { };

bool GpuC2Accumulator::available(std::string* why)
{
    if (why) {
        *why = "this build of FXS Monitor has no CUDA backend (no CUDA toolkit at build time)";
    }
    return false;
}

int GpuC2Accumulator::deviceCount() { return 0; }
Result<double> GpuC2Accumulator::hostToDeviceBytesPerSecond(std::size_t) { return Error { "no CUDA backend" }; }

Result<std::unique_ptr<GpuC2Accumulator>> GpuC2Accumulator::create(const GpuC2Config&)
{
    std::string why;
    available(&why);
    return Error { "GPU correlation unavailable: " + why };
}

GpuC2Accumulator::GpuC2Accumulator(std::unique_ptr<Impl> impl)
    : m_impl(std::move(impl))
{
}
GpuC2Accumulator::~GpuC2Accumulator() = default;
Status GpuC2Accumulator::add(const PolarFrame&) { return Error { "no CUDA backend" }; }
Status GpuC2Accumulator::addHostBatch(const float*, const float*, int, std::int64_t)
{
    return Error { "no CUDA backend" };
}
Status GpuC2Accumulator::setStaticMask(std::span<const float>) { return Error { "no CUDA backend" }; }
Status GpuC2Accumulator::setDeviceRemap(const PolarRemapper&) { return Error { "no CUDA backend" }; }
Status GpuC2Accumulator::addRaw(const Frame&) { return Error { "no CUDA backend" }; }
Status GpuC2Accumulator::addRaw(std::span<const Frame* const>, int) { return Error { "no CUDA backend" }; }
Status GpuC2Accumulator::checkRaw(const Frame&) const { return Error { "no CUDA backend" }; }
Status GpuC2Accumulator::addRawHostBatch(const std::uint16_t*, int, std::int64_t)
{
    return Error { "no CUDA backend" };
}
bool GpuC2Accumulator::remapsOnDevice() const { return false; }
void GpuC2Accumulator::flush() { }
const C2Sums& GpuC2Accumulator::sums() const
{
    static const C2Sums empty;
    return empty;
}
void GpuC2Accumulator::useSink(C2Sink&) { }
GpuC2Stats GpuC2Accumulator::stats() const { return {}; }
std::int64_t GpuC2Accumulator::shotsAdded() const { return 0; }

} // namespace fxs
#endif
