#include "EngineController.h"

#include "EndedRun.h"
#include "RunResults.h"
#include "RunVetoes.h"
#include "SourceFactory.h"

#include <Format.h>
#include <cmath>
#include <cstdio>
#include <fxs/pipeline/ShotPipeline.h>
#include <fxs/pipeline/VetoReevaluator.h>
#include <fxs/polar/PolarRemapper.h>
#include <fxs/shots/ShotStats.h>
#include <fxs/shots/VetoRules.h>
#include <fxs/sources/DetectorStreamSource.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <unordered_map>

namespace fxs::monitor {

namespace {
// The nice value of the run's engine threads (reader, shot pipeline and C2 workers, snapshots). On a machine whose
// cores the engine fills, the GUI thread and the display preparer (nice 0) then win the cores when they need them:
// fxs-bench gui on 2 cores at 300 x 256, engine at nice 0 / 10: p99 67 / 11 ms, 15.9 / 21.7 displayed frames/s
// (docs/PERFORMANCE.md, gui). The engine keeps every cycle the display leaves.
constexpr int kEngineNice = 10;

// Lowers the calling thread's priority (Linux nice values are per thread; threads it starts inherit it).
void runBelowTheDisplay()
{
    setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), kEngineNice);
}
} // namespace

struct EngineController::RawFrame {
    std::shared_ptr<const Frame> frame;
    std::shared_ptr<const PolarFrame> polar;
    double readAtS = 0.0;
};

EngineController::EngineController(QObject* parent)
    : QObject(parent)
{
}

EngineController::~EngineController()
{
    stop();
    dropEndedRun();
}

double EngineController::clockS() const
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - m_t0).count();
}

void EngineController::start(const RunConfig& config)
{
    stop();
    dropEndedRun();
    {
        const std::lock_guard lock(m_mutex);
        m_raw.reset();
        m_ready.reset();
        m_snapshot.reset();
        m_snapshotNew = false;
        m_scalars.clear();
        m_shots.reset();
        m_stream = nullptr;
        m_streamCounts.reset();
        m_finalShots = {};
        C2PipelineConfig pc;
        pc.accumulator.nQ = config.grid.nQ;
        pc.accumulator.nPhi = config.grid.nPhi;
        pc.threads = config.threads > 0 ? config.threads : std::max(1, int(std::thread::hardware_concurrency()) - 1);
        std::thread([this, &pc] { // its workers inherit the lowered priority
            runBelowTheDisplay();
            m_pipeline = std::make_shared<C2Pipeline>(pc);
        }).join();
    }
    m_stop = false;
    m_paused = false;
    m_framesRead = 0;
    m_droppedDisplay = 0;
    m_t0 = std::chrono::steady_clock::now();
    m_running = true;
    m_reader = std::thread([this, config] { readerLoop(config); });
    m_display = std::thread([this] { displayLoop(); });
    m_snapshotter = std::thread([this, interval = config.snapshotIntervalS] { snapshotLoop(interval); });
}

void EngineController::setRenderRequest(const widgets::RenderRequest& request)
{
    const std::lock_guard lock(m_mutex);
    m_request = request;
}

void EngineController::setPaused(bool paused)
{
    m_paused = paused;
    m_wake.notify_all();
}

void EngineController::stop()
{
    m_stop = true;
    {
        const std::lock_guard lock(m_mutex);
        if (m_shots) {
            m_shots->cancel();
        }
    }
    m_wake.notify_all();
    joinAll();
    m_running = false;
}

void EngineController::joinAll()
{
    for (std::thread* t : { &m_reader, &m_display, &m_snapshotter }) {
        if (t->joinable()) {
            t->join();
        }
    }
}

void EngineController::readerLoop(RunConfig config)
{
    runBelowTheDisplay(); // and the shot pipeline's threads it starts
    MissingValues missing;
    auto setup = SourceFactory::open(config, &missing, [this](const StreamCounts& counts) {
        const std::lock_guard lock(m_mutex);
        m_streamCounts = counts; // the health bar shows the connection while the stream has sent no frame
        return !m_stop;
    });
    if (!setup) {
        const bool stopped = m_stop; // Stop pressed while the source opened (a stream waiting for its first frame)
        QMetaObject::invokeMethod(this, [this, missing, stopped, m = QString::fromStdString(setup.error().message)] {
            if (stopped) {
                emit runFinished(m);
            } else if (missing.keys.isEmpty()) {
                emit runFailed(m);
            } else {
                emit valuesNeeded(missing.keys, missing.message);
            }
        });
        m_stop = true;
        m_wake.notify_all();
        return;
    }
    // The run cannot start: the window says why, and the run's threads end.
    const auto failRun = [this](const std::string& message) {
        QMetaObject::invokeMethod(this, [this, m = QString::fromStdString(message)] { emit runFailed(m); });
        m_stop = true;
        m_wake.notify_all();
    };
    // The run's remapper (its table says which bins a pixel feeds, for the window's masks); the shot pipeline's is
    // the same table, from the process-wide cache (with values per frame, this is the first frame's).
    auto remapper = PolarRemapper::create(setup->geometry, config.grid, {}, setup->mask);
    if (!remapper) {
        failRun(remapper.error().message);
        return;
    }
    {
        const std::lock_guard lock(m_mutex);
        m_remapper = *remapper;
        m_geometry = std::make_shared<const DetectorGeometry>(setup->geometry);
    }
    if (config.firstShot > 0) {
        if (const Status s = setup->source->seek(config.firstShot); !s.ok()) {
            failRun(s.message());
            return;
        }
    }
    ShotPipelineConfig shotConfig;
    shotConfig.threads = std::max(1, static_cast<int>(std::thread::hardware_concurrency()) / 2);
    shotConfig.stats = monitorShotStatsOptions();
    shotConfig.keepFrames = true; // the detector view shows them
    shotConfig.lastShot = config.lastShot;
    // The stream's counts stay readable through the shot pipeline's lifetime (it owns the source).
    const auto* stream = dynamic_cast<const DetectorStreamSource*>(setup->source.get());
    auto made = SourceFactory::shotPipeline(*setup, config.grid, shotConfig);
    if (!made) {
        failRun(made.error().message);
        return;
    }
    std::shared_ptr<ShotPipeline> shots = std::move(*made);
    std::shared_ptr<C2Pipeline> pipeline;
    {
        const std::lock_guard lock(m_mutex);
        m_shots = shots;
        m_stream = stream;
        m_assembly = setup->assembly;
        pipeline = m_pipeline;
    }
    if (m_stop) {
        shots->cancel(); // stop() came while the source was opening
    }
    QMetaObject::invokeMethod(this,
        [this, d = QString::fromStdString(shots->description()), a = setup->assembly, g = config.grid,
            v = setup->values, n = QString::fromStdString(setup->notice)] {
            emit runStarted(d, a, g);
            emit valuesInEffect(v);
            if (!n.isEmpty()) {
                emit sourceNotice(n);
            }
        });
    QString failure;
    LedgerColumns ledger;
    // Exact vetoes over the whole run: every shot's frame is kept (memory, then the polar spool) and a rule change
    // corrects the C2 for every shot it touches, off this thread (fxs/pipeline/VetoReevaluator.h).
    VetoRules rules;
    {
        const std::lock_guard lock(m_mutex);
        rules = m_vetoRules;
    }
    auto vetoes = RunVetoes::make(config, *pipeline, rules);
    if (!vetoes->spoolNote().empty()) {
        QMetaObject::invokeMethod(
            this, [this, m = QString::fromStdString(vetoes->spoolNote())] { emit vetoNotice(m); });
    }
    {
        const std::lock_guard lock(m_mutex);
        m_vetoes = vetoes;
        if (!m_pixelMask.empty()) { // the window's mask from the start (a wrong-sized one waits for its detector)
            vetoes->setBinMask(m_remapper->binsFedBy(m_pixelMask));
        }
    }
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> dump(
        m_polarDumpPath.empty() ? nullptr : std::fopen(m_polarDumpPath.c_str(), "wb"), &std::fclose);
    // The engine's shot pipeline reads ahead and works on several frames at once; shots arrive here in order.
    const Status ran = shots->run([&](PipelineShot& shot) {
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [this] { return !m_paused || m_stop; });
        }
        if (m_stop) {
            return false;
        }
        if (shot.shotIndex == m_pauseAtShot) { // scripted runs: the scientist pauses here
            m_paused = true;
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [this] { return !m_paused || m_stop; });
        }
        const double readAt = clockS();
        ++m_framesRead;
        ledger.seriesId.push_back(shot.meta.seriesId); // a detector stream's series / train and frame numbers
        ledger.frameNumber.push_back(shot.meta.frameNumber);
        ledger.pulseId.push_back(shot.meta.pulseId);
        if (shot.outcome == ShotOutcome::Refused) { // a bad frame changes nothing; the ledger says why
            ledger.shotIndex.push_back(shot.shotIndex);
            ledger.accepted.push_back(0);
            ledger.reason.push_back("refused: " + shot.refusal);
            vetoes->recordRefused(shot.shotIndex);
            const std::lock_guard lock(m_mutex);
            m_scalars.push_back({ shot.shotIndex, readAt, std::nan(""), false, false, ShotStats {} });
            return true;
        }
        auto polar = std::make_shared<const PolarFrame>(std::move(shot.polar));
        const ShotStats& stats = shot.stats;
        const bool hit = stats.hitScore >= kMonitorHitScore;
        if (dump && m_polarDumpEveryShot) {
            RunVetoes::dumpPolar(dump.get(), *polar);
        }
        const auto [verdict, accepted] = vetoes->take(stats, polar);
        ledger.shotIndex.push_back(shot.shotIndex);
        ledger.accepted.push_back(accepted ? 1 : 0);
        ledger.reason.emplace_back(accepted ? ""
                : !verdict.accepted         ? verdict.reason
                                            : "refused by the C2 pipeline (stopped)");
        if (dump && accepted && !m_polarDumpEveryShot) {
            RunVetoes::dumpPolar(dump.get(), *polar);
        }
        {
            const std::lock_guard lock(m_mutex);
            if (m_raw) {
                ++m_droppedDisplay; // the preparer had not taken the previous one: latest wins
            }
            m_raw = std::make_shared<RawFrame>(RawFrame { shot.frame, polar, readAt });
            m_scalars.push_back({ shot.shotIndex, readAt, stats.mean, hit, accepted, stats });
        }
        m_wake.notify_all();
        return true;
    });
    if (!ran) {
        failure = QString::fromStdString(ran.message());
    }
    if (!m_stop) {
        vetoes->waitExact(); // the source ended: the C2 is made exact before it is written
    }
    // Stop pressed: shots still pending go on being corrected after the end, and the results are written again then.
    pipeline->close();
    pipeline->wait();
    const VetoCounts shotCounts = vetoes->counts();
    LedgerColumns asRead = ledger;
    RunVetoes::finalVerdicts(*vetoes, ledger);
    m_stop = true;
    m_wake.notify_all();
    publishSnapshot();
    const auto done = shotCounts.inC2;
    // Whatever ended the run, what was accumulated goes to disk and the message says where.
    std::string vetoState;
    {
        const std::lock_guard lock(m_mutex);
        vetoState = m_vetoStateJson;
    }
    const auto counts = streamCounts();
    const WindowMask mask = windowMask(); // the mask the C2 was just made exact with
    // A run that put no shot into C2 has nothing to keep: no empty results file.
    const auto written = done > 0 ? RunResults::write(RunResults::pathFor(config), config, setup->geometry, *pipeline,
                                        ledger, vetoState, &setup->values, counts ? &*counts : nullptr, &mask)
                                  : Result<std::string>(Error { "" });
    const QString where = done <= 0 ? tr("no results file (no shot reached C2)")
        : written ? tr("results in %1").arg(QString::fromStdString(*written))
                  : tr("results NOT written: %1").arg(QString::fromStdString(written.error().message));
    // A run cut short by its input (a NeXus data file missing) says so at its end too.
    const QString exactness = RunVetoes::endNote(shotCounts)
        + (setup->notice.empty() ? QString() : QStringLiteral(" (%1)").arg(QString::fromStdString(setup->notice)));
    if (written) { // the re-evaluator and its spool stay: vetoes and masks changed now still correct the C2
        auto ended = std::make_shared<EndedRun>(EndedRun { config, setup->geometry, setup->values, counts,
            std::move(asRead), *written, pipeline, vetoes });
        keepEndedRun(std::move(ended), shotCounts.pending > 0);
    } else {
        vetoes->stop();
        const std::lock_guard lock(m_mutex);
        m_finalShots = shotCounts;
        m_vetoes.reset(); // removes the polar spool unless it is kept
    }
    QMetaObject::invokeMethod(this, [this, failure, done, where, exactness, frames = m_framesRead.load()] {
        if (failure.isEmpty()) {
            emit runFinished(tr("Run ended: %1 frames read, %2 shots in C2%3; %4")
                                 .arg(widgets::Format::count(frames), widgets::Format::count(done), exactness, where));
        } else {
            emit runFailed(tr("%1 — the %2 shots accumulated so far are kept; %3")
                               .arg(failure, widgets::Format::count(done), where));
        }
    });
}

void EngineController::displayLoop()
{
    while (true) {
        std::shared_ptr<RawFrame> raw;
        std::shared_ptr<const widgets::ImageAssembly> assembly;
        widgets::RenderRequest request;
        {
            std::unique_lock lock(m_mutex);
            // Prepare only when the GUI has taken the previous image: a frame nobody will see costs a core.
            m_wake.wait(lock, [this] { return (m_raw && !m_ready) || m_stop; });
            if (!m_raw) {
                return;
            }
            raw = std::move(m_raw);
            m_raw.reset();
            assembly = m_assembly;
            request = m_request;
        }
        auto assembled = assembly->assemble(*raw->frame);
        const auto levels = widgets::ImageRenderer::levelsFor(assembled.values, request);
        assembled.renderedWith = { request.map, request.scale, levels };
        assembled.rendered = widgets::ImageRenderer::render(
            assembled.values, assembled.width, assembled.height, assembled.renderedWith);
        auto image = std::make_shared<const widgets::AssembledImage>(std::move(assembled));
        const std::lock_guard lock(m_mutex);
        if (m_ready) {
            ++m_droppedDisplay;
        }
        m_ready = widgets::HistoryItem { raw->frame->shotIndex, image, raw->polar };
        m_readyLevels = levels;
        m_readyReadAtS = raw->readAtS;
    }
}

void EngineController::snapshotLoop(double intervalS)
{
    runBelowTheDisplay();
    using Seconds = std::chrono::duration<double>;
    const Seconds interval(std::max(0.05, intervalS));
    // A refresh must not starve the correlation it shows: on the seed's 300 × 256 grid one snapshot (flush and
    // normalisation) takes about 0.6 s of every core (fxs-bench c2, FXS_BENCH_VERBOSE), so the wait after a
    // snapshot is at least 4× its duration: at most a fifth of the time goes to refreshing the views.
    Seconds wait = interval;
    while (true) {
        {
            std::unique_lock lock(m_mutex);
            if (m_wake.wait_for(lock, wait, [this] { return m_stop.load(); })) {
                return; // the reader makes the last snapshot after the pipeline drained
            }
        }
        const auto t0 = std::chrono::steady_clock::now();
        publishSnapshot();
        wait = std::max(interval, Seconds(4.0 * Seconds(std::chrono::steady_clock::now() - t0).count()));
    }
}

void EngineController::publishSnapshot()
{
    std::shared_ptr<C2Pipeline> pipeline;
    {
        const std::lock_guard lock(m_mutex);
        pipeline = m_pipeline;
    }
    if (!pipeline || pipeline->progress().shotsDone == 0) {
        return;
    }
    SnapshotOptions options;
    options.fourier = false;
    options.threads = 1; // the C2 workers keep the other cores
    auto snap = std::make_shared<const C2Snapshot>(pipeline->snapshot(options));
    const std::lock_guard lock(m_mutex);
    m_snapshot = std::move(snap);
    m_snapshotNew = true;
}

DisplayUpdate EngineController::take()
{
    DisplayUpdate u;
    const std::lock_guard lock(m_mutex);
    if (m_ready) {
        u.image = std::move(m_ready);
        u.autoLevels = m_readyLevels;
        u.imageReadAtS = m_readyReadAtS;
        m_ready.reset();
        m_wake.notify_all(); // the preparer may take the next frame
    }
    if (m_snapshotNew) {
        u.snapshot = m_snapshot;
        m_snapshotNew = false;
    }
    u.scalars.swap(m_scalars);
    return u;
}

EngineCounters EngineController::counters() const
{
    EngineCounters c;
    c.framesRead = m_framesRead;
    c.droppedDisplay = m_droppedDisplay;
    c.nowS = clockS();
    const std::lock_guard lock(m_mutex);
    c.shotsDone = m_pipeline ? m_pipeline->progress().shotsDone : 0;
    c.shots = m_vetoes ? m_vetoes->counts() : m_finalShots;
    return c;
}

std::optional<StreamCounts> EngineController::streamCounts() const
{
    const std::lock_guard lock(m_mutex);
    if (m_shots && m_stream != nullptr) {
        return m_stream->counts();
    }
    return m_streamCounts;
}

std::shared_ptr<const C2Snapshot> EngineController::lastSnapshot() const
{
    const std::lock_guard lock(m_mutex);
    return m_snapshot;
}

} // namespace fxs::monitor

namespace fxs::monitor {

void EngineController::setVetoRules(const VetoRules& rules, const std::string& stateJson)
{
    std::shared_ptr<VetoReevaluator> vetoes;
    {
        const std::lock_guard lock(m_mutex);
        m_vetoRules = rules;
        m_vetoStateJson = stateJson;
        ++m_vetoRulesVersion;
        vetoes = m_vetoes;
    }
    if (vetoes) {
        vetoes->setRules(rules); // judges every shot again now; the C2 follows on the re-evaluator's thread
        requestRewrite();
    }
}

WindowMask EngineController::windowMask() const
{
    WindowMask m;
    std::optional<PolarRemapper> remapper;
    {
        const std::lock_guard lock(m_mutex);
        m.maskedPixels = m_pixelMask;
        remapper = m_remapper;
    }
    if (std::none_of(m.maskedPixels.begin(), m.maskedPixels.end(), [](std::uint8_t p) { return p != 0; })) {
        m.maskedPixels.clear(); // cleared: no mask
    }
    if (remapper && !m.maskedPixels.empty()) {
        const auto bins = remapper->binsFedBy(m.maskedPixels);
        m.droppedBins = std::size_t(std::count_if(bins.begin(), bins.end(), [](std::uint8_t b) { return b != 0; }));
    }
    return m;
}

int EngineController::setPixelMask(std::vector<std::uint8_t> maskedPixels)
{
    std::shared_ptr<VetoReevaluator> vetoes;
    std::optional<PolarRemapper> remapper;
    {
        const std::lock_guard lock(m_mutex);
        m_pixelMask = maskedPixels;
        vetoes = m_vetoes;
        remapper = m_remapper;
    }
    if (!remapper) {
        return -1;
    }
    // The remap table (a CSR scan, ~10 ms for 4 Mpx) says which bins the masked pixels feed.
    const auto bins = maskedPixels.empty() ? std::vector<std::uint8_t> {} : remapper->binsFedBy(maskedPixels);
    if (!maskedPixels.empty() && bins.empty()) {
        return -1;
    }
    if (vetoes && vetoes->setBinMask(bins)) {
        requestRewrite();
    }
    return int(std::count(bins.begin(), bins.end(), std::uint8_t(1)));
}

std::shared_ptr<const DetectorGeometry> EngineController::geometry() const
{
    const std::lock_guard lock(m_mutex);
    return m_geometry;
}

void EngineController::keepEndedRun(std::shared_ptr<EndedRun> run, bool rewriteNow)
{
    {
        const std::lock_guard lock(m_mutex);
        m_ended = run;
        m_rewriterStop = false;
        m_rewriteWanted = rewriteNow ? 1 : 0;
    }
    m_rewriter = std::thread([this, run] { rewriterLoop(run); });
}

void EngineController::requestRewrite()
{
    {
        const std::lock_guard lock(m_mutex);
        if (!m_ended) {
            return; // during a run the results are written at its end
        }
        ++m_rewriteWanted;
    }
    m_wake.notify_all();
}

void EngineController::dropEndedRun()
{
    std::shared_ptr<EndedRun> ended;
    {
        const std::lock_guard lock(m_mutex);
        ended = std::move(m_ended);
        m_rewriterStop = true;
    }
    if (ended) {
        ended->vetoes->stop(); // a rewrite waiting for exactness gives up; what was merged stays
    }
    m_wake.notify_all();
    if (m_rewriter.joinable()) {
        m_rewriter.join();
    }
    const std::lock_guard lock(m_mutex);
    if (ended) {
        m_finalShots = ended->vetoes->counts();
    }
    m_vetoes.reset(); // removes the polar spool unless it is kept
}

void EngineController::rewriterLoop(std::shared_ptr<EndedRun> run)
{
    std::uint64_t done = 0;
    while (true) {
        std::uint64_t wanted = 0;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [&] { return m_rewriterStop || m_rewriteWanted != done; });
            if (m_rewriterStop) {
                return;
            }
            wanted = m_rewriteWanted;
        }
        run->vetoes->waitExact();
        std::string vetoState;
        {
            const std::lock_guard lock(m_mutex);
            if (m_rewriterStop) {
                return;
            }
            if (m_rewriteWanted != wanted) {
                continue; // another change came meanwhile: one rewrite once it is exact too
            }
            vetoState = m_vetoStateJson;
        }
        publishSnapshot();
        const auto written = run->rewrite(vetoState, windowMask());
        done = wanted;
        const VetoCounts c = run->vetoes->counts();
        const QString message = written
            ? tr("Changed after the run ended: C2 corrected (%1 shots in C2%2); results file written again: %3")
                  .arg(widgets::Format::count(c.inC2), RunVetoes::endNote(c), QString::fromStdString(*written))
            : tr("Changed after the run ended: C2 corrected, but the results file could NOT be written again: %1")
                  .arg(QString::fromStdString(written.error().message));
        QMetaObject::invokeMethod(this, [this, message] { emit resultsRewritten(message); });
    }
}

} // namespace fxs::monitor
