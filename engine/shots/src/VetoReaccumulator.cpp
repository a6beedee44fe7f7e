#include <fxs/shots/VetoReaccumulator.h>

#include <algorithm>

namespace fxs {

namespace {
std::size_t bytesOf(const PolarFrame& f) { return (f.intensity.size() + f.weight.size()) * sizeof(float); }

void subtract(C2Sums& into, const C2Sums& minus)
{
    for (int h = 0; h < 2; ++h) {
        for (std::size_t i = 0; i < into.signal[h].size(); ++i) {
            into.signal[h][i] -= minus.signal[h][i];
        }
        for (std::size_t i = 0; i < into.mask[h].size(); ++i) {
            into.mask[h][i] -= minus.mask[h][i];
        }
        into.shots[h] -= minus.shots[h];
    }
    for (std::size_t i = 0; i < into.weightedIntensity.size(); ++i) {
        into.weightedIntensity[i] -= minus.weightedIntensity[i];
        into.weightSum[i] -= minus.weightSum[i];
    }
    for (std::size_t i = 0; i < into.squares.size() && i < minus.squares.size(); ++i) {
        into.squares[i] -= minus.squares[i]; // the vetoed shots leave the variance's sums too
    }
}
}

VetoReaccumulator::VetoReaccumulator(const C2Config& config, std::size_t capacityBytes)
    : m_config(config)
    , m_capacityBytes(capacityBytes)
{
    // Differences of large sums lose digits: the correction is accumulated in double precision.
    m_config.precision = C2Precision::Double;
}

void VetoReaccumulator::keep(PolarFrame frame, bool inC2)
{
    m_bytes += bytesOf(frame);
    m_ring.push_back({ std::move(frame), inC2 });
    while (m_bytes > m_capacityBytes && !m_ring.empty()) {
        m_bytes -= bytesOf(m_ring.front().frame);
        m_ring.pop_front();
    }
}

Result<C2Sums> VetoReaccumulator::correction(const std::function<bool(std::int64_t)>& accepted)
{
    C2Accumulator plus(m_config);
    C2Accumulator minus(m_config);
    for (auto& kept : m_ring) {
        const bool now = accepted(kept.frame.shotIndex);
        if (now == kept.inC2) {
            continue;
        }
        const Status added = (now ? plus : minus).add(kept.frame);
        if (!added) {
            return Error { added.message() };
        }
        kept.inC2 = now;
    }
    plus.flush();
    minus.flush();
    C2Sums sums = plus.sums();
    subtract(sums, minus.sums());
    return sums;
}

std::int64_t VetoReaccumulator::unreachable(const std::vector<std::int64_t>& changedShots) const
{
    std::int64_t n = 0;
    for (std::int64_t shot : changedShots) {
        const bool kept
            = std::any_of(m_ring.begin(), m_ring.end(), [shot](const Kept& k) { return k.frame.shotIndex == shot; });
        n += kept ? 0 : 1;
    }
    return n;
}

} // namespace fxs
