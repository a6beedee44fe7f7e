#include "RemapTable.h"

#include "RemapWorkers.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace fxs {

namespace {

constexpr double kTwoPi = 2.0 * std::numbers::pi;

struct Entry {
    std::uint32_t bin;
    std::uint32_t pixel;
    float frac; // share of the pixel's detector area in this bin
    float area; // frac × the pixel's area in (q, φ) space
};

// (q, φ) of lab positions and their bins (FXS_SPEC §1: q = 4π sin θ / λ, φ = atan2(y, x)).
struct BinLocator {
    PolarGrid g;
    double fourPiOverLambda = 0.0;
    double invDq = 0.0;
    double invDphi = 0.0;

    void qphi(const Vec3& r, double& q, double& phi) const
    {
        q = fourPiOverLambda * std::sin(0.5 * std::atan2(std::hypot(r[0], r[1]), r[2]));
        phi = std::atan2(r[1], r[0]);
        if (phi < 0.0) {
            phi += kTwoPi;
        }
    }
    int bin(double q, double phi) const
    {
        const double fq = (q - g.qMinInvA) * invDq;
        if (!(fq >= 0.0) || fq >= g.nQ) {
            return -1;
        }
        const int j = std::clamp(static_cast<int>(phi * invDphi), 0, g.nPhi - 1);
        return static_cast<int>(fq) * g.nPhi + j;
    }
};

double wrapPi(double a)
{
    while (a > std::numbers::pi) {
        a -= kTwoPi;
    }
    while (a <= -std::numbers::pi) {
        a += kTwoPi;
    }
    return a;
}

// Bins hit by the centres of s × s equal sub-pixels of the parallelogram c00 + a·du + b·dv, a, b ∈ [0, 1]:
// (bin, number of sub-pixels); a pixel meets only a few bins, so a short vector beats a map.
std::vector<std::pair<int, int>> subPixelHits(
    const Vec3& c00, const Vec3& du, const Vec3& dv, int s, const BinLocator& L)
{
    std::vector<std::pair<int, int>> hits;
    for (int j = 0; j < s; ++j) {
        const double b = (j + 0.5) / s;
        for (int i = 0; i < s; ++i) {
            const double a = (i + 0.5) / s;
            const Vec3 r { c00[0] + a * du[0] + b * dv[0], c00[1] + a * du[1] + b * dv[1],
                c00[2] + a * du[2] + b * dv[2] };
            double qs, phis;
            L.qphi(r, qs, phis);
            const int bin = L.bin(qs, phis);
            if (bin < 0) {
                continue;
            }
            auto it = std::find_if(hits.begin(), hits.end(), [&](const auto& h) { return h.first == bin; });
            if (it == hits.end()) {
                hits.emplace_back(bin, 1);
            } else {
                ++it->second;
            }
        }
    }
    return hits;
}

// One pixel's contributions. Split mode cuts the pixel into s × s sub-pixels (positions are affine in
// (fs, ss) on a flat panel, so sub-pixel centres are exact) and counts where their centres fall.
void mapPixel(const DetectorPanel& p, int ss, int fs, std::uint32_t idx, const BinLocator& L, const RemapOptions& opt,
    std::vector<Entry>& out)
{
    const Vec3 c00 = p.labPositionM(ss, fs);
    const Vec3 c10 = p.labPositionM(ss, fs + 1);
    const Vec3 c01 = p.labPositionM(ss + 1, fs);
    const Vec3 c11 = p.labPositionM(ss + 1, fs + 1);
    const Vec3 corners[4] = { c00, c10, c11, c01 };
    double qc, phic;
    L.qphi(p.labPositionM(ss + 0.5, fs + 0.5), qc, phic);
    double q[4], u[4]; // u: corner azimuth unwrapped around the centre's
    int bins[4];
    for (int k = 0; k < 4; ++k) {
        double phi;
        L.qphi(corners[k], q[k], phi);
        u[k] = phic + wrapPi(phi - phic);
        bins[k] = L.bin(q[k], phi);
    }
    // Shoelace area of the pixel's image in (q, φ), for the bin weights (capped at 1 there: a pixel
    // around the beam spans all φ).
    double area = 0.0;
    for (int k = 0; k < 4; ++k) {
        area += q[k] * u[(k + 1) % 4] - q[(k + 1) % 4] * u[k];
    }
    area = std::abs(0.5 * area);
    const double qLo = *std::min_element(q, q + 4), qHi = *std::max_element(q, q + 4);
    const int centreBin = L.bin(qc, phic);
    if (opt.mode == RemapMode::Nearest || opt.maxSubdivision <= 1) {
        if (centreBin >= 0) {
            out.push_back({ static_cast<std::uint32_t>(centreBin), idx, 1.0f, static_cast<float>(area) });
        }
        return;
    }
    if (qHi < L.g.qMinInvA || qLo >= L.g.qMaxInvA) {
        return;
    }
    if (centreBin >= 0 && std::all_of(bins, bins + 4, [&](int b) { return b == centreBin; })) {
        out.push_back({ static_cast<std::uint32_t>(centreBin), idx, 1.0f, static_cast<float>(area) });
        return;
    }
    const double uLo = *std::min_element(u, u + 4), uHi = *std::max_element(u, u + 4);
    const double extent = std::max((qHi - qLo) * L.invDq, (uHi - uLo) * L.invDphi);
    const int s = std::min(opt.maxSubdivision, std::max(4, static_cast<int>(std::ceil(8.0 * extent))));
    const Vec3 du { c10[0] - c00[0], c10[1] - c00[1], c10[2] - c00[2] };
    const Vec3 dv { c01[0] - c00[0], c01[1] - c00[1], c01[2] - c00[2] };
    const auto hits = subPixelHits(c00, du, dv, s, L);
    const double inv = 1.0 / (static_cast<double>(s) * s);
    for (const auto& [bin, n] : hits) {
        out.push_back(
            { static_cast<std::uint32_t>(bin), idx, static_cast<float>(n * inv), static_cast<float>(n * inv * area) });
    }
}

struct Task {
    int panel;
    int ss0;
    int ss1;
};

std::vector<Task> makeTasks(const DetectorGeometry& g)
{
    constexpr int kRows = 16;
    std::vector<Task> tasks;
    for (int i = 0; i < static_cast<int>(g.panels().size()); ++i) {
        const auto& p = g.panels()[i];
        for (int ss = p.minSs; ss <= p.maxSs; ss += kRows) {
            tasks.push_back({ i, ss, std::min(p.maxSs + 1, ss + kRows) });
        }
    }
    return tasks;
}

std::vector<float> pixelCorrection(const DetectorGeometry& g, const RemapOptions& opt)
{
    std::vector<float> c(g.pixelCount(), 1.0f);
    if (opt.solidAngleCorrection) {
        const auto omega = g.solidAngleFactor();
        for (std::size_t i = 0; i < c.size(); ++i) {
            c[i] /= omega[i];
        }
    }
    if (opt.polarisationCorrection) {
        const auto pol = g.polarisationFactor(opt.polarisationFraction, opt.polarisationAngleRad);
        for (std::size_t i = 0; i < c.size(); ++i) {
            c[i] /= pol[i];
        }
    }
    return c;
}

// Splits the bins into ranges of about equal work for the apply tasks.
std::vector<std::uint32_t> balanceBlocks(const std::vector<std::uint32_t>& rowStart, int nBlocks)
{
    const std::size_t nBins = rowStart.size() - 1;
    const double total = rowStart.back();
    std::vector<std::uint32_t> blocks { 0 };
    std::size_t b = 0;
    for (int k = 1; k < nBlocks; ++k) {
        const double target = total * k / nBlocks;
        while (b < nBins && rowStart[b] < target) {
            ++b;
        }
        if (b > blocks.back()) {
            blocks.push_back(static_cast<std::uint32_t>(b));
        }
    }
    if (blocks.back() != nBins) {
        blocks.push_back(static_cast<std::uint32_t>(nBins));
    }
    return blocks;
}

// Every valid pixel's contributions, in parallel over blocks of panel rows; one vector per block, in order.
std::vector<std::vector<Entry>> collectEntries(const DetectorGeometry& geometry, const BinLocator& L,
    const RemapOptions& options, const std::vector<std::uint8_t>& mask, RemapWorkers& workers)
{
    const std::vector<Task> tasks = makeTasks(geometry);
    std::vector<std::vector<Entry>> parts(tasks.size());
    workers.run(static_cast<int>(tasks.size()), [&](int k) {
        const Task& task = tasks[k];
        const auto& p = geometry.panels()[task.panel];
        for (int ss = task.ss0; ss < task.ss1; ++ss) {
            for (int fs = p.minFs; fs <= p.maxFs; ++fs) {
                const std::size_t idx = static_cast<std::size_t>(ss) * geometry.nFast() + fs;
                if (mask[idx]) {
                    mapPixel(p, ss, fs, static_cast<std::uint32_t>(idx), L, options, parts[k]);
                }
            }
        }
    });
    return parts;
}

// Row offsets of the CSR matrix: a counting sort by bin that keeps block order, so each row lists its
// pixels in slab order.
std::vector<std::uint32_t> rowOffsets(const std::vector<std::vector<Entry>>& parts, std::size_t nBins)
{
    std::vector<std::uint32_t> start(nBins + 1, 0);
    for (const auto& part : parts) {
        for (const Entry& e : part) {
            ++start[e.bin + 1];
        }
    }
    for (std::size_t b = 0; b < nBins; ++b) {
        start[b + 1] += start[b];
    }
    return start;
}

// Fills pixel, coef (normalised per row: the bin mean is one dot product), count and weight.
void fillRows(RemapTable& t, const std::vector<std::vector<Entry>>& parts, const std::vector<float>& corr)
{
    const std::size_t nBins = t.rowStart.size() - 1;
    t.pixel.resize(t.rowStart.back());
    t.coef.resize(t.rowStart.back());
    std::vector<double> count(nBins, 0.0), area(nBins, 0.0);
    std::vector<std::uint32_t> cursor(t.rowStart.begin(), t.rowStart.end() - 1);
    for (const auto& part : parts) {
        for (const Entry& e : part) {
            const std::uint32_t k = cursor[e.bin]++;
            t.pixel[k] = e.pixel;
            t.coef[k] = e.frac * corr[e.pixel];
            count[e.bin] += e.frac;
            area[e.bin] += e.area;
        }
    }
    const double binArea = t.grid.qStep() * t.grid.phiStep();
    t.weight.assign(nBins, 0.0f);
    t.count.assign(nBins, 0.0f);
    for (std::size_t b = 0; b < nBins; ++b) {
        t.count[b] = static_cast<float>(count[b]);
        t.weight[b] = static_cast<float>(std::min(1.0, area[b] / binArea));
        const double inv = count[b] > 0.0 ? 1.0 / count[b] : 0.0;
        for (std::uint32_t k = t.rowStart[b]; k < t.rowStart[b + 1]; ++k) {
            t.coef[k] = static_cast<float>(t.coef[k] * inv);
        }
    }
}

// Each row's runs of consecutive pixels, cut to at most 8 (the AVX2 kernel's load width), for slabs whose pixel
// index fits beside the length; larger slabs keep the CSR rows alone. The coefficients get 8 zeros of padding so that
// the last chunk's 8-wide coefficient load stays inside the vector.
void fillChunks(RemapTable& t)
{
    const std::size_t nPixels = static_cast<std::size_t>(t.nSlow) * t.nFast;
    t.coef.resize(t.rowStart.back() + 8, 0.0f);
    if (nPixels >= (std::size_t(1) << (32 - RemapTable::kChunkLenBits))) {
        return;
    }
    const std::size_t nBins = t.rowStart.size() - 1;
    constexpr std::uint32_t kMaxRun = RemapTable::kChunkLenMask + 1;
    t.chunkStart.assign(nBins + 1, 0);
    t.chunk.reserve(t.rowStart.back() / 4);
    for (std::size_t b = 0; b < nBins; ++b) {
        for (std::uint32_t k = t.rowStart[b]; k < t.rowStart[b + 1];) {
            std::uint32_t e = k + 1;
            while (e < t.rowStart[b + 1] && e - k < kMaxRun && t.pixel[e] == t.pixel[e - 1] + 1) {
                ++e;
            }
            t.chunk.push_back((t.pixel[k] << RemapTable::kChunkLenBits) | (e - k - 1));
            k = e;
        }
        t.chunkStart[b + 1] = static_cast<std::uint32_t>(t.chunk.size());
    }
    t.chunk.shrink_to_fit();
}

} // namespace

Result<std::shared_ptr<const RemapTable>> RemapTable::build(const DetectorGeometry& geometry, const PolarGrid& grid,
    const RemapOptions& options, const std::vector<std::uint8_t>& mask, RemapWorkers& workers)
{
    auto t = std::make_shared<RemapTable>();
    t->grid = grid;
    t->options = options;
    t->nSlow = geometry.nSlow();
    t->nFast = geometry.nFast();
    const BinLocator L { grid, 4.0 * std::numbers::pi / geometry.wavelengthA(), 1.0 / grid.qStep(),
        1.0 / grid.phiStep() };
    const auto parts = collectEntries(geometry, L, options, mask, workers);
    t->rowStart = rowOffsets(parts, static_cast<std::size_t>(grid.size()));
    if (t->rowStart.back() == 0) {
        return Error { "polar grid q " + std::to_string(grid.qMinInvA) + " … " + std::to_string(grid.qMaxInvA)
            + " Å⁻¹ contains no valid pixel of the detector" };
    }
    if (t->rowStart.back() > 0xFFFFFFF0u) {
        return Error { "polar remap: too many pixel → bin contributions for 32-bit offsets" };
    }
    fillRows(*t, parts, pixelCorrection(geometry, options));
    fillChunks(*t);
    t->blockStart = balanceBlocks(t->rowStart, 8 * workers.size());
    return std::shared_ptr<const RemapTable>(std::move(t));
}

} // namespace fxs
