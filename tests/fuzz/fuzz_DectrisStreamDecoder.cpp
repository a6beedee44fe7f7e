// libFuzzer harness for the DECTRIS Stream V2 decoder: every input is one ZeroMQ message from an untrusted
// publisher. Any outcome but a crash, a hang or a runaway allocation is fine; a decoded image must be consistent.
// Seeds: tests/fuzz/corpus-stream/dectris. Build and run: docs/DEVELOPING.md, section "Fuzzing".

#include <cstddef>
#include <cstdint>
#include <fxs/sources/DectrisStreamDecoder.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    fxs::DectrisStreamDecoder::Options o;
    o.maxImageBytes = 16 << 20; // over-large claims hit the limit rather than the allocator
    const auto r = fxs::DectrisStreamDecoder(o).decode({ reinterpret_cast<const std::byte*>(data), size });
    if (r && std::holds_alternative<fxs::DectrisImage>(*r)) {
        const fxs::Frame& f = std::get<fxs::DectrisImage>(*r).frame;
        if (f.pixels.size() != f.size() * fxs::pixelSize(f.type) || f.pixels.size() > o.maxImageBytes * 2) {
            __builtin_trap();
        }
    }
    return 0;
}
