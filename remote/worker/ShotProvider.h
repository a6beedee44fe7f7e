#pragma once

#include "WorkerConfig.h"
#include <fxs/frames/Frame.h>
#include <fxs/polar/PolarFrame.h>
#include <fxs/polar/PolarRemapper.h>
#include <fxs/core/Result.h>
#include <fxs/shots/ShotStats.h>

#include <functional>
#include <memory>
#include <mpi.h>
#include <optional>
#include <string>

namespace fxs::remote {

/// One shot on its way into the sums: its polar frame, and its statistics when vetoes need them.
struct ProvidedShot {
    PolarFrame polar;
    std::optional<ShotStats> stats; ///< of the detector frame (cxi, simulator on a detector) or of the polar image
    std::optional<std::string> refusal; ///< set when the frame was refused (NaN/inf, wrong size): why, naming the shot
    /// The raw detector frame instead of `polar` (empty then), when the GPU remaps it (ShotProvider::deferRemap).
    std::shared_ptr<const Frame> raw;
};

/// Where a rank's polar frames come from, by shot index, so that any rank can do any work unit:
/// the synthetic generator, the simulator, or a CXI stack (detector frames through the engine's ShotPipeline).
class ShotProvider {
public:
    virtual ~ShotProvider() = default;
    /// Calls `sink` with the shots first … last−1, in order; stops at the first failure (its own or the sink's).
    virtual Status produce(std::int64_t first, std::int64_t last, const std::function<Status(ProvidedShot&&)>& sink)
        = 0;
    /// The wavelength of the data in Å (0 when unknown: synthetic frames).
    virtual double wavelengthA() const = 0;
    /// The map of detector frames that a GPU may apply on the device (uint16 frames of one geometry, see
    /// ShotPipeline::rawRemapper); none for polar inputs.
    virtual std::optional<PolarRemapper> rawRemapper() const { return std::nullopt; }
    /// From now on hand out detector frames raw (ProvidedShot::raw), their statistics computed, the remap left to
    /// the device; only meaningful when rawRemapper() gave a map.
    virtual void deferRemap(bool) { }
};

/// Detector frames of the job's geometry (geometry_path with the job's values) remapped onto its grid, with their
/// statistics, as a CXI stack's are: for inputs that are not read by shot index (a detector stream).
struct DetectorInput {
    std::function<Status(const Frame&, const std::function<Status(ProvidedShot&&)>&)> remap;
    int nSlow = 0; ///< the geometry's slab
    int nFast = 0;
    double wavelengthA = 0.0;
};

/// The job's detector; `field` names the JobSpec input in messages ("stream").
Result<DetectorInput> openDetectorInput(const WorkerConfig& cfg, const std::string& field);

/// Where rank 0 leaves what the user should know about the input (JobFiles::notice); set once by main().
void setNoticeFile(const std::string& path);
/// Rank 0 (of the whole job) says `line` in the launcher's log and in the notice file the server shows, after what
/// the notice already holds (one line, joined by "; "); other ranks say nothing.
Status noteForUser(const std::string& line);

/// Opens the job's input on every rank of `comm` (collective). For a CXI stack rank 0 validates the file with
/// fxs-probe first and the others open it only once it passed; cfg.shots and cfg.inputIdentity are then set
/// from the file. Statistics are computed for every shot when cfg.veto holds rules.
Result<std::unique_ptr<ShotProvider>> openShotProvider(WorkerConfig& cfg, MPI_Comm comm);

} // namespace fxs::remote
