#pragma once

// The pair loop of C2Snapshot::compute, one object per thread: private to the correlation stage.

#include "LineFft.h"
#include "Pearson.h"

#include <atomic>
#include <complex>
#include <fxs/correlation/C2Snapshot.h>
#include <vector>

namespace fxs::detail {

// Spectra of the (ring-mean-subtracted) mean image and of its validity, per q.
struct MeanImageSpectra {
    std::vector<std::complex<double>> mu, valid; // nQ × (nPhi/2 + 1)
};

// The (q, q') pairs of a snapshot as one thread computes them: rows are taken from a shared counter, each pair's
// normalised C2 is written into the snapshot and mirrored, and the split-half sums are kept per row.
class SnapshotPairWorker {
public:
    // `snap` has its shape, zeroed arrays and mask threshold; `thrHalf` are the halves' mask thresholds.
    SnapshotPairWorker(const C2Sums& s, const SnapshotOptions& o, const MeanImageSpectra& mean, const double thrHalf[2],
        C2Snapshot& snap);

    // Computes rows until none is left: they are taken from the longest (q = nQ − 1) down, so threads end together.
    void run(std::atomic<int>& nextRow);
    // The split-half sums of each row q (after run()).
    std::vector<Pearson> takeRows() { return std::move(m_rows); }

private:
    using cd = std::complex<double>;
    static constexpr int kBlock = 32; // pairs gathered at once: 4 × 32 × (nPhi/2 + 1) spectra, ~260 kB at nPhi 256

    void pair(int q, int qp);
    void gatherBlock(int q, int qp);
    void correlations(int inBlock);
    void interShotTerm(int q, int qp);
    Pearson normalise(int q, int qp, std::size_t base);
    void fourier(int q, int qp, std::size_t base);
    void stdError(int q, int qp, int inBlock, std::size_t base);
    void mirror(int q, int qp, std::size_t base);

    const C2Sums& m_s;
    const SnapshotOptions& m_o;
    const MeanImageSpectra& m_mean;
    const double m_thrHalf[2];
    C2Snapshot& m_snap;
    const int m_n, m_nF;
    LineFft m_fft;
    std::vector<double> m_sig[2], m_msk[2]; // the pair's signal and mask correlation over Δ, per half
    std::vector<double> m_interNum, m_interDen; // the mean image's correlation and its validity's, over Δ
    std::vector<cd> m_coeff;
    std::vector<cd> m_blockSig[2], m_blockMsk[2]; // the spectra of kBlock pairs of a row
    std::vector<double> m_blockSq; // their squares (C2Sums::squares), when standard errors are wanted
    std::vector<double> m_variance; // the pair's V_n, n = 0 … nPhi/2 (0 past nMax)
    std::vector<double> m_diagonal; // q = q': the inverse transform of V_n (0 < n < nPhi/2) over Δ
    std::vector<Pearson> m_rows;
};

} // namespace fxs::detail
