// libFuzzer harness for the bitshuffle-LZ4 and LZ4 (HDF5 framing) decoders: the first byte picks the element size
// (1–16) and the codec, the rest is the compressed buffer. A decode must never read or write out of bounds, and a
// success must have the announced size. Seeds: tests/fuzz/corpus-stream/bslz4. See docs/DEVELOPING.md.

#include <cstddef>
#include <cstdint>
#include <fxs/sources/BitshuffleLz4.h>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size < 1) {
        return 0;
    }
    const std::span<const std::byte> in { reinterpret_cast<const std::byte*>(data + 1), size - 1 };
    const std::size_t maxBytes = 16 << 20;
    std::vector<std::byte> out;
    const fxs::Status st = (data[0] & 0x80) != 0 ? fxs::BitshuffleLz4::decodeLz4(in, maxBytes, out)
                                                 : fxs::BitshuffleLz4::decode(in, 1 + data[0] % 16, maxBytes, out);
    if (st && out.size() > maxBytes) {
        __builtin_trap();
    }
    return 0;
}
