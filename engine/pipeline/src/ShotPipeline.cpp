#include <fxs/pipeline/ShotPipeline.h>

#include <fxs/sources/BitshuffleLz4.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <type_traits>

namespace fxs {

namespace {

// Calls fn(span<const T>) with the frame's pixels in their stored type: the kernels below are compiled per type.
template <class Fn> decltype(auto) withPixels(const Frame& f, Fn&& fn)
{
    return withPixelType(f.type, [&](auto v) -> decltype(auto) { return fn(f.as<decltype(v)>()); });
}

std::string shotPrefix(std::int64_t shot) { return "shot " + std::to_string(shot) + ": "; }

// The first valid pixel whose value a frame may not hold (NaN/inf; below 0 when asked), or an empty string.
template <class T>
std::string firstBadPixel(
    std::span<const T> px, std::span<const std::uint8_t> mask, bool refuseNegative, bool refuseNonFinite)
{
    if constexpr (std::is_unsigned_v<T>) {
        return {};
    } else {
        if (!refuseNegative && (std::is_integral_v<T> || !refuseNonFinite)) {
            return {};
        }
        // Branch-free scan first (vectorised), the position only when something is wrong.
        bool bad = false;
        for (std::size_t i = 0; i < px.size(); ++i) {
            const bool valid = mask.empty() || mask[i] != 0;
            bool wrong = refuseNegative && px[i] < T(0);
            if constexpr (std::is_floating_point_v<T>) {
                wrong = wrong || (refuseNonFinite && !(px[i] - px[i] == T(0))); // NaN or inf
            }
            bad |= valid && wrong;
        }
        if (!bad) {
            return {};
        }
        for (std::size_t i = 0; i < px.size(); ++i) {
            if (!mask.empty() && mask[i] == 0) {
                continue;
            }
            const double v = static_cast<double>(px[i]);
            if ((refuseNonFinite && !std::isfinite(v)) || (refuseNegative && v < 0.0)) {
                return (std::isnan(v) ? std::string("NaN") : std::to_string(v)) + " at valid pixel " + std::to_string(i);
            }
        }
        return {};
    }
}

// Adds a frame to the mean image; pixels masked for this frame alone (NaN) add nothing.
template <class T>
void addInto(std::span<const T> px, std::span<const std::uint8_t> mask, std::vector<double>& sum)
{
    double* s = sum.data();
    if constexpr (std::is_floating_point_v<T>) {
        if (!mask.empty()) {
            for (std::size_t i = 0; i < px.size(); ++i) {
                s[i] += std::isfinite(px[i]) ? static_cast<double>(px[i]) : 0.0;
            }
            return;
        }
    }
    for (std::size_t i = 0; i < px.size(); ++i) {
        s[i] += static_cast<double>(px[i]);
    }
}

// One pass (resize() would zero a fresh vector first).
template <class T> void toFloat(std::span<const T> px, std::vector<float>& out) { out.assign(px.begin(), px.end()); }

} // namespace

struct ShotPipeline::Impl {
    // One shot in flight, from the reader through a worker to the consumer.
    struct Job {
        PipelineShot shot;
        std::unique_ptr<Frame> frame;
        std::unique_ptr<Frame> weightFrame;
        std::optional<PolarRemapper> remapper; ///< this frame's when the geometry changes per frame
        std::string error; ///< the run fails here (read error)
        bool done = false;
    };
    // What one worker sums for the mean image.
    struct MeanSum {
        std::vector<double> sum;
        std::int64_t frames = 0;
    };

    std::unique_ptr<FrameSource> source;
    std::optional<PolarRemapper> remapper; // detector input
    std::unique_ptr<FrameRemappers> frameRemappers;
    std::vector<std::uint8_t> valid;
    std::vector<float> weights; // polar input
    std::unique_ptr<FrameSource> weightSource;
    ShotPipelineConfig config;
    int nThreads = 1;

    std::mutex mutex;
    std::condition_variable changed;
    std::deque<std::unique_ptr<Job>> window; // in shot order: front is delivered next
    std::deque<Job*> todo; // read, not yet taken by a worker
    std::size_t maxInFlight = 2;
    bool readerDone = false;
    bool stopping = false; // the consumer stopped: drop everything
    std::atomic<bool> cancelled { false };
    std::vector<MeanSum> means;
    std::int64_t nextExpected = 0; // shot index the reader expects next

    bool detector() const { return remapper.has_value(); }

    void computeBudget()
    {
        std::size_t perFrame = source->shape().bytes();
        if (weightSource) {
            perFrame += weightSource->shape().bytes();
        }
        const std::size_t bins = detector() ? static_cast<std::size_t>(remapper->grid().size()) : source->shape().pixels();
        perFrame += 2 * bins * sizeof(float) + 1;
        const std::size_t byBudget = config.memoryBudgetBytes / perFrame;
        const std::size_t cap = 4 * static_cast<std::size_t>(nThreads) + 16; // cancel stays prompt
        maxInFlight = std::clamp<std::size_t>(byBudget, std::size_t(2), cap);
    }

    // Adds a job at the back of the window (waits while the budget is spent); false when stopping.
    bool enqueue(std::unique_ptr<Job> job)
    {
        std::unique_lock lock(mutex);
        changed.wait(lock, [&] { return window.size() < maxInFlight || stopping; });
        if (stopping) {
            return false;
        }
        if (!job->done) {
            todo.push_back(job.get());
        }
        window.push_back(std::move(job));
        changed.notify_all();
        return true;
    }

    std::unique_ptr<Job> finished(std::int64_t shot)
    {
        auto job = std::make_unique<Job>();
        job->shot.shotIndex = shot;
        job->done = true;
        return job;
    }

    void readerLoop()
    {
        std::int64_t read = 0;
        auto fail = [&](std::string message) {
            auto job = finished(nextExpected);
            job->error = std::move(message);
            enqueue(std::move(job));
        };
        while (!cancelled.load() && (config.maxShots < 0 || read < config.maxShots)) {
            if (config.skipShot && config.skipShot(nextExpected)) {
                const std::int64_t from = nextExpected;
                while (config.skipShot(nextExpected) && (config.maxShots < 0 || read < config.maxShots)
                    && (config.lastShot < 0 || nextExpected <= config.lastShot)) {
                    auto job = finished(nextExpected);
                    job->shot.outcome = ShotOutcome::Skipped;
                    if (!enqueue(std::move(job))) {
                        return;
                    }
                    ++nextExpected;
                    ++read;
                }
                if (nextExpected == from) {
                    break; // a limit stopped the skipping
                }
                if (auto st = seekTo(nextExpected); !st) {
                    fail(st.message());
                    break;
                }
                continue;
            }
            auto frame = source->next();
            if (!frame) {
                fail(frame.error().message);
                break;
            }
            if (!frame->has_value() || (config.lastShot >= 0 && (*frame)->shotIndex > config.lastShot)) {
                break;
            }
            auto job = std::make_unique<Job>();
            job->shot.shotIndex = (*frame)->shotIndex;
            job->frame = std::make_unique<Frame>(std::move(**frame));
            nextExpected = job->shot.shotIndex + 1;
            ++read;
            if (weightSource) {
                auto w = weightSource->next();
                if (!w || !w->has_value()) {
                    fail(weightSource->description() + ": no weight frame for shot "
                        + std::to_string(job->shot.shotIndex) + (w ? std::string {} : ": " + w.error().message));
                    break;
                }
                job->weightFrame = std::make_unique<Frame>(std::move(**w));
            }
            if (frameRemappers) {
                auto r = frameRemappers->forFrame(job->shot.shotIndex);
                if (!r) {
                    fail(source->description() + ": " + shotPrefix(job->shot.shotIndex) + r.error().message);
                    break;
                }
                job->remapper = **r;
            }
            if (!enqueue(std::move(job))) {
                return;
            }
        }
        const std::lock_guard lock(mutex);
        readerDone = true;
        changed.notify_all();
    }

    Status seekTo(std::int64_t shot)
    {
        if (weightSource) {
            if (auto st = weightSource->seek(shot); !st) {
                return st;
            }
        }
        return source->seek(shot);
    }

    void refuse(Job& job, const std::string& why)
    {
        job.shot.outcome = ShotOutcome::Refused;
        const std::string prefix = shotPrefix(job.shot.shotIndex);
        job.shot.refusal = why.rfind(prefix, 0) == 0 ? why : prefix + why; // engine errors may name the shot
        job.shot.polar = {};
    }

    void workDetector(Job& job, MeanSum& mean)
    {
        const Frame& f = *job.frame;
        const PolarRemapper& r = job.remapper ? *job.remapper : *remapper;
        if (f.pixels.size() != f.size() * pixelSize(f.type) || f.nSlow != r.nSlow() || f.nFast != r.nFast()) {
            refuse(job,
                "frame of " + std::to_string(f.nSlow) + " x " + std::to_string(f.nFast) + " " + pixelTypeName(f.type)
                    + " (" + std::to_string(f.pixels.size()) + " bytes), the geometry expects "
                    + std::to_string(r.nSlow()) + " x " + std::to_string(r.nFast()));
            return;
        }
        const std::span<const std::uint8_t> mask(valid);
        // With a source's mask per frame (European XFEL's), its bad pixels hold NaN: masked for that shot only
        // (statistics leave them out, their bins get weight 0), not a reason to refuse the frame.
        const std::string bad = withPixels(
            f, [&](auto px) { return firstBadPixel(px, mask, config.refuseNegative, !config.nonFiniteMasked); });
        if (!bad.empty()) {
            refuse(job, bad);
            return;
        }
        auto stats = ShotStats::compute(f, valid, config.stats);
        if (!stats) {
            refuse(job, stats.error().message);
            return;
        }
        if (config.deferRemap && f.type != PixelType::UInt16) {
            refuse(job, std::string("frame of ") + pixelTypeName(f.type) + " pixels; the device remap takes uint16");
            return;
        } else if (config.deferRemap) {
            job.shot.polar = {}; // the consumer remaps the frame (on the device)
        } else if (auto st = r.remapIntoAlone(f, job.shot.polar); !st) {
            refuse(job, st.message());
            return;
        }
        job.shot.stats = *stats;
        job.shot.stats.shotIndex = job.shot.shotIndex;
        if (config.keepMean) {
            mean.sum.resize(f.size(), 0.0);
            withPixels(f, [&](auto px) { addInto(px, mask, mean.sum); });
            ++mean.frames;
        }
    }

    void workPolar(Job& job)
    {
        const Frame& f = *job.frame;
        const std::size_t n = f.size();
        PolarFrame& p = job.shot.polar;
        p.shotIndex = job.shot.shotIndex;
        p.nQ = f.nSlow;
        p.nPhi = f.nFast;
        if (f.pixels.size() != n * pixelSize(f.type) || (!weights.empty() && weights.size() != n)
            || (job.weightFrame && job.weightFrame->size() != n)) {
            refuse(job, "polar frame of " + std::to_string(f.nSlow) + " x " + std::to_string(f.nFast)
                    + " does not match its bytes or weights");
            return;
        }
        withPixels(f, [&](auto px) { toFloat(px, p.intensity); });
        if (job.weightFrame) {
            withPixels(*job.weightFrame, [&](auto px) { toFloat(px, p.weight); });
        } else if (!weights.empty()) {
            p.weight = weights;
        } else {
            p.weight.assign(n, 1.0f);
        }
        auto stats = ShotStats::ofPolar(p, config.stats); // one pass; a weighted NaN or ±inf is refused here
        if (!stats) {
            refuse(job, stats.error().message);
            return;
        }
        job.shot.stats = *stats;
        job.shot.stats.takeIds(job.shot.meta);
    }

    void workerLoop(int w)
    {
        while (true) {
            Job* job = nullptr;
            {
                std::unique_lock lock(mutex);
                changed.wait(lock, [&] { return !todo.empty() || readerDone || stopping; });
                if (stopping || todo.empty()) {
                    return;
                }
                job = todo.front();
                todo.pop_front();
            }
            job->shot.meta = job->frame->meta;
            // Chunks a source left compressed are decoded here, on this worker, outside the HDF5 library.
            Status decoded = decodePixels(*job->frame);
            if (decoded && job->weightFrame) {
                decoded = decodePixels(*job->weightFrame);
            }
            if (!decoded) {
                refuse(*job, decoded.message());
            } else if (detector()) {
                workDetector(*job, means[static_cast<std::size_t>(w)]);
            } else {
                workPolar(*job);
            }
            if ((config.keepFrames || (config.deferRemap && detector())) && job->shot.outcome == ShotOutcome::Ready) {
                job->shot.frame = std::shared_ptr<const Frame>(std::move(job->frame));
            }
            job->frame.reset();
            job->weightFrame.reset();
            const std::lock_guard lock(mutex);
            job->done = true;
            changed.notify_all();
        }
    }
};

ShotPipeline::ShotPipeline(std::unique_ptr<FrameSource> source, PolarRemapper remapper,
    std::vector<std::uint8_t> validMask, ShotPipelineConfig config)
    : m_impl(std::make_unique<Impl>())
{
    m_impl->source = std::move(source);
    m_impl->remapper = std::move(remapper);
    m_impl->valid = std::move(validMask);
    m_impl->config = std::move(config);
}

ShotPipeline::ShotPipeline(std::unique_ptr<FrameSource> source, std::vector<float> weights,
    std::unique_ptr<FrameSource> weightSource, ShotPipelineConfig config)
    : m_impl(std::make_unique<Impl>())
{
    m_impl->source = std::move(source);
    m_impl->weights = std::move(weights);
    m_impl->weightSource = std::move(weightSource);
    m_impl->config = std::move(config);
}

ShotPipeline::~ShotPipeline() = default;

void ShotPipeline::setFrameRemappers(std::unique_ptr<FrameRemappers> remappers)
{
    m_impl->frameRemappers = std::move(remappers);
}

ShotPipelineConfig& ShotPipeline::config() { return m_impl->config; }

Status ShotPipeline::seek(std::int64_t shotIndex)
{
    if (auto st = m_impl->seekTo(shotIndex); !st) {
        return st;
    }
    m_impl->nextExpected = shotIndex;
    return {};
}

int ShotPipeline::threads() const
{
    const int t = m_impl->config.threads;
    return t > 0 ? t : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

Status ShotPipeline::run(const std::function<bool(PipelineShot&)>& consumer)
{
    Impl& m = *m_impl;
    m.nThreads = threads();
    m.means.resize(static_cast<std::size_t>(m.nThreads));
    m.computeBudget();
    {
        const std::lock_guard lock(m.mutex);
        m.window.clear();
        m.todo.clear();
        m.readerDone = false;
        m.stopping = false;
    }
    std::thread reader([&m] { m.readerLoop(); });
    std::vector<std::thread> workers;
    for (int w = 0; w < m.nThreads; ++w) {
        workers.emplace_back([&m, w] { m.workerLoop(w); });
    }
    Status result;
    while (true) {
        std::unique_ptr<Impl::Job> job;
        {
            std::unique_lock lock(m.mutex);
            m.changed.wait(lock, [&] { return (!m.window.empty() && m.window.front()->done) || (m.readerDone && m.window.empty()); });
            if (m.window.empty()) {
                break;
            }
            job = std::move(m.window.front());
            m.window.pop_front();
            m.changed.notify_all(); // room for the reader
        }
        if (!job->error.empty()) {
            result = Error { job->error };
            break;
        }
        if (!consumer(job->shot)) {
            break;
        }
    }
    bool readerBusy = false;
    {
        const std::lock_guard lock(m.mutex);
        m.stopping = true;
        readerBusy = !m.readerDone;
        m.changed.notify_all();
    }
    if (readerBusy) {
        m.source->cancel(); // a live source blocked in next() lets the reader go
    }
    reader.join();
    for (auto& t : workers) {
        t.join();
    }
    return result;
}

void ShotPipeline::cancel()
{
    m_impl->cancelled = true;
    m_impl->source->cancel();
    if (m_impl->weightSource) {
        m_impl->weightSource->cancel();
    }
}

std::optional<std::int64_t> ShotPipeline::totalFrames() const { return m_impl->source->totalFrames(); }

std::string ShotPipeline::description() const { return m_impl->source->description(); }

std::optional<PolarRemapper> ShotPipeline::rawRemapper() const
{
    const Impl& m = *m_impl;
    if (!m.detector() || m.frameRemappers || m.source->shape().type != PixelType::UInt16) {
        return std::nullopt;
    }
    return m.remapper;
}

std::vector<float> ShotPipeline::meanDetector() const
{
    std::vector<double> sum;
    std::int64_t frames = 0;
    for (const auto& m : m_impl->means) {
        if (m.sum.empty()) {
            continue;
        }
        sum.resize(m.sum.size(), 0.0);
        for (std::size_t i = 0; i < sum.size(); ++i) {
            sum[i] += m.sum[i];
        }
        frames += m.frames;
    }
    std::vector<float> mean(sum.size(), 0.0f);
    for (std::size_t i = 0; i < sum.size() && frames > 0; ++i) {
        mean[i] = static_cast<float>(sum[i] / static_cast<double>(frames));
    }
    return mean;
}

std::int64_t ShotPipeline::framesInMean() const
{
    std::int64_t frames = 0;
    for (const auto& m : m_impl->means) {
        frames += m.frames;
    }
    return frames;
}

} // namespace fxs
