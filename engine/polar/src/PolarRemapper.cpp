#include <fxs/polar/PolarRemapper.h>

#include "RemapKernels.h"
#include "RemapTable.h"
#include "RemapWorkers.h"
#include <fxs/frames/FrameSource.h>

#include <chrono>
#include <cmath>
#include <deque>
#include <mutex>
#include <string>

namespace fxs {

namespace {

// Cache key: everything the table depends on. The mask is hashed (FNV-1a) rather than stored.
struct CacheKey {
    std::uint64_t geometry = 0;
    std::uint64_t mask = 0;
    PolarGrid grid;
    RemapOptions options;
    bool operator==(const CacheKey&) const = default;
};

struct Cache {
    static constexpr std::size_t kCapacity = 4; // a few geometries × grids; tables are ~10–40 MB each
    std::mutex mutex;
    std::deque<std::pair<CacheKey, std::shared_ptr<const RemapTable>>> entries; // most recent first
};

Cache& cache()
{
    static Cache c;
    return c;
}

std::uint64_t hashMask(const std::vector<std::uint8_t>& mask)
{
    std::uint64_t h = 1469598103934665603ULL;
    for (std::uint8_t v : mask) {
        h = (h ^ (v ? 1u : 0u)) * 1099511628211ULL;
    }
    return h;
}

// `workers` null: every block on the calling thread.
void applyAll(const RemapTable& t, RemapWorkers* workers, const Frame& f, PolarFrame& out)
{
    const RemapKernel kernel = activeRemapKernel();
    float* o = out.intensity.data();
    float* w = out.weight.data();
    if (workers == nullptr) {
        applyRemapRows(kernel, t, f.type, f.pixels.data(), 0, static_cast<std::uint32_t>(t.grid.size()), o, w);
        return;
    }
    const int nBlocks = static_cast<int>(t.blockStart.size()) - 1;
    workers->run(nBlocks,
        [&](int k) { applyRemapRows(kernel, t, f.type, f.pixels.data(), t.blockStart[k], t.blockStart[k + 1], o, w); });
}

} // namespace

Result<PolarRemapper> PolarRemapper::create(const DetectorGeometry& geometry, const PolarGrid& grid,
    const RemapOptions& options, const std::vector<std::uint8_t>& extraMask)
{
    if (!grid.valid()) {
        return Error { "polar grid: need nQ > 0, nPhi ≥ 4 and 0 ≤ qMin < qMax (got " + std::to_string(grid.nQ) + " × "
            + std::to_string(grid.nPhi) + ", q " + std::to_string(grid.qMinInvA) + " … " + std::to_string(grid.qMaxInvA)
            + " Å⁻¹)" };
    }
    if (geometry.panels().empty() || !(geometry.wavelengthA() > 0.0)) {
        return Error { "polar remap: the detector geometry has no panels or no photon energy" };
    }
    if (!extraMask.empty() && extraMask.size() != geometry.pixelCount()) {
        return Error { "polar remap: mask has " + std::to_string(extraMask.size()) + " pixels, the detector "
            + std::to_string(geometry.pixelCount()) + " (" + std::to_string(geometry.nSlow()) + " × "
            + std::to_string(geometry.nFast()) + ")" };
    }
    std::vector<std::uint8_t> mask = geometry.validMask();
    for (std::size_t i = 0; i < extraMask.size(); ++i) {
        mask[i] = mask[i] && extraMask[i];
    }
    RemapOptions keyOptions = options;
    keyOptions.threads = 0; // the table does not depend on the thread count
    const CacheKey key { geometry.fingerprint(), hashMask(mask), grid, keyOptions };

    PolarRemapper r;
    r.m_options = options;
    r.m_workers = std::make_shared<RemapWorkers>(options.threads);
    {
        std::lock_guard lock(cache().mutex);
        for (const auto& [k, table] : cache().entries) {
            if (k == key) {
                r.m_table = table;
                return r;
            }
        }
    }
    const auto t0 = std::chrono::steady_clock::now();
    auto built = RemapTable::build(geometry, grid, options, mask, *r.m_workers);
    if (!built) {
        return built.error();
    }
    r.m_table = *built;
    r.m_buildSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::lock_guard lock(cache().mutex);
    cache().entries.emplace_front(key, r.m_table);
    if (cache().entries.size() > Cache::kCapacity) {
        cache().entries.pop_back();
    }
    return r;
}

Result<PolarFrame> PolarRemapper::remap(const Frame& frame) const
{
    PolarFrame out;
    if (Status st = remapInto(frame, out); !st) {
        return Error { st.message() };
    }
    return out;
}

Status PolarRemapper::remapInto(const Frame& frame, PolarFrame& out) const
{
    return remapWith(frame, out, m_workers.get());
}

Status PolarRemapper::remapIntoAlone(const Frame& frame, PolarFrame& out) const
{
    return remapWith(frame, out, nullptr);
}

Status PolarRemapper::remapWith(const Frame& frame, PolarFrame& out, RemapWorkers* workers) const
{
    const RemapTable& t = *m_table;
    if (frame.nSlow != t.nSlow || frame.nFast != t.nFast
        || frame.pixels.size() != frame.size() * pixelSize(frame.type)) {
        return Error { "polar remap: frame " + std::to_string(frame.shotIndex) + " (" + frame.meta.origin + ") is "
            + std::to_string(frame.nSlow) + " × " + std::to_string(frame.nFast) + " " + pixelTypeName(frame.type)
            + ", the geometry expects " + std::to_string(t.nSlow) + " × " + std::to_string(t.nFast) };
    }
    const std::size_t nBins = static_cast<std::size_t>(t.grid.size());
    out.shotIndex = frame.shotIndex;
    out.nQ = t.grid.nQ;
    out.nPhi = t.grid.nPhi;
    out.intensity.resize(nBins);
    out.weight.resize(nBins);
    applyAll(t, workers, frame, out);
    return {};
}

const PolarGrid& PolarRemapper::grid() const { return m_table->grid; }
const RemapOptions& PolarRemapper::options() const { return m_options; }
int PolarRemapper::nSlow() const { return m_table->nSlow; }
int PolarRemapper::nFast() const { return m_table->nFast; }
std::span<const float> PolarRemapper::binWeight() const { return m_table->weight; }
std::span<const float> PolarRemapper::binPixelCount() const { return m_table->count; }
RemapCsr PolarRemapper::csr() const
{
    const RemapTable& t = *m_table;
    return { t.rowStart, t.pixel, std::span<const float>(t.coef).first(t.nonZeros()), t.weight };
}
std::vector<std::uint8_t> PolarRemapper::binsFedBy(const std::vector<std::uint8_t>& maskedPixels) const
{
    const RemapTable& t = *m_table;
    if (maskedPixels.size() != static_cast<std::size_t>(t.nSlow) * t.nFast) {
        return {};
    }
    const std::size_t nBins = t.rowStart.size() - 1;
    std::vector<std::uint8_t> fed(nBins, 0);
    for (std::size_t b = 0; b < nBins; ++b) {
        for (std::uint32_t k = t.rowStart[b]; k < t.rowStart[b + 1] && !fed[b]; ++k) {
            fed[b] = maskedPixels[t.pixel[k]] != 0 ? 1 : 0;
        }
    }
    return fed;
}

std::size_t PolarRemapper::nonZeros() const { return m_table->nonZeros(); }

const char* PolarRemapper::kernelName() { return remapKernelName(activeRemapKernel()); }

std::size_t PolarRemapper::cacheSize()
{
    std::lock_guard lock(cache().mutex);
    return cache().entries.size();
}

void PolarRemapper::clearCache()
{
    std::lock_guard lock(cache().mutex);
    cache().entries.clear();
}

} // namespace fxs
