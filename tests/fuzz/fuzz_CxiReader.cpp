// libFuzzer harness for the CXI/HDF5 stack reader: every input is opened as an in-memory HDF5 file and run
// through the same validation and decoding that fxs-probe applies to untrusted files. A crash found here is
// one that fxs-probe absorbs in production; each is worth a check in StackInspector or a report upstream.
// Build and run: docs/DEVELOPING.md, section "Fuzzing".

#include <cstddef>
#include <cstdint>
#include <fxs/sources/StackInspector.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    fxs::StackLimits limits;
    // Small caps keep each run fast and make over-large claims hit the limits rather than the allocator.
    limits.maxSlabPixels = 1 << 20;
    limits.maxChunkBytes = 16 << 20;
    limits.fullReadBytes = 16 << 20;
    const auto verdict = fxs::StackInspector::inspectImage(
        { reinterpret_cast<const std::byte*>(data), size }, "/entry_1/data_1/data", limits);
    if (verdict) {
        // A verdict must be self-consistent: the folded slab never exceeds the cap it was checked against.
        if (verdict->slab.pixels() > limits.maxSlabPixels || verdict->framesRead > verdict->frames) {
            __builtin_trap();
        }
    }
    return 0;
}
