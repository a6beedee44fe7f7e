#include "C2Slices.h"

#include <cmath>

namespace fxs::widgets {

double C2Slices::value(const C2Snapshot& s, int q, int qp, int k, C2Quantity quantity)
{
    if (q < 0 || qp < 0 || k < 0 || q >= s.nQ || qp >= s.nQ || k >= s.nPhi) {
        return std::nan("");
    }
    const std::size_t i = s.at(q, qp, k);
    // The self-term (q = q', Δ = 0) is shot noise, orders of magnitude above the signal: hiding it keeps the
    // colour scale on the physics.
    if (i < s.flags.size() && s.flags[i] != C2Snapshot::Valid) {
        return std::nan("");
    }
    const std::vector<double>* a = &s.c2;
    if (quantity == C2Quantity::Difference) {
        a = &s.c2Difference;
    } else if (quantity == C2Quantity::Inter) {
        a = &s.c2Inter;
    }
    return i < a->size() ? (*a)[i] : std::nan("");
}

C2Curve C2Slices::versusDelta(const C2Snapshot& s, int q, int qp)
{
    C2Curve c;
    const bool hasInter = s.c2Difference.size() == s.c2.size() && !s.c2.empty();
    for (int k = 0; k < s.nPhi; ++k) {
        c.deltaDeg.push_back(k * 360.0 / s.nPhi);
        c.c2.push_back(value(s, q, qp, k, C2Quantity::C2));
        if (hasInter) {
            c.difference.push_back(value(s, q, qp, k, C2Quantity::Difference));
            c.inter.push_back(value(s, q, qp, k, C2Quantity::Inter));
        }
        if (s.hasStdError()) {
            c.stdError.push_back(std::isnan(c.c2.back()) ? c.c2.back() : s.c2StdError[s.at(q, qp, k)]);
        }
    }
    return c;
}

std::vector<double> C2Slices::mapAtDelta(const C2Snapshot& s, int k, C2Quantity quantity)
{
    std::vector<double> out(static_cast<std::size_t>(s.nQ) * s.nQ);
    for (int q = 0; q < s.nQ; ++q) {
        for (int qp = 0; qp < s.nQ; ++qp) {
            out[static_cast<std::size_t>(q) * s.nQ + qp] = value(s, q, qp, k, quantity);
        }
    }
    return out;
}

std::vector<double> C2Slices::diagonal(const C2Snapshot& s, C2Quantity quantity)
{
    std::vector<double> out(static_cast<std::size_t>(s.nQ) * s.nPhi);
    for (int q = 0; q < s.nQ; ++q) {
        for (int k = 0; k < s.nPhi; ++k) {
            out[static_cast<std::size_t>(q) * s.nPhi + k] = value(s, q, q, k, quantity);
        }
    }
    return out;
}

} // namespace fxs::widgets
