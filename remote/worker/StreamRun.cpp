#include "StreamRun.h"

#include "CheckpointWriter.h"
#include "ResultsOutput.h"
#include "ShotProvider.h"
#include "SumsReduce.h"
#include "WorkerRun.h"
#include <fxs/pipeline/C2Pipeline.h>
#include <fxs/results/AtomicFile.h>
#include <fxs/results/SumsFile.h>
#include <fxs/shots/VetoRules.h>
#include <fxs/sources/DetectorStreamSource.h>
#include <fxs/sources/LiveFileSource.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <vector>

namespace fxs::remote {

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

using CountsArray = std::array<std::int64_t, 7>; // /analysis/stream_counts' order

CountsArray toArray(const StreamCounts& c)
{
    return { c.messages, c.frames, c.malformed, c.dropped, c.reconnects, c.series, c.leftUncorrelated };
}

StreamCounts fromArray(const CountsArray& a)
{
    StreamCounts c;
    c.messages = a[0];
    c.frames = a[1];
    c.malformed = a[2];
    c.dropped = a[3];
    c.reconnects = a[4];
    c.series = a[5];
    c.leftUncorrelated = a[6];
    return c;
}

// Every shot of the job so far with its series (train) and frame (image id, pulse) number, and the stream counts of
// the attempts before this one: rank 0 keeps it beside the checkpoint (JobFiles::streamLedger).
struct StreamLedger {
    std::vector<std::int64_t> shot, series, frame;
    std::vector<std::int64_t> leftSeries, leftFrame; ///< frames received but left uncorrelated at an attempt's end
    CountsArray before {}; ///< counts of the attempts before this one
    CountsArray now {}; ///< this attempt's (every rank)
    std::int64_t dropped = 0; ///< frames nobody got, over the whole ledger (streamGaps): the ranks cannot tell

    void add(const std::vector<std::int64_t>& triples)
    {
        for (std::size_t i = 0; i + 2 < triples.size(); i += 3) {
            shot.push_back(triples[i]);
            series.push_back(triples[i + 1]);
            frame.push_back(triples[i + 2]);
        }
    }
    void addLeft(const std::vector<std::int64_t>& pairs)
    {
        for (std::size_t i = 0; i + 1 < pairs.size(); i += 2) {
            leftSeries.push_back(pairs[i]);
            leftFrame.push_back(pairs[i + 1]);
        }
    }
    // Frames nobody received: the gaps in what every rank got, correlated or left at an end.
    std::int64_t gaps(StreamProtocol protocol) const
    {
        auto s = series, f = frame;
        s.insert(s.end(), leftSeries.begin(), leftSeries.end());
        f.insert(f.end(), leftFrame.begin(), leftFrame.end());
        return streamGaps(protocol, s, f);
    }
    CountsArray total() const
    {
        CountsArray t {};
        for (std::size_t i = 0; i < t.size(); ++i) {
            t[i] = before[i] + now[i];
        }
        t[3] = dropped; // a resume's gap included: what the publisher sent while the job was down
        return t;
    }
    std::string toJson() const
    {
        return nlohmann::json { { "shot", shot }, { "series", series }, { "frame", frame }, { "counts", total() },
            { "left_series", leftSeries }, { "left_frame", leftFrame } }
            .dump();
    }
    // The ledger of a checkpoint: only the shots it holds (`kept`); its counts become those of the attempts before.
    static StreamLedger read(const std::filesystem::path& path, const std::set<std::int64_t>& kept)
    {
        StreamLedger l;
        auto text = readText(path);
        const auto j = text ? nlohmann::json::parse(*text, nullptr, false) : nlohmann::json();
        if (!j.is_object()) {
            return l;
        }
        const auto shots = j.value("shot", std::vector<std::int64_t> {});
        const auto series = j.value("series", std::vector<std::int64_t> {});
        const auto frames = j.value("frame", std::vector<std::int64_t> {});
        for (std::size_t i = 0; i < shots.size() && i < series.size() && i < frames.size(); ++i) {
            if (kept.count(shots[i]) != 0) {
                l.add({ shots[i], series[i], frames[i] });
            }
        }
        const auto before = j.value("counts", std::vector<std::int64_t> {}); // 6 before left_uncorrelated
        for (std::size_t i = 0; i < before.size() && i < l.before.size(); ++i) {
            l.before[i] = before[i];
        }
        l.addLeft([&] {
            std::vector<std::int64_t> pairs;
            const auto ls = j.value("left_series", std::vector<std::int64_t> {});
            const auto lf = j.value("left_frame", std::vector<std::int64_t> {});
            for (std::size_t i = 0; i < ls.size() && i < lf.size(); ++i) {
                pairs.insert(pairs.end(), { ls[i], lf[i] });
            }
            return pairs;
        }());
        return l;
    }
    // The results file's ledger: every shot in order, accepted unless rejected (with the reason).
    LedgerColumns columns(const std::vector<RejectedShot>& rejected) const
    {
        std::vector<std::size_t> order(shot.size());
        for (std::size_t i = 0; i < order.size(); ++i) {
            order[i] = i;
        }
        std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return shot[a] < shot[b]; });
        std::map<std::int64_t, std::string> why;
        for (const auto& r : rejected) {
            why[r.shot] = r.reason;
        }
        LedgerColumns c;
        for (std::size_t i : order) {
            const auto it = why.find(shot[i]);
            c.shotIndex.push_back(shot[i]);
            c.accepted.push_back(it == why.end() ? 1 : 0);
            c.reason.push_back(it == why.end() ? std::string() : it->second);
            c.seriesId.push_back(series[i]);
            c.frameNumber.push_back(frame[i]);
        }
        return c;
    }
};

// Every rank's outcome of a step that all must pass (a rank that cannot consume would hang the others' reductions).
Status agree(const Status& mine, const std::string& what, MPI_Comm comm)
{
    int good = mine.ok() ? 1 : 0, all = 0;
    MPI_Allreduce(&good, &all, 1, MPI_INT, MPI_MIN, comm);
    if (!mine.ok()) {
        return mine;
    }
    return all ? Status {} : Status { Error { "another rank could not open " + what } };
}

// What rank 0 resumes from: the checkpoint's sums, shots and rejected shots, and the stream ledger.
struct Resume {
    std::vector<std::int64_t> shotsDone;
    std::vector<RejectedShot> rejected;
    StreamLedger ledger;
    std::int64_t nextShot = 0; ///< the first shot index of this attempt (every rank)
    std::int64_t shots = 0; ///< shots of the attempts before (accepted and rejected; every rank)
};

Result<Resume> resumeFrom(const WorkerConfig& cfg, const JobFiles& files, int rank, MPI_Comm comm, C2Sums& base)
{
    Resume r;
    std::string error;
    if (rank == 0 && std::filesystem::exists(files.checkpoint())) {
        auto cp = SumsFile::read(files.checkpoint());
        if (!cp) {
            error = cp.error().message;
        } else if (cp->computationHash != cfg.computationHash() || !cp->sums.compatible(base)) {
            error = "the checkpoint " + files.checkpoint().string()
                + " was made by a different computation (grid, geometry, vetoes or protocol changed); cannot resume";
        } else {
            base = std::move(cp->sums);
            r.shotsDone = std::move(cp->shotsDone);
            r.rejected = std::move(cp->rejected);
            std::set<std::int64_t> kept(r.shotsDone.begin(), r.shotsDone.end());
            for (const auto& s : r.rejected) {
                kept.insert(s.shot);
            }
            r.ledger = StreamLedger::read(files.streamLedger(), kept);
            r.nextShot = kept.empty() ? 0 : *kept.rbegin() + 1;
            r.shots = static_cast<std::int64_t>(kept.size());
        }
    }
    int failed = error.empty() ? 0 : 1;
    MPI_Bcast(&failed, 1, MPI_INT, 0, comm);
    if (failed) {
        return Error { rank == 0 ? error : "rank 0 could not read the checkpoint" };
    }
    std::int64_t shared[2] = { r.nextShot, r.shots };
    MPI_Bcast(shared, 2, MPI_INT64_T, 0, comm);
    r.nextShot = shared[0];
    r.shots = shared[1];
    return r;
}

// One rank's consumption: frames through the geometry and the vetoes into its pipeline.
struct StreamRank {
    const WorkerConfig& cfg;
    const DetectorInput& input;
    C2Pipeline& pipeline;
    HeartbeatThread& heart;
    std::optional<VetoRules> veto;
    std::vector<RejectedShot> rejected; ///< since the last reduction
    std::vector<std::int64_t> entries; ///< (shot, series, frame) since the last reduction
    std::int64_t rejectedTotal = 0, statShots = 0, hits = 0;
    double meanIntensitySum = 0.0;

    Status frame(const Frame& f)
    {
        entries.insert(entries.end(), { f.shotIndex, f.meta.seriesId, f.meta.frameNumber });
        return input.remap(f, [this](ProvidedShot&& s) {
            if (s.stats) {
                ++statShots;
                hits += s.stats->hitScore >= cfg.hitScoreMin ? 1 : 0;
                meanIntensitySum += std::isfinite(s.stats->mean) ? s.stats->mean : 0.0;
            }
            if (veto && s.stats) {
                s.stats->shotIndex = s.polar.shotIndex;
                if (const VetoDecision d = veto->decide(*s.stats); !d.accepted) {
                    rejected.push_back({ s.polar.shotIndex, d.reason });
                    ++rejectedTotal;
                    return Status {};
                }
            }
            pipeline.push(std::move(s.polar));
            return Status {};
        });
    }
    void report()
    {
        const auto p = pipeline.progress();
        heart.setProgress(p.shotsDone, p.shotsRejected + rejectedTotal, 0);
        heart.setStatistics(statShots, hits, meanIntensitySum);
    }
};

// What one rank consumes: what a detector stream's publisher gives it, or its share of a live file's frames.
class RankFeed {
public:
    virtual ~RankFeed() = default;
    /// The next frame if one comes within `timeoutS`, else nothing (see ended()).
    virtual Result<std::optional<Frame>> nextWithin(double timeoutS) = 0;
    /// Nothing more will come to this rank.
    virtual bool ended() const = 0;
    /// Frames this rank could take at once.
    virtual std::int64_t queued() const = 0;
    virtual StreamCounts counts() const = 0;
    /// Stops; the frames received and never taken.
    virtual std::vector<FrameMetadata> finish() = 0;
    /// A live file's frames have their shot index (the frame's index in the file); a stream's are numbered here.
    virtual bool indexed() const { return false; }
    /// Frames known so far (a live file's extent; a stream: 0, unknown).
    virtual std::int64_t seen() const { return 0; }
};

class StreamFeed final : public RankFeed {
public:
    explicit StreamFeed(std::unique_ptr<DetectorStreamSource> s)
        : m_s(std::move(s))
    {
    }
    Result<std::optional<Frame>> nextWithin(double timeoutS) override { return m_s->nextWithin(timeoutS); }
    bool ended() const override { return m_s->ended(); }
    std::int64_t queued() const override { return m_s->queued(); }
    StreamCounts counts() const override { return m_s->counts(); }
    std::vector<FrameMetadata> finish() override { return m_s->finish(); }

private:
    std::unique_ptr<DetectorStreamSource> m_s;
};

// Rank r of n takes frames r, r + n, r + 2n, … of a file another process is writing, skipping those a resumed job's
// checkpoint holds: every frame once over the ranks, whatever their pace.
class LiveFileFeed final : public RankFeed {
public:
    LiveFileFeed(std::unique_ptr<LiveFileSource> s, int rank, int size, std::set<std::int64_t> done)
        : m_s(std::move(s))
        , m_next(rank)
        , m_size(size)
        , m_done(std::move(done))
    {
        skipDone();
    }
    Result<std::optional<Frame>> nextWithin(double timeoutS) override
    {
        if (auto st = m_s->seek(m_next); !st) {
            return Error { st.message() };
        }
        auto f = m_s->nextWithin(timeoutS);
        if (f && *f) {
            m_next += m_size;
            skipDone();
            ++m_taken;
        }
        return f;
    }
    bool ended() const override { return m_s->writerClosed() && m_next >= m_s->framesAvailable(); }
    std::int64_t queued() const override
    {
        const std::int64_t n = m_s->framesAvailable() - m_next;
        return n > 0 ? (n + m_size - 1) / m_size : 0;
    }
    StreamCounts counts() const override
    {
        StreamCounts c;
        c.frames = m_taken;
        return c;
    }
    std::vector<FrameMetadata> finish() override
    {
        m_s->cancel();
        return {};
    }
    bool indexed() const override { return true; }
    std::int64_t seen() const override { return m_s->framesAvailable(); }

private:
    void skipDone()
    {
        while (m_done.count(m_next) != 0) {
            m_next += m_size;
        }
    }
    std::unique_ptr<LiveFileSource> m_s;
    std::int64_t m_next;
    int m_size;
    std::set<std::int64_t> m_done;
    std::int64_t m_taken = 0;
};

Result<std::unique_ptr<RankFeed>> openStream(const WorkerConfig& cfg, int rank)
{
    auto protocol = DetectorStreamSource::parseProtocol(cfg.streamProtocol);
    if (!protocol) {
        return Error { "stream.protocol: " + protocol.error().message };
    }
    StreamSourceOptions so;
    so.endpoint = cfg.streamEndpoint;
    so.protocol = *protocol;
    so.waitForFirstFrame = false; // a consumer of several may get no frame at all
    so.sharedStream = true; // the gaps other ranks' frames leave are no drops; rank 0 counts those from the ledger
    so.stopAtSeriesEnd = cfg.streamStopAtEnd;
    so.karabo.source = cfg.karaboSource;
    so.karabo.dataPath = cfg.karaboDataPath;
    so.log = [rank](const std::string& line) { std::fprintf(stderr, "fxs-worker rank %d: %s\n", rank, line.c_str()); };
    auto s = DetectorStreamSource::open(so);
    if (!s) {
        return s.error();
    }
    return std::unique_ptr<RankFeed>(new StreamFeed(std::move(*s)));
}

// Rank 0 validates the live file (fxs-probe as a SWMR reader) before the others open it; every rank learns the
// frames a resumed job's checkpoint holds (`kept`, rank 0's).
Result<std::unique_ptr<RankFeed>> openLiveFile(
    const WorkerConfig& cfg, std::vector<std::int64_t> kept, int rank, int size, MPI_Comm comm)
{
    LiveSourceOptions lo;
    lo.datasetPath = cfg.cxiDataset;
    lo.pollIntervalMs = 50;
    lo.validate = rank == 0;
    Result<std::unique_ptr<LiveFileSource>> src = Error { "not opened" };
    std::string why; // rank 0's reason, told to every rank: whichever failure the server sees names the cause
    if (rank == 0) {
        src = LiveFileSource::open(cfg.cxiPath, lo);
        why = src ? std::string() : src.error().message;
    }
    int length = static_cast<int>(why.size());
    MPI_Bcast(&length, 1, MPI_INT, 0, comm);
    why.resize(static_cast<std::size_t>(length));
    MPI_Bcast(why.data(), length, MPI_CHAR, 0, comm);
    if (!why.empty()) {
        return Error { rank == 0 ? why : "rank 0 could not open the input: " + why };
    }
    if (rank != 0) {
        src = LiveFileSource::open(cfg.cxiPath, lo);
    }
    if (auto st = agree(src ? Status {} : Status { src.error() }, cfg.cxiPath, comm); !st) {
        return Error { st.message() };
    }
    std::int64_t n = static_cast<std::int64_t>(kept.size());
    MPI_Bcast(&n, 1, MPI_INT64_T, 0, comm);
    kept.resize(static_cast<std::size_t>(n));
    MPI_Bcast(kept.data(), static_cast<int>(n), MPI_INT64_T, 0, comm);
    return std::unique_ptr<RankFeed>(
        new LiveFileFeed(std::move(*src), rank, size, std::set<std::int64_t>(kept.begin(), kept.end())));
}

// What the ranks agree on at the end of a round.
struct RoundEnd {
    std::int64_t shots = 0; ///< taken by every rank in this round
    bool ended = false; ///< some rank's stream ended (the series' end message); a live file: every rank's share
    double idleS = 0.0; ///< since the last frame, on the rank that had one last
    double elapsedS = 0.0; ///< since the attempt started (the slowest clock)
};

RoundEnd agreeOnRound(std::int64_t taken, bool ended, bool allMustEnd, double idleS, double elapsedS, MPI_Comm comm)
{
    RoundEnd r;
    MPI_Allreduce(&taken, &r.shots, 1, MPI_INT64_T, MPI_SUM, comm);
    int e = ended ? 1 : 0, agreed = 0;
    MPI_Allreduce(&e, &agreed, 1, MPI_INT, allMustEnd ? MPI_MIN : MPI_MAX, comm);
    r.ended = agreed != 0;
    MPI_Allreduce(&idleS, &r.idleS, 1, MPI_DOUBLE, MPI_MIN, comm);
    MPI_Allreduce(&elapsedS, &r.elapsedS, 1, MPI_DOUBLE, MPI_MAX, comm);
    return r;
}

// This rank's share of `remaining` shots: every rank first gets what it holds queued (in rank order while shots
// remain), then the rest is spread evenly. The shares add up to `remaining` exactly.
std::int64_t roundQuota(std::int64_t remaining, std::int64_t queued, int rank, int size, MPI_Comm comm)
{
    std::vector<std::int64_t> held(static_cast<std::size_t>(size), 0);
    MPI_Allgather(&queued, 1, MPI_INT64_T, held.data(), 1, MPI_INT64_T, comm);
    std::int64_t left = remaining, mine = 0;
    for (int r = 0; r < size; ++r) {
        const std::int64_t take = std::min(left, held[static_cast<std::size_t>(r)]);
        left -= take;
        mine += r == rank ? take : 0;
    }
    return mine + left / size + (rank < left % size ? 1 : 0);
}

} // namespace

Status runStreamWorker(const JobFiles& files, const WorkerConfig& cfg, HeartbeatThread& heart, MPI_Comm comm)
{
    int rank = 0, size = 1;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    const bool live = cfg.followFile;
    const std::string origin = live ? cfg.cxiPath : cfg.streamEndpoint; // what messages name
    auto input = openDetectorInput(cfg, live ? "cxi" : "stream");
    if (auto st = agree(input ? Status {} : Status { input.error() }, "the job's geometry", comm); !st) {
        return st;
    }
    std::optional<VetoRules> veto;
    if (!cfg.veto.is_null()) {
        auto rules = VetoRules::fromJson(cfg.veto);
        if (!rules) {
            return Error { "veto: " + rules.error().message };
        }
        veto = std::move(*rules);
    }
    const C2Config acc = cfg.accumulatorConfig();
    C2Sums base = C2Sums::zeros(cfg.nQ, cfg.nPhi, acc.effectiveNMax(), cfg.ringMeanSubtracted, acc.variance);
    auto resume = resumeFrom(cfg, files, rank, comm, base);
    if (!resume) {
        return resume.error();
    }
    std::vector<std::int64_t> kept = resume->shotsDone; // rank 0: frames of a live file already in the sums
    for (const auto& r : resume->rejected) {
        kept.push_back(r.shot);
    }
    auto source = live ? openLiveFile(cfg, std::move(kept), rank, size, comm) : openStream(cfg, rank);
    if (auto st = agree(source ? Status {} : Status { source.error() }, "the input " + origin, comm); !st) {
        return st;
    }
    RankFeed& stream = **source;
    const StreamProtocol protocol = *DetectorStreamSource::parseProtocol(cfg.streamProtocol); // opened: valid
    heart.setShotsTotal(cfg.shots);
    C2Pipeline pipeline(pipelineConfig(cfg, rank));
    heart.setDevice(pipeline.backendDescription());
    StreamRank work { cfg, *input, pipeline, heart, std::move(veto), {}, {}, 0, 0, 0, 0.0 };
    CheckpointWriter writer(files);
    std::vector<RejectedShot> rejectedAll = resume->rejected; // rank 0
    std::vector<std::int64_t> shotsDone = resume->shotsDone; // rank 0
    StreamLedger& ledger = resume->ledger; // rank 0
    std::shared_ptr<const SumsFile> final; // rank 0: the last checkpoint, shared with the writer
    const auto t0 = Clock::now();
    auto lastFrame = Clock::now();
    std::int64_t local = 0; // frames this rank took in this attempt
    std::int64_t attemptShots = 0; // every rank's, as of the last round
    bool draining = false;
    for (;;) {
        heart.setPhase(draining ? "draining" : "accumulating");
        // This round's share of the shots max_shots still allows: frames a rank already holds first (a Karabo train
        // brings several pulses to one rank, and no other rank can take them), the rest spread over the ranks.
        std::int64_t quota = std::numeric_limits<std::int64_t>::max();
        if (cfg.shots > 0) {
            const std::int64_t remaining = std::max<std::int64_t>(0, cfg.shots - resume->shots - attemptShots);
            quota = roundQuota(remaining, stream.queued(), rank, size, comm);
        }
        std::int64_t taken = 0;
        const auto start = Clock::now();
        while (taken < quota) {
            // Draining (the stream ended): take what this rank still holds, then stop.
            const double left = draining ? 0.5 : cfg.reduceIntervalS - secondsSince(start);
            if (left <= 0.0) {
                break;
            }
            auto next = stream.nextWithin(std::min(0.25, left));
            if (!next) {
                return next.error();
            }
            if (!*next) {
                if (draining || stream.ended()) {
                    break;
                }
                continue;
            }
            Frame& f = **next;
            if (!stream.indexed()) {
                f.shotIndex = resume->nextShot + local * size + rank; // unique over the ranks, after the old shots
            }
            ++local;
            ++taken;
            lastFrame = Clock::now();
            if (auto st = work.frame(f); !st) {
                return Error { live ? origin + " frame " + std::to_string(f.shotIndex) + ": " + st.message()
                                    : origin + ": series " + std::to_string(f.meta.seriesId) + " frame "
                                        + std::to_string(f.meta.frameNumber) + ": " + st.message() };
            }
            work.report();
        }
        if (live) {
            heart.setShotsTotal(std::max<std::int64_t>(stream.seen(), resume->shots)); // the frames seen so far
        }
        pipeline.wait(); // every frame taken is in the sums before they are reduced
        work.report();
        heart.setPhase("reducing");
        const RoundEnd round
            = agreeOnRound(taken, stream.ended(), live, secondsSince(lastFrame), secondsSince(t0), comm);
        attemptShots += round.shots;
        C2Sums sums = SumsReduction::start(pipeline, 0, comm)->finish().toSums();
        gatherRejected(work.rejected, rejectedAll, 0, comm);
        const auto entries = gatherValues(work.entries, 0, comm);
        work.entries.clear();
        CountsArray mine = toArray(stream.counts()), all {};
        MPI_Reduce(mine.data(), all.data(), static_cast<int>(all.size()), MPI_INT64_T, MPI_SUM, 0, comm);
        const bool full = cfg.shots > 0 && resume->shots + attemptShots >= cfg.shots;
        const bool timeUp = cfg.streamTimeLimitS > 0.0 && round.elapsedS >= cfg.streamTimeLimitS;
        const bool idle = cfg.streamIdleTimeoutS > 0.0 && round.idleS >= cfg.streamIdleTimeoutS;
        if (attemptShots == 0 && round.elapsedS >= cfg.streamConnectTimeoutS && !timeUp) {
            return Error { origin + ": no frame on any rank within " + std::to_string(round.elapsedS)
                + (live ? " s (cxi.follow_idle_timeout_s, at least 60 s)" : " s (stream.connect_timeout_s)")
                + "; this rank: " + std::to_string(mine[0]) + " messages, "
                + std::to_string(mine[2]) + " malformed" };
        }
        const bool last = full || timeUp || idle || draining || (live && round.ended);
        draining = round.ended && !last; // the end message reached one rank: the others take what they hold
        if (rank == 0 && (round.shots > 0 || last)) { // a round without shots changes no checkpoint
            if (base.totalShots() > 0) {
                if (auto st = sums.merge(base); !st) {
                    return Error { st.message() };
                }
            }
            ledger.add(entries);
            ledger.now = all;
            ledger.dropped = live ? 0 : ledger.gaps(protocol);
            std::set<std::int64_t> refused;
            for (const auto& r : rejectedAll) {
                refused.insert(r.shot);
            }
            for (std::size_t i = 0; i < entries.size(); i += 3) {
                if (refused.count(entries[i]) == 0) {
                    shotsDone.push_back(entries[i]);
                }
            }
            std::sort(shotsDone.begin(), shotsDone.end());
            std::sort(rejectedAll.begin(), rejectedAll.end(), [](auto& a, auto& b) { return a.shot < b.shot; });
            // The ledger first: it may hold shots the checkpoint lacks (a crash between), never the other way.
            if (auto st = writeTextAtomically(files.streamLedger(), ledger.toJson()); !st) {
                return Error { st.message() };
            }
            auto cp = std::make_shared<SumsFile>();
            cp->sums = std::move(sums);
            cp->computationHash = cfg.computationHash();
            cp->shotsDone = shotsDone;
            cp->rejected = rejectedAll;
            if (last) {
                final = cp;
            }
            if (auto st = writer.submit(std::move(cp), last); !st) {
                return Error { st.message() };
            }
        }
        if (last) {
            break;
        }
    }
    // What the ranks received and never correlated (queued, or still in ZeroMQ's buffers) is counted, and rank 0
    // learns their frame numbers: they are no gaps.
    std::vector<std::int64_t> leftPairs;
    for (const FrameMetadata& m : stream.finish()) {
        leftPairs.insert(leftPairs.end(), { m.seriesId, m.frameNumber });
    }
    const auto allLeft = gatherValues(leftPairs, 0, comm);
    CountsArray mine = toArray(stream.counts()), all {};
    MPI_Reduce(mine.data(), all.data(), static_cast<int>(all.size()), MPI_INT64_T, MPI_SUM, 0, comm);
    if (rank != 0) {
        return writer.wait();
    }
    ledger.addLeft(allLeft);
    ledger.now = all;
    ledger.dropped = live ? 0 : ledger.gaps(protocol);
    if (auto st = writeTextAtomically(files.streamLedger(), ledger.toJson()); !st) {
        return Error { st.message() };
    }
    if (all[6] > 0) {
        if (auto st = noteForUser(std::to_string(all[6])
                + " frames received after the job's end were not correlated (stream_counts left_uncorrelated)");
            !st) {
            return Error { st.message() };
        }
    }
    const LedgerColumns columns = ledger.columns(rejectedAll);
    const StreamCounts counts = fromArray(ledger.total());
    FinalProducts p { cfg, files, input->wavelengthA, size * cfg.threadsPerRank, &columns,
        live ? nullptr : &counts }; // a file has no stream counts
    p.writer = &writer;
    if (!final) {
        return Error { "rank 0 ended the stream without its last checkpoint" };
    }
    auto a = analyse(p, final->sums, [](double) {}); // while the writer puts the result on disk
    if (auto st = writer.wait(); !st) {
        return st;
    }
    if (!a) {
        return a.error();
    }
    if (auto st = writeResultsFile(p, *final, *a); !st) {
        return st;
    }
    return {};
}

} // namespace fxs::remote
