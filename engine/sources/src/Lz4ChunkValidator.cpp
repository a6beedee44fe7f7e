#include "Lz4ChunkValidator.h"

#include <algorithm>
#include <lz4.h>
#include <string>
#include <vector>

namespace fxs::detail {

namespace {

std::uint64_t bigEndian(const std::byte* p, int n)
{
    std::uint64_t v = 0;
    for (int i = 0; i < n; ++i) {
        v = (v << 8) | static_cast<std::uint8_t>(p[i]);
    }
    return v;
}

} // namespace

Status Lz4ChunkValidator::validate(std::span<const std::byte> chunk, std::uint64_t rawBytes, std::uint64_t maxRawBytes)
{
    if (chunk.size() < 12) {
        return Error { "an LZ4 chunk of " + std::to_string(chunk.size()) + " bytes is too short for its header" };
    }
    const std::uint64_t raw = bigEndian(chunk.data(), 8);
    std::uint64_t block = bigEndian(chunk.data() + 8, 4);
    if ((rawBytes && raw != rawBytes) || raw > maxRawBytes || raw > std::uint64_t { INT32_MAX }) {
        return Error { "an LZ4 chunk announces " + std::to_string(raw) + " bytes instead of "
            + std::to_string(rawBytes) };
    }
    block = std::min(block, raw);
    if (block == 0 && raw > 0) {
        return Error { "an LZ4 chunk has a block size of 0" }; // the plugin would loop forever
    }
    std::vector<char> scratch(static_cast<std::size_t>(block));
    std::size_t pos = 12;
    for (std::uint64_t done = 0; done < raw;) {
        const auto want = static_cast<int>(std::min(block, raw - done));
        if (chunk.size() - pos < 4) {
            return Error { "an LZ4 chunk ends inside its block table" };
        }
        const std::uint64_t packed = bigEndian(chunk.data() + pos, 4);
        pos += 4;
        if (packed > chunk.size() - pos) {
            return Error { "an LZ4 block claims " + std::to_string(packed) + " bytes past the end of its chunk" };
        }
        // Equal sizes mean the block is stored uncompressed (the plugin copies it).
        if (packed != static_cast<std::uint64_t>(want)) {
            const int got = LZ4_decompress_safe(
                reinterpret_cast<const char*>(chunk.data() + pos), scratch.data(), static_cast<int>(packed), want);
            if (got != want) {
                return Error { "an LZ4 block does not decode (damaged compressed data)" };
            }
        }
        pos += static_cast<std::size_t>(packed);
        done += static_cast<std::uint64_t>(want);
    }
    return {};
}

} // namespace fxs::detail
