#include <fxs/pipeline/C2Pipeline.h>

#include <fxs/core/ParallelRange.h>
#include <fxs/gpu/GpuC2Accumulator.h>
#include <fxs/shots/ShotStats.h>

#include <algorithm>
#include <utility>
#include <atomic>
#include <cmath>
#include <cstring>
#include <condition_variable>
#include <deque>
#include <exception>
#include <latch>
#include <mutex>
#include <optional>
#include <thread>

extern "C" void openblas_set_num_threads(int);

namespace fxs {

namespace {

int hardwareThreads() { return static_cast<int>(std::max(1u, std::thread::hardware_concurrency())); }

// One queued shot: a polar frame, or a raw detector frame for the device remap.
struct Item {
    PolarFrame polar;
    std::shared_ptr<const Frame> raw;
};

std::string perSecond(double rate) { return std::to_string(std::llround(rate)) + " frames/s"; }

// Raw frames staged into the device's pinned buffers together, copied on kStagingThreads threads.
constexpr std::size_t kRawGroup = 16;
constexpr int kStagingThreads = 4;

// Frames per second of `job` run on `threads` threads at once, twice each: memory bandwidth is shared as in a run.
template <class Job> double concurrentRate(int threads, Job&& job)
{
    const auto t0 = std::chrono::steady_clock::now();
    detail::parallelChunks(static_cast<std::size_t>(threads), threads, [&](std::size_t, std::size_t b, std::size_t e) {
        for (std::size_t i = b; i < e; ++i) {
            job();
            job();
        }
    });
    return 2.0 * threads / std::max(1e-9, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
}

// Where this run's raw frames are remapped (GPU backend, uint16 frames of one geometry). Auto compares two rates
// measured here on a frame of the run's shape (the costs do not depend on the values), on the threads the shot
// pipeline works on: the CPU path does statistics and remap per frame there; the device path statistics only, and
// is bounded besides by PCIe (the raw frame's bytes over the measured pinned copy rate) and by staging the frames
// into pinned memory (kStagingThreads threads).
struct RemapChoice {
    bool device = false;
    std::string why;
};

RemapChoice chooseRemap(const C2PipelineConfig& c)
{
    if (c.deviceRemap == DeviceRemap::On) {
        return { true, "as asked" };
    }
    const PolarRemapper& r = *c.rawRemapper;
    const int threads = std::max(1, c.cpuRemapThreads);
    // A frame of counts, not zeros (timing on zeros can flatter a kernel): a cheap hash of the pixel index, 0-4095.
    Frame probe = Frame::zeros(r.nSlow(), r.nFast(), PixelType::UInt16);
    for (std::size_t i = 0; i < probe.pixels.size() / 2; ++i) {
        const auto v = static_cast<std::uint16_t>((static_cast<std::uint32_t>(i) * 2654435761u) >> 20);
        std::memcpy(probe.pixels.data() + 2 * i, &v, 2);
    }
    const double cpu = concurrentRate(threads, [&] {
        thread_local PolarFrame out;
        (void)ShotStats::compute(probe, {});
        (void)r.remapIntoAlone(probe, out);
    });
    const double stats = concurrentRate(threads, [&] { (void)ShotStats::compute(probe, {}); });
    std::vector<std::byte> staging(probe.pixels.size() * kRawGroup);
    const auto t0 = std::chrono::steady_clock::now();
    detail::parallelChunks(kRawGroup, kStagingThreads, [&](std::size_t, std::size_t b, std::size_t e) {
        for (std::size_t i = b; i < e; ++i) {
            std::memcpy(staging.data() + i * probe.pixels.size(), probe.pixels.data(), probe.pixels.size());
        }
    });
    const double stage = kRawGroup / std::max(1e-9, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    const auto copy = GpuC2Accumulator::hostToDeviceBytesPerSecond(std::size_t(64) << 20);
    const double pcie = copy ? *copy / static_cast<double>(probe.pixels.size()) : 0.0;
    const double device = std::min({ stats, pcie, stage });
    // Rates of the step before C2 alone, not of the run (reading and C2 come on top): said so, since a scientist
    // compares them with the run's frames/s.
    const std::string rates = "about " + perSecond(device) + " with the device remap against " + perSecond(cpu)
        + " with the CPU's, on " + std::to_string(threads) + (threads == 1 ? " thread" : " threads")
        + ", the step before C2 alone";
    return { device > cpu, "faster here: " + rates };
}

struct Worker {
    // The CPU path's accumulator is built by the worker's own thread (build()): its hundreds of MB are first
    // touched there, by all workers at once and on the worker's memory node, instead of one after another here.
    Worker(const C2Config& c, C2Sink& sink)
        : cpuConfig(c)
        , cpuSink(&sink)
    {
    }
    Worker(std::unique_ptr<GpuC2Accumulator> g, C2Sink& sink)
        : gpu(std::move(g))
    {
        gpu->useSink(sink);
    }
    Status add(const Item& i)
    {
        if (!i.raw) {
            return gpu ? gpu->add(i.polar) : acc->add(i.polar);
        }
        if (Status st = gpu->checkRaw(*i.raw); !st) {
            return st;
        }
        pendingRaw.push_back(i.raw);
        return pendingRaw.size() >= kRawGroup ? stagePending() : Status {};
    }
    // The raw frames held back are copied into the device's staging buffers together, on several threads.
    Status stagePending()
    {
        std::vector<const Frame*> frames;
        for (const auto& f : pendingRaw) {
            frames.push_back(f.get());
        }
        const Status st = frames.empty() ? Status {} : gpu->addRaw(frames, kStagingThreads);
        pendingRaw.clear();
        return st;
    }
    void flush()
    {
        if (gpu) {
            stagePending();
            gpu->flush();
        } else {
            acc->flush();
        }
    }

    // Builds the CPU accumulator (on the worker's thread, before it takes frames); a failure is kept for the caller.
    void build()
    {
        if (cpuSink) {
            try {
                acc.emplace(cpuConfig, *cpuSink);
            } catch (...) {
                failure = std::current_exception();
            }
        }
    }

    C2Config cpuConfig;
    C2Sink* cpuSink = nullptr; // set for the CPU path until build()
    std::exception_ptr failure; // build() failed (e.g. out of memory): the pipeline's constructor rethrows it
    std::mutex mutex; // held while a frame is added, and while sums are taken
    double queueWait = 0; // seconds waiting for a frame (written under `mutex`)
    std::optional<C2Accumulator> acc; // the CPU path
    std::unique_ptr<GpuC2Accumulator> gpu; // or the GPU path
    std::vector<std::shared_ptr<const Frame>> pendingRaw; // raw frames taken, not yet staged (kRawGroup at most)
    std::thread thread;
};

} // namespace

struct C2Pipeline::Impl {
    C2PipelineConfig config;
    std::vector<std::unique_ptr<Worker>> workers;
    std::mutex queueMutex;
    std::condition_variable notEmpty, notFull, drained;
    std::deque<Item> queue;
    int busy = 0;
    bool closed = false;
    std::atomic<bool> cancelled { false };
    std::atomic<std::int64_t> in { 0 }, done { 0 }, rejected { 0 };
    C2Sink sink; // the totals every worker folds into
    std::string description;
    bool deviceRemap = false;
    mutable std::mutex rateMutex;
    mutable std::deque<std::pair<std::chrono::steady_clock::time_point, std::int64_t>> samples;

    std::unique_ptr<std::latch> built; // counts the workers whose accumulator is built (lives as long as they run)

    void run(Worker& w)
    {
        w.build();
        built->count_down();
        if (w.failure) {
            return;
        }
        for (;;) {
            Item frame;
            bool room = false;
            const auto t0 = std::chrono::steady_clock::now();
            {
                std::unique_lock lock(queueMutex);
                notEmpty.wait(lock, [&] { return cancelled || closed || !queue.empty(); });
                if (cancelled || queue.empty()) {
                    break;
                }
                frame = std::move(queue.front());
                queue.pop_front();
                ++busy;
                // A blocked producer is woken once the queue is half empty, not for every frame: each wake-up
                // takes a core from a worker, and it then pushes half a queue in one go.
                room = static_cast<int>(queue.size()) == config.queueCapacity / 2;
            }
            if (room) {
                notFull.notify_all(); // every blocked producer: each pushes, or the next half-way mark comes
            }
            const double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            {
                std::lock_guard lock(w.mutex);
                w.queueWait += waited;
                const Status s = w.add(frame);
                (s ? done : rejected)++;
            }
            bool idle = false;
            {
                std::lock_guard lock(queueMutex);
                --busy;
                idle = queue.empty() && busy == 0;
            }
            if (idle) {
                drained.notify_all();
            }
        }
        drained.notify_all();
    }

    bool enqueue(Item&& f, bool wait)
    {
        std::unique_lock lock(queueMutex);
        const auto room = [&] { return cancelled || closed || static_cast<int>(queue.size()) < config.queueCapacity; };
        if (wait) {
            notFull.wait(lock, room);
        } else if (!room()) {
            return false;
        }
        if (cancelled || closed) {
            return false;
        }
        queue.push_back(std::move(f));
        ++in;
        lock.unlock();
        notEmpty.notify_one();
        return true;
    }
};

C2Pipeline::C2Pipeline(const C2PipelineConfig& config)
    : m_impl(std::make_unique<Impl>())
{
    m_impl->config = config;
    m_impl->config.queueCapacity = std::max(1, config.queueCapacity);
    const int n = config.threads > 0 ? config.threads : hardwareThreads();
    // Each worker runs its own rank-k updates on one core (C2PipelineConfig::blasThreads).
    openblas_set_num_threads(std::max(1, config.blasThreads));
    const C2Config& c = config.accumulator;
    const int nMax = c.effectiveNMax();
    m_impl->sink.sums = C2Sums::zeros(c.nQ, c.nPhi, nMax, c.subtractRingMean, c.variance);
    std::string gpuProblem;
    if (config.backend != C2Backend::Cpu && c.precision == C2Precision::Double) {
        gpuProblem = "the GPU backend is single precision; double precision runs on the CPU";
    } else if (config.backend != C2Backend::Cpu) {
        GpuC2Config g;
        g.c2 = c;
        g.device = config.gpuDevice;
        const bool rawOffered = config.rawRemapper.has_value() && config.deviceRemap != DeviceRemap::Off;
        if (rawOffered) {
            g.batchFrames = std::max(1, config.rawBatchFrames); // raw batches are 14× the bytes of polar ones
        }
        auto gpu = GpuC2Accumulator::create(g);
        if (gpu) {
            m_impl->description = "GPU " + std::to_string(config.gpuDevice) + " (" + (*gpu)->stats().deviceName + ")";
            if (rawOffered) {
                const RemapChoice choice = chooseRemap(config);
                Status st = choice.device ? (*gpu)->setDeviceRemap(*config.rawRemapper) : Status {};
                m_impl->deviceRemap = choice.device && st;
                m_impl->description += m_impl->deviceRemap
                    ? ", raw frames remapped on the device (" + choice.why + ")"
                    : ", frames remapped on the CPU (" + (st ? choice.why : st.message()) + ")";
                if (m_impl->deviceRemap) {
                    // The queue holds as many bytes of raw frames as it would of polar ones.
                    const double ratio = static_cast<double>(c.nQ) * c.nPhi * 2 * sizeof(float)
                        / (static_cast<double>(config.rawRemapper->nSlow()) * config.rawRemapper->nFast()
                            * sizeof(std::uint16_t));
                    m_impl->config.queueCapacity = std::max(4, static_cast<int>(config.queueCapacity * ratio));
                }
            }
            // The CUDA backend forms no squares: its sums say so (no squares, so no standard errors), never zeros.
            if (m_impl->sink.sums.hasVariance()) {
                m_impl->sink.sums.squares = {};
                m_impl->description += ", no C2 error bars on the GPU";
            }
            m_impl->workers.push_back(std::make_unique<Worker>(std::move(*gpu), m_impl->sink));
        } else {
            gpuProblem = gpu.error().message;
        }
    }
    if (m_impl->workers.empty()) {
        for (int i = 0; i < n; ++i) {
            m_impl->workers.push_back(std::make_unique<Worker>(c, m_impl->sink));
        }
        m_impl->description = "CPU, " + std::to_string(n) + (n == 1 ? " thread" : " threads");
        if (config.backend == C2Backend::Gpu) {
            m_impl->description += " (" + gpuProblem + ")";
        }
    }
    m_impl->built = std::make_unique<std::latch>(static_cast<std::ptrdiff_t>(m_impl->workers.size()));
    for (auto& w : m_impl->workers) {
        Worker* raw = w.get();
        w->thread = std::thread([this, raw] { m_impl->run(*raw); });
    }
    m_impl->built->wait(); // every accumulator exists (or failed) before push(), flush() or timings() can reach it
    for (auto& w : m_impl->workers) {
        if (w->failure) {
            const std::exception_ptr failure = w->failure;
            cancel();
            for (auto& other : m_impl->workers) {
                other->thread.join();
            }
            std::rethrow_exception(failure);
        }
    }
}

C2Pipeline::~C2Pipeline()
{
    cancel();
    for (auto& w : m_impl->workers) {
        if (w->thread.joinable()) {
            w->thread.join();
        }
    }
}

bool C2Pipeline::push(PolarFrame frame) { return m_impl->enqueue({ std::move(frame), {} }, true); }
bool C2Pipeline::tryPush(PolarFrame frame) { return m_impl->enqueue({ std::move(frame), {} }, false); }
bool C2Pipeline::pushRaw(std::shared_ptr<const Frame> frame)
{
    return m_impl->deviceRemap && frame && m_impl->enqueue({ {}, std::move(frame) }, true);
}

void C2Pipeline::close()
{
    {
        std::lock_guard lock(m_impl->queueMutex);
        m_impl->closed = true;
    }
    m_impl->notEmpty.notify_all();
    m_impl->notFull.notify_all();
}

void C2Pipeline::wait()
{
    std::unique_lock lock(m_impl->queueMutex);
    m_impl->drained.wait(lock, [&] { return m_impl->cancelled || (m_impl->queue.empty() && m_impl->busy == 0); });
}

void C2Pipeline::cancel()
{
    {
        std::lock_guard lock(m_impl->queueMutex);
        m_impl->cancelled = true;
        m_impl->queue.clear();
    }
    m_impl->notEmpty.notify_all();
    m_impl->notFull.notify_all();
    m_impl->drained.notify_all();
}

void C2Pipeline::flush()
{
    const bool cpu
        = std::none_of(m_impl->workers.begin(), m_impl->workers.end(), [](const auto& w) { return w->gpu != nullptr; });
    if (cpu) {
        // One pass over the totals for all workers (C2Accumulator::flushTogether); no worker adds meanwhile.
        std::vector<std::unique_lock<std::mutex>> locks;
        std::vector<C2Accumulator*> accs;
        for (auto& w : m_impl->workers) {
            locks.emplace_back(w->mutex);
            accs.push_back(&*w->acc);
        }
        C2Accumulator::flushTogether(accs);
        return;
    }
    // Every worker folds on a thread of its own: the folds run side by side on the sink's stripes.
    std::vector<std::thread> folds;
    for (auto& w : m_impl->workers) {
        Worker* raw = w.get();
        folds.emplace_back([raw] {
            std::lock_guard lock(raw->mutex);
            raw->flush();
        });
    }
    for (auto& t : folds) {
        t.join();
    }
}

C2Sums C2Pipeline::sums()
{
    flush();
    std::unique_lock gate(m_impl->sink.gate);
    return m_impl->sink.sums;
}

void C2Pipeline::readSums(const std::function<void(const C2Sums&)>& read)
{
    flush();
    std::unique_lock gate(m_impl->sink.gate);
    read(m_impl->sink.sums);
}

C2Sums C2Pipeline::takeSums()
{
    flush();
    std::unique_lock gate(m_impl->sink.gate);
    return std::exchange(m_impl->sink.sums, C2Sums {});
}

C2Snapshot C2Pipeline::snapshot(const SnapshotOptions& options)
{
    flush();
    // Computed from the totals in place: workers go on accumulating and wait only if they need to fold meanwhile.
    std::unique_lock gate(m_impl->sink.gate);
    return C2Snapshot::compute(m_impl->sink.sums, options);
}

Status C2Pipeline::mergeSums(const C2Sums& s)
{
    std::unique_lock gate(m_impl->sink.gate);
    return m_impl->sink.sums.merge(s);
}

C2Progress C2Pipeline::progress() const
{
    C2Progress p;
    p.shotsIn = m_impl->in;
    p.shotsDone = m_impl->done;
    p.shotsRejected = m_impl->rejected;
    {
        std::lock_guard lock(m_impl->queueMutex);
        p.queueDepth = static_cast<int>(m_impl->queue.size());
    }
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(m_impl->rateMutex);
    auto& s = m_impl->samples;
    s.emplace_back(now, p.shotsDone);
    while (s.size() > 2 && now - s[1].first > std::chrono::seconds(5)) {
        s.pop_front();
    }
    const double dt = std::chrono::duration<double>(now - s.front().first).count();
    p.shotsPerSecond = dt > 0.05 ? static_cast<double>(p.shotsDone - s.front().second) / dt : 0.0;
    return p;
}

int C2Pipeline::threads() const { return static_cast<int>(m_impl->workers.size()); }

C2Timings C2Pipeline::timings() const
{
    C2Timings sum;
    for (const auto& w : m_impl->workers) {
        std::lock_guard lock(w->mutex);
        if (w->acc) {
            sum += w->acc->timings();
        }
        sum.queueWait += w->queueWait;
    }
    return sum;
}

std::string C2Pipeline::backendDescription() const { return m_impl->description; }

bool C2Pipeline::usesGpu() const { return m_impl->workers.front()->gpu != nullptr; }

bool C2Pipeline::remapsOnDevice() const { return m_impl->deviceRemap; }

} // namespace fxs
