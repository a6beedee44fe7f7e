#pragma once

#include <fxs/correlation/C2Accumulator.h>
#include <fxs/core/Result.h>
#include <fxs/shots/ShotStats.h>

#include <cstdint>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace fxs::remote {

/// What one fxs-worker run computes: written as JSON by fxs-server into the job directory, read by every rank.
/// The worker links no gRPC, so this, not the protobuf JobSpec, is its input.
struct WorkerConfig {
    // Input: "synthetic" (SyntheticPolarSource), "cxi" (a CXI/HDF5 stack remapped with a .geom geometry),
    // "simulator" (engine Simulator: on the polar bins, or on the pixels of geometryPath and remapped) or "stream"
    // (a live detector stream, every rank a consumer, remapped with geometryPath).
    std::string inputKind = "synthetic";
    std::int64_t shots = 0; ///< for cxi: 0 in the file, set by the worker from the stack; stream: at most (0: no limit)
    // Stream input (JobSpec StreamInput).
    std::string streamEndpoint; ///< tcp://HOST:PORT
    std::string streamProtocol = "dectris"; ///< "dectris" or "karabo"
    double streamTimeLimitS = 0.0; ///< 0: no limit
    double streamIdleTimeoutS = 0.0; ///< 0: never idle
    double streamConnectTimeoutS = 60.0;
    bool streamStopAtEnd = false;
    std::string karaboSource;
    std::string karaboDataPath = "image.data";
    std::string cxiPath;
    std::string cxiDataset = "/entry_1/data_1/data";
    /// Stream input without a publisher: the live (SWMR) file cxiPath followed as it grows, every rank taking its
    /// share of the frames (JobSpec cxi.follow; the stream time limit and idle timeout apply).
    bool followFile = false;
    std::string geometryPath; ///< cxi: required; simulator: optional (empty: simulate on the polar bins)
    // JobSpec GeometryValues: the user's values, winning over the geometry and the data file (NaN: not given).
    double clenM = std::numeric_limits<double>::quiet_NaN();
    double photonEnergyEv = std::numeric_limits<double>::quiet_NaN();
    double beamShiftXM = 0.0;
    double beamShiftYM = 0.0;
    std::string maskPath; ///< pixel mask: HDF5 FILE[:DATASET] or a CrystFEL bad-region file (empty: the geometry's)
    std::string model; ///< simulator: built-in model name or JSON model file
    double wavelengthA = 1.5; ///< simulator on polar bins
    double peakPhotons = 1000.0; ///< simulator
    double meanParticles = 1.0; ///< simulator
    std::string inputIdentity; ///< set by the worker: size and SHA-256 of the first MiB of the inputs
    std::uint64_t seed = 1;
    double maskedFraction = 0.0;
    // Polar grid and accumulator.
    int nQ = 32;
    int nPhi = 64;
    double qMinInvA = 0.05;
    double qMaxInvA = 1.0;
    int nMax = -1;
    bool doublePrecision = false;
    bool ringMeanSubtracted = true;
    // Where the correlation runs: "cpu", "gpu" or "auto"; GPU ranks are bound round-robin over gpuDevices
    // (all visible devices when empty) by their node-local rank.
    std::string backend = "cpu";
    /// With a GPU backend: where uint16 detector frames are remapped, "auto" (whichever is faster, measured at the
    /// start), "on" (the device) or "off" (the rank's CPU), as fxs correlate's --device-remap.
    std::string deviceRemap = "auto";
    std::vector<int> gpuDevices;
    // Vetoes: VetoRules::toJson() form; null or empty: every shot accepted. The statistics they test are
    // computed with statsOptions (photon threshold of the hit score, saturation level, particle calibration).
    nlohmann::json veto;
    ShotStatsOptions statsOptions;
    double hitScoreMin = 0.01; ///< a shot is counted as a hit (heartbeat, JobStatus.shots_hit) from this hit score
    // Reconstruction on rank 0 after the last reduction (M-TIP on the Kam invariants).
    bool reconstruct = false;
    int mtipIterations = 600; ///< per start
    int mtipGridSize = 32;
    double mtipDiameterA = 0.0; ///< 0: twice the simulator model's extent
    int mtipStarts = 3;
    int mtipLMax = -1;
    std::uint64_t mtipSeed = 1;
    // Work split.
    int threadsPerRank = 1;
    int shotsPerUnit = 64;
    int unitsPerReduce = 0; ///< at most this many units per rank and round; 0: no limit
    double reduceIntervalS = 5.0; ///< seconds of accumulation per round
    double heartbeatIntervalS = 0.25;
    double slowdownPerShotS = 0.0; ///< test hook: sleep per shot so that tests can act mid-run

    /// Checks ranges; the message names the JobSpec field at fault.
    Status validate() const;
    /// The simulator settings' checks (simulator input only).
    Status validateSimulator() const;
    /// The reconstruction settings' checks (when reconstruct).
    Status validateReconstruction() const;
    /// The stream settings' checks (stream input only).
    Status validateStream() const;
    /// Number of work units (the last may be short).
    std::int64_t units() const { return (shots + shotsPerUnit - 1) / shotsPerUnit; }
    /// The accumulator settings.
    C2Config accumulatorConfig() const;
    /// A stable hash of everything that determines the sums (not the work split), stored in checkpoints so
    /// that a resume with a different computation is refused.
    std::uint64_t computationHash() const;
    /// JSON text.
    std::string toJson() const;
    /// Parses JSON text; `origin` names the file in messages.
    static Result<WorkerConfig> fromJson(const std::string& text, const std::string& origin);
    /// Reads a JSON file.
    static Result<WorkerConfig> load(const std::filesystem::path& path);
};

/// FNV-1a 64-bit hash of bytes: stable across builds and machines (std::hash is not).
std::uint64_t fnv1a64(const void* data, std::size_t size, std::uint64_t seed = 0xcbf29ce484222325ULL);

} // namespace fxs::remote
