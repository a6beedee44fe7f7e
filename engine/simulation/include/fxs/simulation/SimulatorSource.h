#pragma once

#include <fxs/frames/FrameSource.h>
#include <fxs/simulation/Simulator.h>
#include <fxs/simulation/SimulatorPixels.h>

#include <memory>

namespace fxs {

class DetectorGeometry;

/// How a SimulatorSource produces its stream.
struct SimulatorSourceOptions {
    std::int64_t frames = 1000; ///< frames in the stream, −1: endless (a live source)
    double rateHz = 0.0; ///< 0: as fast as the simulator goes; > 0: next() paces frames to this rate
    std::int64_t firstShot = 0; ///< shot index of the first frame
    double photonEnergyEv = 0.0; ///< written into every frame's metadata (0: unknown)
};

/// Simulated detector frames as a FrameSource: frame k is Simulator::detectorFrame(pixels, firstShot + k),
/// so a stream is reproducible and seekable. Live (isLive) when paced or endless; cancel() ends a paced wait.
class SimulatorSource final : public FrameSource {
public:
    /// A source over precomputed pixels (from SimulatorPixels::detector).
    static Result<std::unique_ptr<SimulatorSource>> create(
        std::shared_ptr<const Simulator> simulator, SimulatorPixels pixels, const SimulatorSourceOptions& options);
    /// A source for a detector geometry (its q-vectors, solid angle, polarisation and mask); the photon energy
    /// comes from the geometry unless the options give one.
    static Result<std::unique_ptr<SimulatorSource>> create(std::shared_ptr<const Simulator> simulator,
        const DetectorGeometry& geometry, const SimulatorSourceOptions& options, const PixelFactors& factors = {});
    ~SimulatorSource() override;

    Result<std::optional<Frame>> next() override;
    SlabShape shape() const override;
    std::optional<std::int64_t> totalFrames() const override;
    std::string description() const override;
    bool isLive() const override;
    Status seek(std::int64_t shotIndex) override;
    void cancel() override;
    /// The simulator behind the stream.
    const Simulator& simulator() const;

private:
    struct Impl;
    explicit SimulatorSource(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m;
};

} // namespace fxs
