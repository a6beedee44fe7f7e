// applyGeometryMask (declared in MaskFile.h): the pixel mask a run uses, as the CLI, the monitor and the worker
// choose it (a user's mask first, else the geometry's mask key).
#include <fxs/sources/DetectorFile.h>
#include <fxs/sources/MaskFile.h>

#include <fxs/hdf5/Hdf5Util.h>

namespace fxs {

namespace {

// The dimensions of `dataset` in `file`; empty when either cannot be opened.
std::vector<hsize_t> datasetDims(const std::string& file, const std::string& dataset)
{
    h5::quiet();
    h5::Handle f = h5::file(H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
    if (!f || !h5::linkExists(f.get(), dataset)) {
        return {};
    }
    h5::Handle d = h5::dataset(H5Dopen2(f.get(), dataset.c_str(), H5P_DEFAULT));
    return d ? h5::dims(d.get()) : std::vector<hsize_t> {};
}

bool isHdf5(const std::string& file)
{
    h5::quiet();
    return H5Fis_hdf5(file.c_str()) > 0;
}

} // namespace

Result<AppliedMask> applyGeometryMask(const GeomTemplate& t, const DetectorGeometry& g, const std::string& maskSpec,
    const std::string& dataFile, std::vector<std::uint8_t>& mask, PerFrameMask* perFrame, const std::string& optionName)
{
    std::string file, dataset;
    if (!maskSpec.empty()) {
        // Without a dataset in the spec, the geometry's mask key names it.
        const MaskSpec s = splitMaskSpec(maskSpec);
        file = s.file;
        dataset = s.dataset.empty() ? t.mask.dataset : s.dataset;
    } else if (!t.mask.dataset.empty() && (!t.mask.file.empty() || !dataFile.empty())) {
        file = t.mask.file.empty() ? dataFile : t.mask.file;
        dataset = t.mask.dataset;
    } else {
        return AppliedMask {};
    }
    const bool hdf5 = isHdf5(file);
    if (!maskSpec.empty() && hdf5 && dataset == t.mask.dataset && !dataset.empty()
        && maskSpec.size() == file.size() && datasetDims(file, dataset).empty()) {
        dataset.clear(); // the user's file lacks the geometry's mask dataset: its own default names it
    }
    const std::string what = hdf5 && !dataset.empty() ? file + ":" + dataset : file;
    if (const auto frames = hdf5 && !dataset.empty() ? maskFramesIn(file, dataset, g.pixelCount()) : 0; frames > 0) {
        // One slab per frame: the source reads it with each frame (bad pixels become NaN, masked for that shot).
        if (perFrame == nullptr || file != dataFile) {
            return Error { what + ": a mask per frame (" + std::to_string(frames)
                + " frames) can only be used from the data file itself, by fxs correlate" };
        }
        *perFrame = { dataset, t.mask.goodBits, t.mask.badBits };
        return AppliedMask { what + " (per frame)", {} };
    }
    auto m = readPixelMask(hdf5 && !dataset.empty() ? what : file, g, { t.mask.goodBits, t.mask.badBits });
    if (!m) {
        if (maskSpec.empty()) {
            // CrystFEL would stop; a CXI file without the geometry's mask is common enough to go on, saying so.
            const std::string hint = optionName.starts_with("--") ? "give one with " + optionName + " FILE[:DATASET]"
                                                                  : "give one in the " + optionName + " field";
            return AppliedMask { {},
                "the geometry's mask " + what + " cannot be read (" + m.error().message + "); no pixel mask applied ("
                    + hint + ")" };
        }
        return Error { optionName + " " + maskSpec + ": " + m.error().message };
    }
    const auto valid = g.validMask();
    for (std::size_t i = 0; i < mask.size() && i < m->usable.size(); ++i) {
        mask[i] = mask[i] && valid[i] && m->usable[i];
    }
    return AppliedMask { what, {} };
}

} // namespace fxs
