#pragma once

#include <fxs/core/Result.h>
#include <fxs/correlation/C2Accumulator.h>
#include <fxs/correlation/C2Sums.h>
#include <fxs/polar/PolarFrame.h>
#include <fxs/polar/PolarRemapper.h>
#include <memory>
#include <span>
#include <string>

namespace fxs {

/// Settings of the CUDA correlation backend.
struct GpuC2Config {
    C2Config c2; ///< shape, n_max and ring-mean subtraction (precision is always single on the GPU)
    int device = 0; ///< CUDA device ordinal
    int batchFrames = 512; ///< frames per device batch (per GEMM)
    int foldFrames = 4096; ///< frames summed in float on the device before folding into double
    bool poisonScratch = false; ///< tests: fill every scratch buffer with NaN before each batch
};

/// What the GPU backend did, for benchmarks and health displays.
struct GpuC2Stats {
    std::string deviceName;
    std::int64_t framesProcessed = 0;
    std::int64_t bytesCopiedToDevice = 0;
};

/// The C2 engine on a CUDA GPU: polar frames are batched to the device through pinned buffers (copies overlap the
/// compute on a second stream), δI = w (I − ring mean) is formed there, cuFFT does the r2c over φ and one strided
/// batched cuBLAS CGEMM per half forms Σ A_nᴴ A_n for every frequency, summed in float per batch and folded
/// into double on the device; flush() adds the device totals into the same C2Sums as the CPU path, so merging,
/// snapshots and checkpoints are unchanged. Weights that repeat from frame to frame (a static detector mask) go
/// through the host's double-precision mask correlation once per distinct mask (as on the CPU); masks that change
/// every frame are correlated on the device like the signal. Not thread-safe: one thread drives it.
class GpuC2Accumulator {
public:
    /// True when this build has the CUDA backend and a device is present; `why` says why not.
    static bool available(std::string* why = nullptr);
    /// Number of CUDA devices visible (0 without the backend).
    static int deviceCount();
    /// Host-to-device copy rate from pinned memory in bytes per second, measured over `bytes` (on the current
    /// device), or an Error (no device, no memory).
    static Result<double> hostToDeviceBytesPerSecond(std::size_t bytes);
    /// A backend on the configured device, or an Error naming why not (no CUDA in this build, no device, memory).
    static Result<std::unique_ptr<GpuC2Accumulator>> create(const GpuC2Config& config);

    ~GpuC2Accumulator();
    GpuC2Accumulator(const GpuC2Accumulator&) = delete;
    GpuC2Accumulator& operator=(const GpuC2Accumulator&) = delete;

    /// Adds one shot (copied into the pinned staging buffer); refused like C2Accumulator::add.
    Status add(const PolarFrame& frame);
    /// Adds `frames` consecutive shots from host memory: intensities (frames × nQ × nPhi) and, unless null, their
    /// weights; with null weights every frame uses the static mask. Pinned memory is copied without staging.
    Status addHostBatch(const float* intensity, const float* weights, int frames, std::int64_t firstShot);
    /// Sets the mask that addHostBatch() uses when given no weights (nQ × nPhi, each in [0, 1]).
    Status setStaticMask(std::span<const float> weights);

    /// Raw detector frames from now on cross PCIe as they are (uint16) and are remapped on the device with
    /// `remapper`'s own CSR weights (uploaded here, once): one warp per polar bin, uint16 → float, straight into the
    /// batch the correlation reads, with no host round trip. The remapper's bin weights become the static mask
    /// (a uint16 frame's bins are always finite, so its weights are exactly those, as on the CPU). An Error when
    /// the grid is not this accumulator's or device memory runs out.
    Status setDeviceRemap(const PolarRemapper& remapper);
    /// Adds one raw detector frame (uint16, the remapper's shape; staged in pinned memory, uploaded per batch while
    /// the previous batch is correlated). Refused, changing nothing, without setDeviceRemap() or on a wrong shape or
    /// pixel type.
    Status addRaw(const Frame& frame);
    /// Adds several raw frames at once (shot order), copied into pinned staging on up to `copyThreads` threads: the
    /// copy of 4.3 MB frames on one thread (~13 GB/s) would otherwise cap the path below PCIe. Checks every frame
    /// first (checkRaw) and adds none when one fails.
    Status addRaw(std::span<const Frame* const> frames, int copyThreads);
    /// Whether addRaw() would take this frame (device remap set up, uint16, the remapper's shape), without adding it.
    Status checkRaw(const Frame& frame) const;
    /// Adds `frames` consecutive raw uint16 frames (nSlow × nFast each) from host memory, shots firstShot,
    /// firstShot + 1, …; pinned memory is copied without staging. Needs setDeviceRemap().
    Status addRawHostBatch(const std::uint16_t* pixels, int frames, std::int64_t firstShot);
    /// True once setDeviceRemap() succeeded.
    bool remapsOnDevice() const;
    /// Finishes the device work and adds the device totals into sums() (or the sink).
    void flush();
    /// The double-precision totals (after flush()).
    const C2Sums& sums() const;
    /// Adds the totals into this sink (under its locks) instead of sums(), from now on.
    void useSink(C2Sink& sink);
    /// Device name and counters.
    GpuC2Stats stats() const;
    /// Frames added so far.
    std::int64_t shotsAdded() const;

    struct Impl; ///< implementation detail

private:
    friend class GpuBenchHooks; // benchmarks re-run the resident batch (fxs/gpu/GpuBenchHooks.h)
    explicit GpuC2Accumulator(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

} // namespace fxs
