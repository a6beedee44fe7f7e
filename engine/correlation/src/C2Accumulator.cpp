#include <fxs/correlation/C2Accumulator.h>

#include <fxs/correlation/FftKernels.h>
#include <fxs/correlation/MaskSpectra.h>
#include <fxs/core/ParallelRange.h>
#include "RowKernels.h"
#include <fxs/correlation/RowTransform.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <complex>
#include <cstdint>
#include <optional>
#include <string>

namespace fxs {

using detail::AlignedArray;
using detail::Kernels;

namespace {

int roundUp(int v, int m) { return (v + m - 1) / m * m; }

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// Adds the seconds between its construction and its destruction to a C2Timings field.
class Stopwatch {
public:
    explicit Stopwatch(double& into)
        : m_into(into)
        , m_t0(Clock::now())
    {
    }
    ~Stopwatch() { m_into += since(m_t0); }
    Stopwatch(const Stopwatch&) = delete;
    Stopwatch& operator=(const Stopwatch&) = delete;

private:
    double& m_into;
    Clock::time_point m_t0;
};

// A lock taken by `take`, the wait for it added to `waited`.
template <class Take> auto timedLock(double& waited, Take&& take)
{
    const auto t0 = Clock::now();
    auto lock = take();
    waited += since(t0);
    return lock;
}

C2Config resolve(C2Config c)
{
    c.nQ = std::max(1, c.nQ);
    c.nPhi = std::max(4, c.nPhi);
    c.nMax = c.effectiveNMax();
    c.batchShots = std::max(1, c.batchShots);
    c.foldShots = std::max(c.batchShots, c.foldShots);
    return c;
}

} // namespace

struct C2Accumulator::Impl {
    virtual ~Impl() = default;
    virtual Status add(const PolarFrame& f) = 0;
    virtual void flush() = 0;
    virtual void reset() = 0;
    /// Rank-k updates of the partial batch, without folding (flushTogether folds).
    virtual void flushBatches() = 0;
    /// Single precision: the float partial sums of half h not yet folded (lower triangles, [n][q][q]), else null.
    virtual const std::complex<float>* pendingSignal(int h) const = 0;
    /// Single precision: the float partial squares not yet folded, else null.
    virtual const float* pendingSquares() const = 0;
    /// Everything a fold moves besides the signal sums; the caller holds the sink's gate and has folded those.
    /// `spareThreads`: the caller's other threads are idle, so the mask halves may be updated side by side.
    virtual void foldRest(bool spareThreads) = 0;
    /// Takes over another accumulator's pending static mask (see MaskSpectra::absorb).
    virtual void absorbMasks(Impl& other) = 0;
    C2Config config;
    C2Sums sums; // own totals (empty when a sink is used)
    C2Sums* target = &sums; // where totals go: own sums or the sink's
    std::int64_t addedShots = 0;
    C2Sink* sink = nullptr; // when set, target is its sums and its locks apply
    C2Timings timings;
};

namespace {

// The signal half: batches of shots where even shots fill rows from the start and odd shots from the end, so
// each half is one contiguous block for its rank-k update. Each shot's δI is transformed as soon as it is
// made, while it is still in cache, and its spectra stream into the [n][shot][q] layout that ?herk reads
// (detail::RowTransform).
template <class Real> class BatchImpl final : public C2Accumulator::Impl {
    using K = Kernels<Real>;
    using Complex = typename K::Complex;

public:
    BatchImpl(const C2Config& c, C2Sink* sink)
        : m_nQ(c.nQ)
        , m_nPhi(c.nPhi)
        , m_pad(roundUp(c.nPhi, 16))
        , m_b(c.batchShots)
        , m_slab(detail::frequencyStride<Complex>(static_cast<std::size_t>(m_b) * m_nQ))
        , m_in(static_cast<std::size_t>(m_nQ) * m_pad)
        , m_out(static_cast<std::size_t>(c.nMax + 1) * m_slab)
        , m_transform(c.nQ, c.nPhi, m_pad, c.nMax + 1, m_in.data())
        , m_masks(c.nQ, c.nPhi, std::min(m_b, 64))
        , m_power(c.variance ? static_cast<std::size_t>(m_b) * m_nQ : 0)
    {
        config = c;
        if (sink) {
            target = &sink->sums;
            this->sink = sink;
            sums.nQ = c.nQ;
            sums.nPhi = c.nPhi;
            sums.nMax = c.nMax;
            sums.ringMeanSubtracted = c.subtractRingMean;
        } else {
            sums = C2Sums::zeros(c.nQ, c.nPhi, c.nMax, c.subtractRingMean, c.variance);
        }
        // Squares only where the totals keep them (a sink made without them has no room, and no error bars).
        m_variance = c.variance && target->hasVariance();
        m_ring.resize(static_cast<std::size_t>(c.nQ));
        m_meanNum.assign(static_cast<std::size_t>(c.nQ) * c.nPhi, 0.0);
        m_meanDen.assign(static_cast<std::size_t>(c.nQ) * c.nPhi, 0.0);
        if constexpr (std::is_same_v<Real, float>) {
            const std::size_t n = static_cast<std::size_t>(c.nMax + 1) * c.nQ * c.nQ;
            for (auto& acc : m_accSignal) {
                acc.reserve(n);
                detail::adviseHugePages(acc.data(), n * sizeof(Complex));
                acc.resize(n);
            }
            if (m_variance) {
                m_accSquares.reserve(n);
                detail::adviseHugePages(m_accSquares.data(), n * sizeof(Real));
                m_accSquares.resize(n);
            }
        }
    }

    Status add(const PolarFrame& f) override
    {
        auto t0 = Clock::now();
        const std::size_t bins = static_cast<std::size_t>(m_nQ) * m_nPhi;
        if (f.nQ != m_nQ || f.nPhi != m_nPhi || f.intensity.size() != bins || f.weight.size() != bins) {
            return C2Accumulator::validate(f, m_nQ, m_nPhi); // names the shape
        }
        // One pass over the frame checks it and sums its rings; a bad frame changes nothing.
        bool valid = true;
        for (int q = 0; q < m_nQ; ++q) {
            const std::size_t off = static_cast<std::size_t>(q) * m_nPhi;
            valid &= detail::ringSums(f.intensity.data() + off, f.weight.data() + off, m_nPhi, m_ring[q]);
        }
        if (!valid) {
            return C2Accumulator::validate(f, m_nQ, m_nPhi); // names the first bad bin
        }
        timings.prepare += since(t0);
        if (m_count[0] + m_count[1] == m_b) {
            flushBatch();
        }
        const int h = static_cast<int>(f.shotIndex & 1);
        const int row = h == 0 ? m_count[0] : m_b - 1 - m_count[1];
        t0 = Clock::now();
        const bool repeated = prepareSignal(f, m_in.data());
        const auto t1 = Clock::now();
        m_transform(m_in.data(), m_out.data(), m_slab, row);
        const auto t2 = Clock::now();
        timings.prepare += std::chrono::duration<double>(t1 - t0).count();
        timings.fft += std::chrono::duration<double>(t2 - t1).count();
        // The weights were just compared with the previous shot's: when they repeat and this half's last mask is
        // from the same run, count it again without a second comparison of the whole map.
        if (!(repeated && m_halfInRun[h] && m_masks.repeatLast(h))) {
            Stopwatch watch(timings.masks);
            m_masks.add(f, h, *target, sink);
        }
        m_halfInRun[h] = true;
        ++m_count[h];
        ++addedShots;
        return {};
    }

    void flush() override
    {
        flushBatch();
        fold();
    }

    void flushBatches() override { flushBatch(); }

    const std::complex<float>* pendingSignal(int h) const override
    {
        if constexpr (std::is_same_v<Real, float>) {
            return m_fresh[h] ? nullptr : m_accSignal[h].data();
        } else {
            return nullptr;
        }
    }

    const float* pendingSquares() const override
    {
        if constexpr (std::is_same_v<Real, float>) {
            return (m_freshSquares || !m_variance) ? nullptr : m_accSquares.data();
        } else {
            return nullptr;
        }
    }

    void reset() override
    {
        m_count[0] = m_count[1] = 0;
        m_freshSquares = true;
        m_masks.reset();
        for (int h = 0; h < 2; ++h) {
            m_fresh[h] = true;
            m_accShots[h] = 0;
        }
        std::fill(m_meanNum.begin(), m_meanNum.end(), 0.0);
        std::fill(m_meanDen.begin(), m_meanDen.end(), 0.0);
        m_weightRun = 0;
        addedShots = 0;
        timings = {};
        if (target == &sums) {
            sums.clear();
        }
    }

private:
    // δI = w (I − ring mean) (or w I) into one shot's rows; the mean image sums in double. A detector mask
    // repeats from shot to shot, so the weight sums count a run of identical weights once, times its length.
    // True when the shot has the previous shot's weights.
    bool prepareSignal(const PolarFrame& f, Real* dst)
    {
        const bool repeated = m_weightRun > 0 && detail::sameBits(f.weight, m_runWeights);
        if (!repeated) {
            endWeightRun();
            m_runWeights = f.weight;
            m_halfInRun[0] = m_halfInRun[1] = false;
        }
        ++m_weightRun;
        for (int q = 0; q < m_nQ; ++q) {
            const std::size_t off = static_cast<std::size_t>(q) * m_nPhi;
            const detail::RingSums& s = m_ring[q];
            const double mean = (config.subtractRingMean && s.weight > 0.0) ? s.weightedIntensity / s.weight : 0.0;
            detail::deviationAndMean(f.intensity.data() + off, f.weight.data() + off, mean, m_meanNum.data() + off,
                dst + static_cast<std::size_t>(q) * m_pad, m_nPhi);
        }
        return repeated;
    }

    void endWeightRun()
    {
        if (m_weightRun > 0) {
            detail::addWeights(
                m_runWeights.data(), static_cast<double>(m_weightRun), m_meanDen.data(), m_meanDen.size());
            m_weightRun = 0;
        }
    }

    Real* squaresTarget(int n)
    {
        const std::size_t off = static_cast<std::size_t>(n) * m_nQ * m_nQ;
        if constexpr (std::is_same_v<Real, float>) {
            return m_accSquares.data() + off;
        } else {
            return target->squares.data() + off;
        }
    }

    // The variance's real rank-k update per frequency over both halves' rows: Q_n += Bᵀ B with B = |A_n|² (rows of
    // shots), whose (q, q') element is Σ_j |A_j(q, n)|² |A_j(q', n)|² (C2Sums::squares). A quarter of the flops of
    // the two halves' complex updates. The halves' rows are packed together first: a partial batch leaves a gap.
    void squaresBatch()
    {
        const int c0 = m_count[0], c1 = m_count[1];
        const Real beta = (std::is_same_v<Real, float> && m_freshSquares) ? Real(0) : Real(1);
        m_freshSquares = false;
        const std::size_t lead = static_cast<std::size_t>(c0) * m_nQ;
        for (int n = 0; n <= config.nMax; ++n) {
            const Complex* slab = m_out.data() + n * m_slab;
            detail::squaredMagnitudes(slab, lead, m_power.data());
            detail::squaredMagnitudes(slab + static_cast<std::size_t>(m_b - c1) * m_nQ,
                static_cast<std::size_t>(c1) * m_nQ, m_power.data() + lead);
            auto lock = std::is_same_v<Real, double> ? lockFrequency(n) : std::unique_lock<std::mutex>();
            K::syrk(m_nQ, c0 + c1, m_power.data(), beta, squaresTarget(n));
        }
    }

    // Single precision sums a few batches in float before folding into double; double goes straight in.
    Complex* herkTarget(int h, int n)
    {
        const std::size_t off = static_cast<std::size_t>(n) * m_nQ * m_nQ;
        if constexpr (std::is_same_v<Real, float>) {
            return m_accSignal[h].data() + off;
        } else {
            return target->signal[h].data() + off;
        }
    }

    std::shared_lock<std::shared_mutex> openGate()
    {
        return sink ? std::shared_lock(sink->gate) : std::shared_lock<std::shared_mutex>();
    }
    std::unique_lock<std::mutex> lockTarget()
    {
        return sink ? std::unique_lock(sink->mutex) : std::unique_lock<std::mutex>();
    }
    std::unique_lock<std::mutex> lockFrequency(int n)
    {
        return sink ? std::unique_lock(sink->stripe(n)) : std::unique_lock<std::mutex>();
    }

    void flushBatch()
    {
        const int total = m_count[0] + m_count[1];
        if (total == 0) {
            return;
        }
        std::optional<Stopwatch> watch(std::in_place, timings.herk);
        // Double precision updates the totals directly, so it holds the sink's gate for the updates.
        auto gate = std::is_same_v<Real, double> ? openGate() : std::shared_lock<std::shared_mutex>();
        if (m_variance) {
            squaresBatch();
        }
        for (int h = 0; h < 2; ++h) {
            if (m_count[h] == 0) {
                continue;
            }
            const std::size_t first = static_cast<std::size_t>(h == 0 ? 0 : m_b - m_count[h]) * m_nQ;
            // Single precision: the first update after a fold overwrites the float sums (beta 0), so folding need
            // not clear them. Double precision adds straight into the totals, which must never be overwritten.
            const Real beta = (std::is_same_v<Real, float> && m_fresh[h]) ? Real(0) : Real(1);
            m_fresh[h] = false;
            for (int n = 0; n <= config.nMax; ++n) {
                auto lock = std::is_same_v<Real, double> ? lockFrequency(n) : std::unique_lock<std::mutex>();
                K::herk(m_nQ, m_count[h], 1, m_out.data() + n * m_slab + first, beta, herkTarget(h, n));
            }
            if constexpr (std::is_same_v<Real, float>) {
                m_accShots[h] += m_count[h];
            } else {
                auto lock = lockTarget();
                target->shots[h] += m_count[h];
            }
            m_count[h] = 0;
        }
        gate = {};
        watch.reset();
        if (m_accShots[0] + m_accShots[1] >= config.foldShots) {
            fold();
        }
    }

    // Moves everything pending into the totals: the float partial sums (lower triangle, see C2Sums), the
    // distinct masks and the mean image.
    void fold()
    {
        std::optional<Stopwatch> watch(std::in_place, timings.fold);
        auto gate = timedLock(timings.lockWait, [&] { return openGate(); });
        C2Sums& t = *target;
        if constexpr (std::is_same_v<Real, float>) {
            // Start at a frequency of our own so that workers folding at once rarely wait for the same stripe.
            const int nF = config.nMax + 1;
            const int start = detail::ownStart(this, nF);
            for (int i = 0; i < nF; ++i) {
                const int n = (start + i) % nF;
                auto lock = timedLock(timings.lockWait, [&] { return lockFrequency(n); });
                for (int h = 0; h < 2; ++h) {
                    if (!m_fresh[h]) {
                        const Complex* src = m_accSignal[h].data();
                        detail::foldLowerTriangle(&src, 1, t.signal[h].data(), t.at(n, 0, 0), m_nQ);
                    }
                }
                if (const float* src = pendingSquares()) {
                    detail::foldLowerTriangle(&src, 1, t.squares.data(), t.at(n, 0, 0), m_nQ);
                }
            }
        }
        watch.reset();
        foldRest(false);
    }

    void absorbMasks(C2Accumulator::Impl& other) override
    {
        if (auto* o = dynamic_cast<BatchImpl*>(&other)) {
            m_masks.absorb(o->m_masks);
        }
    }

    void foldRest(bool spareThreads) override
    {
        C2Sums& t = *target;
        m_fresh[0] = m_fresh[1] = true;
        m_freshSquares = true;
        endWeightRun();
        {
            Stopwatch watch(timings.masks);
            m_masks.flush(t, sink, spareThreads); // under the sink's mask stripes
        }
        Stopwatch watch(timings.fold);
        ++timings.folds;
        auto lock = timedLock(timings.lockWait, [&] { return lockTarget(); });
        for (std::size_t i = 0; i < m_meanNum.size(); ++i) {
            t.weightedIntensity[i] += m_meanNum[i];
            t.weightSum[i] += m_meanDen[i];
            m_meanNum[i] = m_meanDen[i] = 0.0;
        }
        for (int h = 0; h < 2; ++h) {
            t.shots[h] += m_accShots[h];
            m_accShots[h] = 0;
        }
    }

    int m_nQ, m_nPhi, m_pad, m_b;
    std::size_t m_slab; // elements between frequencies in m_out (detail::frequencyStride)
    AlignedArray<Real, K> m_in; // one shot's δI, rows padded to m_pad
    AlignedArray<Complex, K> m_out; // the batch's spectra, [n][shot][q] for n ≤ nMax
    detail::RowTransform<Real> m_transform;
    detail::MaskSpectra m_masks;
    int m_count[2] = { 0, 0 };
    std::vector<Complex> m_accSignal[2];
    std::vector<Real> m_accSquares; // single precision: the squares since the last fold, like m_accSignal
    std::vector<Real> m_power; // one frequency's |A|² of the batch's rows (the variance's rank-k update)
    bool m_variance = false; // squares accumulated (config.variance, and the totals keep them)
    bool m_freshSquares = true;
    std::int64_t m_accShots[2] = { 0, 0 };
    bool m_fresh[2] = { true, true }; // no update since the last fold: the float sums hold nothing
    std::vector<detail::RingSums> m_ring; // the frame being added: Σ w and Σ w I per ring
    std::vector<double> m_meanNum, m_meanDen; // Σ w I and Σ w since the last fold
    std::vector<float> m_runWeights; // the weights of the last shots, not yet in m_meanDen
    std::int64_t m_weightRun = 0; // how many shots in a row had them
    bool m_halfInRun[2] = { false, false }; // the last mask added to each half has the run's weights
};

} // namespace

namespace {
std::unique_ptr<C2Accumulator::Impl> makeImpl(const C2Config& config, C2Sink* sink)
{
    const C2Config c = resolve(config);
    if (c.precision == C2Precision::Double) {
        return std::make_unique<BatchImpl<double>>(c, sink);
    }
    return std::make_unique<BatchImpl<float>>(c, sink);
}
} // namespace

C2Accumulator::C2Accumulator(const C2Config& config)
    : m_impl(makeImpl(config, nullptr))
{
}

C2Accumulator::C2Accumulator(const C2Config& config, C2Sink& sink)
    : m_impl(makeImpl(config, &sink))
{
}

C2Accumulator::~C2Accumulator() = default;
C2Accumulator::C2Accumulator(C2Accumulator&&) noexcept = default;
C2Accumulator& C2Accumulator::operator=(C2Accumulator&&) noexcept = default;

const C2Config& C2Accumulator::config() const { return m_impl->config; }
Status C2Accumulator::add(const PolarFrame& frame) { return m_impl->add(frame); }
void C2Accumulator::flush() { m_impl->flush(); }
const C2Sums& C2Accumulator::sums() const { return m_impl->sums; }
void C2Accumulator::reset() { m_impl->reset(); }
std::int64_t C2Accumulator::shotsAdded() const { return m_impl->addedShots; }
const C2Timings& C2Accumulator::timings() const { return m_impl->timings; }

C2Timings& C2Timings::operator+=(const C2Timings& o)
{
    prepare += o.prepare;
    fft += o.fft;
    herk += o.herk;
    masks += o.masks;
    fold += o.fold;
    lockWait += o.lockWait;
    queueWait += o.queueWait;
    folds += o.folds;
    return *this;
}

void C2Accumulator::flushTogether(const std::vector<C2Accumulator*>& accumulators)
{
    std::vector<Impl*> joint;
    for (C2Accumulator* a : accumulators) {
        Impl* impl = a->m_impl.get();
        const bool joins = impl->sink && impl->config.precision == C2Precision::Single
            && (joint.empty() || joint.front()->sink == impl->sink);
        if (joins) {
            joint.push_back(impl);
        } else {
            a->flush();
        }
    }
    if (joint.size() < 2) {
        for (Impl* impl : joint) {
            impl->flush();
        }
        return;
    }
    const int threads = static_cast<int>(joint.size());
    detail::parallelChunks(joint.size(), threads, [&](std::size_t, std::size_t begin, std::size_t end) {
        for (std::size_t i = begin; i < end; ++i) {
            joint[i]->flushBatches(); // may fold on its own (foldShots reached): it takes the gate
        }
    });
    C2Sink& sink = *joint.front()->sink;
    // a snapshot sees all of this joint fold or none of it
    auto gate = timedLock(joint.front()->timings.lockWait, [&] { return std::shared_lock(sink.gate); });
    C2Sums& totals = sink.sums;
    const int nQ = totals.nQ;
    const auto nF = static_cast<std::size_t>(joint.front()->config.nMax + 1);
    detail::parallelChunks(nF, threads, [&](std::size_t chunk, std::size_t begin, std::size_t end) {
        C2Timings& mine = joint[chunk]->timings; // chunk c runs on one thread: it books its time to worker c
        Stopwatch watch(mine.fold);
        std::vector<const std::complex<float>*> sources;
        std::vector<const float*> squares;
        for (std::size_t n = begin; n < end; ++n) {
            auto lock = timedLock(mine.lockWait, [&] { return std::unique_lock(sink.stripe(static_cast<int>(n))); });
            for (int h = 0; h < 2; ++h) {
                sources.clear();
                for (Impl* impl : joint) {
                    if (const auto* s = impl->pendingSignal(h)) {
                        sources.push_back(s);
                    }
                }
                if (!sources.empty()) {
                    detail::foldLowerTriangle(sources.data(), static_cast<int>(sources.size()), totals.signal[h].data(),
                        totals.at(static_cast<int>(n), 0, 0), nQ);
                }
            }
            squares.clear();
            for (Impl* impl : joint) {
                if (const float* s = impl->pendingSquares()) {
                    squares.push_back(s);
                }
            }
            if (!squares.empty()) {
                detail::foldLowerTriangle(squares.data(), static_cast<int>(squares.size()), totals.squares.data(),
                    totals.at(static_cast<int>(n), 0, 0), nQ);
            }
        }
    });
    for (std::size_t i = 1; i < joint.size(); ++i) {
        joint.front()->absorbMasks(*joint[i]); // a static mask: one update for all workers
    }
    for (Impl* impl : joint) {
        impl->foldRest(impl == joint.front());
    }
}

Status C2Accumulator::merge(C2Accumulator& other)
{
    other.flush();
    return merge(other.sums());
}

Status C2Accumulator::merge(const C2Sums& s) { return m_impl->sums.merge(s); }

Status C2Accumulator::validate(const PolarFrame& f, int nQ, int nPhi)
{
    const std::size_t n = static_cast<std::size_t>(nQ) * nPhi;
    const auto shot = [&f] { return "shot " + std::to_string(f.shotIndex) + ": "; };
    if (f.nQ != nQ || f.nPhi != nPhi || f.intensity.size() != n || f.weight.size() != n) {
        return Error { shot() + "polar frame is " + std::to_string(f.nQ) + " x " + std::to_string(f.nPhi)
            + " but the correlator expects " + std::to_string(nQ) + " x " + std::to_string(nPhi) };
    }
    if (detail::binsValid(f.intensity.data(), f.weight.data(), n)) {
        return {};
    }
    for (std::size_t i = 0; i < n; ++i) {
        const float w = f.weight[i];
        if (!(w >= 0.0f && w <= 1.0f)) {
            return Error { shot() + "weight " + std::to_string(w) + " at bin " + std::to_string(i)
                + " is outside [0, 1]" };
        }
        if (w > 0.0f && !std::isfinite(f.intensity[i])) {
            return Error { shot() + "non-finite intensity at unmasked bin (q " + std::to_string(i / nPhi) + ", phi "
                + std::to_string(i % nPhi) + ")" };
        }
    }
    return {};
}

} // namespace fxs
