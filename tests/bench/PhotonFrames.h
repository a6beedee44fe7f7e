#pragma once

// Test data shared by the benchmarks that read detector stacks.

#include <fxs/frames/Frame.h>

#include <cstdint>

namespace fxs::bench {

/// A uint16 frame of photon-like counts (mostly 0, some 1-63, xorshift from the shot index) so that LZ4 sees
/// realistic, not trivial, data.
inline Frame photonLikeFrame(int nSlow, int nFast, std::int64_t shot)
{
    Frame f = Frame::zeros(nSlow, nFast, PixelType::UInt16);
    std::uint32_t x = static_cast<std::uint32_t>(shot) * 2654435761u + 1u;
    for (auto& v : f.as<std::uint16_t>()) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        v = static_cast<std::uint16_t>((x & 0xff) < 200 ? 0 : (x >> 24) & 0x3f);
    }
    f.shotIndex = shot;
    return f;
}

} // namespace fxs::bench
