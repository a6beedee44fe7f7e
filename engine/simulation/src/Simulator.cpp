#include <fxs/simulation/Simulator.h>

#include "IntensityTable.h"
#include <fxs/core/ParallelBlocks.h>
#include "SimRandom.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>
#include <type_traits>

namespace fxs {

namespace {

// Pixels per block: the unit of work for the threads and of the noise streams (a frame's noise depends on
// the block, never on the thread that made it).
constexpr std::int64_t kBlock = 16384;
// How many pixels ahead the table's cache lines are requested (enough to cover a memory latency).
constexpr std::size_t kPrefetchAhead = 32;

// Everything a block needs for one shot, prepared once per frame.
struct ShotContext {
    std::vector<std::array<float, 9>> rotations;
    const sim::IntensityTable* table = nullptr; ///< null: direct evaluation
    float signalScale = 0.0f; ///< fluence · peak photons
    float qSignalMax2 = 0.0f; ///< beyond this |q|² the particle's intensity is negligible (skipped)
    std::vector<float> water; ///< background photons (times fluence) on a uniform grid of |q|², empty: none
    float waterInvStep = 0.0f;
    std::uint64_t seed = 0;
    std::int64_t shotIndex = 0;
};

constexpr int kWaterTable = 4096;

float waterAt(const ShotContext& c, float q2)
{
    const float f = q2 * c.waterInvStep;
    const int i = std::min(static_cast<int>(f), kWaterTable - 2);
    const float t = std::min(f - static_cast<float>(i), 1.0f);
    return c.water[i] + t * (c.water[i + 1] - c.water[i]);
}

template <class Out> Out toOutput(float v)
{
    if constexpr (std::is_same_v<Out, std::uint16_t>) {
        // Counts are ≥ 0, so adding ½ and truncating rounds correctly (and costs less than lround).
        return static_cast<std::uint16_t>(std::min(v, 65535.0f) + 0.5f); // NOLINT(bugprone-incorrect-roundings)
    } else {
        return v;
    }
}

// |q| beyond which Σ|a_j| e^{−q²σ_j²/2} / Σ|a_j| (a bound on |F|/F(0)) is below 1e-5: pixels there get no
// particle signal, which saves the table look-ups at high q. Points and spheres have no such cut-off.
double signalCutoff(const ParticleModel& m)
{
    double minSigma = std::numeric_limits<double>::infinity();
    for (const auto& s : m.scatterers()) {
        minSigma = std::min(minSigma, s.kind == Scatterer::Kind::Sphere ? 0.0 : s.sigmaA);
    }
    if (!(minSigma > 0.0)) {
        return std::numeric_limits<double>::infinity();
    }
    return std::sqrt(2.0 * std::log(1e5)) / minSigma;
}

} // namespace

struct Simulator::Impl {
    ParticleModel model;
    SimulatorConfig config;
    double intensityNorm = 1.0; ///< 1 / (Σ|a_j|)²: intensities relative to F(0)²
    double qSignalMax = 0.0; ///< |q| beyond which |F|²/F(0)² < 1e-10 (Gaussian envelopes), ∞ otherwise
    mutable std::mutex tableMutex;
    mutable std::shared_ptr<const sim::IntensityTable> table;

    std::shared_ptr<const sim::IntensityTable> tableFor(double qMaxInvA) const;
    double tableStep(double qMaxInvA) const;
    ShotContext context(const ShotDraw& shot, double qMaxInvA, const sim::IntensityTable* tab) const;
    template <class Out>
    void fillBlock(const SimulatorPixels& px, const ShotContext& c, std::int64_t block, bool noise, Out* out) const;
    template <class Out> void fill(const SimulatorPixels& px, const ShotDraw& shot, bool noise, Out* out) const;
};

double Simulator::Impl::tableStep(double qMaxInvA) const
{
    double maxSigma = 0.0;
    for (const auto& s : model.scatterers()) {
        maxSigma = std::max(maxSigma, s.sigmaA);
    }
    // |F|² oscillates with the pair distances (≤ 2 · extent); a Gaussian envelope adds curvature ~σ.
    const double diameter = 2.0 * model.extentA() + 4.0 * maxSigma;
    double h = diameter > 0.0 ? config.tableStepTimesDiameter / diameter : qMaxInvA / 32.0;
    const double hMin = 2.0 * qMaxInvA / std::max(8, config.tableMaxPoints - 5);
    return std::max({ h, hMin, 1e-6 });
}

std::shared_ptr<const sim::IntensityTable> Simulator::Impl::tableFor(double qMaxInvA) const
{
    std::lock_guard lock(tableMutex);
    if (!table || table->qMaxInvA() < qMaxInvA) {
        // Some headroom so that a slightly larger detector or energy does not rebuild the table.
        const double qMax = std::max(qMaxInvA * 1.05, 1e-3);
        table = std::make_shared<const sim::IntensityTable>(
            sim::IntensityTable::build(model, qMax, tableStep(qMax), config.threads));
    }
    return table;
}

ShotContext Simulator::Impl::context(const ShotDraw& shot, double qMaxInvA, const sim::IntensityTable* tab) const
{
    ShotContext c;
    for (const auto& r : shot.rotations) {
        std::array<float, 9> m;
        std::transform(r.m.begin(), r.m.end(), m.begin(), [](double v) { return static_cast<float>(v); });
        c.rotations.push_back(m);
    }
    c.table = tab;
    c.signalScale = static_cast<float>(shot.fluence * config.peakPhotons);
    const double qs = std::min(qSignalMax, tab ? tab->qMaxInvA() : qSignalMax);
    c.qSignalMax2 = static_cast<float>(std::isfinite(qs) ? qs * qs : 1e30);
    c.seed = config.seed;
    c.shotIndex = shot.shotIndex;
    if (config.waterRingPhotons > 0.0) {
        // A table over |q|² saves an exp and a sqrt per pixel.
        const double q2Max = std::max(qMaxInvA * qMaxInvA, 1e-12) * 1.0001;
        const double w2 = 2.0 * config.waterRingWidthInvA * config.waterRingWidthInvA;
        c.water.resize(kWaterTable);
        for (int i = 0; i < kWaterTable; ++i) {
            const double dq = std::sqrt(q2Max * i / (kWaterTable - 1)) - config.waterRingQInvA;
            c.water[i] = static_cast<float>(shot.fluence * config.waterRingPhotons * std::exp(-dq * dq / w2));
        }
        c.waterInvStep = static_cast<float>((kWaterTable - 1) / q2Max);
    }
    return c;
}

template <class Out>
void Simulator::Impl::fillBlock(
    const SimulatorPixels& px, const ShotContext& c, std::int64_t block, bool noise, Out* out) const
{
    const auto begin = static_cast<std::size_t>(block * kBlock);
    const std::size_t end = std::min(px.size(), begin + static_cast<std::size_t>(kBlock));
    sim::Random rng(c.seed, static_cast<std::uint64_t>(c.shotIndex), static_cast<std::uint64_t>(block) + 1);
    const auto norm = static_cast<float>(intensityNorm);
    for (std::size_t i = begin; i < end; ++i) {
        const float gain = px.gain[i];
        if (!(gain > 0.0f)) {
            out[i] = Out {};
            continue;
        }
        if (c.table && !c.rotations.empty() && i + kPrefetchAhead < end) {
            const auto& a = px.qInvA[i + kPrefetchAhead];
            const auto& r = c.rotations.front();
            c.table->prefetch(r[0] * a[0] + r[1] * a[1] + r[2] * a[2], r[3] * a[0] + r[4] * a[1] + r[5] * a[2],
                r[6] * a[0] + r[7] * a[1] + r[8] * a[2]);
        }
        const auto& q = px.qInvA[i];
        const float q2 = q[0] * q[0] + q[1] * q[1] + q[2] * q[2];
        float sum = 0.0f;
        if (q2 <= c.qSignalMax2) {
            for (const auto& r : c.rotations) {
                const float x = r[0] * q[0] + r[1] * q[1] + r[2] * q[2];
                const float y = r[3] * q[0] + r[4] * q[1] + r[5] * q[2];
                const float z = r[6] * q[0] + r[7] * q[1] + r[8] * q[2];
                sum += c.table ? c.table->sample(x, y, z) : static_cast<float>(model.intensity({ x, y, z })) * norm;
            }
        }
        float lambda = c.signalScale * sum;
        if (!c.water.empty()) {
            lambda += waterAt(c, q2);
        }
        lambda *= gain;
        out[i] = toOutput<Out>(noise ? static_cast<float>(rng.poisson(lambda)) : lambda);
    }
}

template <class Out>
void Simulator::Impl::fill(const SimulatorPixels& px, const ShotDraw& shot, bool noise, Out* out) const
{
    const std::size_t n = std::min(px.size(), px.qInvA.size());
    if (n == 0) {
        return;
    }
    const double qMax = px.qMaxInvA();
    std::shared_ptr<const sim::IntensityTable> tab;
    if (config.sampling == IntensitySampling::Table) {
        tab = tableFor(std::min(qMax, qSignalMax));
        if (tab->points() == 0) {
            tab.reset(); // no memory for the table: exact (slower) direct evaluation
        }
    }
    const ShotContext c = context(shot, qMax, tab.get());
    const std::int64_t nBlocks = (static_cast<std::int64_t>(n) + kBlock - 1) / kBlock;
    sim::parallelBlocks(nBlocks, config.threads, [&](std::int64_t b) { fillBlock(px, c, b, noise, out); });
}

Simulator::Simulator()
    : m_impl(std::make_unique<Impl>())
{
}
Simulator::~Simulator() = default;
Simulator::Simulator(Simulator&&) noexcept = default;
Simulator& Simulator::operator=(Simulator&&) noexcept = default;

Result<Simulator> Simulator::create(ParticleModel model, const SimulatorConfig& c)
{
    if (model.scatterers().empty()) {
        return Error { "simulator: the particle model has no scatterers" };
    }
    const bool finite = std::isfinite(c.meanParticles) && std::isfinite(c.peakPhotons) && std::isfinite(c.fluenceJitter)
        && std::isfinite(c.waterRingPhotons) && std::isfinite(c.waterRingQInvA) && std::isfinite(c.waterRingWidthInvA)
        && std::isfinite(c.tableStepTimesDiameter);
    if (!finite || c.meanParticles < 0.0 || c.peakPhotons < 0.0 || c.fluenceJitter < 0.0 || c.waterRingPhotons < 0.0) {
        return Error { "simulator: particles per shot, peak photons, fluence jitter and water-ring photons must be "
                       "finite and ≥ 0" };
    }
    if (c.waterRingPhotons > 0.0 && !(c.waterRingWidthInvA > 0.0)) {
        return Error { "simulator: the water-ring width must be > 0 Å⁻¹" };
    }
    if (!(c.tableStepTimesDiameter > 0.0) || c.tableMaxPoints < 16 || c.tableMaxPoints > 512) {
        return Error {
            "simulator: the intensity table needs step · diameter > 0 and 16 ≤ max points ≤ 512 (≤ 270 MB)"
        };
    }
    if (c.outputType != PixelType::Float32 && c.outputType != PixelType::UInt16) {
        return Error { "simulator: detector frames can be float32 or uint16" };
    }
    if (c.maxParticles < 1 || c.meanParticles > c.maxParticles) {
        return Error { "simulator: particles per shot must be ≤ the cap (" + std::to_string(c.maxParticles) + ")" };
    }
    Simulator s;
    s.m_impl->model = std::move(model);
    s.m_impl->config = c;
    double norm = 0.0;
    for (const auto& sc : s.m_impl->model.scatterers()) {
        norm += std::abs(sc.amplitude);
    }
    s.m_impl->intensityNorm = norm > 0.0 ? 1.0 / (norm * norm) : 0.0;
    s.m_impl->qSignalMax = signalCutoff(s.m_impl->model);
    return s;
}

const ParticleModel& Simulator::model() const { return m_impl->model; }
const SimulatorConfig& Simulator::config() const { return m_impl->config; }

Rotation Simulator::rotationFromGaussians(double g0, double g1, double g2, double g3)
{
    // Four i.i.d. normals are isotropic in R⁴, so their direction is uniform on S³: a Haar-uniform rotation.
    return Rotation::fromQuaternion(g0, g1, g2, g3);
}

ShotDraw Simulator::drawShot(std::int64_t shotIndex) const
{
    const auto& c = m_impl->config;
    sim::Random rng(c.seed, static_cast<std::uint64_t>(shotIndex), 0);
    ShotDraw d;
    d.shotIndex = shotIndex;
    if (c.fluenceJitter > 0.0) {
        // Log-normal with mean 1 and relative rms `fluenceJitter`.
        const double s2 = std::log1p(c.fluenceJitter * c.fluenceJitter);
        d.fluence = std::exp(std::sqrt(s2) * rng.gaussian() - 0.5 * s2);
    }
    const std::int64_t n = c.poissonParticles ? rng.poisson(c.meanParticles) : std::llround(c.meanParticles);
    d.rotations.reserve(static_cast<std::size_t>(std::min<std::int64_t>(n, c.maxParticles)));
    for (std::int64_t k = 0; k < std::min<std::int64_t>(n, c.maxParticles); ++k) {
        const double g0 = rng.gaussian();
        const double g1 = rng.gaussian();
        const double g2 = rng.gaussian();
        const double g3 = rng.gaussian();
        d.rotations.push_back(rotationFromGaussians(g0, g1, g2, g3));
    }
    return d;
}

void Simulator::expectedCounts(const SimulatorPixels& pixels, const ShotDraw& shot, std::span<float> out) const
{
    if (out.size() >= pixels.size()) {
        m_impl->fill(pixels, shot, false, out.data());
    }
}

void Simulator::simulate(const SimulatorPixels& pixels, std::int64_t shotIndex, std::span<float> out) const
{
    if (out.size() >= pixels.size()) {
        m_impl->fill(pixels, drawShot(shotIndex), m_impl->config.poissonNoise, out.data());
    }
}

PolarFrame Simulator::polarFrame(const SimulatorPixels& polarPixels, std::int64_t shotIndex) const
{
    PolarFrame f = PolarFrame::zeros(polarPixels.nSlow, polarPixels.nFast, shotIndex);
    if (f.intensity.size() != polarPixels.size()) {
        return PolarFrame::zeros(0, 0, shotIndex);
    }
    simulate(polarPixels, shotIndex, f.intensity);
    for (std::size_t i = 0; i < f.weight.size(); ++i) {
        f.weight[i] = polarPixels.gain[i] > 0.0f ? 1.0f : 0.0f;
    }
    return f;
}

Frame Simulator::detectorFrame(const SimulatorPixels& detectorPixels, std::int64_t shotIndex) const
{
    Frame f = Frame::zeros(detectorPixels.nSlow, detectorPixels.nFast, m_impl->config.outputType);
    f.shotIndex = shotIndex;
    f.meta.origin = "simulator:" + m_impl->model.name() + "[" + std::to_string(shotIndex) + "]";
    if (f.size() != detectorPixels.size()) {
        return f;
    }
    const auto shot = drawShot(shotIndex);
    const bool noise = m_impl->config.poissonNoise;
    if (f.type == PixelType::UInt16) {
        m_impl->fill(detectorPixels, shot, noise, f.as<std::uint16_t>().data());
    } else {
        m_impl->fill(detectorPixels, shot, noise, f.as<float>().data());
    }
    return f;
}

} // namespace fxs
