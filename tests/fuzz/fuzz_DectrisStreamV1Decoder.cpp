// libFuzzer harness for the DECTRIS Stream V1 decoder: every input is one multipart ZeroMQ message from an
// untrusted publisher, its parts framed here as a 4-byte little-endian length and the bytes (a short tail is the
// last part). Any outcome but a crash, a hang or a runaway allocation is fine; a decoded image must be consistent.
// Seeds: tests/fuzz/corpus-stream/dectris1. Build and run: docs/DEVELOPING.md, section "Fuzzing".

#include <cstddef>
#include <cstdint>
#include <fxs/sources/DectrisStreamV1Decoder.h>
#include <span>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::vector<std::span<const std::byte>> parts;
    const auto* p = reinterpret_cast<const std::byte*>(data);
    std::size_t at = 0;
    while (at < size && parts.size() < 8) {
        if (size - at < 4) {
            parts.emplace_back(p + at, size - at);
            break;
        }
        const std::size_t n = std::size_t(data[at]) | std::size_t(data[at + 1]) << 8 | std::size_t(data[at + 2]) << 16
            | std::size_t(data[at + 3]) << 24;
        at += 4;
        const std::size_t take = n < size - at ? n : size - at;
        parts.emplace_back(p + at, take);
        at += take;
    }
    fxs::DectrisStreamV1Decoder::Options o;
    o.maxImageBytes = 16 << 20; // over-large claims hit the limit rather than the allocator
    const auto r = fxs::DectrisStreamV1Decoder(o).decode(parts);
    if (r && std::holds_alternative<fxs::DectrisImage>(*r)) {
        const fxs::Frame& f = std::get<fxs::DectrisImage>(*r).frame;
        if (f.pixels.size() != f.size() * fxs::pixelSize(f.type) || f.pixels.size() > o.maxImageBytes * 2) {
            __builtin_trap();
        }
    }
    return 0;
}
