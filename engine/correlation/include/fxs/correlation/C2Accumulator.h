#pragma once

#include <fxs/correlation/C2Sums.h>
#include <fxs/polar/PolarFrame.h>
#include <fxs/core/Result.h>

#include <memory>
#include <mutex>
#include <shared_mutex>
#include <vector>

namespace fxs {

/// Precision of the batched spectra and rank-k updates.
enum class C2Precision {
    Single, ///< float spectra and cblas_cherk per batch, summed into double totals
    Double, ///< double spectra and cblas_zherk
};

/// Settings of a C2Accumulator.
struct C2Config {
    int nQ = 300;
    int nPhi = 256;
    int nMax = -1; ///< highest angular frequency kept; −1 means nPhi / 2
    C2Precision precision = C2Precision::Single;
    int batchShots = 256; ///< shots per batch, about half of them per half's rank-k update (≥ 64 keeps BLAS busy)
    int foldShots = 4096; ///< single mode: shots summed in float before folding into the double totals
    bool subtractRingMean = true; ///< correlate δI = w (I − ring mean) rather than w I
    /// Also accumulate C2Sums::squares (one real rank-k update of |A|² per frequency beside the complex one), so that
    /// snapshots carry standard errors; `fxs-bench c2` reports its cost (variance_cost_ratio).
    bool variance = true;

    /// n_max with −1 (or a value past the Nyquist frequency) resolved to nPhi / 2.
    int effectiveNMax() const { return (nMax < 0 || nMax > nPhi / 2) ? nPhi / 2 : nMax; }
};

/// Where an accumulator's thread spent its time, in seconds since construction or reset(); C2Pipeline sums its
/// workers' (C2Pipeline::timings) and `fxs-bench c2 --threads` reports them per thread count.
struct C2Timings {
    double prepare = 0; ///< frame checks, ring sums, δI and the mean image
    double fft = 0; ///< each shot's r2c, streamed into the batch
    double herk = 0; ///< the batches' rank-k updates (signal and squares)
    double masks = 0; ///< the weights' correlation (MaskSpectra), per shot and at folds
    double fold = 0; ///< folding the float partial sums, mean image and counts into the totals, waits included
    double lockWait = 0; ///< of `fold`: waiting for the sink's gate and frequency stripes
    double queueWait = 0; ///< C2Pipeline's workers: waiting for a frame on the empty queue
    std::int64_t folds = 0; ///< folds into the totals (an accumulator's own, or its part of a joint flush)

    C2Timings& operator+=(const C2Timings& o);
};

/// Double-precision totals shared by several accumulators (C2Pipeline's workers): each folds its float partial
/// sums in under the mutex, so N workers need one set of totals instead of N, and no merge at snapshot time.
/// Writers hold `gate` shared for a whole fold, so several workers fold at once (frequencies locked in stripes,
/// `mutex` for masks, mean image and counts); a reader holds `gate` exclusively and so only sees whole folds.
struct C2Sink {
    static constexpr int kStripes = 16;
    C2Sums sums;
    std::shared_mutex gate;
    std::mutex mutex;
    std::mutex stripes[kStripes];
    std::mutex maskStripes[kStripes];

    /// The lock of frequency n's signal matrices.
    std::mutex& stripe(int n) { return stripes[n % kStripes]; }
    /// The lock of frequency n's mask matrix in half h (workers update the masks side by side).
    std::mutex& maskStripe(int h, int n) { return maskStripes[(2 * n + h) % kStripes]; }
};

/// Streams polar frames into C2Sums: per shot the ring means and δI, then per batch one r2c FFT over φ
/// and one Hermitian rank-k update (?herk) per frequency, for the signal and for the weights, and (config.variance)
/// one real rank-k update (?syrk) of the spectra's |A|² per frequency for the squares.
/// Not thread-safe: use one per thread and merge (C2Pipeline does).
class C2Accumulator {
public:
    explicit C2Accumulator(const C2Config& config);
    /// An accumulator whose totals go into `sink` (shape set by the caller with C2Sums::zeros); its own sums()
    /// then stay empty. The sink must outlive the accumulator.
    C2Accumulator(const C2Config& config, C2Sink& sink);
    ~C2Accumulator();
    C2Accumulator(const C2Accumulator&) = delete;
    C2Accumulator& operator=(const C2Accumulator&) = delete;
    C2Accumulator(C2Accumulator&&) noexcept;
    C2Accumulator& operator=(C2Accumulator&&) noexcept;

    /// The effective configuration (nMax resolved).
    const C2Config& config() const;
    /// Adds one shot; its half is chosen by the parity of frame.shotIndex. A frame of the wrong shape, or with a
    /// non-finite intensity where its weight is > 0, or a weight outside [0, 1], is refused (nothing is added).
    /// Non-finite intensities under weight 0 are ignored (masked detector pixels are often NaN).
    Status add(const PolarFrame& frame);
    /// Processes the pending partial batches so that sums() (or the sink) includes every shot added.
    void flush();
    /// The double-precision sums (empty when a sink is used); call flush() first to include pending shots.
    const C2Sums& sums() const;
    /// Flushes and adds the sums of another accumulator (disjoint shots); refused when the shapes differ.
    Status merge(C2Accumulator& other);
    /// Adds sums (e.g. another rank's, or a checkpoint) into this accumulator; refused when the shapes differ.
    Status merge(const C2Sums& sums);
    /// Drops every shot, keeping the configuration.
    void reset();
    /// Shots added so far, including pending ones.
    std::int64_t shotsAdded() const;
    /// Where this accumulator's time went (not thread-safe: read it while nothing is added).
    const C2Timings& timings() const;

    /// Flushes accumulators that fold into one C2Sink (C2Pipeline's workers) together: their last batches side by
    /// side, then every one's float partial sums added into the double totals in a single pass over them, split by
    /// frequency over as many threads. Same sums as flushing each in turn, with one read-modify-write of the
    /// totals instead of one per accumulator (the totals are hundreds of MB: this pass is memory-bound).
    /// Accumulators of another kind (double precision, own sums, different sinks) are flushed one by one.
    static void flushTogether(const std::vector<C2Accumulator*>& accumulators);

    /// The checks add() makes (shape, weights in [0, 1], finite intensity where weighted), for other backends.
    static Status validate(const PolarFrame& frame, int nQ, int nPhi);

    struct Impl; ///< implementation detail (precision-specific batch engines derive from it)

private:
    std::unique_ptr<Impl> m_impl;
};

} // namespace fxs
