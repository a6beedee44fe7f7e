#include "fxs/Simulator.h"

#include "IntensityTable.h"
#include "ParallelBlocks.h"
#include "SimRandom.h"

#include <algorithm>
#include <cmath>
#include <mutex>

namespace fxs {

namespace {

    // Pixels per block: the unit of work for the threads and of the noise streams (a frame's noise depends on
    // the block, never on the thread that made it).
    constexpr std::int64_t kBlock = 16384;

    struct RotationF {
        float m[9];
    };

} // namespace

struct Simulator::Impl {
    ParticleModel model;
    SimulatorConfig config;
    double intensityNorm = 1.0; ///< 1 / (Σ|a_j|)²: intensities relative to F(0)²
    mutable std::mutex tableMutex;
    mutable std::shared_ptr<const sim::IntensityTable> table;

    std::shared_ptr<const sim::IntensityTable> tableFor(double qMaxInvA) const;
    double tableStep(double qMaxInvA) const;
    double directIntensity(const std::array<double, 3>& q) const;
    void fillBlock(const SimulatorPixels& px, const ShotDraw& shot, const sim::IntensityTable* table,
        std::int64_t block, bool noise, std::span<float> out) const;
    void fill(const SimulatorPixels& px, const ShotDraw& shot, bool noise, std::span<float> out) const;
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

double Simulator::Impl::directIntensity(const std::array<double, 3>& q) const
{
    return model.intensity(q) * intensityNorm;
}

void Simulator::Impl::fillBlock(const SimulatorPixels& px, const ShotDraw& shot, const sim::IntensityTable* tab,
    std::int64_t block, bool noise, std::span<float> out) const
{
    const std::size_t begin = static_cast<std::size_t>(block * kBlock);
    const std::size_t end = std::min(px.size(), begin + static_cast<std::size_t>(kBlock));
    std::vector<RotationF> rot(shot.rotations.size());
    for (std::size_t k = 0; k < rot.size(); ++k) {
        for (int e = 0; e < 9; ++e) {
            rot[k].m[e] = static_cast<float>(shot.rotations[k].m[e]);
        }
    }
    const double signalScale = shot.fluence * config.peakPhotons;
    const bool water = config.waterRingPhotons > 0.0;
    const double waterInv = 1.0 / (2.0 * config.waterRingWidthInvA * config.waterRingWidthInvA);
    sim::Random rng(config.seed, static_cast<std::uint64_t>(shot.shotIndex), static_cast<std::uint64_t>(block) + 1);
    for (std::size_t i = begin; i < end; ++i) {
        const float gain = px.gain[i];
        if (!(gain > 0.0f)) {
            out[i] = 0.0f;
            continue;
        }
        const auto& q = px.qInvA[i];
        double sum = 0.0;
        for (const auto& r : rot) {
            const float x = r.m[0] * q[0] + r.m[1] * q[1] + r.m[2] * q[2];
            const float y = r.m[3] * q[0] + r.m[4] * q[1] + r.m[5] * q[2];
            const float z = r.m[6] * q[0] + r.m[7] * q[1] + r.m[8] * q[2];
            sum += tab ? tab->sample(x, y, z) : directIntensity({ x, y, z });
        }
        double lambda = signalScale * sum;
        if (water) {
            const double dq = std::sqrt(q[0] * q[0] + q[1] * q[1] + q[2] * q[2]) - config.waterRingQInvA;
            lambda += shot.fluence * config.waterRingPhotons * std::exp(-dq * dq * waterInv);
        }
        lambda *= gain;
        out[i] = noise ? static_cast<float>(rng.poisson(lambda)) : static_cast<float>(lambda);
    }
}

void Simulator::Impl::fill(const SimulatorPixels& px, const ShotDraw& shot, bool noise, std::span<float> out) const
{
    const std::size_t n = std::min({ px.size(), px.qInvA.size(), out.size() });
    if (n == 0) {
        return;
    }
    std::shared_ptr<const sim::IntensityTable> tab;
    if (config.sampling == IntensitySampling::Table) {
        tab = tableFor(px.qMaxInvA());
    }
    const std::int64_t nBlocks = (static_cast<std::int64_t>(n) + kBlock - 1) / kBlock;
    // Direct evaluation costs ~100× more per pixel: worth threads even for small polar grids.
    sim::parallelBlocks(
        nBlocks, config.threads, [&](std::int64_t b) { fillBlock(px, shot, tab.get(), b, noise, out.first(n)); });
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
    if (!(c.tableStepTimesDiameter > 0.0) || c.tableMaxPoints < 16 || c.tableMaxPoints > 2048) {
        return Error { "simulator: the intensity table needs step · diameter > 0 and 16 ≤ max points ≤ 2048" };
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
    m_impl->fill(pixels, shot, false, out);
}

void Simulator::simulate(const SimulatorPixels& pixels, std::int64_t shotIndex, std::span<float> out) const
{
    m_impl->fill(pixels, drawShot(shotIndex), m_impl->config.poissonNoise, out);
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
    if (f.type == PixelType::Float32) {
        simulate(detectorPixels, shotIndex, f.as<float>());
        return f;
    }
    std::vector<float> counts(f.size());
    simulate(detectorPixels, shotIndex, counts);
    auto px = f.as<std::uint16_t>();
    for (std::size_t i = 0; i < counts.size(); ++i) {
        px[i] = static_cast<std::uint16_t>(std::lround(std::clamp(counts[i], 0.0f, 65535.0f)));
    }
    return f;
}

} // namespace fxs
