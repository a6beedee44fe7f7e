#pragma once

#include <QString>
#include <cmath>
#include <cstdint>
#include <fxs/polar/PolarGrid.h>
#include <fxs/shots/ShotStats.h>

namespace fxs::monitor {

/// A shot is a hit (the hit-rate chart) from this hit score: lit-pixel hit finding, ≥ 1 % of valid pixels hold a
/// photon. Locally and on a remote job alike.
constexpr double kMonitorHitScore = 0.01;

/// How the window computes the per-shot statistics its vetoes test, locally and on a remote job alike.
inline ShotStatsOptions monitorShotStatsOptions()
{
    ShotStatsOptions o;
    o.photonThresholdAdu = 0.5; // a lit pixel holds at least one photon (simulated counts)
    return o;
}

/// Where frames come from (the Source list's order; the saved settings keep the number).
enum class SourceKind { Simulated, CxiFile, LiveFile, RemoteJob, DetectorStream };

/// The key of a source in session and results files ("simulated", "cxi_file", …, "detector_stream").
inline const char* sourceKindKey(SourceKind kind)
{
    static const char* const keys[] = { "simulated", "cxi_file", "live_file", "remote_job", "detector_stream" };
    return keys[static_cast<int>(kind)];
}
constexpr int kSourceKinds = 5;

/// What a remote job reads (fxs.proto JobSpec.input).
enum class RemoteInput { Synthetic, Cxi, Simulator, Stream };

/// M-TIP on the server once the job's C2 is complete (fxs.proto ReconstructionOptions); 0 means the server's default.
struct RemoteReconstruction {
    bool enabled = false;
    int gridSize = 32; ///< n of the n³ density grid (even), as the Reconstruction dock starts with
    double particleDiameterA = 0.0; ///< 0: twice the simulated model's extent (a CXI input needs one)
    int starts = 2; ///< random starts, the best is kept
    int iterations = 0; ///< per start; 0: the server's 600
    int lMax = 0; ///< highest even l of the invariants; 0: from q_max and the diameter
    std::uint64_t seed = 1; ///< the random starts' seed
};

/// A job on an fxs-server (remote/fxs.proto JobSpec), as the run-control panel edits it.
struct RemoteJobSettings {
    QString address = QStringLiteral("127.0.0.1:50051"); ///< host:port of fxs-server
    QString tokenFile; ///< file holding the bearer token (mode 0600)
    QString caCertificate; ///< PEM CA certificate; non-empty turns TLS on
    int ranks = 2; ///< MPI ranks
    int threadsPerRank = 1; ///< correlation threads per rank
    QString backend = QStringLiteral("cpu"); ///< cpu, gpu or auto
    RemoteInput input = RemoteInput::Synthetic;
    std::int64_t syntheticShots = 10000; ///< synthetic and simulator input: shots
    std::uint64_t seed = 1; ///< synthetic and simulator input: seed
    QString serverCxiPath; ///< CXI input: the stack, as a path on the server
    QString serverGeometryPath; ///< CrystFEL .geom on the server: CXI input (required), simulator (optional)
    QString model = QStringLiteral("tetramer4"); ///< simulator: a built-in model or a JSON model file on the server
    double wavelengthA = 1.5; ///< simulator without geometry: wavelength
    double peakPhotons = 1000.0; ///< simulator: photons of one particle at q = 0 per bin
    double meanParticles = 1.0; ///< simulator: particles per shot
    QString streamEndpoint; ///< stream input: the publisher as the worker nodes reach it (tcp://HOST:PORT)
    QString streamProtocol = QStringLiteral("dectris"); ///< stream input: "dectris" (V2), "dectris1" or "karabo"
    bool streamStopAtEnd = true; ///< stream input, DECTRIS: the series' end message ends the job
    std::int64_t streamMaxShots = 0; ///< stream input: the job ends after this many shots (0: no limit)
    double streamIdleTimeoutS = 0.0; ///< stream input: the job ends after this long without a frame (0: never)
    RemoteReconstruction reconstruction; ///< simulator, CXI and stream input
    int nMax = 0; ///< highest angular frequency kept, 0: n_phi / 2
    bool doublePrecision = false; ///< double spectra (slower, exact to 1e-12)
    /// Seconds between the job's reductions: how often its C2 is updated and a checkpoint written (what a Resume
    /// continues from); 0: the server's 5 s.
    double reduceIntervalS = 0.0;
};

/// Everything needed to start a run, as the run-control panel edits it and QSettings keeps it.
struct RunConfig {
    SourceKind source = SourceKind::Simulated;
    QString path; ///< CXI / live file
    QString dataset = QStringLiteral("/entry_1/data_1/data"); ///< stack inside the file
    QString geometryPath; ///< CrystFEL .geom; empty: a single flat panel centred on the beam
    /// Pixel mask (as fxs --mask): HDF5 FILE[:DATASET] or a CrystFEL bad-region file; a remote job's is a path on the
    /// server. Empty: the geometry's own mask key, if any.
    QString pixelMask;
    double distanceM = 0.15; ///< the simulated detector (no geometry): sample to detector
    double pixelSizeM = 200e-6; ///< the simulated detector (no geometry): pixel pitch
    double wavelengthA = 1.5; ///< the simulation's wavelength (no geometry, or a geometry that names no energy)
    /// Values the user gives (NaN: not given); they win over the geometry and the data file. A file run takes
    /// what is missing from the geometry and the data file, and asks for what is missing everywhere.
    double userClenM = std::nan(""); ///< camera length (every panel's clen), metres
    double userPhotonEnergyEv = std::nan(""); ///< photon energy, eV
    double userPixelSizeM = std::nan(""); ///< pixel pitch of a file read without a geometry, metres
    double beamShiftXM = 0.0; ///< where the beam meets the detector in the geometry's lab frame, metres
    double beamShiftYM = 0.0;
    PolarGrid grid { 100, 128, 0.05, 0.70 }; ///< polar grid for C2
    QString model = QStringLiteral("tetramer4"); ///< simulated particle (a built-in name)
    int simulatedSize = 256; ///< simulated detector: pixels per side
    std::int64_t simulatedShots = 0; ///< shots to simulate, 0: endless
    double simulatedRateHz = 20.0; ///< simulated pulse rate, 0: as fast as possible
    std::uint64_t seed = 1; ///< simulation seed
    int threads = 0; ///< C2 worker threads, 0: all cores but one
    double snapshotIntervalS = 0.5; ///< how often the C2 view is refreshed
    std::int64_t firstShot = 0; ///< first shot to correlate (files: a range of the stack)
    std::int64_t lastShot = -1; ///< last shot to correlate, −1: to the end
    QString resultsDir; ///< where results files go; empty: ~/fxs-results
    QString streamEndpoint; ///< detector stream: the publisher's ZeroMQ endpoint (tcp://HOST:PORT)
    QString streamProtocol = QStringLiteral("dectris"); ///< detector stream: "dectris" (V2), "dectris1" or "karabo"
    bool streamStopAtEnd = false; ///< DECTRIS stream: the series' end message ends the run (else only Stop does)
    /// DECTRIS stream: compressed images decoded on the shot pipeline's workers ("workers"), on the receiving thread
    /// ("receiver") or as fxs::decodeOnWorkers chooses for this machine ("auto"); not saved, --stream-decode sets it
    QString streamDecode = QStringLiteral("auto");
    RemoteJobSettings remote; ///< the job sent when source is RemoteJob
    double spoolGb = 20.0; ///< bound of the run's polar spool on disk (exact vetoes), GB; 0: no spool
    QString spoolDir; ///< where the run's spool folder goes; empty: the system's temporary folder
    bool keepSpool = false; ///< keep the spool folder after the run
    double vetoRingMb = 256.0; ///< recent polar frames kept in memory for re-evaluation, MB
};

} // namespace fxs::monitor
