#pragma once

#include <fxs/correlation/FftKernels.h>
#include <fxs/correlation/RowTransform.h>

#include <fxs/correlation/C2Accumulator.h>
#include <fxs/correlation/C2Sums.h>
#include <fxs/polar/PolarFrame.h>
#include <memory>
#include <mutex>
#include <vector>

namespace fxs::detail {

/// The weights' half of the correlation, Σ_j W_j(q, n)* W_j(q', n), in double precision.
/// Masks repeat from shot to shot (a detector's gaps, bad pixels, beamstop): each distinct mask is kept once with
/// a multiplicity, and its rank-k update runs only when the list of distinct masks is full or at flush(), so a
/// static mask costs one update per flush instead of one per shot.
class MaskSpectra {
public:
    MaskSpectra(int nQ, int nPhi, int capacity);
    ~MaskSpectra();
    MaskSpectra(const MaskSpectra&) = delete;
    MaskSpectra& operator=(const MaskSpectra&) = delete;

    /// Counts frame's weights into half h (updates `sums.mask` when the list overflows, taking the sink's gate and
    /// mask stripes if given).
    void add(const PolarFrame& frame, int h, C2Sums& sums, C2Sink* sink);
    /// Counts the mask last added to half h once more, without comparing (the caller knows the weights repeat);
    /// false, counting nothing, when half h holds no pending mask.
    bool repeatLast(int h);
    /// Counts the same weights `count` times into half h (a static mask shared by many frames).
    void addRepeated(const PolarFrame& frame, int h, long long count, C2Sums& sums, C2Sink* sink);
    /// Moves every pending distinct mask into `sums.mask`, each frequency under the sink's mask stripe when `sink`
    /// is given (the caller holds its gate, shared); `bothHalvesAtOnce` updates the halves on two threads (the
    /// caller has the cores to spare: the updates are memory-bound passes over hundreds of MB).
    void flush(C2Sums& sums, C2Sink* sink, bool bothHalvesAtOnce = false);
    /// Takes over `other`'s pending masks of each half where they are all the mask this one saw last (a static
    /// detector mask seen by several workers), so that one rank-k update counts them all.
    void absorb(MaskSpectra& other);
    /// Drops pending masks.
    void reset();

private:
    void flushHalf(int h, C2Sums& sums, C2Sink* sink);
    using K = Kernels<double>;
    int m_nQ, m_nPhi, m_pad, m_cap;
    std::size_t m_slab; // elements between frequencies in m_out (frequencyStride)
    AlignedArray<double, K> m_in; // distinct masks: half 0 from row 0 up, half 1 from the last row down
    AlignedArray<std::complex<double>, K> m_out; // [n][row][q]
    std::unique_ptr<RowTransform<double>> m_transform[2]; // one per half
    std::vector<long long> m_mult[2];
    std::vector<float> m_last[2];
};

} // namespace fxs::detail
