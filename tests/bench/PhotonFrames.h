#pragma once

// Test data shared by the benchmarks that read detector stacks.

#include <fxs/frames/Frame.h>
#include <fxs/frames/FrameSource.h>
#include <fxs/geometry/DetectorGeometry.h>
#include <fxs/results/CxiWriter.h>
#include <fxs/sources/CxiFileSource.h>

#include <cstdint>
#include <memory>
#include <optional>
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

// The stack read `passes` times over, shot indices continuing: a long run from a file in the page cache, without
// gigabytes of disk.
class ReplayedSource final : public fxs::FrameSource {
public:
    ReplayedSource(std::unique_ptr<fxs::FrameSource> inner, std::int64_t frames)
        : m_inner(std::move(inner))
        , m_frames(frames)
    {
    }
    fxs::Result<std::optional<fxs::Frame>> next() override
    {
        if (m_next >= m_frames) {
            return std::optional<fxs::Frame> {};
        }
        auto f = m_inner->next();
        if (f && !f->has_value() && m_next > 0) { // the end of one pass
            if (auto st = m_inner->seek(0); !st) {
                return fxs::Error { st.message() };
            }
            f = m_inner->next();
        }
        if (f && f->has_value()) {
            (*f)->shotIndex = m_next++;
        }
        return f;
    }
    fxs::SlabShape shape() const override { return m_inner->shape(); }
    std::optional<std::int64_t> totalFrames() const override { return m_frames; }
    std::string description() const override { return m_inner->description() + " (replayed)"; }

private:
    std::unique_ptr<fxs::FrameSource> m_inner;
    std::int64_t m_frames;
    std::int64_t m_next = 0;
};

inline fxs::Status writeStack(const std::string& path, const std::vector<fxs::Frame>& pool, int frames, bool lz4)
{
    fxs::CxiWriterOptions wo;
    wo.lz4 = lz4;
    wo.flushEachFrame = false;
    const auto& f0 = pool.front();
    auto w = fxs::CxiWriter::create(path, { f0.nSlow, f0.nFast, f0.type }, wo);
    if (!w) {
        return fxs::Error { w.error().message };
    }
    for (int i = 0; i < frames; ++i) {
        if (auto st = (*w)->append(pool[static_cast<std::size_t>(i) % pool.size()]); !st) {
            return st;
        }
    }
    return (*w)->close();
}

inline fxs::Result<std::unique_ptr<fxs::FrameSource>> openStack(const std::string& path, bool deferDecode)
{
    fxs::CxiSourceOptions so;
    so.validate = false; // the benchmark wrote it; fxs-probe's cost is `fxs-bench cxi-read`'s
    so.deferDecode = deferDecode; // as `fxs correlate` opens it
    auto s = fxs::CxiFileSource::open(path, so);
    if (!s) {
        return s.error();
    }
    return std::unique_ptr<fxs::FrameSource>(std::move(*s));
}

} // namespace fxs::bench
