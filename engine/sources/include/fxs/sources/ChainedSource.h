#pragma once

#include <fxs/frames/FrameSource.h>
#include <memory>
#include <vector>

namespace fxs {

/// Several sources read one after the other as one run (a run split over files): shot indices continue across
/// files (file k's first frame follows file k−1's last), so checkpoints and ledgers stay unambiguous.
class ChainedSource final : public FrameSource {
public:
    /// Chains closed sources of one slab shape; fails when shapes differ or a source has no known length.
    static Result<std::unique_ptr<FrameSource>> create(std::vector<std::unique_ptr<FrameSource>> parts);

    Result<std::optional<Frame>> next() override;
    SlabShape shape() const override { return m_parts.front()->shape(); }
    std::optional<std::int64_t> totalFrames() const override { return m_offsets.back(); }
    std::string description() const override;
    Status seek(std::int64_t shotIndex) override;
    void cancel() override;

private:
    std::vector<std::unique_ptr<FrameSource>> m_parts;
    std::vector<std::int64_t> m_offsets; ///< first shot index of each part, then the total
    std::size_t m_current = 0;
};

} // namespace fxs
