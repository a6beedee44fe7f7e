#include "PolarFeed.h"

#include <cmath>

namespace fxs::cli {

namespace {
bool finiteWhereWeighted(const PolarFrame& p)
{
    for (std::size_t i = 0; i < p.intensity.size(); ++i) {
        if (p.weight[i] > 0.0f && !std::isfinite(p.intensity[i])) {
            return false;
        }
    }
    return true;
}
} // namespace

PolarFeed::PolarFeed(std::unique_ptr<FrameSource> source, PolarRemapper remapper, std::vector<std::uint8_t> validMask,
    bool keepMean, ShotStatsOptions statsOptions)
    : m_source(std::move(source))
    , m_remapper(std::move(remapper))
    , m_valid(std::move(validMask))
    , m_keepMean(keepMean)
    , m_statsOptions(statsOptions)
{
}

PolarFeed::PolarFeed(
    std::unique_ptr<FrameSource> source, std::vector<float> weights, std::unique_ptr<FrameSource> weightSource)
    : m_source(std::move(source))
    , m_weights(std::move(weights))
    , m_weightSource(std::move(weightSource))
{
}

Result<std::optional<FedShot>> PolarFeed::next()
{
    auto frame = m_source->next();
    if (!frame) {
        return frame.error();
    }
    if (!frame->has_value()) {
        return std::optional<FedShot> {};
    }
    return m_remapper ? nextDetector(std::move(**frame)) : nextPolar(std::move(**frame));
}

Result<std::optional<FedShot>> PolarFeed::nextDetector(Frame frame)
{
    FedShot shot;
    const PolarRemapper* remapper = &*m_remapper;
    if (m_frameRemappers) {
        auto r = m_frameRemappers->forFrame(frame.shotIndex);
        if (!r) {
            return Error { m_source->description() + ": shot " + std::to_string(frame.shotIndex) + ": "
                + r.error().message };
        }
        remapper = *r;
    }
    if (auto st = remapper->remapInto(frame, shot.polar); !st) {
        return Error { m_source->description() + ": shot " + std::to_string(frame.shotIndex) + ": " + st.message() };
    }
    auto stats = ShotStats::compute(frame, m_valid, m_statsOptions);
    if (!stats) {
        return Error { m_source->description() + ": shot " + std::to_string(frame.shotIndex) + ": "
            + stats.error().message };
    }
    shot.stats = *stats;
    shot.finite = finiteWhereWeighted(shot.polar);
    shot.meta = frame.meta;
    if (m_keepMean) {
        m_sum.resize(frame.size(), 0.0);
        for (std::size_t i = 0; i < frame.size(); ++i) {
            m_sum[i] += frame.value(i);
        }
        ++m_framesSummed;
    }
    return std::optional<FedShot> { std::move(shot) };
}

Result<std::optional<FedShot>> PolarFeed::nextPolar(Frame frame)
{
    FedShot shot;
    PolarFrame& p = shot.polar;
    p.shotIndex = frame.shotIndex;
    p.nQ = frame.nSlow;
    p.nPhi = frame.nFast;
    const std::size_t n = frame.size();
    p.intensity.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        p.intensity[i] = static_cast<float>(frame.value(i));
    }
    if (m_weightSource) {
        auto w = m_weightSource->next();
        if (!w || !w->has_value()) {
            return Error { m_weightSource->description() + ": no weight frame for shot "
                + std::to_string(frame.shotIndex) + (w ? std::string {} : ": " + w.error().message) };
        }
        p.weight.resize(n);
        for (std::size_t i = 0; i < n; ++i) {
            p.weight[i] = static_cast<float>((*w)->value(i));
        }
    } else if (!m_weights.empty()) {
        p.weight = m_weights;
    } else {
        p.weight.assign(n, 1.0f);
    }
    auto stats = ShotStats::ofPolar(p, m_statsOptions);
    if (!stats) {
        return Error { m_source->description() + ": shot " + std::to_string(p.shotIndex) + ": "
            + stats.error().message };
    }
    shot.stats = *stats;
    shot.finite = finiteWhereWeighted(p);
    shot.meta = frame.meta;
    return std::optional<FedShot> { std::move(shot) };
}

Status PolarFeed::seek(std::int64_t shotIndex)
{
    if (m_weightSource) {
        if (auto st = m_weightSource->seek(shotIndex); !st) {
            return st;
        }
    }
    return m_source->seek(shotIndex);
}

std::vector<float> PolarFeed::meanDetector() const
{
    std::vector<float> mean(m_sum.size(), 0.0f);
    for (std::size_t i = 0; i < m_sum.size() && m_framesSummed > 0; ++i) {
        mean[i] = static_cast<float>(m_sum[i] / static_cast<double>(m_framesSummed));
    }
    return mean;
}

} // namespace fxs::cli
