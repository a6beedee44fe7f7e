#pragma once

#include <fxs/geometry/DetectorGeometry.h>
#include <fxs/frames/Frame.h>
#include <fxs/polar/PolarFrame.h>
#include <fxs/polar/PolarGrid.h>
#include <fxs/core/Result.h>

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace fxs {

/// How pixels are shared between polar bins.
enum class RemapMode {
    /// Pixel splitting: each pixel is cut into s × s equal sub-pixels on the detector (s from 1 up to
    /// maxSubdivision, chosen per pixel so that a sub-pixel spans at most ~1/8 of a bin); each sub-pixel goes to
    /// the bin of its centre, so a pixel's share of a bin is the fraction of its detector area that falls in it.
    Split,
    /// Each pixel goes whole to the bin of its centre.
    Nearest,
};

/// Settings of a PolarRemapper.
struct RemapOptions {
    RemapMode mode = RemapMode::Split;
    bool solidAngleCorrection = true; ///< divide each pixel by its relative solid angle
    bool polarisationCorrection = true; ///< divide each pixel by its polarisation factor
    double polarisationFraction = 1.0; ///< f in P = ½[(1 + cos²2θ) − f cos(2(φ − φ_pol)) sin²2θ]
    double polarisationAngleRad = 0.0; ///< φ_pol: 0 = horizontal (x) polarisation
    int maxSubdivision = 16; ///< largest s for the s × s sub-pixel split
    int threads = 0; ///< threads for remapping and building, 0: all cores
    bool operator==(const RemapOptions&) const = default;
};

struct RemapTable;
class RemapWorkers;

/// The pixel → bin matrix a PolarRemapper applies, as stored (CSR, one row per polar bin): what a device remap
/// uploads to apply the same weights. A bin's value is Σ_k coef[k] · pixel value[pixel[k]] over its row; a bin whose
/// sum is not finite gets weight 0 for that frame, otherwise `weight`.
struct RemapCsr {
    std::span<const std::uint32_t> rowStart; ///< nBins + 1 offsets into pixel and coef
    std::span<const std::uint32_t> pixel; ///< slab index of each contribution
    std::span<const float> coef; ///< f_bp · c_p / Σ_p f_bp
    std::span<const float> weight; ///< each bin's weight (binWeight())
};

/// Maps detector frames onto a PolarGrid through a sparse pixel → bin matrix (CSR, one row per polar bin),
/// built once per geometry, grid, options and mask and shared through a process-wide cache.
/// Per bin: intensity = Σ_p f_bp c_p I_p / Σ_p f_bp over valid pixels (f_bp: pixel p's share of the bin, c_p:
/// 1 / (solid angle · polarisation) or 1), weight = valid detector area in the bin / bin area in (q, φ), in [0, 1].
/// Hence Σ_b intensity_b · binPixelCount_b = Σ_p c_p I_p over valid pixels inside the grid (conservation).
/// uint16, int16, int32, float32 and float64 frames are read in place. q uses the geometry's photon energy; a run
/// whose energy changes (FrameMetadata::photonEnergyEv) needs a remapper per energy. Thread-safe: remap() may be
/// called from several threads at once (callers that find the worker pool busy work alone).
class PolarRemapper {
public:
    /// Builds (or takes from the cache) the map; `extraMask` (nSlow · nFast, nonzero = usable) adds to the
    /// geometry's own mask. Fails on an invalid grid, a wrong mask size or a grid that no pixel reaches.
    static Result<PolarRemapper> create(const DetectorGeometry& geometry, const PolarGrid& grid,
        const RemapOptions& options = {}, const std::vector<std::uint8_t>& extraMask = {});

    /// The frame on the polar grid (shot index copied); fails when the frame's shape does not match.
    Result<PolarFrame> remap(const Frame& frame) const;
    /// Same, into an existing PolarFrame (reused storage: no allocation once it has the right size).
    Status remapInto(const Frame& frame, PolarFrame& out) const;
    /// Same, on the calling thread alone (callers that already run one frame per thread, e.g. ShotPipeline).
    Status remapIntoAlone(const Frame& frame, PolarFrame& out) const;

    /// The polar grid.
    const PolarGrid& grid() const;
    /// The options this remapper was created with.
    const RemapOptions& options() const;
    /// Rows of the frames this remapper expects.
    int nSlow() const;
    /// Columns of the frames this remapper expects.
    int nFast() const;
    /// Weight of every bin (the covered valid fraction, in [0, 1]); a frame's weights start from these.
    std::span<const float> binWeight() const;
    /// Σ_p f_bp of every bin: how many (valid, possibly fractional) pixels feed it.
    std::span<const float> binPixelCount() const;
    /// The bins that any of `maskedPixels` (nSlow · nFast, nonzero = masked) feeds, i.e. whose CSR row holds one of
    /// them: 1 = fed by a masked pixel (to be dropped), 0 = untouched. Empty when the mask's size is not the
    /// detector's.
    std::vector<std::uint8_t> binsFedBy(const std::vector<std::uint8_t>& maskedPixels) const;
    /// Number of stored pixel → bin contributions.
    std::size_t nonZeros() const;
    /// The matrix itself (valid while this remapper lives).
    RemapCsr csr() const;
    /// Seconds it took to build the map (0 when it came from the cache).
    double buildSeconds() const { return m_buildSeconds; }

    /// The loop remap() runs on this machine: "avx2-chunks" (CPUs with AVX2 and FMA, found at run time) or "scalar"
    /// (other CPUs, or FXS_REMAP_KERNEL=scalar in the environment). Results agree within float rounding.
    static const char* kernelName();
    /// Number of maps held by the process-wide cache.
    static std::size_t cacheSize();
    /// Empties the process-wide cache (remappers keep their own map alive).
    static void clearCache();

private:
    PolarRemapper() = default; // only create() makes one, so every remapper has a table
    Status remapWith(const Frame& frame, PolarFrame& out, RemapWorkers* workers) const;

    std::shared_ptr<const RemapTable> m_table;
    std::shared_ptr<RemapWorkers> m_workers;
    RemapOptions m_options;
    double m_buildSeconds = 0.0;
};

} // namespace fxs
