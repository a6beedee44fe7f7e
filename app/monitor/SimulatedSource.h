#pragma once

#include <atomic>
#include <chrono>
#include <fxs/DetectorGeometry.h>
#include <fxs/FrameSource.h>
#include <fxs/Simulator.h>
#include <memory>

namespace fxs::monitor {

/// Simulated detector frames at a pulse rate, for the default demo run and the tests.
/// Temporary stand-in until the engine's SimulatorSource lands; same FrameSource contract.
class SimulatedSource final : public FrameSource {
public:
    /// A source of `shots` frames (0: endless) at `rateHz` (0: flat out) from a built-in model.
    static Result<std::unique_ptr<SimulatedSource>> create(const DetectorGeometry& geometry, const std::string& model,
        std::int64_t shots, double rateHz, std::uint64_t seed);

    Result<std::optional<Frame>> next() override;
    SlabShape shape() const override;
    std::optional<std::int64_t> totalFrames() const override;
    std::string description() const override;
    bool isLive() const override { return true; }
    void cancel() override { m_cancelled = true; }

private:
    SimulatedSource(Simulator sim, SimulatorPixels pixels, std::string model, std::int64_t shots, double rateHz);

    Simulator m_sim;
    SimulatorPixels m_pixels;
    std::string m_model;
    std::int64_t m_shots = 0;
    std::int64_t m_next = 0;
    double m_rateHz = 0.0;
    std::chrono::steady_clock::time_point m_start;
    std::atomic<bool> m_cancelled { false };
};

} // namespace fxs::monitor
