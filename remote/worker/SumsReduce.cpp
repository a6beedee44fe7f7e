#include "SumsReduce.h"

#include <algorithm>
#include <chrono>
#include <complex>
#include <cstdint>
#include <string>
#include <thread>

namespace fxs::remote {

namespace {

void reduceDoubles(double* data, std::size_t count, int root, MPI_Comm comm)
{
    int rank = 0;
    MPI_Comm_rank(comm, &rank);
    constexpr std::size_t kPiece = std::size_t { 1 } << 26; // 512 MiB of doubles, far below INT_MAX
    for (std::size_t off = 0; off < count; off += kPiece) {
        const int n = static_cast<int>(std::min(kPiece, count - off));
        if (rank == root) {
            MPI_Reduce(MPI_IN_PLACE, data + off, n, MPI_DOUBLE, MPI_SUM, root, comm);
        } else {
            MPI_Reduce(data + off, nullptr, n, MPI_DOUBLE, MPI_SUM, root, comm);
        }
    }
}

void reduceComplex(std::vector<std::complex<double>>& v, int root, MPI_Comm comm)
{
    // std::complex<double> is layout-compatible with double[2] (the standard guarantees it).
    reduceDoubles(reinterpret_cast<double*>(v.data()), v.size() * 2, root, comm);
}

// Copies the lower triangles (q ≥ q') of every frequency's matrix between `a` and `packed` (at `cursor`, advanced).
void packLower(const C2Sums& s, std::vector<std::complex<double>>& a, int freqs,
    std::vector<std::complex<double>>& packed, std::size_t& cursor, bool toPacked)
{
    for (int n = 0; n < freqs; ++n) {
        for (int q = 0; q < s.nQ; ++q) {
            std::complex<double>* row = a.data() + s.at(n, q, 0);
            std::complex<double>* p = packed.data() + cursor;
            toPacked ? std::copy(row, row + q + 1, p) : std::copy(p, p + q + 1, row);
            cursor += static_cast<std::size_t>(q) + 1;
        }
    }
}

} // namespace

void reduceSums(C2Sums& sums, int root, MPI_Comm comm)
{
    int rank = 0;
    MPI_Comm_rank(comm, &rank);
    // MPI_Reduce only reads the send buffer: non-root ranks keep their own sums unchanged.
    C2Sums& s = sums;
    // Only the lower triangles (q ≥ q') of the signal and mask matrices hold sums (C2Sums), so those are packed
    // and reduced: about half of the arrays' bytes, and the reduction's time with them.
    const std::size_t triangle = static_cast<std::size_t>(s.nQ) * (s.nQ + 1) / 2;
    std::vector<std::complex<double>> packed(2 * triangle * static_cast<std::size_t>(s.nFreq() + s.nFreqMask()));
    const auto pack = [&](bool toPacked) {
        std::size_t cursor = 0;
        for (int h = 0; h < 2; ++h) {
            packLower(s, s.signal[h], s.nFreq(), packed, cursor, toPacked);
            packLower(s, s.mask[h], s.nFreqMask(), packed, cursor, toPacked);
        }
    };
    pack(true);
    reduceComplex(packed, root, comm);
    if (rank == root) {
        pack(false);
    }
    reduceDoubles(s.weightedIntensity.data(), s.weightedIntensity.size(), root, comm);
    reduceDoubles(s.weightSum.data(), s.weightSum.size(), root, comm);
    std::int64_t shots[2] = { s.shots[0], s.shots[1] };
    if (rank == root) {
        MPI_Reduce(MPI_IN_PLACE, shots, 2, MPI_INT64_T, MPI_SUM, root, comm);
        s.shots[0] = shots[0];
        s.shots[1] = shots[1];
    } else {
        MPI_Reduce(shots, nullptr, 2, MPI_INT64_T, MPI_SUM, root, comm);
    }
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

std::vector<std::int64_t> gatherCounts(std::int64_t mine, int root, MPI_Comm comm)
{
    int rank = 0, size = 1;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    std::vector<std::int64_t> all(rank == root ? size : 0);
    MPI_Gather(&mine, 1, MPI_INT64_T, all.data(), 1, MPI_INT64_T, root, comm);
    return all;
}

std::vector<std::int64_t> gatherValues(const std::vector<std::int64_t>& mine, int root, MPI_Comm comm)
{
    int rank = 0, size = 1;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    const int len = static_cast<int>(mine.size());
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
