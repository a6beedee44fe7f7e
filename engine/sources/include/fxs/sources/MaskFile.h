#pragma once

// Pixel mask files: HDF5 datasets (NeXus pixel_mask, CrystFEL mask/mask_good/mask_bad) and CrystFEL bad regions,
// read for a geometry and written back; shared by the CLI, the monitor and the remote worker.

#include <fxs/core/Result.h>
#include <fxs/geometry/DetectorGeometry.h>
#include <fxs/geometry/GeomTemplate.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace fxs {

/// A pixel mask of the detector slab (the geometry's ss × fs order): nSlow × nFast, 1 = usable, 0 = masked.
struct PixelMask {
    int nSlow = 0;
    int nFast = 0;
    std::vector<std::uint8_t> usable;
    /// Number of masked (0) pixels.
    std::size_t maskedCount() const;
};

/// A mask given as FILE[:DATASET]: the dataset is an HDF5 path after the last ':' (a Windows drive letter never
/// precedes a '/'); empty when none is given.
struct MaskSpec {
    std::string file;
    std::string dataset;
};
MaskSpec splitMaskSpec(const std::string& spec);

/// How an HDF5 mask's values read: CrystFEL's mask_good/mask_bad bits when either is nonzero, else nonzero = bad
/// (NeXus pixel_mask).
struct MaskBits {
    std::uint32_t goodBits = 0;
    std::uint32_t badBits = 0;
};

/// Reads a mask for `geometry` from `spec`: an HDF5 file "FILE[:DATASET]" (default dataset: /data/mask, then /mask,
/// then the file's only 2-D integer dataset of the detector's shape), or a CrystFEL text file (.geom or a snippet)
/// whose bad_* regions (fs/ss or x/y boxes, optional panel) mark pixels bad. Errors name the file, the dataset and
/// what was wrong (missing, wrong shape vs nSlow × nFast, not integer, unreadable text line …).
/// A bad-region file's mask also marks the pixels outside every panel of `geometry` (nothing can be measured there).
Result<PixelMask> readPixelMask(const std::string& spec, const DetectorGeometry& geometry, MaskBits bits = {});

/// Writes `mask` as HDF5: `dataset` (default /data/mask), uint8, nonzero = bad (NeXus pixel_mask convention, with an
/// attribute saying so); the file is written to a temporary name and renamed (never a half-written mask).
Status writeMaskHdf5(const std::string& path, const PixelMask& mask, const std::string& dataset = "/data/mask");

/// Writes `mask` in CrystFEL's bad-region form (bad_fxs_N/min_fs, max_fs, min_ss, max_ss, panel), rectangles that
/// together cover exactly the masked pixels inside panels (pixels the geometry itself leaves out need no region);
/// readPixelMask, and CrystFEL, read it back to the same mask.
Status writeMaskBadRegions(const std::string& path, const PixelMask& mask, const DetectorGeometry& geometry);

/// A mask with one slab per frame (European XFEL's `mask`): read by the source with each frame, not here.
struct PerFrameMask {
    std::string dataset; ///< in the data file
    std::uint32_t goodBits = 0;
    std::uint32_t badBits = 0;
};

/// What applyGeometryMask used.
struct AppliedMask {
    std::string used; ///< "FILE:DATASET" (or the bad-region file) applied; empty: none
    std::string warning; ///< set when the geometry's own mask could not be read and none was applied
};

/// Applies to `mask` (slab order, 1 = usable) the pixel mask `maskSpec` (a user's --mask / Pixel mask field, read by
/// readPixelMask) or, without it, the dataset the geometry's `mask` key names (in `mask_file`, else in `dataFile`),
/// together with the geometry's own valid pixels. Values follow the geometry's mask_good/mask_bad bits when it gives
/// any, else nonzero = bad. `optionName` ("--mask", "Pixel mask") starts the message of a user's bad mask, and the
/// warning of a geometry mask that cannot be read says to give one there.
/// When the mask dataset has one slab per frame (N × … of the detector's pixels, N > 1) and `perFrame` is given,
/// it is returned there instead of being applied (it must then be in the data file itself).
Result<AppliedMask> applyGeometryMask(const GeomTemplate& t, const DetectorGeometry& g, const std::string& maskSpec,
    const std::string& dataFile, std::vector<std::uint8_t>& mask, PerFrameMask* perFrame = nullptr,
    const std::string& optionName = "--mask");

} // namespace fxs
