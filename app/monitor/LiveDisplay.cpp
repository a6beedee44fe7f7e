#include "LiveDisplay.h"

#include <C2SliceView.h>
#include <DiffractionView.h>
#include <Format.h>
#include <FrameHistory.h>
#include <PolarView.h>
#include <QFile>
#include <QTimer>
#include <StripChart.h>
#include <algorithm>
#include <unistd.h>

namespace fxs::monitor {

namespace {
constexpr int kTickMs = 40; // one repaint budget per ~25 Hz: bursts of engine output merge into one update
}

LiveDisplay::LiveDisplay(EngineController* engine, const LiveViews& views, QObject* parent)
    : QObject(parent)
    , m_engine(engine)
    , m_v(views)
{
    m_counts = new widgets::ShotCountsModel(this);
    connect(m_counts, &widgets::ShotCountsModel::changed, this, [this] {
        m_acceptedDirty = true;
        m_acceptedSawPending = m_acceptedSawPending || m_counts->counts().pending > 0;
        plotAccepted(); // before anything else shows the new counts (connected first), when its pace allows
    });
    m_acceptedClock.start();
    m_v.health->setCountsModel(m_counts);
    m_v.c2->setCountsModel(m_counts);
    m_timer = new QTimer(this);
    m_timer->setInterval(kTickMs);
    connect(m_timer, &QTimer::timeout, this, &LiveDisplay::tick);
    m_timer->start();
    m_engine->setRenderRequest(m_v.detector->renderRequest());
    connect(m_v.detector, &widgets::DiffractionView::renderRequestChanged, this,
        [this] { m_engine->setRenderRequest(m_v.detector->renderRequest()); });
    connect(m_v.history, &widgets::FrameHistory::itemSelected, this, [this](const widgets::HistoryItem& item) {
        if (item.image) {
            m_v.detector->setImage(item.image);
        }
        if (item.polar) {
            m_v.polar->setFrame(item.polar);
        }
    });
}

void LiveDisplay::showReview(const QString& fileName, const VetoCounts& counts, const QString& detail)
{
    m_reviewing = true;
    m_remote = false;
    m_counts->setCounts(counts);
    for (auto* chart : { m_v.shotRate, m_v.hitRate, m_v.accepted, m_v.meanIntensity }) {
        chart->clear(); // a file has no rates over time: nothing of an earlier run stays on them
    }
    m_health = {};
    m_health.state = widgets::RunState::Review;
    m_health.shotsDone = counts.inC2;
    m_health.detail = detail.isEmpty() ? fileName : fileName + QStringLiteral(" · ") + detail;
    m_health.toolTip = tr("A results file is shown: nothing runs. Start begins a new run.");
    m_v.health->setFigures(m_health);
}

void LiveDisplay::beginRemote(const PolarGrid& grid)
{
    m_remote = true;
    m_reviewing = false;
    m_v.polar->setGrid(grid);
    m_v.c2->setGrid(grid);
    m_v.c2->setSnapshot(nullptr);
    m_v.c2->setCursor({ grid.nQ / 4, grid.nQ / 4, 0 });
    for (auto* s : { m_v.shotRate, m_v.hitRate, m_v.accepted, m_v.meanIntensity }) {
        s->clear();
    }
    // "no shots yet" beside 100,000 shots in the Ranks table would be wrong: say where the images are.
    m_v.history->clear();
    m_v.history->setNotice(tr("a remote job's detector images stay on its ranks: none are shown here"));
    m_health = {};
    m_counts->setCounts({});
    m_remoteClock.invalidate();
    m_acceptedX = 0.0;
    m_acceptedSawPending = false;
    m_lastAcceptedPointS = -1e9;
    m_acceptedShown = -1.0;
    m_remoteStatShots = m_remoteHits = 0;
    m_remoteMeanSum = 0.0;
}

void LiveDisplay::showRemoteStatus(const RemoteJobStatus& s, widgets::RunState state, const QString& stateText)
{
    int healthy = 0;
    QStringList trouble;
    for (const RankRow& r : s.ranks) {
        if (r.health == RankHealthKind::Ok || r.health == RankHealthKind::Done) {
            ++healthy;
        } else {
            trouble << tr("rank %1 %2").arg(r.rank).arg(healthName(r.health));
        }
    }
    const QString total = s.shotsTotal > 0 ? QStringLiteral(" / ") + widgets::Format::count(s.shotsTotal) : QString();
    m_health.state = state;
    m_health.stateText = stateText;
    QString reconstruction;
    if (s.reconstructs && (s.reconstructing() || s.reconstructionProgress > 0.0)) {
        const int percent = s.reconstructionPercent();
        reconstruction = tr(" · reconstruction %1 %").arg(percent);
        if (s.reconstructing() && stateText.isEmpty()) { // no shots move now: say what the job is busy with
            m_health.stateText = tr("reconstructing %1 %").arg(percent);
        }
    }
    m_health.shotsDone = s.shotsDone;
    VetoCounts counts; // what a remote job reports: shots done, of which accepted into its C2 and rejected
    counts.read = s.shotsDone;
    counts.inC2 = s.shotsAccepted;
    counts.vetoedByRule = s.shotsRejected;
    m_acceptedX = std::max(m_acceptedX, double(s.shotsDone));
    m_counts->setCounts(counts);
    m_health.detail
        = tr("job %1 on %2 · shots %3%4 · accepted %5 · rejected %6 · %7 · ranks %8 ok%9")
              .arg(s.jobId.isEmpty() ? QStringLiteral("—") : s.jobId, s.server, widgets::Format::count(s.shotsDone),
                  total, widgets::Format::count(s.shotsAccepted), widgets::Format::count(s.shotsRejected),
                  s.everyShotIn() ? tr("every shot in") : widgets::Format::rateHz(s.shotsPerSecond))
              .arg(healthy)
              .arg(trouble.isEmpty() ? QString() : QStringLiteral(" · ") + trouble.join(QStringLiteral(", ")))
        + reconstruction;
    m_v.health->setFigures(m_health);
    if (s.shotsDone > 0 && (!m_remoteClock.isValid() || m_remoteClock.elapsed() >= 1000 || s.terminal)) {
        m_remoteClock.start(); // a point a second, like a local run's
        m_v.shotRate->append(double(s.shotsDone), s.shotsPerSecond);
        if (s.shotsWithStatistics < m_remoteStatShots) { // a resumed job's ranks count afresh
            m_remoteStatShots = m_remoteHits = 0;
            m_remoteMeanSum = 0.0;
        }
        if (const std::int64_t n = s.shotsWithStatistics - m_remoteStatShots; n > 0) {
            m_v.hitRate->append(double(s.shotsDone), 100.0 * double(s.shotsHit - m_remoteHits) / double(n));
            m_v.meanIntensity->append({ { double(s.shotsDone), (s.meanIntensitySum - m_remoteMeanSum) / double(n) } });
            m_remoteStatShots = s.shotsWithStatistics;
            m_remoteHits = s.shotsHit;
            m_remoteMeanSum = s.meanIntensitySum;
        }
    }
    plotAccepted(s.terminal);
}

void LiveDisplay::showRemoteSnapshot(std::shared_ptr<const C2Snapshot> snapshot)
{
    if (!snapshot) {
        return;
    }
    m_v.c2->setSnapshot(snapshot);
    if (!snapshot->meanImage.empty()) {
        m_v.polar->setMean(snapshot->meanImage, snapshot->shots);
    }
    emit snapshotShown(std::move(snapshot));
}

void LiveDisplay::clearViews(const PolarGrid& grid)
{
    m_v.detector->setAssembly(nullptr);
    m_v.polar->setGrid(grid);
    m_v.c2->setGrid(grid);
    m_v.c2->setSnapshot(nullptr);
    m_v.c2->setCursor({ grid.nQ / 4, grid.nQ / 4, 0 }); // inside the speckles rather than at the beamstop edge
    m_v.history->clear();
    for (auto* s : { m_v.shotRate, m_v.hitRate, m_v.accepted, m_v.meanIntensity }) {
        s->clear();
    }
    m_samples.clear();
    m_windowShots = m_windowHits = 0;
    m_lastRatePointS = 0.0;
    m_lastAcceptedPointS = -1e9;
    m_acceptedShown = -1.0;
    m_acceptedX = 0.0;
    m_acceptedSawPending = false;
    m_imagesShown = 0;
    m_health = {};
    m_runState = widgets::RunState::Idle;
    m_reviewing = false;
    m_v.health->setFigures(m_health);
}

void LiveDisplay::beginRun(std::shared_ptr<const widgets::ImageAssembly> assembly, const PolarGrid& grid)
{
    m_remote = false;
    clearViews(grid);
    // History sized by memory (the bar's budget, 1 GB by default): an image costs its float values and its coloured
    // copy (8 bytes a pixel), its polar frame intensities and weights (8 bytes a bin).
    m_v.history->setBytesPerShot(8.0 * std::max(1, assembly->width()) * std::max(1, assembly->height())
        + 8.0 * double(std::max<long long>(1, grid.size())));
    m_v.detector->setAssembly(std::move(assembly));
    // Rings every 0.1 Å⁻¹ inside the grid: a scale the eye can read resolution from.
    std::vector<double> rings;
    for (double q = 0.1; q < grid.qMaxInvA; q += 0.1) {
        if (q > grid.qMinInvA) {
            rings.push_back(q);
        }
    }
    m_v.detector->setRings(rings);
}

void LiveDisplay::setState(widgets::RunState state)
{
    m_runState = state;
    m_health.state = state;
    m_health.stateText.clear();
    m_streamFrames = -1;
    m_v.health->setFigures(m_health);
    m_v.history->setRunGoing(state == widgets::RunState::Running || state == widgets::RunState::Paused
        || state == widgets::RunState::Waiting);
    if (state == widgets::RunState::Finished || state == widgets::RunState::Failed) {
        plotAccepted(true); // the run's last word, however recent the last point
    }
}

void LiveDisplay::showStream(const StreamCounts& s, double nowS)
{
    using widgets::Format;
    if (s.frames != m_streamFrames) {
        m_streamFrames = s.frames;
        m_streamFrameS = nowS;
    }
    const double silentS = nowS - m_streamFrameS;
    // What the connection is doing, in the words a tired scientist needs: is the detector there, are frames coming.
    QString state = QString::fromStdString(s.state);
    if (state.startsWith(QLatin1String("disconnected"))) {
        state = tr("publisher gone, waiting for it");
    } else if (state == QLatin1String("receiving") && silentS >= 3.0) {
        state = tr("no frame for %1").arg(Format::durationMs(silentS * 1e3));
    }
    const bool flowing = (state == QLatin1String("receiving") || state == QLatin1String("connected")) && s.frames > 0;
    m_health.source = tr("stream %1 · %2 frames · publisher dropped %3 · malformed %4 · reconnects %5")
                          .arg(state, Format::count(s.frames), Format::count(s.dropped), Format::count(s.malformed),
                              Format::count(s.reconnects));
    m_health.toolTip = s.lastProblem.empty()
        ? tr("Detector stream: %1 messages received, nothing refused or missing so far").arg(Format::count(s.messages))
        : tr("Detector stream: %1 messages received. Last problem: %2")
              .arg(Format::count(s.messages), QString::fromStdString(s.lastProblem));
    // A running run whose stream sends nothing is shown waiting (amber), not running.
    const bool stalled = !flowing || silentS >= 3.0;
    m_health.state = m_runState == widgets::RunState::Running && stalled ? widgets::RunState::Waiting : m_runState;
    m_health.stateText = m_health.state == widgets::RunState::Waiting ? tr("waiting for frames") : QString();
}

void LiveDisplay::tick()
{
    if (m_remote || m_reviewing) {
        return; // a results file reviewed, or the remote job's statuses and snapshots arrive through showRemote…()
    }
    DisplayUpdate u = m_engine->take();
    const EngineCounters c = m_engine->counters();
    m_counts->setCounts(c.shots); // every view showing a count redraws from this one model, now
    if (u.image) {
        ++m_imagesShown;
        if (!m_v.history->isPaused()) {
            m_v.detector->setImage(u.image->image, u.autoLevels); // precomputed levels: no work here
            m_v.polar->setFrame(u.image->polar);
        }
        const QSignalBlocker quiet(m_v.history); // shown above with its precomputed levels; don't show twice
        m_v.history->push(std::move(*u.image));
        m_health.latencyMs = (c.nowS - u.imageReadAtS) * 1e3;
    }
    if (u.snapshot) {
        m_v.c2->setSnapshot(u.snapshot);
        m_v.polar->setMean(u.snapshot->meanImage, u.snapshot->shots);
    }
    showScalars(u.scalars);
    if (!u.scalars.empty()) {
        emit scalarsArrived(u.scalars);
    }
    if (u.snapshot) {
        emit snapshotShown(u.snapshot);
    }
    updateHealth(c);
}

void LiveDisplay::showScalars(const std::vector<ShotScalars>& scalars)
{
    std::vector<std::pair<double, double>> mean;
    mean.reserve(scalars.size());
    for (const auto& s : scalars) {
        mean.emplace_back(double(s.shot), s.meanIntensity);
        ++m_windowShots;
        m_windowHits += s.hit ? 1 : 0;
        m_lastShot = s.shot;
        m_acceptedX = std::max(m_acceptedX, double(s.shot));
    }
    if (!mean.empty()) {
        m_v.meanIntensity->append(mean);
    }
}

void LiveDisplay::updateHealth(const EngineCounters& c)
{
    m_samples.push_back({ c.nowS, c.framesRead, c.shotsDone });
    while (m_samples.size() > 2 && m_samples.front().t < c.nowS - 2.0) {
        m_samples.pop_front();
    }
    const Sample& a = m_samples.front();
    const double dt = c.nowS - a.t;
    if (dt > 0.2) {
        m_health.inputHz = double(c.framesRead - a.read) / dt;
        m_health.processedHz = double(c.shotsDone - a.done) / dt;
    }
    if (c.nowS - m_lastRatePointS >= 1.0 && m_windowShots > 0) { // rates and fractions once a second
        m_v.shotRate->append(double(m_lastShot), m_health.inputHz);
        m_v.hitRate->append(double(m_lastShot), 100.0 * double(m_windowHits) / double(m_windowShots));
        m_windowShots = m_windowHits = 0;
        m_lastRatePointS = c.nowS;
    }
    plotAccepted();
    m_health.shotsDone = c.shotsDone;
    m_health.droppedDisplayFrames = c.droppedDisplay;
    m_health.memoryBytes = residentBytes();
    if (const auto stream = m_engine->streamCounts()) {
        showStream(*stream, c.nowS);
    } else {
        m_health.source.clear();
        m_health.toolTip.clear();
    }
    m_v.health->setFigures(m_health);
}

void LiveDisplay::plotAccepted(bool final)
{
    const double nowS = double(m_acceptedClock.elapsed()) * 1e-3;
    const double x = m_acceptedX;
    const VetoCounts& k = m_counts->counts();
    // A re-evaluation just ended: its exact fraction goes on the chart now, not a second later (the run may be over).
    // After the run (a re-evaluation of its shots, a veto by hand) no flood of points is to be feared: every change
    // shows at once, whether or not this model saw the re-evaluation's pending shots.
    const bool settled = k.pending == 0 && (m_acceptedSawPending || !m_engine->running());
    if (!m_acceptedDirty || k.read <= 0) {
        return;
    }
    if (nowS - m_lastAcceptedPointS < 1.0 && !final && !settled) {
        if (!m_acceptedRetry) { // the newest counts reach the chart within the second even if nothing else changes
            m_acceptedRetry = true;
            QTimer::singleShot(int(1e3 * (1.0 - (nowS - m_lastAcceptedPointS))) + 1, this, [this] {
                m_acceptedRetry = false;
                plotAccepted();
            });
        }
        return;
    }
    m_acceptedDirty = false;
    m_acceptedSawPending = k.pending > 0;
    const double percent = 100.0 * double(k.inC2) / double(k.read);
    const auto& points = m_v.accepted->points();
    if (percent == m_acceptedShown && !points.empty() && points.back().first == x) {
        return;
    }
    m_v.accepted->append(points.empty() ? x : std::max(x, points.back().first), percent); // x never decreases
    m_acceptedShown = percent;
    m_lastAcceptedPointS = nowS;
}

double LiveDisplay::residentBytes()
{
    QFile f(QStringLiteral("/proc/self/statm"));
    if (!f.open(QIODevice::ReadOnly)) {
        return 0.0;
    }
    const auto fields = f.readAll().split(' ');
    return fields.size() > 1 ? fields[1].toDouble() * double(sysconf(_SC_PAGESIZE)) : 0.0;
}

} // namespace fxs::monitor
