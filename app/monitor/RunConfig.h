#pragma once

#include <QString>
#include <cstdint>
#include <fxs/PolarGrid.h>

namespace fxs::monitor {

/// Where frames come from.
enum class SourceKind { Simulated, CxiFile, LiveFile, RemoteJob };

/// A job on an fxs-server (remote/fxs.proto JobSpec), as the run-control panel edits it.
struct RemoteJobSettings {
    QString address = QStringLiteral("127.0.0.1:50051"); ///< host:port of fxs-server
    QString tokenFile; ///< file holding the bearer token (mode 0600)
    QString caCertificate; ///< PEM CA certificate; non-empty turns TLS on
    int ranks = 2; ///< MPI ranks
    int threadsPerRank = 1; ///< correlation threads per rank
    QString backend = QStringLiteral("cpu"); ///< cpu, gpu or auto
    bool cxiInput = false; ///< false: synthetic shots; true: a CXI file on the server
    std::int64_t syntheticShots = 10000; ///< synthetic input: shots
    std::uint64_t seed = 1; ///< synthetic input: seed
    QString serverCxiPath; ///< CXI input: the stack, as a path on the server
    QString serverGeometryPath; ///< CXI input: the CrystFEL .geom, as a path on the server
    int nMax = 0; ///< highest angular frequency kept, 0: n_phi / 2
    bool doublePrecision = false; ///< double spectra (slower, exact to 1e-12)
};

/// Everything needed to start a run, as the run-control panel edits it and QSettings keeps it.
struct RunConfig {
    SourceKind source = SourceKind::Simulated;
    QString path; ///< CXI / live file
    QString dataset = QStringLiteral("/entry_1/data_1/data"); ///< stack inside the file
    QString geometryPath; ///< CrystFEL .geom; empty: a single flat panel (see distanceM, pixelSizeM)
    double distanceM = 0.15; ///< single-panel geometry: sample to detector
    double pixelSizeM = 200e-6; ///< single-panel geometry: pixel pitch
    double wavelengthA = 1.5; ///< single-panel geometry and simulation
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
    RemoteJobSettings remote; ///< the job sent when source is RemoteJob
};

} // namespace fxs::monitor
