#include "RemoteJobController.h"

#include "RemoteJobSpec.h"
#include "RunResults.h"

#include <QDir>
#include <QFileInfo>

#ifdef FXS_HAVE_REMOTE
#include "TokenFile.h"
#include "fxs/remote/RemoteSession.h"

#include <chrono>
#include <fstream>
#include <fxs/results/MrcWriter.h>
#include <fxs/results/SumsFile.h>
#include <sstream>
#endif

namespace fxs::monitor {

struct RemoteJobController::Job {
    RunConfig config;
    QString server;
#ifdef FXS_HAVE_REMOTE
    fxs::v1::JobSpec spec;
    std::shared_ptr<remote::RemoteSession> session; ///< set once, before the job id
#endif
    std::mutex mutex; ///< guards jobId and session
    std::string jobId;
    std::string resumeId; ///< non-empty: resume this job instead of submitting the spec
    std::string recallId; ///< non-empty: look this job up (an earlier session's) instead of submitting the spec
    QString resumedFrom; ///< the state it is resumed from (shown again when the resume itself fails)
    std::atomic<bool> cancelRequested { false };
};

RemoteJobController::RemoteJobController(QObject* parent)
    : QObject(parent)
{
}

RemoteJobController::~RemoteJobController()
{
    detach();
    // At most one call's deadline each (every call has one); the job's thread uses the members below, so it is
    // waited for here rather than by the tracker's own destructor.
    m_jobs.wait();
    for (std::thread* t : { &m_cancelThread, &m_probeThread }) {
        if (t->joinable()) {
            t->join();
        }
    }
}

std::shared_ptr<const C2Snapshot> RemoteJobController::takeSnapshot()
{
    const std::lock_guard lock(m_mutex);
    return std::exchange(m_snapshot, nullptr);
}

std::shared_ptr<const C2Snapshot> RemoteJobController::lastWatchedSnapshot() const
{
    const std::lock_guard lock(m_mutex);
    return m_lastWatched;
}

void RemoteJobController::detach()
{
    std::shared_ptr<Job> job;
    {
        const std::lock_guard lock(m_mutex);
        job = m_job;
    }
    if (!job) {
        return;
    }
    m_jobs.discard(); // what it still sends is no longer shown, and its watch ends below
#ifdef FXS_HAVE_REMOTE
    const std::lock_guard lock(job->mutex);
    if (job->session) {
        job->session->stopWatching();
    }
#endif
    m_running = false;
}

void RemoteJobController::start(const RunConfig& config, const VetoRules& rules)
{
    auto job = std::make_shared<Job>();
    job->config = config;
    job->server = config.remote.address;
#ifdef FXS_HAVE_REMOTE
    job->spec = RemoteJobSpec::build(config, rules);
#else
    (void)rules;
#endif
    m_last = RemoteJobStatus {};
    m_last.server = job->server;
    m_last.state = QStringLiteral("SUBMITTING");
    begin(job);
}

bool RemoteJobController::resumable() const
{
    std::shared_ptr<Job> job;
    {
        const std::lock_guard lock(m_mutex);
        job = m_job;
    }
    return job && !m_running && m_last.terminal && m_last.resumable && !m_last.jobId.isEmpty();
}

bool RemoteJobController::resume()
{
    if (!resumable()) {
        return false;
    }
    std::shared_ptr<Job> previous;
    {
        const std::lock_guard lock(m_mutex);
        previous = m_job;
    }
    // The same job, as it was sent (its spec names the results), resumed on the same server.
    auto job = std::make_shared<Job>();
    job->config = previous->config;
    job->server = previous->server;
#ifdef FXS_HAVE_REMOTE
    job->spec = previous->spec;
#endif
    job->resumeId = m_last.jobId.toStdString();
    job->resumedFrom = m_last.state;
    m_last.state = QStringLiteral("RESUMING");
    m_last.terminal = false;
    m_last.resumable = false;
    begin(job);
    return true;
}

void RemoteJobController::recall(const RunConfig& config, const VetoRules& rules, const QString& jobId)
{
    auto job = std::make_shared<Job>();
    job->config = config;
    job->server = config.remote.address;
#ifdef FXS_HAVE_REMOTE
    job->spec = RemoteJobSpec::build(config, rules); // what a resume would fetch the results as
#else
    (void)rules;
#endif
    job->recallId = jobId.toStdString();
    m_last = RemoteJobStatus {};
    m_last.server = job->server;
    m_last.jobId = jobId;
    m_last.state = QStringLiteral("LOOKING UP");
    begin(job);
}

void RemoteJobController::begin(const std::shared_ptr<Job>& job)
{
    detach();
    // The previous job's thread ends within one call's deadline once detached. It is waited for before the hand-off
    // slots are reset: a late snapshot of it would otherwise sit in m_snapshot and hold back the new job's.
    m_jobs.wait();
    {
        const std::lock_guard lock(m_mutex);
        m_job = job;
        m_snapshot.reset();
    }
#ifdef FXS_HAVE_REMOTE
    m_last.reconstructs = job->spec.reconstruction().enabled();
#endif
    m_running = true;
    m_jobs.start([this, job](const Tracked& tracked) { run(job, tracked); }, [] {});
}

void RemoteJobController::probe(const RemoteJobSettings& settings)
{
    if (m_probeThread.joinable()) {
        m_probeThread.join(); // an earlier probe: a short deadline
    }
    m_probeThread = std::thread([this, settings] {
        RemoteIdentity id = whoIs(settings);
        // Not through post(): the identity belongs to the settings, not to a job generation.
        QMetaObject::invokeMethod(this, [this, id] { emit identityKnown(id); });
    });
}

void RemoteJobController::cancel()
{
    std::shared_ptr<Job> job;
    {
        const std::lock_guard lock(m_mutex);
        job = m_job;
    }
    if (!job || !m_running) {
        return;
    }
    job->cancelRequested = true; // a job still being submitted is cancelled as soon as its id is known
#ifdef FXS_HAVE_REMOTE
    std::string id;
    std::shared_ptr<remote::RemoteSession> session;
    {
        const std::lock_guard lock(job->mutex);
        id = job->jobId;
        session = job->session;
    }
    if (id.empty() || !session) {
        return;
    }
    if (m_cancelThread.joinable()) {
        m_cancelThread.join(); // an earlier cancel, long answered or timed out
    }
    m_cancelThread = std::thread([this, session, id, server = job->server, tracked = m_jobs.current()] {
        // A server that does not answer for a moment (a dropped connection, a keepalive lost on a loaded machine)
        // is asked again, once a second for up to a minute, while the window still follows the job: cancelling is
        // idempotent, and a Stop that reported failure while the job went on (or stopped after all) misleads.
        const auto giveUpAt = std::chrono::steady_clock::now() + std::chrono::minutes(1);
        for (bool first = true;; first = false) {
            auto st = session->cancel(id);
            if (st) {
                return;
            }
            const std::string& e = st.error().message;
            const bool transient = e.rfind("UNAVAILABLE", 0) == 0 || e.rfind("DEADLINE_EXCEEDED", 0) == 0;
            if (!transient || !tracked.current() || !m_running || std::chrono::steady_clock::now() > giveUpAt) {
                const QString why = RemoteJobSpec::explain(e, server, {});
                tracked.post([this, why] { emit failed(tr("Cancel failed: %1").arg(why)); });
                return;
            }
            if (first) {
                tracked.post([this, m = QString::fromStdString(e)] {
                    emit reconnecting(tr("the cancel did not get through (%1); asking again").arg(m));
                });
            }
            std::this_thread::sleep_for(std::chrono::seconds(1));
        }
    });
#endif
}

#ifdef FXS_HAVE_REMOTE

namespace {

RemoteJobStatus toStatus(const fxs::v1::JobStatus& s, const QString& server, const fxs::v1::JobSpec& spec)
{
    RemoteJobStatus r;
    r.server = server;
    r.reconstructs = spec.reconstruction().enabled();
    r.reconstructionProgress = s.reconstruction_progress();
    r.jobId = QString::fromStdString(s.job_id());
    r.state = QString::fromStdString(fxs::v1::JobState_Name(s.state())).remove(QStringLiteral("JOB_STATE_"));
    r.message = QString::fromStdString(s.message());
    r.shotsTotal = s.shots_total();
    r.shotsDone = s.shots_done();
    r.shotsAccepted = s.shots_accepted();
    r.shotsRejected = s.shots_rejected();
    r.checkpointShots = s.checkpoint_shots();
    r.shotsPerSecond = s.shots_per_second();
    r.shotsWithStatistics = s.shots_with_statistics();
    r.shotsHit = s.shots_hit();
    r.meanIntensitySum = s.mean_intensity_sum();
    r.attempt = s.attempt();
    r.owner = QString::fromStdString(s.owner());
    r.slurmJobId = QString::fromStdString(s.slurm_job_id());
    r.terminal = s.state() == fxs::v1::JOB_STATE_SUCCEEDED || s.state() == fxs::v1::JOB_STATE_FAILED
        || s.state() == fxs::v1::JOB_STATE_CANCELLED;
    r.resumable = r.terminal && s.state() != fxs::v1::JOB_STATE_SUCCEEDED && s.resumable();
    for (const auto& k : s.ranks()) {
        RankRow row;
        row.rank = k.rank();
        row.host = QString::fromStdString(k.host());
        row.pid = k.pid();
        row.device = QString::fromStdString(k.device());
        row.phase = QString::fromStdString(k.phase());
        row.shotsDone = k.shots_done();
        row.shotsRejected = k.shots_rejected();
        row.shotsPerSecond = k.shots_per_second();
        row.heartbeatAgeS = k.heartbeat_age_s();
        row.health = k.health() >= 1 && k.health() <= 5 ? RankHealthKind(int(k.health())) : RankHealthKind::Unknown;
        r.ranks.push_back(row);
    }
    return r;
}

// The watch's snapshot carries the normalised C2, its standard errors and the split-half values (per (q, q') pair and
// per q) when the worker sent them: elements of C2 exactly 0 are the ones the server masked.
std::shared_ptr<const C2Snapshot> toSnapshot(const remote::RemoteSnapshot& s)
{
    auto out = std::make_shared<C2Snapshot>();
    out->nQ = s.nQ;
    out->nPhi = s.nPhi;
    out->shots = s.shots;
    out->splitHalfCC = s.splitHalfCC;
    out->c2 = s.c2;
    if (s.c2StdError.size() == s.c2.size()) {
        out->c2StdError = s.c2StdError; // the explorer's error bands
    }
    if (s.splitHalfCCPerPair.size() == std::size_t(s.nQ) * s.nQ && s.splitHalfCCPerQ.size() == std::size_t(s.nQ)) {
        out->splitHalfCCPerPair = s.splitHalfCCPerPair; // the convergence map and per-q curves
        out->splitHalfCCPerQ = s.splitHalfCCPerQ;
    }
    out->flags.assign(out->c2.size(), C2Snapshot::Valid);
    for (int q = 0; q < s.nQ; ++q) {
        for (int qp = 0; qp < s.nQ; ++qp) {
            for (int k = 0; k < s.nPhi; ++k) {
                const std::size_t i = out->at(q, qp, k);
                if (i < out->c2.size() && out->c2[i] == 0.0) {
                    out->flags[i] = C2Snapshot::Masked;
                }
            }
        }
        if (out->at(q, q, 0) < out->c2.size()) {
            out->flags[out->at(q, q, 0)] = C2Snapshot::SelfTerm;
        }
    }
    return out;
}

Result<std::string> readFile(const QString& path)
{
    std::ifstream in(path.toStdString(), std::ios::binary);
    if (!in) {
        return Error { "cannot read the CA certificate " + path.toStdString() };
    }
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// The status of job `id` among the server's jobs (the same list `fxs remote list` shows).
Result<fxs::v1::JobStatus> lookUp(remote::RemoteSession& session, const std::string& id)
{
    auto jobs = session.list();
    if (!jobs) {
        return Error { jobs.error().message };
    }
    for (const auto& j : *jobs) {
        if (j.job_id() == id) {
            return j;
        }
    }
    return Error { "the server has no job " + id + " (its state folder was cleared, or the token may not see it)" };
}

RemoteIdentity identityOf(const fxs::v1::WhoAmIReply& w, const QString& server)
{
    RemoteIdentity id;
    id.server = server;
    id.tokenName = QString::fromStdString(w.token_name());
    id.role = QString::fromStdString(fxs::v1::Role_Name(w.role())).remove(QStringLiteral("ROLE_")).toLower();
    id.maxJobs = w.max_jobs();
    id.maxRanks = w.max_ranks();
    return id;
}

// The session options of `r`, or an Error naming the file at fault.
Result<remote::RemoteOptions> sessionOptions(const RemoteJobSettings& r)
{
    auto token = remote::readTokenFile(r.tokenFile.toStdString());
    if (r.tokenFile.isEmpty() || !token) {
        return Error { r.tokenFile.isEmpty()
                ? QObject::tr("Remote job: choose the token file of fxs-server at %1").arg(r.address).toStdString()
                : QObject::tr("Token file for fxs-server at %1: %2")
                      .arg(r.address, QString::fromStdString(token.error().message))
                      .toStdString() };
    }
    remote::RemoteOptions o;
    o.target = r.address.toStdString();
    o.token = *token;
    if (!r.caCertificate.isEmpty()) {
        auto pem = readFile(r.caCertificate);
        if (!pem) {
            return Error { QObject::tr("TLS for fxs-server at %1: %2")
                               .arg(r.address, QString::fromStdString(pem.error().message))
                               .toStdString() };
        }
        o.rootCertsPem = *pem;
    }
    return o;
}

} // namespace

RemoteIdentity RemoteJobController::whoIs(const RemoteJobSettings& settings)
{
    RemoteIdentity id;
    id.server = settings.address;
    auto o = sessionOptions(settings);
    if (!o) {
        id.error = QString::fromStdString(o.error().message);
        return id;
    }
    o->callTimeout = std::chrono::seconds(5);
    remote::RemoteSession session(*o);
    auto w = session.whoAmI();
    if (!w) {
        id.error = RemoteJobSpec::explain(w.error().message, settings.address, settings);
        return id;
    }
    return identityOf(*w, settings.address);
}

void RemoteJobController::run(const std::shared_ptr<Job>& job, const Tracked& tracked)
{
    const RemoteJobSettings& r = job->config.remote;
    const auto fail = [this, &tracked, job](const QString& m) {
        tracked.post([this, m, job] {
            m_running = false;
            if (!job->recallId.empty()) { // only looked up: nothing was asked of the server, nothing ended
                RemoteJobStatus none;
                none.server = job->server;
                emit recalled(none, m);
                return;
            }
            if (!job->resumeId.empty() && m_last.state == QLatin1String("RESUMING")) { // the resume itself failed
                m_last.state = job->resumedFrom;
                m_last.terminal = m_last.resumable = true;
            }
            emit failed(m);
        });
    };
    auto o = sessionOptions(r);
    if (!o) {
        fail(QString::fromStdString(o.error().message));
        return;
    }
    auto session = std::make_shared<remote::RemoteSession>(*o);
    {
        const std::lock_guard lock(job->mutex);
        job->session = session;
    }
    const auto explain = [&](const std::string& e) { return RemoteJobSpec::explain(e, job->server, r); };
    // The health service needs no token: a failure here is the address or TLS, not the credentials.
    if (const Status h = session->health(); !h.ok()) {
        fail(explain(h.message()));
        return;
    }
    // Who we are decides what the window offers; a token that may only watch is told so before it submits.
    if (auto w = session->whoAmI()) {
        const RemoteIdentity id = identityOf(*w, job->server);
        QMetaObject::invokeMethod(this, [this, id] { emit identityKnown(id); });
        if (!id.mayOperate() && job->recallId.empty()) {
            fail(tr("The token '%1' has the role %2 on fxs-server at %3: it may list, watch and fetch jobs, but "
                    "%4 one needs the role operate")
                     .arg(id.tokenName, id.role, job->server,
                         job->resumeId.empty() ? tr("submitting") : tr("resuming")));
            return;
        }
    }
    // A resume continues the job from its checkpoint (same id, attempt + 1); the rest is the same watch.
    auto submitted = !job->recallId.empty() ? lookUp(*session, job->recallId)
        : job->resumeId.empty()             ? session->submit(job->spec)
                                            : session->resume(job->resumeId);
    if (!submitted) {
        fail(explain(submitted.error().message));
        return;
    }
    if (!job->recallId.empty()) {
        const auto found = toStatus(*submitted, job->server, job->spec);
        tracked.post([this, found] {
            m_last = found;
            m_running = !found.terminal; // a running job is followed again below
            emit recalled(found, {});
            emit statusChanged(found);
        });
        if (found.terminal) {
            return;
        }
    }
    {
        const std::lock_guard lock(job->mutex);
        job->jobId = submitted->job_id();
    }
    const auto first = toStatus(*submitted, job->server, job->spec);
    tracked.post([this, first, resumed = !job->resumeId.empty(), recalled = !job->recallId.empty()] {
        if (recalled) {
            return; // said above
        }
        m_last = first;
        m_resumedFromShots = resumed ? first.checkpointShots : -1;
        emit this->submitted(first.jobId); // `submitted` alone is the reply above
        emit statusChanged(first);
    });
    if (job->cancelRequested) {
        (void)session->cancel(submitted->job_id());
    }
    session->setReconnectHandler([this, tracked](const std::string& e) {
        tracked.post([this, m = QString::fromStdString(e)] { emit reconnecting(m); });
    });
    auto end = session->watch(
        submitted->job_id(),
        [this, job, &tracked](const fxs::v1::JobStatus& s) {
            tracked.post([this, st = toStatus(s, job->server, job->spec)] {
                m_last = st;
                emit statusChanged(st);
            });
        },
        [this, &tracked](const remote::RemoteSnapshot& s) {
            auto snap = toSnapshot(s);
            bool wasEmpty = false;
            {
                const std::lock_guard lock(m_mutex);
                wasEmpty = !m_snapshot;
                m_lastWatched = snap;
                m_snapshot = std::move(snap);
            }
            if (wasEmpty) { // one notification per batch: the GUI takes the newest
                tracked.post([this] { emit snapshotReady(); });
            }
        });
    if (!tracked.current()) { // detached: nobody listens
        return;
    }
    if (!end) {
        fail(tr("Lost job %1 on fxs-server at %2: %3. The job may still be running there.")
                 .arg(first.jobId, job->server, explain(end.error().message)));
        return;
    }
    finish(job, tracked, toStatus(*end, job->server, job->spec));
}

void RemoteJobController::finish(const std::shared_ptr<Job>& job, const Tracked& tracked, const RemoteJobStatus& end)
{
    const auto done = [this, &tracked, end](const QString& message, bool isFailure) {
        tracked.post([this, end, message, isFailure] {
            m_last = end;
            m_running = false;
            emit statusChanged(end);
            if (isFailure) {
                emit failed(message);
            } else {
                emit finished(message);
            }
        });
    };
    const QString head = tr("Remote job %1 on %2").arg(end.jobId, job->server);
    if (end.state == QLatin1String("FAILED")) {
        done(tr("%1 FAILED: %2 — the last checkpoint holds %3 shots%4")
                 .arg(head, end.message.isEmpty() ? tr("no reason given") : end.message)
                 .arg(end.checkpointShots)
                 .arg(end.checkpointShots > 0 ? tr("; the job can be resumed on the server") : QString()),
            true);
        return;
    }
    if (end.state == QLatin1String("CANCELLED")) {
        done(tr("%1 cancelled after %2 shots; its checkpoint (%3 shots) stays on the server")
                 .arg(head)
                 .arg(end.shotsDone)
                 .arg(end.checkpointShots),
            false);
        return;
    }
    // Succeeded: the sums come home, become a results file like a local run's, and their C2 is shown.
    const QString base = QFileInfo(QString::fromStdString(RunResults::pathFor(job->config))).absolutePath();
    QDir().mkpath(base);
    const QString sumsPath = QDir(base).filePath(QStringLiteral("fxs-remote-%1.fxs1").arg(end.jobId));
    const QString h5Path = QDir(base).filePath(QStringLiteral("fxs-remote-%1.h5").arg(end.jobId));
    const Status fetched = job->session->fetch(job->jobId, sumsPath.toStdString());
    if (!fetched.ok()) {
        done(tr("%1 succeeded, but fetching its results failed: %2")
                 .arg(head, RemoteJobSpec::explain(fetched.message(), job->server, job->config.remote)),
            true);
        return;
    }
    auto sums = SumsFile::read(sumsPath.toStdString());
    if (!sums) {
        done(tr("%1: the fetched results %2 are unreadable: %3")
                 .arg(head, sumsPath, QString::fromStdString(sums.error().message)),
            true);
        return;
    }
    auto snapshot = std::make_shared<const C2Snapshot>(C2Snapshot::compute(sums->sums));
    {
        const std::lock_guard lock(m_mutex);
        m_snapshot = snapshot;
    }
    tracked.post([this] { emit snapshotReady(); });
    const auto written = RunResults::writeSums(
        h5Path.toStdString(), sums->sums, *snapshot, RemoteJobSpec::configurationJson(job->spec, job->server, end));
    if (!written) {
        done(tr("%1 succeeded; sums in %2, but the results file was NOT written: %3")
                 .arg(head, sumsPath, QString::fromStdString(written.error().message)),
            true);
        return;
    }
    QString message = tr("%1 succeeded: %2 shots on %3 ranks; results in %4 (sums: %5)")
                          .arg(head)
                          .arg(end.shotsDone)
                          .arg(end.ranks.size())
                          .arg(h5Path, sumsPath);
    // The server's own results file is the complete record: every shot in /ledger with the reason of each rejection,
    // and for a reconstruction the invariants and the density. The monitor's file beside it holds the C2 it showed
    // and where it came from (server, job id, the job as sent).
    const QString serverH5 = QDir(base).filePath(QStringLiteral("fxs-remote-%1-server.h5").arg(end.jobId));
    const Status gotH5 = job->session->fetch(job->jobId, serverH5.toStdString(), fxs::v1::RESULT_KIND_RESULTS_H5);
    message += gotH5.ok()
        ? tr("; the server's results file (every shot's verdict%1) in %2")
              .arg(end.reconstructs ? tr(", invariants, density") : QString(), serverH5)
        : tr("; the server's results file could not be fetched (%1)").arg(QString::fromStdString(gotH5.message()));
    if (!end.reconstructs) {
        done(message, false);
        return;
    }
    const QString mrcPath = QDir(base).filePath(QStringLiteral("fxs-remote-%1-density.mrc").arg(end.jobId));
    const Status gotMrc = job->session->fetch(job->jobId, mrcPath.toStdString(), fxs::v1::RESULT_KIND_DENSITY_MRC);
    auto map = gotMrc.ok() ? MrcWriter::read(mrcPath.toStdString()) : Result<MrcMap> { Error { gotMrc.message() } };
    if (!map || map->nx != map->ny || map->nx != map->nz) {
        done(tr("%1 — but its reconstructed density did not come: %2")
                 .arg(message,
                     map ? tr("%1 is not a cubic map").arg(mrcPath)
                         : RemoteJobSpec::explain(map.error().message, job->server, job->config.remote)),
            true);
        return;
    }
    RemoteDensity density { map->nx, std::move(map->values), map->voxelSizeAngstrom, mrcPath };
    tracked.post([this, density = std::move(density)] {
        m_density = density;
        emit densityReady();
    });
    done(tr("%1; reconstructed density (%2) in %3")
             .arg(message, QString::number(map->nx) + QStringLiteral("³"), mrcPath),
        false);
}

#else

void RemoteJobController::run(const std::shared_ptr<Job>& /*job*/, const Tracked& tracked)
{
    tracked.post([this] {
        m_running = false;
        emit failed(tr("This fxs-monitor was built without the remote client (gRPC): remote jobs are off"));
    });
}

void RemoteJobController::finish(const std::shared_ptr<Job>&, const Tracked&, const RemoteJobStatus&) { }

RemoteIdentity RemoteJobController::whoIs(const RemoteJobSettings& settings)
{
    RemoteIdentity id;
    id.server = settings.address;
    id.error = tr("This fxs-monitor was built without the remote client (gRPC)");
    return id;
}

#endif

} // namespace fxs::monitor
