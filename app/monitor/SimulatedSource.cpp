#include "SimulatedSource.h"

#include <thread>

namespace fxs::monitor {

Result<std::unique_ptr<SimulatedSource>> SimulatedSource::create(
    const DetectorGeometry& geometry, const std::string& model, std::int64_t shots, double rateHz, std::uint64_t seed)
{
    auto particle = ParticleModel::builtin(model);
    if (!particle) {
        return particle.error();
    }
    SimulatorConfig config;
    config.seed = seed;
    config.threads = 1; // one core for the simulated beamline; the others correlate
    config.peakPhotons = 200.0;
    auto sim = Simulator::create(std::move(*particle), config);
    if (!sim) {
        return sim.error();
    }
    auto pixels = SimulatorPixels::detector(geometry);
    if (!pixels) {
        return pixels.error();
    }
    return std::unique_ptr<SimulatedSource>(
        new SimulatedSource(std::move(*sim), std::move(*pixels), model, shots, rateHz));
}

SimulatedSource::SimulatedSource(
    Simulator sim, SimulatorPixels pixels, std::string model, std::int64_t shots, double rateHz)
    : m_sim(std::move(sim))
    , m_pixels(std::move(pixels))
    , m_model(std::move(model))
    , m_shots(shots)
    , m_rateHz(rateHz)
    , m_start(std::chrono::steady_clock::now())
{
}

Result<std::optional<Frame>> SimulatedSource::next()
{
    if (m_cancelled || (m_shots > 0 && m_next >= m_shots)) {
        return std::optional<Frame> {};
    }
    if (m_rateHz > 0.0) { // pace like a pulsed source: shot n is due at n / rate
        const auto due = m_start + std::chrono::duration<double>(double(m_next) / m_rateHz);
        std::this_thread::sleep_until(std::chrono::time_point_cast<std::chrono::steady_clock::duration>(due));
    }
    Frame f = m_sim.detectorFrame(m_pixels, m_next);
    f.shotIndex = m_next;
    f.meta.origin = "simulated " + m_model + " shot " + std::to_string(m_next);
    ++m_next;
    return std::optional<Frame>(std::move(f));
}

SlabShape SimulatedSource::shape() const { return { m_pixels.nSlow, m_pixels.nFast, PixelType::Float32 }; }

std::optional<std::int64_t> SimulatedSource::totalFrames() const
{
    return m_shots > 0 ? std::optional<std::int64_t>(m_shots) : std::nullopt;
}

std::string SimulatedSource::description() const
{
    return "simulated " + m_model + " (" + std::to_string(m_pixels.nSlow) + " × " + std::to_string(m_pixels.nFast)
        + " px" + (m_rateHz > 0.0 ? ", " + std::to_string(int(m_rateHz)) + " Hz" : std::string()) + ")";
}

} // namespace fxs::monitor
