#pragma once

#include <fxs/correlation/C2Accumulator.h>
#include <fxs/correlation/C2Snapshot.h>
#include <fxs/polar/PolarFrame.h>
#include <fxs/polar/PolarRemapper.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace fxs {

/// Progress counters of a pipeline (a copy, safe to read from any thread).
struct C2Progress {
    std::int64_t shotsIn = 0; ///< frames pushed
    std::int64_t shotsDone = 0; ///< frames accumulated
    std::int64_t shotsRejected = 0; ///< frames refused (wrong shape, non-finite values)
    double shotsPerSecond = 0.0; ///< accumulation rate over the last few seconds
    int queueDepth = 0; ///< frames waiting
};

/// Settings of a C2Pipeline.
/// Where the correlation runs.
enum class C2Backend {
    Cpu, ///< worker threads with OpenBLAS
    Gpu, ///< the CUDA backend (one worker feeding the device); falls back to the CPU when no GPU is usable
    Auto, ///< the GPU when one is usable, else the CPU
};

/// Where raw detector frames are remapped when the GPU correlates them.
enum class DeviceRemap {
    Auto, ///< whichever is faster for this run: the CPU's remap on its threads, or the device behind PCIe
    On, ///< on the device whenever it can (uint16 frames, one geometry)
    Off, ///< on the CPU (polar frames cross PCIe)
};

/// Settings of a C2Pipeline.
struct C2PipelineConfig {
    C2Config accumulator;
    int threads = 0; ///< CPU worker threads, 0: all cores; each runs its BLAS calls on blasThreads threads
    int queueCapacity = 256; ///< frames buffered before push() blocks (backpressure)
    C2Backend backend = C2Backend::Cpu;
    int gpuDevice = 0; ///< CUDA device for the GPU backend
    DeviceRemap deviceRemap = DeviceRemap::Auto; ///< with the GPU backend and rawRemapper set
    /// The run's map when its detector frames are uint16 of one geometry (runShots sets it): with the GPU in use
    /// the frames may then be pushed raw (pushRaw) and remapped on the device; see remapsOnDevice().
    std::optional<PolarRemapper> rawRemapper;
    int cpuRemapThreads = 1; ///< threads that remap on the CPU otherwise (the shot pipeline's), for Auto
    int rawBatchFrames = 128; ///< frames per device batch when raw frames are remapped there
    /// OpenBLAS threads per worker's call; 0: one, so that `threads` is the number of cores the correlation uses.
    /// More than one is slower whenever two workers call BLAS at once (OpenBLAS's pthread build shares one pool and
    /// one level-3 lock among callers; docs/PERFORMANCE.md § c2). Process-wide. Last member: some callers
    /// initialise the first ones by position.
    int blasThreads = 0;
};

/// Multithreaded C2: N workers, each with its own C2Accumulator, fed from one bounded queue; merged on
/// snapshot. OpenBLAS is set to one thread per call (C2PipelineConfig::blasThreads) so that N workers use N cores.
/// push() blocks while the queue is full; every method is thread-safe.
class C2Pipeline {
public:
    explicit C2Pipeline(const C2PipelineConfig& config);
    ~C2Pipeline(); ///< cancels and joins the workers
    C2Pipeline(const C2Pipeline&) = delete;
    C2Pipeline& operator=(const C2Pipeline&) = delete;

    /// Queues a frame, waiting while the queue is full; false after cancel() or close(). A frame the accumulator
    /// refuses (wrong shape, non-finite values) is counted in C2Progress::shotsRejected.
    bool push(PolarFrame frame);
    /// Queues a raw detector frame for the device remap (only when remapsOnDevice()), waiting while the queue is
    /// full; false after cancel() or close(). The queue holds as many bytes of raw frames as of polar ones.
    bool pushRaw(std::shared_ptr<const Frame> frame);
    /// Queues a frame only if there is room; false when full (the caller counts the drop).
    bool tryPush(PolarFrame frame);
    /// No more input: workers finish the queue; then wait() returns.
    void close();
    /// Blocks until every queued frame is accumulated (after close()), or cancellation.
    void wait();
    /// Stops as soon as possible, dropping queued frames (accumulated shots stay in the sums).
    void cancel();
    /// Makes the totals include every shot accumulated so far (workers flush their partial batches).
    void flush();
    /// A copy of the totals of every shot accumulated so far (after flush()).
    C2Sums sums();
    /// Flushes, then lets `read` look at the sums in place (no copy), while the workers wait if they must fold.
    void readSums(const std::function<void(const C2Sums&)>& read);
    /// Flushes and hands the totals over without a copy, for a run's end (after wait()): the pipeline is left with
    /// empty sums and must take no more frames.
    C2Sums takeSums();
    /// A snapshot of the merged sums.
    C2Snapshot snapshot(const SnapshotOptions& options = {});
    /// Progress counters.
    C2Progress progress() const;
    /// Adds sums from elsewhere (a checkpoint being resumed) into the result; refused when the shapes differ.
    Status mergeSums(const C2Sums& sums);
    /// Number of worker threads.
    int threads() const;
    /// The CPU workers' time, summed over workers (C2Timings; a joint flush's fold is booked to them too).
    C2Timings timings() const;
    /// What runs the correlation, e.g. "GPU 0 (NVIDIA H100 80GB HBM3)" or "CPU, 2 threads"; when a GPU was asked
    /// for but is not usable, the reason follows ("CPU, 2 threads (GPU unavailable: no CUDA device present)");
    /// with raw frames offered (rawRemapper), where they are remapped: "GPU 0 (…), raw frames remapped on the
    /// device (…)" or "GPU 0 (…), frames remapped on the CPU (…)".
    std::string backendDescription() const;
    /// True when the GPU backend is in use.
    bool usesGpu() const;
    /// True when raw frames go to the device and are remapped there (pushRaw); the description then says
    /// "raw frames remapped on the device", and why (Auto: the two rates measured at the start).
    bool remapsOnDevice() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace fxs
