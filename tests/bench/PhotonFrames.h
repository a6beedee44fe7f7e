#pragma once

// Test data shared by the benchmarks that read detector stacks.

#include <fxs/frames/Frame.h>
#include <fxs/geometry/DetectorGeometry.h>

#include <cstdint>
#include <string>
#include <vector>

namespace fxs::bench {

// The ePix10k 2M size: 16 modules of 352 × 384 pixels, 2.2 Mpx, stacked in the slab.
constexpr int kModules = 16;
constexpr int kModuleSs = 352;
constexpr int kModuleFs = 384;

/// 16 modules of 352 × 384 pixels (100 µm) on a 4 × 4 grid with 10-pixel gaps, 120 mm from the sample, 9.5 keV.
inline Result<DetectorGeometry> epixLikeGeometry()
{
    std::vector<DetectorPanel> panels;
    const int gap = 10;
    for (int m = 0; m < kModules; ++m) {
        DetectorPanel p;
        p.name = "m" + std::to_string(m);
        p.minFs = 0;
        p.maxFs = kModuleFs - 1;
        p.minSs = m * kModuleSs;
        p.maxSs = (m + 1) * kModuleSs - 1;
        p.cornerXPx = (m % 4 - 2) * (kModuleFs + gap) + gap / 2.0;
        p.cornerYPx = (m / 4 - 2) * (kModuleSs + gap) + gap / 2.0;
        p.cameraLengthM = 0.12;
        panels.push_back(p);
    }
    return DetectorGeometry::fromPanels(std::move(panels), 9500.0);
}

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
