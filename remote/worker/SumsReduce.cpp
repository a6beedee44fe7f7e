#include "SumsReduce.h"

#include <algorithm>
#include <chrono>
#include <complex>
#include <mutex>
#include <type_traits>
#include <cstdint>
#include <string>
#include <thread>
#include <utility>

namespace fxs::remote {

namespace {

// Doubles per MPI_Ireduce: 1 MB pieces, all in flight at once. Open MPI moves a non-blocking reduction one small
// step per test call; one 47 MB reduction tested once per shot took a whole round (~7,000 calls) to arrive, while 45
// pieces of 1 MB arrive in ~400 calls (well under a second of shots), so a checkpoint can follow within the round.
constexpr std::size_t kPiece = std::size_t { 1 } << 17;

// Copies the lower triangles (q ≥ q') of every frequency's matrix between `a` and `packed` (at `cursor`, advanced),
// as pairs of doubles.
template <class Sums, class Vec>
void packLower(const Sums& s, Vec& a, int freqs, std::vector<double>& packed, std::size_t& cursor, bool toPacked)
{
    for (int n = 0; n < freqs; ++n) {
        for (int q = 0; q < s.nQ; ++q) {
            // std::complex<double> is layout-compatible with double[2] (the standard guarantees it).
            auto* row = reinterpret_cast<std::conditional_t<std::is_const_v<Vec>, const double, double>*>(
                a.data() + s.at(n, q, 0));
            double* p = packed.data() + cursor;
            const std::size_t count = 2 * (static_cast<std::size_t>(q) + 1);
            if (toPacked) {
                std::copy(row, row + count, p);
            } else if constexpr (!std::is_const_v<Vec>) {
                std::copy(p, p + count, row);
            }
            cursor += count;
        }
    }
}

// The same for the real squares (C2Sums::squares); sums without them give (and, after the reduction, take) zeros.
template <class Sums> void packSquares(Sums& s, std::vector<double>& packed, std::size_t& cursor, bool toPacked)
{
    for (int n = 0; n < s.nFreq(); ++n) {
        for (int q = 0; q < s.nQ; ++q) {
            const std::size_t count = static_cast<std::size_t>(q) + 1;
            double* p = packed.data() + cursor;
            if (!s.squares.empty()) {
                auto* row = s.squares.data() + s.at(n, q, 0);
                if (toPacked) {
                    std::copy(row, row + count, p);
                } else if constexpr (!std::is_const_v<Sums>) {
                    std::copy(p, p + count, row);
                }
            } else if (toPacked) {
                std::fill(p, p + count, 0.0);
            }
            cursor += count;
        }
    }
}

template <class Vec> void copyDoubles(Vec& v, std::vector<double>& packed, std::size_t& cursor, bool toPacked)
{
    if (toPacked) {
        std::copy(v.begin(), v.end(), packed.begin() + static_cast<std::ptrdiff_t>(cursor));
    } else if constexpr (!std::is_const_v<Vec>) {
        std::copy(packed.begin() + static_cast<std::ptrdiff_t>(cursor),
            packed.begin() + static_cast<std::ptrdiff_t>(cursor + v.size()), v.begin());
    }
    cursor += v.size();
}

// Packing buffers kept between rounds: a fresh 100 MB vector per round costs its page faults every time (about
// 16 µs each on a 2-core VM, 0.4 s of system time per 100 MB). A rank holds at most two at once: the total the
// checkpoint writer still reads (root), and the next round's.
std::mutex g_poolMutex;
std::vector<std::vector<double>> g_pool;

std::vector<double> takeBuffer()
{
    const std::lock_guard lock(g_poolMutex);
    if (g_pool.empty()) {
        return {};
    }
    std::vector<double> v = std::move(g_pool.back());
    g_pool.pop_back();
    return v;
}

void giveBack(std::vector<double>& v)
{
    const std::lock_guard lock(g_poolMutex);
    if (g_pool.size() < 3 && v.capacity() > 0) {
        g_pool.push_back(std::move(v));
    }
    v = {};
}

// A packed total shared with the writer: its buffer returns to the pool with the last reference.
std::shared_ptr<const std::vector<double>> shareBuffer(std::vector<double>&& v)
{
    return std::shared_ptr<const std::vector<double>>(
        new std::vector<double>(std::move(v)), [](const std::vector<double>* p) {
            auto* owned = const_cast<std::vector<double>*>(p);
            giveBack(*owned);
            delete owned;
        });
}

// Everything a reduction sums, in one order: only the lower triangles of the signal and mask matrices hold sums
// (C2Sums), about half of the arrays' bytes and of the reduction's time; then the squares' lower triangles, the image
// sums, the shot counts and the number of shots whose sums came without squares. Every rank packs the squares (zeros
// when it has none), so that the buffers agree whatever each rank holds; the total keeps them only when no rank's
// shots lacked them (C2Sums::merge's rule).
template <class Sums> void pack(Sums& s, std::vector<double>& packed, bool toPacked)
{
    const std::size_t triangle = static_cast<std::size_t>(s.nQ) * (s.nQ + 1) / 2;
    if (toPacked) {
        packed.resize(4 * triangle * static_cast<std::size_t>(s.nFreq() + s.nFreqMask())
            + triangle * static_cast<std::size_t>(s.nFreq()) + s.weightedIntensity.size() + s.weightSum.size() + 3);
    } else if constexpr (!std::is_const_v<Sums>) {
        if (s.squares.empty()) {
            s.squares.assign(static_cast<std::size_t>(s.nFreq()) * s.nQ * s.nQ, 0.0);
        }
    }
    std::size_t cursor = 0;
    for (int h = 0; h < 2; ++h) {
        packLower(s, s.signal[h], s.nFreq(), packed, cursor, toPacked);
        packLower(s, s.mask[h], s.nFreqMask(), packed, cursor, toPacked);
    }
    packSquares(s, packed, cursor, toPacked);
    copyDoubles(s.weightedIntensity, packed, cursor, toPacked);
    copyDoubles(s.weightSum, packed, cursor, toPacked);
    // Shot counts as doubles: exact up to 2^53 shots.
    if (toPacked) {
        packed[cursor] = static_cast<double>(s.shots[0]);
        packed[cursor + 1] = static_cast<double>(s.shots[1]);
        packed[cursor + 2] = s.hasVariance() ? 0.0 : static_cast<double>(s.totalShots());
    } else if constexpr (!std::is_const_v<Sums>) {
        s.shots[0] = static_cast<std::int64_t>(packed[cursor]);
        s.shots[1] = static_cast<std::int64_t>(packed[cursor + 1]);
        if (packed[cursor + 2] > 0.0) {
            s.squares = {}; // some rank's shots have no squares: no standard errors for the total
        }
    }
}

} // namespace

void PackedSums::unpackInto(C2Sums& sums) const
{
    if (empty()) {
        return;
    }
    const std::size_t mat = static_cast<std::size_t>(shape.nQ) * shape.nQ;
    const bool sized = sums.nQ == shape.nQ && sums.nPhi == shape.nPhi && sums.nMax == shape.nMax
        && sums.ringMeanSubtracted == shape.ringMeanSubtracted && sums.signal[0].size() == mat * shape.nFreq()
        && sums.mask[0].size() == mat * shape.nFreqMask()
        && sums.weightSum.size() == static_cast<std::size_t>(shape.nQ) * shape.nPhi;
    if (!sized) {
        sums = C2Sums::zeros(shape.nQ, shape.nPhi, shape.nMax, shape.ringMeanSubtracted, true);
    }
    std::vector<double>& packed = const_cast<std::vector<double>&>(*values); // read only: pack(…, false) reads it
    pack(sums, packed, false);
}

C2Sums PackedSums::toSums() const
{
    C2Sums s;
    unpackInto(s);
    return s;
}

SumsReduction::SumsReduction(int root, MPI_Comm comm)
    : m_root(root)
{
    MPI_Comm_rank(comm, &m_rank);
    MPI_Comm_size(comm, &m_size);
}

std::unique_ptr<SumsReduction> SumsReduction::start(C2Pipeline& pipeline, int root, MPI_Comm comm)
{
    std::unique_ptr<SumsReduction> r(new SumsReduction(root, comm));
    pipeline.readSums([&](const C2Sums& sums) {
        r->m_shape.nQ = sums.nQ;
        r->m_shape.nPhi = sums.nPhi;
        r->m_shape.nMax = sums.nMax;
        r->m_shape.ringMeanSubtracted = sums.ringMeanSubtracted;
        r->m_send = takeBuffer();
        pack(sums, r->m_send, true);
    });
    if (r->m_size == 1) {
        return r; // the packed sums are the total already: nothing to send
    }
    // The root's total arrives in place of its own part: one buffer there too.
    for (std::size_t off = 0; off < r->m_send.size(); off += kPiece) {
        const int n = static_cast<int>(std::min(kPiece, r->m_send.size() - off));
        MPI_Request q = MPI_REQUEST_NULL;
        double* mine = r->m_send.data() + off;
        if (r->m_rank == root) {
            MPI_Ireduce(MPI_IN_PLACE, mine, n, MPI_DOUBLE, MPI_SUM, root, comm, &q);
        } else {
            MPI_Ireduce(mine, nullptr, n, MPI_DOUBLE, MPI_SUM, root, comm, &q);
        }
        r->m_requests.push_back(q);
    }
    return r;
}

SumsReduction::~SumsReduction()
{
    if (!m_requests.empty()) {
        MPI_Waitall(static_cast<int>(m_requests.size()), m_requests.data(), MPI_STATUSES_IGNORE);
    }
}

bool SumsReduction::progress()
{
    int done = 1;
    if (!m_requests.empty()) {
        MPI_Testall(static_cast<int>(m_requests.size()), m_requests.data(), &done, MPI_STATUSES_IGNORE);
    }
    return done != 0;
}

PackedSums SumsReduction::finish()
{
    MPI_Waitall(static_cast<int>(m_requests.size()), m_requests.data(), MPI_STATUSES_IGNORE);
    m_requests.clear();
    PackedSums total;
    if (m_rank == m_root) {
        total.shape = m_shape;
        total.values = shareBuffer(std::move(m_send));
    }
    giveBack(m_send);
    return total;
}

void gatherRejected(std::vector<RejectedShot>& mine, std::vector<RejectedShot>& out, int root, MPI_Comm comm)
{
    int rank = 0, size = 1;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    // One text per rank, "shot\treason\n" lines (reasons hold no newline): a single Gatherv, whatever the count.
    std::string text;
    for (const auto& r : mine) {
        text += std::to_string(r.shot) + '\t' + r.reason + '\n';
    }
    mine.clear();
    int len = static_cast<int>(text.size());
    std::vector<int> lens(rank == root ? size : 0), offsets(lens.size());
    MPI_Gather(&len, 1, MPI_INT, lens.data(), 1, MPI_INT, root, comm);
    std::string all;
    if (rank == root) {
        for (int k = 0, off = 0; k < size; off += lens[k], ++k) {
            offsets[k] = off;
        }
        all.resize(static_cast<std::size_t>(offsets.empty() ? 0 : offsets.back() + lens.back()));
    }
    MPI_Gatherv(text.data(), len, MPI_CHAR, all.data(), lens.data(), offsets.data(), MPI_CHAR, root, comm);
    for (std::size_t pos = 0; pos < all.size();) {
        const std::size_t tab = all.find('\t', pos), end = all.find('\n', pos);
        out.push_back({ std::stoll(all.substr(pos, tab - pos)), all.substr(tab + 1, end - tab - 1) });
        pos = end + 1;
    }
}

void gatherIds(std::vector<std::int64_t>& mine, std::vector<std::int64_t>& out, int root, MPI_Comm comm)
{
    int rank = 0, size = 1;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    int len = static_cast<int>(mine.size());
    std::vector<int> lens(rank == root ? size : 0), offsets(lens.size());
    MPI_Gather(&len, 1, MPI_INT, lens.data(), 1, MPI_INT, root, comm);
    std::vector<std::int64_t> all;
    if (rank == root) {
        for (int k = 0, off = 0; k < size; off += lens[k], ++k) {
            offsets[k] = off;
        }
        all.resize(static_cast<std::size_t>(offsets.empty() ? 0 : offsets.back() + lens.back()));
    }
    MPI_Gatherv(mine.data(), len, MPI_INT64_T, all.data(), lens.data(), offsets.data(), MPI_INT64_T, root, comm);
    mine.clear();
    out.insert(out.end(), all.begin(), all.end());
}

std::vector<std::int64_t> gatherValues(const std::vector<std::int64_t>& mine, int root, MPI_Comm comm)
{
    std::vector<std::int64_t> copy = mine, all;
    gatherIds(copy, all, root, comm);
    return all;
}

void sleepingBarrier(MPI_Comm comm)
{
    MPI_Request req = MPI_REQUEST_NULL;
    MPI_Ibarrier(comm, &req);
    int done = 0;
    MPI_Test(&req, &done, MPI_STATUS_IGNORE);
    while (!done) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        MPI_Test(&req, &done, MPI_STATUS_IGNORE);
    }
}

} // namespace fxs::remote
