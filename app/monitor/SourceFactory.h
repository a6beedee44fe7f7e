#pragma once

#include "RunConfig.h"
#include "RunGeometry.h"

#include <ImageAssembly.h>
#include <fxs/geometry/DetectorGeometry.h>
#include <fxs/frames/FrameSource.h>
#include <fxs/pipeline/ShotPipeline.h>
#include <fxs/sources/StreamCounts.h>
#include <functional>
#include <memory>

namespace fxs::monitor {

/// A source with the geometry its frames are read with, ready to run.
struct RunSetup {
    std::unique_ptr<FrameSource> source;
    DetectorGeometry geometry;
    std::shared_ptr<const widgets::ImageAssembly> assembly; ///< the detector view's pixel map
    GeometryInEffect values; ///< camera length, photon energy, pixel size in effect and their sources
    std::vector<std::uint8_t> mask; ///< pixels the run uses (1): the geometry's, less the pixel mask's bad ones
    std::optional<FileGeometry> file; ///< a file run's .geom resolved against its data file (values, mask per frame)
    std::string notice; ///< what the scientist should know about the input (a NeXus data file missing), or empty
};

/// Opens the source a RunConfig names (through the probe for files) and its geometry.
class SourceFactory {
public:
    /// Called while a detector stream waits for its first frame (the counts so far); false gives up.
    using StreamWaiting = std::function<bool(const StreamCounts&)>;

    /// The source and geometry, or an Error that says which file and what went wrong; when values the run needs
    /// are missing everywhere, `missing` (when given) names them (the window then asks for them). A detector stream
    /// is opened once its first frame arrived (its shape and start message fix the geometry); `waiting` is called
    /// meanwhile.
    static Result<RunSetup> open(
        const RunConfig& config, MissingValues* missing = nullptr, const StreamWaiting& waiting = {});
    /// The detector stream a RunConfig names, once its first frame arrived (or an Error naming the endpoint).
    static Result<std::unique_ptr<FrameSource>> stream(const RunConfig& config, const StreamWaiting& waiting);
    /// The geometry: the .geom file when given, else a single flat panel centred on the beam (RunGeometry).
    static Result<RunGeometry> geometry(
        const RunConfig& config, int nSlow, int nFast, MissingValues* missing = nullptr);
    /// The simulated run: SimulatorSource over the geometry, paced at the configured rate.
    static Result<std::unique_ptr<FrameSource>> simulated(const RunConfig& config, const DetectorGeometry& geometry);
    /// The simulated detector's geometry with a beamstop and its holder masked.
    static Result<DetectorGeometry> withBeamstop(const DetectorGeometry& geometry);
    /// The run's pixel mask on `geometry`: its valid pixels, less the Pixel mask field's bad pixels (or, without
    /// one, those of the geometry's mask key) as fxs correlate applies them; a bad mask file is an Error naming it.
    /// A geometry mask with one slab per frame in the data file goes to `perFrame` (when given) instead. A geometry
    /// mask that cannot be read is no error: `warning` (when given) says so, as fxs correlate does.
    static Result<std::vector<std::uint8_t>> pixelMask(const RunConfig& config, const DetectorGeometry& geometry,
        PerFrameMask* perFrame = nullptr, std::string* warning = nullptr);
    /// Per-pixel lab positions, panels and mask (`mask`, 1 = usable, when given; else the geometry's) for the widgets.
    static widgets::PixelLayout layout(const DetectorGeometry& geometry, const std::vector<std::uint8_t>& mask = {});
    /// The run's shot path from `setup` (its source moves into it): remapped onto `grid` with its geometry and pixel
    /// mask, frame by frame when the data file's values change per frame, each frame's own mask when the file has one
    /// per frame.
    static Result<std::unique_ptr<ShotPipeline>> shotPipeline(
        RunSetup& setup, const PolarGrid& grid, const ShotPipelineConfig& config);
};

} // namespace fxs::monitor
