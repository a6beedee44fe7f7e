#pragma once

// Running sums of a Pearson correlation (split-half convergence of snapshots): private to the correlation stage.

#include <cmath>

namespace fxs::detail {

// Sums of x, y, x², y², xy over the pairs added; value() is their correlation coefficient (0 below two pairs).
struct Pearson {
    double n = 0, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
    void add(double x, double y)
    {
        n += 1;
        sx += x;
        sy += y;
        sxx += x * x;
        syy += y * y;
        sxy += x * y;
    }
    void add(const Pearson& o)
    {
        n += o.n;
        sx += o.sx;
        sy += o.sy;
        sxx += o.sxx;
        syy += o.syy;
        sxy += o.sxy;
    }
    double value() const
    {
        if (n < 2) {
            return 0.0;
        }
        const double cov = sxy - sx * sy / n;
        const double vx = sxx - sx * sx / n;
        const double vy = syy - sy * sy / n;
        return (vx > 0 && vy > 0) ? cov / std::sqrt(vx * vy) : 0.0;
    }
};

} // namespace fxs::detail
