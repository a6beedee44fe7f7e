#include <fxs/invariants/SphericalHarmonics.h>

#include <algorithm>
#include <cmath>
#include <numbers>

namespace fxs {

void SphericalHarmonics::legendre(int lMax, double x, double* out)
{
    if (lMax < 0) {
        return;
    }
    x = std::clamp(x, -1.0, 1.0);
    const double s = std::sqrt(std::max(0.0, (1.0 - x) * (1.0 + x)));
    double pmm = 1.0 / std::sqrt(4.0 * std::numbers::pi);
    for (int m = 0; m <= lMax; ++m) {
        if (m > 0) {
            pmm *= -std::sqrt((2.0 * m + 1.0) / (2.0 * m)) * s;
        }
        out[index(m, m)] = pmm;
        if (m == lMax) {
            break;
        }
        double pPrev = pmm;
        double p = std::sqrt(2.0 * m + 3.0) * x * pmm;
        out[index(m + 1, m)] = p;
        for (int l = m + 2; l <= lMax; ++l) {
            // Recursion of the normalised functions (no factorials, stable up to l ~ 2000).
            const double l2 = static_cast<double>(l) * l;
            const double m2 = static_cast<double>(m) * m;
            const double a = std::sqrt((4.0 * l2 - 1.0) / (l2 - m2));
            const double b = std::sqrt(((l - 1.0) * (l - 1.0) - m2) / (4.0 * (l - 1.0) * (l - 1.0) - 1.0));
            const double next = a * (x * p - b * pPrev);
            pPrev = p;
            p = next;
            out[index(l, m)] = p;
        }
    }
}

void SphericalHarmonics::legendre(int lMax, double x, std::vector<double>& out)
{
    out.assign(triangleSize(std::max(lMax, 0)), 0.0);
    legendre(lMax, x, out.data());
}

void SphericalHarmonics::specLegendre(int lMax, double x, std::vector<double>& out)
{
    legendre(lMax, x, out);
    for (int l = 0; l <= lMax; ++l) {
        const double f = 1.0 / std::sqrt(2.0 * l + 1.0);
        for (int m = 0; m <= l; ++m) {
            out[index(l, m)] *= f;
        }
    }
}

void SphericalHarmonics::legendrePolynomials(int lMax, double x, double* out)
{
    if (lMax < 0) {
        return;
    }
    out[0] = 1.0;
    if (lMax >= 1) {
        out[1] = x;
    }
    for (int l = 2; l <= lMax; ++l) {
        out[l] = ((2.0 * l - 1.0) * x * out[l - 1] - (l - 1.0) * out[l - 2]) / l;
    }
}

int SphericalHarmonics::evenLMaxForDiameter(double qMaxInvA, double diameterA)
{
    const double l = std::ceil(std::max(0.0, qMaxInvA * diameterA));
    int lMax = std::isfinite(l) ? static_cast<int>(std::min(l, 1000.0)) : 2;
    lMax += lMax % 2;
    return std::max(lMax, 2);
}

} // namespace fxs
