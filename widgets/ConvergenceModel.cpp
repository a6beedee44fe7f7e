#include "ConvergenceModel.h"

#include <algorithm>
#include <cmath>

namespace fxs::widgets {

std::optional<double> ConvergenceModel::fitK(const std::vector<ConvergencePoint>& points)
{
    double sumWK = 0.0;
    double sumW = 0.0;
    for (const auto& p : points) {
        const double r = p.splitHalfCC;
        if (p.shots <= 0 || !std::isfinite(r) || r <= 0.0 || r >= 1.0) {
            continue;
        }
        const double w = r * r;
        sumWK += w * static_cast<double>(p.shots) * (1.0 / r - 1.0);
        sumW += w;
    }
    if (sumW <= 0.0) {
        return std::nullopt;
    }
    return sumWK / sumW;
}

double ConvergenceModel::splitHalf(double k, double shots) { return shots / (shots + k); }

double ConvergenceModel::fullReliability(double splitHalfCC) { return 2.0 * splitHalfCC / (1.0 + splitHalfCC); }

double ConvergenceModel::shotsForReliability(double k, double target) { return target * k / (2.0 * (1.0 - target)); }

std::optional<double> ConvergenceModel::shotsToGo(const std::vector<ConvergencePoint>& points, double target)
{
    if (points.empty() || !(target > 0.0 && target < 1.0)) {
        return std::nullopt;
    }
    const auto k = fitK(points);
    if (!k) {
        return std::nullopt;
    }
    const double needed = shotsForReliability(*k, target);
    return std::max(0.0, needed - static_cast<double>(points.back().shots));
}

SlowestQ ConvergenceModel::slowestBin(const std::vector<ConvergencePoint>& points,
    const std::vector<std::vector<double>>& perQ, int firstBin, int lastBin, double target)
{
    SlowestQ worst;
    if (points.empty() || perQ.size() != points.size()) {
        return worst;
    }
    const auto& newest = perQ.back();
    lastBin = std::min(lastBin, static_cast<int>(newest.size()) - 1);
    for (int b = std::max(0, firstBin); b <= lastBin; ++b) {
        const double now = newest[static_cast<std::size_t>(b)];
        if (now == 0.0 || !std::isfinite(now)) {
            continue;
        }
        std::vector<ConvergencePoint> history;
        for (std::size_t i = 0; i < points.size(); ++i) {
            if (static_cast<std::size_t>(b) < perQ[i].size()) {
                history.push_back({ points[i].shots, perQ[i][static_cast<std::size_t>(b)] });
            }
        }
        const auto togo = shotsToGo(history, target);
        const bool slower = worst.bin < 0 || (!togo && (worst.shotsToGo || now < worst.splitHalfCC))
            || (togo && worst.shotsToGo
                && (*togo > *worst.shotsToGo || (*togo == *worst.shotsToGo && now < worst.splitHalfCC)));
        if (slower) {
            worst = { b, togo, now };
        }
    }
    return worst;
}

} // namespace fxs::widgets
