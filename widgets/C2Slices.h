#pragma once

#include <fxs/correlation/C2Snapshot.h>
#include <vector>

namespace fxs::widgets {

/// Which C2 array a slice reads.
enum class C2Quantity {
    C2, ///< the normalised intra-shot C2
    Difference, ///< C2 − C2 of the mean image (what carries the single-particle signal)
    Inter, ///< C2 of the mean image
};

/// C2 against Δ for one (q, q') pair; NaN where the element is masked.
struct C2Curve {
    std::vector<double> deltaDeg; ///< Δ_k = k · 360° / nPhi
    std::vector<double> c2;
    std::vector<double> difference; ///< empty when the snapshot has no inter-shot term
    std::vector<double> inter;
    std::vector<double> stdError; ///< standard error of c2 (NaN where c2 is); empty when the snapshot has none
};

/// Slices of a C2Snapshot for display: pure functions, no Qt.
class C2Slices {
public:
    /// C2(q, q', Δ) for every Δ bin; masked elements and the Poisson self-term are NaN.
    static C2Curve versusDelta(const C2Snapshot& s, int q, int qp);
    /// The nQ × nQ map at Δ bin k, row-major with q' fastest; masked and self-term elements are NaN.
    static std::vector<double> mapAtDelta(const C2Snapshot& s, int k, C2Quantity quantity);
    /// C2(q, q, Δ) as an nQ × nPhi map, Δ fastest; masked and self-term elements are NaN.
    static std::vector<double> diagonal(const C2Snapshot& s, C2Quantity quantity);
    /// Value of one element, NaN when masked, the self-term or the quantity is absent.
    static double value(const C2Snapshot& s, int q, int qp, int k, C2Quantity quantity);
};

} // namespace fxs::widgets
