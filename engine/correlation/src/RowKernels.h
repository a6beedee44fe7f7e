#pragma once

// The per-shot loops of the C2 engine over one polar frame's bins, written so that the compiler vectorises
// them, and compiled for AVX-512, AVX2 and the baseline with the best chosen at load time (the release build
// targets x86-64-v2 so that the package runs anywhere; these loops are a tenth of the engine's time there).

#include <complex>
#include <cstddef>
#include <vector>

namespace fxs::detail {

/// True when every weight is in [0, 1] (NaN is not) and every bin with a positive weight has a finite
/// intensity: the fast check of C2Accumulator::validate, whose slow path then names the first bad bin.
bool binsValid(const float* intensity, const float* weight, std::size_t n);

/// Σ w and Σ w I over one ring (double precision), and whether the ring passes binsValid's checks — the one
/// pass add() makes over a frame before it changes anything. Bins with w = 0 contribute nothing, whatever their
/// intensity holds (a masked bin may be NaN).
struct RingSums {
    double weight = 0.0;
    double weightedIntensity = 0.0;
};
bool ringSums(const float* intensity, const float* weight, int n, RingSums& sums);

/// meanNum += w I and row = w (I − mean) where w > 0 (else nothing and 0): the mean image's numerator and δI.
void deviationAndMean(const float* intensity, const float* weight, double mean, double* meanNum, float* row, int n);
void deviationAndMean(const float* intensity, const float* weight, double mean, double* meanNum, double* row, int n);

/// dst += count × w, the weight sums of `count` shots that share the weights w.
void addWeights(const float* weight, double count, double* dst, std::size_t n);

/// dst += Σ_s src[s] over the lower triangle of one nQ × nQ complex matrix at element offset `base` (row r holds
/// r + 1 values), widening the float partial sums of `count` accumulators into the double totals in one pass.
void foldLowerTriangle(
    const std::complex<float>* const* src, int count, std::complex<double>* dst, std::size_t base, int nQ);

/// The same for a real matrix (the squares of C2Sums).
void foldLowerTriangle(const float* const* src, int count, double* dst, std::size_t base, int nQ);

/// out[i] = |a[i]|², the power of `n` spectrum values (the rows of the variance's rank-k update).
void squaredMagnitudes(const std::complex<float>* a, std::size_t n, float* out);
void squaredMagnitudes(const std::complex<double>* a, std::size_t n, double* out);

/// Bitwise equality of two weight maps (a repeated detector mask).
bool sameBits(const std::vector<float>& a, const std::vector<float>& b);

} // namespace fxs::detail
