#pragma once

#include <QString>
#include <cmath>
#include <cstdint>

namespace fxs::monitor {

/// Command-line options of fxs-monitor (scripted runs: screenshots, tests, benchmarks).
struct MonitorOptions {
    bool fresh = false; ///< ignore saved settings and layout (first-start behaviour)
    QString settingsPath; ///< INI file for QSettings instead of the user's (tests)
    std::int64_t shots = -1; ///< simulated shots, −1: the saved setting
    double rateHz = -1.0; ///< simulated pulse rate, −1: the saved setting
    int nQ = 0; ///< polar grid override, 0: the saved setting
    int nPhi = 0;
    int size = 0; ///< simulated detector pixels per side, 0: the saved setting
    QString screenshotDir; ///< save PNGs of the window and panels when the run ends
    std::int64_t screenshotAtShots = 0; ///< > 0: take the screenshots while running, once this many shots are in C2
    double screenshotAtReconstruction = 0.0; ///< > 0: take them while a remote job reconstructs, at this progress
    double screenshotAtSeconds = 0.0; ///< > 0: take them this long after launch (a stream waiting for its publisher)
    /// Whether the screenshots are taken while running (polled) rather than when the run ends.
    bool screenshotsPolled() const
    {
        return screenshotAtShots > 0 || screenshotAtReconstruction > 0.0 || screenshotAtSeconds > 0.0;
    }
    QString dumpPath; ///< write what the C2 view shows (JSON) when the run ends
    QString polarDumpPath; ///< write every polar frame pushed into C2 (binary, for tests)
    QString openPath; ///< open this detector stack at launch instead of the saved source
    QString resultsDir; ///< results folder override (tests)
    std::int64_t firstShot = -1; ///< shot range override, −1: the saved setting
    std::int64_t lastShot = -2; ///< last shot override, −2: the saved setting, −1: to the end
    bool quitWhenDone = false; ///< quit after the run ends (and screenshots / dumps are written)
    bool autoStart = true; ///< start the run on launch (a restored remote job only with submitRemote)
    /// Submit the restored remote job on launch (scripts): without it, restoring a remote job's settings submits
    /// nothing until Start is pressed.
    bool submitRemote = false;
    bool pressResume = false; ///< scripts: when the remote job ends cancelled or failed, press Resume (once)
    QString reviewPath; ///< open this results file for review at launch (no run starts)
    QString comparePath; ///< with reviewPath: overlay this second results file (compare A with B)
    QString compareDumpPath; ///< write what the Review tab's compare plots show (JSON) once the files are shown
    std::int64_t stopAtShots = 0; ///< > 0: stop the run (cancel a remote job, unasked) once this many shots are done
    bool stopWhenReconnecting = false; ///< scripts: stop the remote job (press Stop) when its connection drops
    QString ranksDumpPath; ///< write the Ranks table (JSON) when a remote job ends
    QString windowDumpPath; ///< write what the window shows (JSON) when the run ends
    std::int64_t pauseDisplayAtShots = 0; ///< > 0: pause the display (not the run) once this many shots are done
    QString thenOpenPath; ///< when the first run ends, open this detector stack (a change of source)
    /// Once 20 shots are in C2, open this detector stack while the run goes on (File ▸ Open as a user would); the
    /// window asks first and `answer` answers.
    QString openDuringRunPath;
    QString answer; ///< "yes" or "cancel": how the window's questions are answered (empty: nobody answers)
    std::int64_t showFileShot = -1; ///< ≥ 0: when a file run ends, show this shot read back from the file
    QString geometryPath; ///< CrystFEL .geom for the run, empty: the saved setting
    QString pixelMask; ///< --mask FILE[:DATASET] or a bad-region file for the run, empty: the saved setting
    double clenM = std::nan(""); ///< camera length the user gives (NaN: the saved setting)
    double photonEnergyEv = std::nan(""); ///< photon energy the user gives
    double pixelSizeM = std::nan(""); ///< pixel size the user gives (a file without a geometry)
    QString streamEndpoint; ///< read this detector stream (tcp://HOST:PORT) instead of the saved source
    QString streamProtocol; ///< its protocol, "dectris" or "karabo" (empty: the saved setting)
    bool streamStopAtEnd = false; ///< the DECTRIS series' end message ends the run
    QString streamDecode; ///< DECTRIS: compressed images decoded by "workers", "receiver" or "auto" (empty: auto)
    QString vetoScriptPath; ///< veto changes made during the run (VetoScript)
    QString countsLogPath; ///< log of the shot counts the window shows (VetoScript)
    bool polarDumpEveryShot = false; ///< the polar dump holds every remapped shot, vetoed ones too
};

} // namespace fxs::monitor
