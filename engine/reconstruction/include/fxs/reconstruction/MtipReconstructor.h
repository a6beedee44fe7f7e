#pragma once

#include <fxs/invariants/KamInvariants.h>
#include <fxs/core/Result.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace fxs {

/// One block of the M-TIP schedule.
struct MtipStep {
    enum class Kind { Hio, Er, ShrinkWrap };
    Kind kind = Kind::Er;
    int iterations = 1; ///< iterations of HIO/ER (ignored for ShrinkWrap, which is one support update)
};

/// Settings of an M-TIP reconstruction (FXS_SPEC §5).
struct MtipConfig {
    int gridSize = 64; ///< n of the n³ grid (even)
    double voxelSizeA = 0.0; ///< 0: the grid's highest usable frequency (n/2 − 1)·dk equals the largest q
    double particleDiameterA = 0.0; ///< initial support diameter before the loose factor; 0: half the box
    double initialSupportScale = 1.3; ///< loose initial support: a ball of diameter scale · particleDiameterA
    int lMax = -1; ///< highest l used; −1: all the invariants hold
    int maxShells = 0; ///< shells used (evenly picked from the invariants' q); 0: gridSize / 2
    double hioBeta = 0.9;
    double shrinkWrapSigmaVoxels = 1.0; ///< Gaussian blur before thresholding (tuned on blob models, 32³–64³)
    double shrinkWrapThreshold
        = 0.25; ///< fraction of the blurred maximum kept (FXS_SPEC says 5–10 %; 25 % phases blob models better)
    bool qSquaredWeights = true; ///< W = diag(q²) in the Procrustes step
    std::vector<MtipStep> schedule = defaultSchedule();
    int starts = 3; ///< random starts; the one with the lowest final real-space error is kept
    std::uint64_t seed = 1; ///< same seed, config, threads and OPENBLAS_NUM_THREADS on one machine: same bits
    int threads = 0; ///< 0: all cores
    int densityEvery = 0; ///< attach the current density to the progress every N iterations (0: on request only)

    /// FXS_SPEC §5 (as in xFrame): 5 × (60 HIO, shrink-wrap, 40 ER), then 100 ER.
    static std::vector<MtipStep> defaultSchedule();
    /// cycles × (hio HIO, shrink-wrap, er ER) followed by finalEr ER.
    static std::vector<MtipStep> cycles(int cycles, int hio, int er, int finalEr);
    /// Number of HIO/ER iterations in a schedule.
    static int iterationCount(const std::vector<MtipStep>& schedule);
};

/// Reported after every iteration.
struct MtipProgress {
    int start = 0; ///< random start, 0-based
    int starts = 1;
    int iteration = 0; ///< 1-based within the start
    int iterations = 0; ///< iterations per start
    MtipStep::Kind kind = MtipStep::Kind::Er;
    double realSpaceError = 0.0; ///< ‖ρ' − P_S ρ'‖² / ‖ρ'‖²
    std::vector<double> invariantError; ///< ‖B_l^data − B_l(ρ)‖_F / ‖B_l^data‖_F per even l (index l/2)
    std::vector<float> density; ///< the current density (n³, as MtipResult) when asked for, else empty
};

/// Hooks into a running reconstruction (all optional).
struct MtipControl {
    std::function<void(const MtipProgress&)> progress; ///< called on the reconstructing thread
    const std::atomic<bool>* cancel = nullptr; ///< set to stop after the current iteration
    std::atomic<bool>* densityRequest = nullptr; ///< set to get the density in the next progress (then cleared)
};

/// The outcome: plain vectors, ready for an MRC writer and a results file.
struct MtipResult {
    int gridSize = 0;
    double voxelSizeA = 0.0;
    int lMax = 0;
    std::vector<double> shellQInvA; ///< the q of the shells used
    std::vector<float> density; ///< n³, x fastest ((iz·n + iy)·n + ix), voxel i centred at (i − n/2)·voxelSizeA
    std::vector<std::uint8_t> support; ///< final support, same layout
    double realSpaceError = 0.0; ///< of the kept start, last iteration
    std::vector<double> invariantError; ///< of the kept start, last iteration, per even l
    std::vector<double> realSpaceErrorHistory; ///< of the kept start, per iteration
    std::vector<double> startRealSpaceErrors; ///< final real-space error of every start run
    int bestStart = 0;
    int iterationsRun = 0; ///< over all starts
    bool cancelled = false;
};

/// M-TIP phasing of Kam invariants into a 3D density (FXS_SPEC §5): FFTW 3D transforms, spherical-harmonic
/// Procrustes projection onto the invariants, magnitude projection, ER / HIO / shrink-wrap.
class MtipReconstructor {
public:
    explicit MtipReconstructor(MtipConfig config = {});
    /// The configuration.
    const MtipConfig& config() const { return m_config; }
    /// Reconstructs from invariants (rows: q in Å⁻¹, ascending). Errors for unusable settings or data.
    Result<MtipResult> run(const KamInvariants& invariants, const MtipControl& control = {}) const;

private:
    MtipConfig m_config;
};

} // namespace fxs
