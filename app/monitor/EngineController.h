#pragma once

// moc cannot parse the C++20 standard headers these pull in (<numbers>); it does not need them.
#ifndef Q_MOC_RUN
#include "RunConfig.h"
#include "RunGeometry.h"
#include "RunResults.h"

#include <FrameHistory.h>
#include <ImageLevels.h>
#include <ImageRenderer.h>
#include <fxs/correlation/C2Snapshot.h>
#include <fxs/frames/FrameSource.h>
#include <fxs/pipeline/C2Pipeline.h>
#include <fxs/pipeline/ShotPipeline.h>
#include <fxs/pipeline/VetoCounts.h>
#include <fxs/polar/PolarRemapper.h>
#include <fxs/shots/ShotStats.h>
#include <fxs/sources/StreamCounts.h>
#endif

#include <QObject>
#include <atomic>
#include <condition_variable>
#include <fxs/shots/VetoRules.h>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace fxs {
class DetectorStreamSource;
class VetoReevaluator;
}

namespace fxs::monitor {

struct EndedRun;

/// Per-shot figures, delivered losslessly to the strip charts.
struct ShotScalars {
    std::int64_t shot = 0;
    double timeS = 0.0; ///< seconds since the run started
    double meanIntensity = 0.0; ///< mean over valid pixels (ADU)
    bool hit = false; ///< lit-pixel hit score (ShotStats) at least 1 %
    bool accepted = true; ///< taken by the C2 pipeline
    ShotStats stats; ///< every statistic (for veto rules and their histograms)
};

/// What the GUI takes on each tick of its coalescing timer.
struct DisplayUpdate {
    std::optional<widgets::HistoryItem> image; ///< the newest prepared shot (latest-wins)
    std::optional<widgets::Levels> autoLevels; ///< its percentile levels, computed off the GUI thread
    double imageReadAtS = 0.0; ///< when the source returned that frame (run clock)
    std::shared_ptr<const C2Snapshot> snapshot; ///< the newest C2 snapshot, or null when none is new
    std::vector<ShotScalars> scalars; ///< every shot since the last take
};

/// Counters for the health bar.
struct EngineCounters {
    std::int64_t framesRead = 0;
    std::int64_t shotsDone = 0;
    std::int64_t droppedDisplay = 0;
    double nowS = 0.0; ///< run clock
    VetoCounts shots; ///< the one model of the shot counts (read, vetoed, in C2, pending), taken at one moment
};

/// Runs source → remap → C2Pipeline on worker threads; the GUI polls take() from its timer.
/// Threads: a reader (the engine's ShotPipeline: read ahead, validate, remap, statistics on its own workers; this
/// thread takes the shots in order, vetoes them and pushes them: backpressure from the C2 pipeline), a display preparer (assembly,
/// percentiles: latest-wins, replaced items are counted as dropped) and a snapshotter (C2 every interval).
class EngineController : public QObject {
    Q_OBJECT
public:
    explicit EngineController(QObject* parent = nullptr);
    ~EngineController() override;

    /// Starts a run (stops a running one first); the source is opened on the reader thread.
    void start(const RunConfig& config);
    /// Pauses or resumes reading (the run, not just the display).
    void setPaused(bool paused);
    /// Stops reading; what was accumulated stays and a last snapshot is made.
    void stop();
    /// True between start() and the end of the reader.
    bool running() const { return m_running; }
    /// Takes what arrived since the last call (cheap: moves out of the hand-off slots).
    DisplayUpdate take();
    /// Counters for the health bar.
    EngineCounters counters() const;
    /// How the detector view wants its images coloured (the preparer colours them off the GUI thread).
    void setRenderRequest(const widgets::RenderRequest& request);
    /// Tests: append every polar frame pushed into C2 to this file (int64 shot, int32 nQ, nPhi, floats I, w); with
    /// `everyShot`, every remapped shot's frame whatever its verdict.
    void setPolarDumpPath(const std::string& path, bool everyShot = false)
    {
        m_polarDumpPath = path;
        m_polarDumpEveryShot = everyShot;
    }
    /// Scripted runs: pause the run when the shot with this index arrives (before it is judged); −1: never.
    void pauseAtShot(std::int64_t shot) { m_pauseAtShot = shot; }
    /// True while the run is paused (by setPaused() or pauseAtShot()).
    bool paused() const { return m_paused; }
    /// The veto rules shots are judged by from now on. Every shot of the run is judged again and the C2 corrected
    /// for each one whose verdict changed, off this thread (VetoReevaluator: frames from memory, the polar spool or
    /// the file). Thread-safe.
    /// `stateJson` (the veto panel's rules and sample changes) goes into the results file's configuration.
    void setVetoRules(const VetoRules& rules, const std::string& stateJson = {});
    /// The window's pixel mask (slab order, nonzero = masked; empty: none). It acts on the C2 at the polar-bin level:
    /// every bin a masked pixel feeds is dropped for every shot of the run, corrected exactly like a veto change
    /// (also after the run ended); the next runs start with it. Returns the number of bins dropped, or −1 when no
    /// run has a remapper yet or the mask's size is not the detector's (it then waits for the next run).
    int setPixelMask(std::vector<std::uint8_t> maskedPixels);
    /// The window's mask in force and the polar bins it drops (what a results file records).
    WindowMask windowMask() const;
    /// The geometry of the run shown (null before the first run opened its source).
    std::shared_ptr<const DetectorGeometry> geometry() const;
    /// The snapshot made last (kept after the run ends).
    std::shared_ptr<const C2Snapshot> lastSnapshot() const;
    /// The detector stream's counts (connection state, frames, drops, malformed, reconnects) when the run reads
    /// one, also while it waits for the first frame; empty for other sources. Thread-safe.
    std::optional<StreamCounts> streamCounts() const;

signals:
    /// The source is open: the pixel map and grid the views need.
    void runStarted(
        QString description, std::shared_ptr<const fxs::widgets::ImageAssembly> assembly, fxs::PolarGrid grid);
    /// The source ended (normally or stopped); message says how much was done.
    void runFinished(QString message);
    /// The source failed; what was accumulated stays.
    void runFailed(QString message);
    /// Vetoes or the mask changed after the run ended: the C2 was corrected exactly and the results file written
    /// again (`message` says where, or why it could not be).
    void resultsRewritten(QString message);
    /// Something about the exact vetoes the scientist should know (the polar spool is smaller than asked, or
    /// missing).
    void vetoNotice(QString message);
    /// The run could not start: values it needs (keys "clen", "photon_energy", "pixel_size") are missing
    /// everywhere; `message` says why and where to enter them.
    void valuesNeeded(QStringList keys, QString message);
    /// Something about the input the scientist should know (a NeXus master file's data file is missing).
    void sourceNotice(QString message);
    /// The run started with these camera length, photon energy and pixel size (each with its source).
    void valuesInEffect(fxs::monitor::GeometryInEffect values);

private:
    struct RawFrame;
    void readerLoop(RunConfig config);
    void displayLoop();
    void snapshotLoop(double intervalS);
    void publishSnapshot();
    void joinAll();
    void keepEndedRun(std::shared_ptr<EndedRun> run, bool rewriteNow);
    void dropEndedRun();
    void rewriterLoop(std::shared_ptr<EndedRun> run);
    void requestRewrite();
    double clockS() const;

    std::thread m_reader;
    std::thread m_display;
    std::thread m_snapshotter;
    std::thread m_rewriter; ///< an ended run's: writes the results again after each later correction
    std::atomic<bool> m_running { false };
    std::atomic<bool> m_stop { false };
    std::atomic<bool> m_paused { false };
    std::atomic<std::int64_t> m_framesRead { 0 };
    std::atomic<std::int64_t> m_droppedDisplay { 0 };
    std::chrono::steady_clock::time_point m_t0;
    std::string m_polarDumpPath;
    bool m_polarDumpEveryShot = false;
    std::atomic<std::int64_t> m_pauseAtShot { -1 };

    mutable std::mutex m_mutex; ///< guards every member below
    VetoRules m_vetoRules; ///< the rules in force
    std::uint64_t m_vetoRulesVersion = 0; ///< bumped by setVetoRules()
    std::string m_vetoStateJson; ///< rules and sample changes, for the results file
    std::condition_variable m_wake;
    std::shared_ptr<C2Pipeline> m_pipeline;
    std::shared_ptr<ShotPipeline> m_shots; ///< the run's shot path (stop() cancels it)
    std::shared_ptr<VetoReevaluator> m_vetoes; ///< the run's exact vetoes and shot counts
    VetoCounts m_finalShots; ///< the counts when the last run ended
    const DetectorStreamSource* m_stream = nullptr; ///< its source when a detector stream (owned by m_shots)
    std::shared_ptr<const widgets::ImageAssembly> m_assembly;
    widgets::RenderRequest m_request;
    std::shared_ptr<RawFrame> m_raw; ///< newest frame waiting for the display preparer
    std::optional<widgets::HistoryItem> m_ready;
    std::optional<widgets::Levels> m_readyLevels;
    double m_readyReadAtS = 0.0;
    std::shared_ptr<const C2Snapshot> m_snapshot;
    bool m_snapshotNew = false;
    std::vector<ShotScalars> m_scalars;
    std::optional<StreamCounts> m_streamCounts; ///< a detector stream's counts while it waits for its first frame
    std::vector<std::uint8_t> m_pixelMask; ///< the window's mask (nonzero = masked)
    std::optional<PolarRemapper> m_remapper; ///< the run's (its table says which bins a pixel feeds)
    std::shared_ptr<const DetectorGeometry> m_geometry;
    std::shared_ptr<EndedRun> m_ended; ///< the last run, after its end, until the next one starts
    std::uint64_t m_rewriteWanted = 0; ///< bumped by each change after the end
    bool m_rewriterStop = false;
};

} // namespace fxs::monitor
