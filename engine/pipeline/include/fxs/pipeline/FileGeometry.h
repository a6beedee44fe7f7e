#pragma once

#include <fxs/core/Result.h>
#include <fxs/geometry/GeomTemplate.h>
#include <fxs/pipeline/ShotPipeline.h>
#include <fxs/polar/FrameRemappers.h>
#include <fxs/polar/PolarGrid.h>
#include <fxs/polar/PolarRemapper.h>
#include <fxs/sources/CxiFileSource.h>
#include <fxs/sources/MaskFile.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace fxs {

/// The values a data file gives per frame, over the frames of the run.
struct ValueRange {
    double min = std::numeric_limits<double>::quiet_NaN();
    double max = std::numeric_limits<double>::quiet_NaN();
    std::size_t distinct = 0; ///< distinct geometries (1: the same for every frame)
};

/// A CrystFEL geometry resolved against a run's data file, the one way `fxs correlate`, the monitor and fxs-worker
/// read it: values the geometry gives as HDF5 paths come from the data file, one for the run or one per frame
/// (LCLS `/LCLS/detector_1/EncoderValue`, `/LCLS/photon_energy_eV`), the user's overrides win; a run whose values
/// change per frame is remapped frame by frame (FrameRemappers); the geometry's `mask` may be a mask per frame in
/// the data file (European XFEL's uint32 `mask`), read by the source with each frame.
struct FileGeometry {
    GeomTemplate geometryTemplate;
    GeomOverrides overrides;
    std::string dataFile; ///< where the HDF5-path values and a mask per frame are read (empty: none)
    GeomDataValues dataValues; ///< by path: one value, or one per frame
    /// Paths whose datasets can still grow along frames (a live file's per-frame values): per frame whatever their
    /// length, re-read as the file grows
    std::vector<std::string> growingPaths;
    ResolvedGeometry resolved; ///< the geometry in effect at the frame given to resolve()
    bool perFrame = false; ///< a value that moves pixels or changes q is given per frame (FrameRemappers follow it)
    ValueRange cameraLengthM; ///< the first panel's clen in effect, over the frames
    ValueRange photonEnergyEv; ///< over the frames
    std::optional<PerFrameMask> frameMask; ///< the geometry's mask, when the data file has one slab per frame

    /// Reads from `dataFile` the values `geometry` names as HDF5 paths (nothing is resolved yet: the overrides may
    /// still change, and missing() says what is lacking). Fails when the data file cannot be read.
    static Result<FileGeometry> read(GeomTemplate geometry, const GeomOverrides& overrides, const std::string& dataFile);
    /// Keys ("clen", "photon_energy") that neither the overrides, nor the geometry, nor the data file supply.
    std::vector<std::string> missing() const { return geometryTemplate.missing(overrides, dataValues); }
    /// Resolves the geometry at `frame` (the first shot read), the ranges over the frames and the mask per frame.
    /// Fails naming the key and the option that supplies it.
    Status resolve(std::int64_t frame = 0);

    /// The source's options with the mask per frame, when there is one.
    void applyTo(CxiSourceOptions& options) const;
    /// Makes `pipeline` follow the geometry frame by frame (one remap table per distinct set of values, cached)
    /// when it changes per frame (re-reading the values of a growing file for frames appended after the open),
    /// and take a frame's NaN pixels as that frame's mask when the mask is per frame.
    /// `options` and `mask` as PolarRemapper::create's.
    void applyTo(ShotPipeline& pipeline, const PolarGrid& grid, const RemapOptions& options = {},
        const std::vector<std::uint8_t>& mask = {}) const;
    /// "clen 0.1–0.14 m per frame (3 geometries, data file)": what changes between frames (empty: nothing does).
    std::string perFrameSummary() const;
    /// Re-reads the data file's values for a frame appended after the open (FrameRemappers::follow).
    FrameRemappers::Refresh refreshValues() const;
};

} // namespace fxs
