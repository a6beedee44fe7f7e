#include "RateMeter.h"

namespace fxs::remote {

void RateMeter::update(std::int64_t count, double atS)
{
    if (!m_samples.empty() && atS <= m_samples.back().atS) {
        return;
    }
    if (m_samples.empty() || count < m_samples.back().count || count == 0) {
        m_samples.assign(1, Sample { atS, count });
        m_perSecond = 0.0;
        return;
    }
    m_samples.push_back({ atS, count });
    // Keep the newest sample that is at least a window old as the window's start.
    while (m_samples.size() > 2 && atS - m_samples[1].atS >= m_windowS) {
        m_samples.pop_front();
    }
    const Sample& from = m_samples.front();
    if (atS - from.atS >= 1.0) {
        m_perSecond = static_cast<double>(count - from.count) / (atS - from.atS);
    }
}

} // namespace fxs::remote
