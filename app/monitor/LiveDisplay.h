#pragma once

// moc cannot parse the C++20 standard headers these pull in (<numbers>); it does not need them.
#ifndef Q_MOC_RUN
#include "EngineController.h"
#include "RemoteJobStatus.h"

#include <HealthBar.h>
#include <ShotCountsModel.h>
#endif

#include <QElapsedTimer>
#include <QObject>
#include <deque>

class QTimer;

namespace fxs::widgets {
class DiffractionView;
class PolarView;
class C2SliceView;
class FrameHistory;
class StripChart;
}

namespace fxs::monitor {

/// The widgets the live display feeds.
struct LiveViews {
    widgets::DiffractionView* detector = nullptr;
    widgets::PolarView* polar = nullptr;
    widgets::C2SliceView* c2 = nullptr;
    widgets::FrameHistory* history = nullptr;
    widgets::StripChart* shotRate = nullptr;
    widgets::StripChart* hitRate = nullptr;
    widgets::StripChart* accepted = nullptr;
    widgets::StripChart* meanIntensity = nullptr;
    widgets::HealthBar* health = nullptr;
};

/// The ~40 ms coalescing timer between the engine and the views: takes the newest image (latest-wins),
/// every shot's scalars (lossless) and the newest C2 snapshot, and hands them to the widgets.
class LiveDisplay : public QObject {
    Q_OBJECT
public:
    LiveDisplay(EngineController* engine, const LiveViews& views, QObject* parent = nullptr);

    /// Clears the views for a new run on this pixel map and grid.
    void beginRun(std::shared_ptr<const widgets::ImageAssembly> assembly, const PolarGrid& grid);
    /// Empties every view and the health bar (a new source, before it opens: a failed open leaves nothing stale).
    void clearViews(const PolarGrid& grid);
    /// The state the health bar shows.
    void setState(widgets::RunState state);
    /// Takes and shows whatever is new now (the timer calls it; tests call it to flush).
    void tick();
    /// Clears the views for a remote job on this grid; until endRemote() the engine's counters are not shown.
    void beginRemote(const PolarGrid& grid);
    /// Back to showing the local engine.
    void endRemote() { m_remote = false; }
    /// A remote job's status: health bar (state, shots, rate, ranks) and strip charts (rate, accepted %).
    void showRemoteStatus(const RemoteJobStatus& status, widgets::RunState state, const QString& stateText = {});
    /// A remote job's C2 snapshot: the C2 explorer, then snapshotShown (convergence, invariants).
    void showRemoteSnapshot(std::shared_ptr<const C2Snapshot> snapshot);
    /// A results file reviewed: the health bar says REVIEW, names the file and its shot counts (the counts model
    /// holds them, so the C2 explorer and the Vetoes panel agree); the engine's counters are not shown until a run.
    void showReview(const QString& fileName, const VetoCounts& counts, const QString& detail);
    /// Images shown so far.
    std::int64_t imagesShown() const { return m_imagesShown; }
    /// The one model of the run's shot counts: the health bar, the C2 explorer and the Vetoes panel show it.
    widgets::ShotCountsModel* counts() const { return m_counts; }
    /// The widgets fed (tests and scripts read what they show).
    const LiveViews& views() const { return m_v; }

signals:
    /// Every shot's scalars, once per tick (lossless): veto panels and histograms follow them.
    void scalarsArrived(const std::vector<fxs::monitor::ShotScalars>& scalars);
    /// A new C2 snapshot was shown.
    void snapshotShown(std::shared_ptr<const fxs::C2Snapshot> snapshot);

private:
    void showScalars(const std::vector<ShotScalars>& scalars);
    void updateHealth(const EngineCounters& c);
    void showStream(const StreamCounts& s, double nowS);
    /// The accepted strip chart from the counts model: in C2 / read, a point a second at most while they change,
    /// so a re-evaluation after a rule change shows on the chart as in the Vetoes panel.
    /// `final`: now, however recent the last point (the run or the job ended).
    void plotAccepted(bool final = false);
    static double residentBytes();

    EngineController* m_engine;
    LiveViews m_v;
    QTimer* m_timer = nullptr;
    widgets::ShotCountsModel* m_counts = nullptr;
    widgets::HealthFigures m_health;
    widgets::RunState m_runState = widgets::RunState::Idle; ///< as setState() said (a stalled stream shows Waiting)
    std::int64_t m_streamFrames = -1; ///< a detector stream's frames at m_streamFrameS
    double m_streamFrameS = 0.0; ///< when its frame count last grew (run clock)
    std::int64_t m_imagesShown = 0;
    struct Sample {
        double t;
        std::int64_t read;
        std::int64_t done;
    };
    std::deque<Sample> m_samples; ///< ~2 s of counters for the rates
    std::int64_t m_windowShots = 0;
    std::int64_t m_windowHits = 0;
    QElapsedTimer m_acceptedClock; ///< paces the accepted chart
    double m_acceptedX = 0.0; ///< where its next point goes: the newest shot index (a remote job: shots done)
    double m_lastAcceptedPointS = -1e9; ///< when the accepted chart last got a point (m_acceptedClock)
    double m_acceptedShown = -1.0; ///< the percentage it shows (negative: none yet)
    bool m_acceptedDirty = false; ///< the counts changed since that point
    bool m_acceptedSawPending = false; ///< a re-evaluation ran since that point
    bool m_acceptedRetry = false; ///< a later look at the counts is scheduled (the chart's one-second pace)
    std::int64_t m_lastShot = 0;
    double m_lastRatePointS = 0.0;
    bool m_remote = false; ///< a remote job feeds the views, not the engine
    bool m_reviewing = false; ///< a results file is shown, not the engine
    QElapsedTimer m_remoteClock; ///< paces the remote strip-chart points
    // The remote statistics' counters at the last chart point (hit rate and mean intensity are their differences).
    std::int64_t m_remoteStatShots = 0, m_remoteHits = 0;
    double m_remoteMeanSum = 0.0;
};

} // namespace fxs::monitor
