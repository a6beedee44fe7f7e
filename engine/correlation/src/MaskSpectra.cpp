#include <fxs/correlation/MaskSpectra.h>

#include <fxs/core/ParallelRange.h>
#include "RowKernels.h"

#include <cmath>
#include <shared_mutex>

namespace fxs::detail {

MaskSpectra::MaskSpectra(int nQ, int nPhi, int capacity)
    : m_nQ(nQ)
    , m_nPhi(nPhi)
    , m_pad((nPhi + 7) / 8 * 8)
    , m_cap(capacity)
    , m_slab(frequencyStride<std::complex<double>>(static_cast<std::size_t>(capacity) * nQ))
    , m_in(static_cast<std::size_t>(capacity) * nQ * m_pad)
    , m_out(static_cast<std::size_t>(nPhi / 2 + 1) * m_slab)
{
    // One per half: flush() may transform the halves on two threads. Rows are m_pad apart, so all are aligned.
    for (auto& t : m_transform) {
        t = std::make_unique<RowTransform<double>>(nQ, nPhi, m_pad, nPhi / 2 + 1, m_in.data());
    }
}

MaskSpectra::~MaskSpectra() = default;

void MaskSpectra::add(const PolarFrame& f, int h, C2Sums& sums, C2Sink* sink)
{
    if (sameBits(m_last[h], f.weight) && repeatLast(h)) {
        return;
    }
    if (static_cast<int>(m_mult[0].size() + m_mult[1].size()) == m_cap) {
        auto gate = sink ? std::shared_lock(sink->gate) : std::shared_lock<std::shared_mutex>();
        flush(sums, sink);
    }
    const int d = static_cast<int>(m_mult[h].size());
    const int row = h == 0 ? d : m_cap - 1 - d;
    double* dst = m_in.data() + static_cast<std::size_t>(row) * m_nQ * m_pad;
    for (int q = 0; q < m_nQ; ++q) {
        for (int p = 0; p < m_nPhi; ++p) {
            dst[static_cast<std::size_t>(q) * m_pad + p] = f.weight[f.at(q, p)];
        }
    }
    m_mult[h].push_back(1);
    m_last[h] = f.weight;
}

bool MaskSpectra::repeatLast(int h)
{
    if (m_mult[h].empty()) {
        return false;
    }
    ++m_mult[h].back();
    return true;
}

void MaskSpectra::addRepeated(const PolarFrame& f, int h, long long count, C2Sums& sums, C2Sink* sink)
{
    if (count <= 0) {
        return;
    }
    add(f, h, sums, sink);
    m_mult[h].back() += count - 1;
}

void MaskSpectra::absorb(MaskSpectra& other)
{
    for (int h = 0; h < 2; ++h) {
        if (m_mult[h].empty() || other.m_mult[h].size() != 1 || !sameBits(m_last[h], other.m_last[h])) {
            continue;
        }
        m_mult[h].back() += other.m_mult[h].front();
        other.m_mult[h].clear();
        other.m_last[h].clear();
    }
}

void MaskSpectra::flush(C2Sums& sums, C2Sink* sink, bool bothHalvesAtOnce)
{
    // The halves use disjoint rows of the scratch arrays and update disjoint totals.
    const bool both = bothHalvesAtOnce && !m_mult[0].empty() && !m_mult[1].empty();
    parallelChunks(2, both ? 2 : 1, [&](std::size_t, std::size_t begin, std::size_t end) {
        for (std::size_t h = begin; h < end; ++h) {
            flushHalf(static_cast<int>(h), sums, sink);
        }
    });
}

void MaskSpectra::flushHalf(int h, C2Sums& sums, C2Sink* sink)
{
    auto& mult = m_mult[h];
    const int distinct = static_cast<int>(mult.size());
    if (distinct == 0) {
        return;
    }
    for (int d = 0; d < distinct; ++d) {
        const int row = h == 0 ? d : m_cap - 1 - d;
        double* r = m_in.data() + static_cast<std::size_t>(row) * m_nQ * m_pad;
        if (distinct > 1) {
            // Σ_d m_d W_d W_dᴴ as one rank-k update of the rows scaled by √m_d.
            const double scale = std::sqrt(static_cast<double>(mult[d]));
            for (std::size_t i = 0; i < static_cast<std::size_t>(m_nQ) * m_pad; ++i) {
                r[i] *= scale;
            }
        }
        (*m_transform[h])(r, m_out.data(), m_slab, row);
    }
    const double alpha = distinct == 1 ? static_cast<double>(mult[0]) : 1.0;
    const std::size_t first = static_cast<std::size_t>(h == 0 ? 0 : m_cap - distinct) * m_nQ;
    // Frequency by frequency under its own lock, from a frequency of our own, so that workers updating their masks
    // at once rarely wait for each other (the transforms above need no lock).
    const int nF = sums.nFreqMask();
    const int start = ownStart(this, nF);
    for (int i = 0; i < nF; ++i) {
        const int n = (start + i) % nF;
        auto lock = sink ? std::unique_lock(sink->maskStripe(h, n)) : std::unique_lock<std::mutex>();
        K::herk(m_nQ, distinct, alpha, m_out.data() + n * m_slab + first, 1.0,
            sums.mask[h].data() + static_cast<std::size_t>(n) * m_nQ * m_nQ);
    }
    mult.clear();
    m_last[h].clear();
}

void MaskSpectra::reset()
{
    for (int h = 0; h < 2; ++h) {
        m_mult[h].clear();
        m_last[h].clear();
    }
}

} // namespace fxs::detail
