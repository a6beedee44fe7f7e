#include "SnapshotPairWorker.h"

#include <algorithm>
#include <cmath>

namespace fxs::detail {

SnapshotPairWorker::SnapshotPairWorker(
    const C2Sums& s, const SnapshotOptions& o, const MeanImageSpectra& mean, const double thrHalf[2], C2Snapshot& snap)
    : m_s(s)
    , m_o(o)
    , m_mean(mean)
    , m_thrHalf { thrHalf[0], thrHalf[1] }
    , m_snap(snap)
    , m_n(s.nPhi)
    , m_nF(s.nPhi / 2 + 1)
    , m_fft(s.nPhi)
    , m_interNum(m_n)
    , m_interDen(m_n)
    , m_coeff(m_nF)
    , m_rows(static_cast<std::size_t>(s.nQ))
{
    if (snap.hasStdError()) {
        m_blockSq.resize(static_cast<std::size_t>(kBlock) * m_nF);
        m_variance.resize(m_nF);
        m_diagonal.resize(m_n);
    }
    for (int h = 0; h < 2; ++h) {
        m_sig[h].resize(m_n);
        m_msk[h].resize(m_n);
        m_blockSig[h].resize(static_cast<std::size_t>(kBlock) * m_nF);
        m_blockMsk[h].resize(static_cast<std::size_t>(kBlock) * m_nF);
    }
}

void SnapshotPairWorker::run(std::atomic<int>& nextRow)
{
    for (int r = nextRow++; r < m_s.nQ; r = nextRow++) {
        const int q = m_s.nQ - 1 - r;
        for (int qp = 0; qp <= q; ++qp) {
            pair(q, qp);
        }
    }
}

void SnapshotPairWorker::pair(int q, int qp)
{
    const int inBlock = qp % kBlock;
    if (inBlock == 0) {
        gatherBlock(q, qp);
    }
    correlations(inBlock);
    if (m_o.interShot) {
        interShotTerm(q, qp);
    }
    const std::size_t base = m_snap.at(q, qp, 0);
    const Pearson split = normalise(q, qp, base);
    if (m_o.fourier) {
        fourier(q, qp, base);
    }
    if (m_snap.hasStdError()) {
        stdError(q, qp, inBlock, base);
    }
    m_rows[static_cast<std::size_t>(q)].add(split);
    const double pairCC = split.value();
    m_snap.splitHalfCCPerPair[static_cast<std::size_t>(q) * m_s.nQ + qp] = pairCC;
    m_snap.splitHalfCCPerPair[static_cast<std::size_t>(qp) * m_s.nQ + q] = pairCC;
    if (qp != q) {
        m_rows[static_cast<std::size_t>(qp)].add(split); // the mirror pair has the same split-half pairs
        mirror(q, qp, base);
    }
}

// The sums are [n][q][q']: a pair's spectrum is a gather across frequencies. A block of the row's pairs is
// gathered at once, frequency by frequency along contiguous q'.
void SnapshotPairWorker::gatherBlock(int q, int qp)
{
    const cd zero {};
    const int count = std::min(kBlock, q + 1 - qp);
    for (int n = 0; n < m_nF; ++n) {
        for (int h = 0; h < 2; ++h) {
            const cd* srcSig = n <= m_s.nMax ? m_s.signal[h].data() + m_s.at(n, q, qp) : nullptr;
            const cd* srcMsk = m_s.mask[h].data() + m_s.at(n, q, qp);
            for (int j = 0; j < count; ++j) {
                m_blockSig[h][static_cast<std::size_t>(j) * m_nF + n] = srcSig ? srcSig[j] : zero;
                m_blockMsk[h][static_cast<std::size_t>(j) * m_nF + n] = srcMsk[j];
            }
        }
        if (!m_blockSq.empty()) {
            const double* src = n <= m_s.nMax ? m_s.squares.data() + m_s.at(n, q, qp) : nullptr;
            for (int j = 0; j < count; ++j) {
                m_blockSq[static_cast<std::size_t>(j) * m_nF + n] = src ? src[j] : 0.0;
            }
        }
    }
}

// Signal and mask correlation of the block's pair `inBlock` over Δ, per half.
void SnapshotPairWorker::correlations(int inBlock)
{
    for (int h = 0; h < 2; ++h) {
        const cd* sp = m_blockSig[h].data() + static_cast<std::size_t>(inBlock) * m_nF;
        const cd* mp = m_blockMsk[h].data() + static_cast<std::size_t>(inBlock) * m_nF;
        m_fft.inverse([sp](int n) { return sp[n]; }, m_sig[h].data());
        m_fft.inverse([mp](int n) { return mp[n]; }, m_msk[h].data());
    }
}

// Correlation of the mean image (numerator) and of its validity (denominator) over Δ.
void SnapshotPairWorker::interShotTerm(int q, int qp)
{
    const cd zero {};
    const int nMax = m_s.nMax;
    const cd* a = m_mean.mu.data() + static_cast<std::size_t>(q) * m_nF;
    const cd* b = m_mean.mu.data() + static_cast<std::size_t>(qp) * m_nF;
    const cd* va = m_mean.valid.data() + static_cast<std::size_t>(q) * m_nF;
    const cd* vb = m_mean.valid.data() + static_cast<std::size_t>(qp) * m_nF;
    m_fft.inverse([&](int n) { return n <= nMax ? std::conj(a[n]) * b[n] : zero; }, m_interNum.data());
    m_fft.inverse([&](int n) { return std::conj(va[n]) * vb[n]; }, m_interDen.data());
}

// c2 = signal / mask where the mask correlation is above the threshold, its flag, the inter-shot term; returns
// the pair's split-half sums.
Pearson SnapshotPairWorker::normalise(int q, int qp, std::size_t base)
{
    const int N = m_n;
    C2Snapshot& snap = m_snap;
    const auto& sig = m_sig;
    const auto& msk = m_msk;
    Pearson pair;
    for (int k = 0; k < N; ++k) {
        const double m = msk[0][k] + msk[1][k];
        snap.maskCorrelation[base + k] = m;
        if (!(m > snap.maskThreshold)) {
            continue;
        }
        const double c = (sig[0][k] + sig[1][k]) / m;
        snap.c2[base + k] = c;
        const bool self = (q == qp && k == 0);
        snap.flags[base + k] = self ? C2Snapshot::SelfTerm : C2Snapshot::Valid;
        if (m_o.interShot) {
            // Valid pixel pairs of the mean image, a count ≥ 1 where any (the spectra carry 1/N each).
            const double inter = m_interDen[k] * N * N > 0.5 ? m_interNum[k] / m_interDen[k] : 0.0;
            snap.c2Inter[base + k] = inter;
            snap.c2Difference[base + k] = c - inter;
        }
        if (m_o.splitHalf && !self && msk[0][k] > m_thrHalf[0] && msk[1][k] > m_thrHalf[1]) {
            pair.add(sig[0][k] / msk[0][k], sig[1][k] / msk[1][k]);
        }
    }
    return pair;
}

// C_n(q, q') of the pair's normalised C2, n = 0 … nMax.
void SnapshotPairWorker::fourier(int q, int qp, std::size_t base)
{
    m_fft.forward(m_snap.c2.data() + base, m_coeff.data(), m_nF);
    for (int n = 0; n <= m_s.nMax; ++n) {
        m_snap.fourier[m_snap.atFourier(n, q, qp)] = m_coeff[n];
    }
}

// Standard errors of the pair's C_n and c2 (the estimator and its assumptions: C2Snapshot::c2StdError).
void SnapshotPairWorker::stdError(int q, int qp, int inBlock, std::size_t base)
{
    const double shots = static_cast<double>(m_s.totalShots());
    const std::size_t row = static_cast<std::size_t>(inBlock) * m_nF;
    double u = 0.0; // Σ_n mult_n V_n: the variance of nPhi Σ_j X_j(Δ) for phase-symmetric products
    for (int n = 0; n < m_nF; ++n) {
        const cd sum = m_blockSig[0][row + n] + m_blockSig[1][row + n];
        const double v = std::max(0.0, (m_blockSq[row + n] - std::norm(sum) / shots) * shots / (shots - 1.0));
        m_variance[static_cast<std::size_t>(n)] = v;
        u += (n == 0 || 2 * n == m_n) ? v : 2.0 * v;
    }
    // Mean mask correlation over every Δ (M̄), and ⟨1/M⟩ over Δ with masked bins as 0 (they are 0 in c2).
    double meanMask = 0.0, meanInverse = 0.0;
    for (int k = 0; k < m_n; ++k) {
        const double m = m_snap.maskCorrelation[base + k];
        meanMask += m;
        meanInverse += m_snap.flags[base + k] == C2Snapshot::Masked ? 0.0 : 1.0 / m;
    }
    meanMask /= m_n;
    meanInverse /= m_n;
    for (int n = 0; n <= m_s.nMax; ++n) {
        m_snap.fourierStdError[m_snap.atFourier(n, q, qp)] = std::sqrt(m_variance[static_cast<std::size_t>(n)])
            * meanInverse / m_n;
    }
    if (q == qp) {
        // Real products: Var Re(P_n e^{inΔ}) = V_n cos² nΔ = V_n (1 + cos 2nΔ) / 2. inverse() gives
        // (2/nPhi) Σ_{0<n<nPhi/2} V_n cos nΔ', read at Δ' = 2Δ.
        const std::vector<double>& v = m_variance;
        m_fft.inverse([&](int n) { return (n == 0 || 2 * n == m_n) ? cd {} : cd(v[static_cast<std::size_t>(n)]); },
            m_diagonal.data());
    }
    for (int k = 0; k < m_n; ++k) {
        if (m_snap.flags[base + k] == C2Snapshot::Masked) {
            continue;
        }
        const double uk = q == qp ? u + m_n * m_diagonal[static_cast<std::size_t>((2 * k) % m_n)] : u;
        const double pairs = meanMask * m_snap.maskCorrelation[base + k];
        m_snap.c2StdError[base + k] = std::sqrt(std::max(0.0, uk) / pairs) / m_n;
    }
}

// C2(q', q, Δ) = C2(q, q', −Δ) for real intensities.
void SnapshotPairWorker::mirror(int q, int qp, std::size_t base)
{
    const int N = m_n;
    C2Snapshot& snap = m_snap;
    const std::size_t mirrorBase = snap.at(qp, q, 0);
    for (int k = 0; k < N; ++k) {
        const std::size_t from = base + k, to = mirrorBase + (N - k) % N;
        snap.maskCorrelation[to] = snap.maskCorrelation[from];
        snap.c2[to] = snap.c2[from];
        snap.flags[to] = snap.flags[from];
        if (m_o.interShot) {
            snap.c2Inter[to] = snap.c2Inter[from];
            snap.c2Difference[to] = snap.c2Difference[from];
        }
        if (snap.hasStdError()) {
            snap.c2StdError[to] = snap.c2StdError[from];
        }
    }
}

} // namespace fxs::detail
