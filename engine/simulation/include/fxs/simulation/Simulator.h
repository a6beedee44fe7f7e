#pragma once

#include <fxs/frames/Frame.h>
#include <fxs/simulation/ParticleModel.h>
#include <fxs/polar/PolarFrame.h>
#include <fxs/polar/PolarGrid.h>
#include <fxs/core/Result.h>
#include <fxs/core/Rotation.h>
#include <fxs/simulation/SimulatorPixels.h>

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace fxs {

/// How the single-particle intensity |F(R q⃗)|² is evaluated.
enum class IntensitySampling {
    Table, ///< precomputed on a 3D grid, trilinear interpolation (fast; 0.1–0.3 % rms error for the built-in models)
    Direct, ///< Σ over scatterers per pixel and particle (exact, slow: for tests and small grids)
};

/// Settings of a Simulator (FXS_SPEC §6). Intensities are expected photon counts.
struct SimulatorConfig {
    double meanParticles = 1.0; ///< particles per shot (the mean when poissonParticles)
    bool poissonParticles = false; ///< draw the particle count from Poisson(meanParticles)
    double peakPhotons = 1000.0; ///< expected photons of one particle at q = 0 in a pixel of gain 1, mean fluence
    double fluenceJitter = 0.0; ///< relative rms of the per-shot fluence (log-normal with mean 1)
    double waterRingPhotons = 0.0; ///< background photons per unit-gain pixel at the water-ring peak
    double waterRingQInvA = 2.0; ///< water-ring position in Å⁻¹ (O–O distance ≈ 3 Å)
    double waterRingWidthInvA = 0.3; ///< Gaussian rms width of the water ring in Å⁻¹
    bool poissonNoise = true; ///< false: frames hold the expected counts
    std::uint64_t seed = 1; ///< same seed and shot index ⇒ same frame, whatever the threads
    PixelType outputType = PixelType::Float32; ///< detector frames: Float32 or UInt16 (clipped at 65535)
    IntensitySampling sampling = IntensitySampling::Table;
    double tableStepTimesDiameter = 0.25; ///< table step · particle diameter; ~(this)²/8 relative error
    int tableMaxPoints = 320; ///< cap on the table's points along x and y, 16 … 512 (memory: ~½ n³ floats)
    int threads = 0; ///< threads per frame, 0: all cores
    int maxParticles = 10000; ///< cap on the particle count of one shot
};

/// What one shot draws: the fluence and an orientation per particle (deterministic in seed and shot).
struct ShotDraw {
    std::int64_t shotIndex = 0;
    double fluence = 1.0; ///< relative to the mean
    std::vector<Rotation> rotations; ///< one per particle
};

/// Simulated FXS shots with a known truth: per shot N randomly oriented copies of a ParticleModel,
/// summed incoherently (|F(R_k q⃗)|²) at Ewald-sphere q-vectors, times fluence and pixel gain, plus a
/// water ring, then Poisson noise. Thread-safe: every method is const and frames may be made concurrently.
class Simulator {
public:
    /// A simulator; fails on an unusable configuration (negative counts, bad table settings).
    static Result<Simulator> create(ParticleModel model, const SimulatorConfig& config);
    ~Simulator();
    Simulator(Simulator&&) noexcept;
    Simulator& operator=(Simulator&&) noexcept;

    /// The model.
    const ParticleModel& model() const;
    /// The configuration.
    const SimulatorConfig& config() const;

    /// Particle count, fluence and orientations of a shot.
    ShotDraw drawShot(std::int64_t shotIndex) const;
    /// The expected counts (no noise) of a drawn shot at the given pixels; `out` has pixels.size() values.
    void expectedCounts(const SimulatorPixels& pixels, const ShotDraw& shot, std::span<float> out) const;
    /// One shot at the given pixels, with noise when configured; masked pixels (gain 0) are 0.
    void simulate(const SimulatorPixels& pixels, std::int64_t shotIndex, std::span<float> out) const;
    /// One shot as a polar frame (pixels from SimulatorPixels::polar); every weight 1 where gain > 0.
    PolarFrame polarFrame(const SimulatorPixels& polarPixels, std::int64_t shotIndex) const;
    /// One shot as a detector frame of the configured pixel type (pixels from SimulatorPixels::detector).
    Frame detectorFrame(const SimulatorPixels& detectorPixels, std::int64_t shotIndex) const;

    /// The rotation of the quaternion made of four standard normal numbers: uniform on SO(3).
    static Rotation rotationFromGaussians(double g0, double g1, double g2, double g3);

private:
    Simulator();
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace fxs
