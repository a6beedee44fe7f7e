#include <fxs/correlation/C2Sums.h>

#include <fxs/correlation/FftKernels.h>

#include <algorithm>
#include <string>

namespace fxs {

namespace {
// Reserve, advise huge pages, then zero: the advice must come before the first touch.
template <class T> void zeroed(std::vector<T>& v, std::size_t n)
{
    v.clear();
    v.reserve(n);
    detail::adviseHugePages(v.data(), n * sizeof(T));
    v.resize(n);
}
} // namespace

C2Sums C2Sums::zeros(int nQ, int nPhi, int nMax, bool ringMeanSubtracted, bool variance)
{
    C2Sums s;
    s.nQ = nQ;
    s.nPhi = nPhi;
    s.nMax = nMax;
    s.ringMeanSubtracted = ringMeanSubtracted;
    const std::size_t mat = static_cast<std::size_t>(nQ) * nQ;
    for (int h = 0; h < 2; ++h) {
        zeroed(s.signal[h], mat * s.nFreq());
        zeroed(s.mask[h], mat * s.nFreqMask());
    }
    if (variance) {
        zeroed(s.squares, mat * s.nFreq());
    }
    s.weightedIntensity.assign(static_cast<std::size_t>(nQ) * nPhi, 0.0);
    s.weightSum.assign(static_cast<std::size_t>(nQ) * nPhi, 0.0);
    return s;
}

bool C2Sums::compatible(const C2Sums& o) const
{
    return nQ == o.nQ && nPhi == o.nPhi && nMax == o.nMax && ringMeanSubtracted == o.ringMeanSubtracted
        && signal[0].size() == o.signal[0].size() && mask[0].size() == o.mask[0].size();
}

namespace {
template <class T> void addInto(std::vector<T>& dst, const std::vector<T>& src)
{
    std::transform(dst.begin(), dst.end(), src.begin(), dst.begin(), [](const T& a, const T& b) { return a + b; });
}

template <class T> void subtractFrom(std::vector<T>& dst, const std::vector<T>& src)
{
    std::transform(dst.begin(), dst.end(), src.begin(), dst.begin(), [](const T& a, const T& b) { return a - b; });
}

// Every additive array and count of `a` combined with `b`'s by `combine` (the squares apart: their rule differs).
template <class Combine> void combineSums(C2Sums& a, const C2Sums& b, Combine combine, int shotSign)
{
    for (int h = 0; h < 2; ++h) {
        combine(a.signal[h], b.signal[h]);
        combine(a.mask[h], b.mask[h]);
        a.shots[h] += shotSign * b.shots[h];
    }
    combine(a.weightedIntensity, b.weightedIntensity);
    combine(a.weightSum, b.weightSum);
}
} // namespace

Status C2Sums::merge(const C2Sums& o)
{
    if (!compatible(o)) {
        return Error { "cannot merge C2 sums of " + std::to_string(o.nQ) + " x " + std::to_string(o.nPhi) + " (n_max "
            + std::to_string(o.nMax) + ") into sums of " + std::to_string(nQ) + " x " + std::to_string(nPhi)
            + " (n_max " + std::to_string(nMax) + ")" };
    }
    // The squares stay only if every shot of the result has them; sums without a shot are neutral.
    if (hasVariance() && o.hasVariance()) {
        addInto(squares, o.squares);
    } else if (o.hasVariance() && totalShots() == 0) {
        squares = o.squares;
    } else if (hasVariance() && o.totalShots() > 0) {
        squares.clear();
        squares.shrink_to_fit();
    }
    combineSums(*this, o, [](auto& dst, const auto& src) { addInto(dst, src); }, +1);
    return {};
}

Status C2Sums::subtract(const C2Sums& o)
{
    if (!compatible(o)) {
        return Error { "cannot subtract C2 sums of " + std::to_string(o.nQ) + " x " + std::to_string(o.nPhi)
            + " (n_max " + std::to_string(o.nMax) + ") from sums of " + std::to_string(nQ) + " x "
            + std::to_string(nPhi) + " (n_max " + std::to_string(nMax) + ")" };
    }
    if (hasVariance() && o.hasVariance()) {
        subtractFrom(squares, o.squares); // the shots taken out leave the variance's sums too
    }
    combineSums(*this, o, [](auto& dst, const auto& src) { subtractFrom(dst, src); }, -1);
    return {};
}

void C2Sums::clear()
{
    for (int h = 0; h < 2; ++h) {
        std::fill(signal[h].begin(), signal[h].end(), std::complex<double> {});
        std::fill(mask[h].begin(), mask[h].end(), std::complex<double> {});
        shots[h] = 0;
    }
    std::fill(weightedIntensity.begin(), weightedIntensity.end(), 0.0);
    std::fill(weightSum.begin(), weightSum.end(), 0.0);
    std::fill(squares.begin(), squares.end(), 0.0);
}

} // namespace fxs
