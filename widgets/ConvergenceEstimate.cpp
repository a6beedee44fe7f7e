#include "ConvergenceEstimate.h"

#include <algorithm>

namespace fxs::widgets {

void ConvergenceEstimate::add(std::int64_t shots, double cc)
{
    if (shots > 0 && cc > 0.0 && cc < 1.0) {
        m_k.push_back(double(shots) * (1.0 - cc) / cc);
    }
}

std::optional<double> ConvergenceEstimate::constant(std::size_t window) const
{
    if (m_k.empty()) {
        return std::nullopt;
    }
    // The median of the last points: one noisy snapshot must not swing the estimate a scientist acts on.
    std::vector<double> last(m_k.end() - std::min(window, m_k.size()), m_k.end());
    std::nth_element(last.begin(), last.begin() + last.size() / 2, last.end());
    return last[last.size() / 2];
}

std::optional<double> ConvergenceEstimate::shotsFor(double target, std::size_t window) const
{
    const auto k = constant(window);
    if (!k || target <= 0.0 || target >= 1.0) {
        return std::nullopt;
    }
    return *k * target / (1.0 - target);
}

std::optional<double> ConvergenceEstimate::shotsToGo(double target, std::int64_t shotsNow, std::size_t window) const
{
    const auto n = shotsFor(target, window);
    if (!n) {
        return std::nullopt;
    }
    return std::max(0.0, *n - double(shotsNow));
}

} // namespace fxs::widgets
