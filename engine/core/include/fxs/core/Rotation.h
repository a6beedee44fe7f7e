#pragma once

#include <array>
#include <cmath>

namespace fxs {

/// A proper rotation of 3-space as a row-major 3 × 3 matrix (R · v rotates v).
struct Rotation {
    std::array<double, 9> m { 1, 0, 0, 0, 1, 0, 0, 0, 1 };

    /// The rotation of the unit quaternion (w, x, y, z)/|(w, x, y, z)|; the identity when all four are 0.
    static Rotation fromQuaternion(double w, double x, double y, double z)
    {
        const double n2 = w * w + x * x + y * y + z * z;
        Rotation r;
        if (!(n2 > 0.0) || !std::isfinite(n2)) {
            return r;
        }
        const double s = 2.0 / n2;
        r.m = { 1 - s * (y * y + z * z), s * (x * y - w * z), s * (x * z + w * y), //
            s * (x * y + w * z), 1 - s * (x * x + z * z), s * (y * z - w * x), //
            s * (x * z - w * y), s * (y * z + w * x), 1 - s * (x * x + y * y) };
        return r;
    }
    /// R · v.
    std::array<double, 3> apply(const std::array<double, 3>& v) const
    {
        return { m[0] * v[0] + m[1] * v[1] + m[2] * v[2], m[3] * v[0] + m[4] * v[1] + m[5] * v[2],
            m[6] * v[0] + m[7] * v[1] + m[8] * v[2] };
    }
    /// Determinant (1 for a proper rotation).
    double determinant() const
    {
        return m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6])
            + m[2] * (m[3] * m[7] - m[4] * m[6]);
    }
};

} // namespace fxs
