#pragma once

#include <numbers>

namespace fxs {

/// The polar grid: nQ radial bins between qMin and qMax (Å⁻¹), nPhi azimuthal bins over 2π.
/// Bin centres: q_i = qMin + (i + ½)(qMax − qMin)/nQ, φ_j = (j + ½)·2π/nPhi, φ measured from +x towards +y.
struct PolarGrid {
    int nQ = 300;
    int nPhi = 256;
    double qMinInvA = 0.05;
    double qMaxInvA = 1.0;

    /// Width of one q bin in Å⁻¹.
    double qStep() const { return (qMaxInvA - qMinInvA) / nQ; }
    /// Centre of q bin i in Å⁻¹.
    double qCentre(int i) const { return qMinInvA + (i + 0.5) * qStep(); }
    /// Width of one φ bin in radians.
    double phiStep() const { return 2.0 * std::numbers::pi / nPhi; }
    /// Centre of φ bin j in radians.
    double phiCentre(int j) const { return (j + 0.5) * phiStep(); }
    /// Number of bins.
    long long size() const { return static_cast<long long>(nQ) * nPhi; }
    /// True when the grid is usable.
    bool valid() const { return nQ > 0 && nPhi >= 4 && qMaxInvA > qMinInvA && qMinInvA >= 0.0; }
    bool operator==(const PolarGrid&) const = default;
};

} // namespace fxs
