// libFuzzer harness for the Karabo bridge decoder. An input is split into ZeroMQ message parts: a byte giving the
// number of parts (1–8), then each part as a 2-byte little-endian length and its bytes (the last part takes the
// rest). Decoded frames must be consistent. Seeds: tests/fuzz/corpus-stream/karabo. See docs/DEVELOPING.md.

#include <cstddef>
#include <cstdint>
#include <fxs/sources/KaraboBridgeDecoder.h>
#include <span>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size < 1) {
        return 0;
    }
    const auto* bytes = reinterpret_cast<const std::byte*>(data);
    const std::size_t n = 1 + data[0] % 8;
    std::vector<std::span<const std::byte>> parts;
    std::size_t at = 1;
    for (std::size_t i = 0; i < n && at <= size; ++i) {
        std::size_t len = size - at;
        if (i + 1 < n && size - at >= 2) {
            len = std::min<std::size_t>(data[at] | (data[at + 1] << 8), size - at - 2);
            at += 2;
        }
        parts.emplace_back(bytes + at, len);
        at += len;
    }
    fxs::KaraboBridgeDecoder::Options o;
    o.maxTrainBytes = 16 << 20;
    const auto r = fxs::KaraboBridgeDecoder(o).decode(parts);
    if (r) {
        for (const auto& f : r->frames) {
            if (f.pixels.size() != f.size() * fxs::pixelSize(f.type)) {
                __builtin_trap();
            }
        }
    }
    return 0;
}
