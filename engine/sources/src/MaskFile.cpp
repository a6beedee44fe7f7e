#include <fxs/sources/MaskFile.h>

#include <fxs/geometry/GeomParser.h>
#include <fxs/hdf5/Hdf5Util.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <unistd.h>
#include <map>
#include <sstream>

namespace fxs {

std::size_t PixelMask::maskedCount() const
{
    return static_cast<std::size_t>(std::count(usable.begin(), usable.end(), std::uint8_t { 0 }));
}

namespace {

std::string shapeText(const std::vector<hsize_t>& dims)
{
    std::string s;
    for (std::size_t i = 0; i < dims.size(); ++i) {
        s += (i ? " x " : "") + std::to_string(dims[i]);
    }
    return dims.empty() ? "scalar" : s;
}

std::string detectorText(const DetectorGeometry& g)
{
    return std::to_string(g.nSlow()) + " x " + std::to_string(g.nFast()) + " (" + std::to_string(g.pixelCount())
        + " pixels)";
}

std::size_t product(const std::vector<hsize_t>& dims)
{
    std::size_t n = 1;
    for (auto d : dims) {
        n *= d;
    }
    return n;
}

// The file's only 2-D integer dataset of the detector's shape; empty when there is none or more than one.
std::vector<std::string> candidateDatasets(hid_t file, const DetectorGeometry& g)
{
    struct Visit {
        const DetectorGeometry* g;
        std::vector<std::string> found;
    } v { &g, {} };
    auto cb = [](hid_t loc, const char* name, const H5O_info_t* info, void* data) -> herr_t {
        auto* self = static_cast<Visit*>(data);
        if (info->type != H5O_TYPE_DATASET) {
            return 0;
        }
        h5::Handle d = h5::dataset(H5Dopen2(loc, name, H5P_DEFAULT));
        h5::Handle t = h5::type(d ? H5Dget_type(d.get()) : H5I_INVALID_HID);
        const auto dims = d ? h5::dims(d.get()) : std::vector<hsize_t> {};
        if (t && H5Tget_class(t.get()) == H5T_INTEGER && dims.size() == 2
            && dims[0] == static_cast<hsize_t>(self->g->nSlow()) && dims[1] == static_cast<hsize_t>(self->g->nFast())) {
            self->found.push_back(std::string("/") + name);
        }
        return 0;
    };
    H5Ovisit(file, H5_INDEX_NAME, H5_ITER_NATIVE, cb, &v);
    return v.found;
}

Result<std::string> pickDataset(hid_t file, const std::string& path, const std::string& given, const DetectorGeometry& g)
{
    if (!given.empty()) {
        if (!h5::linkExists(file, given)) {
            return Error { path + ": no dataset " + given + " (give the mask as FILE:DATASET)" };
        }
        return given;
    }
    for (const char* name : { "/data/mask", "/mask" }) {
        if (h5::linkExists(file, name)) {
            return std::string(name);
        }
    }
    const auto found = candidateDatasets(file, g);
    if (found.size() == 1) {
        return found.front();
    }
    return Error { path + ": no mask dataset: neither /data/mask nor /mask, and "
        + (found.empty() ? std::string("no") : std::to_string(found.size()))
        + " 2-D integer datasets of the detector's shape " + detectorText(g) + " (give it as FILE:DATASET)" };
}

// The mask's values as unsigned 32-bit words (a negative integer keeps its bits, so nonzero stays bad).
Result<std::vector<std::uint32_t>> readWords(hid_t d, const std::string& what)
{
    h5::Handle t = h5::type(H5Dget_type(d));
    const auto cls = t ? H5Tget_class(t.get()) : H5T_NO_CLASS;
    const std::size_t n = product(h5::dims(d));
    std::vector<std::uint32_t> out(n);
    if (cls == H5T_INTEGER) {
        std::vector<std::int64_t> v(n);
        if (H5Dread(d, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()) < 0) {
            return Error { what + ": cannot read (" + h5::lastError() + ")" };
        }
        std::transform(v.begin(), v.end(), out.begin(), [](std::int64_t x) { return static_cast<std::uint32_t>(x); });
        return out;
    }
    if (cls != H5T_FLOAT) {
        return Error { what + ": not a number array (a mask holds integers)" };
    }
    // A float mask is taken when every value is a whole number (masks written by numpy without a dtype).
    std::vector<double> v(n);
    if (H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()) < 0) {
        return Error { what + ": cannot read (" + h5::lastError() + ")" };
    }
    for (std::size_t i = 0; i < n; ++i) {
        if (!std::isfinite(v[i]) || v[i] != std::floor(v[i]) || v[i] < 0 || v[i] > 4294967295.0) {
            std::ostringstream s;
            s << what << ": value " << v[i] << " at element " << i << " is not a whole number (a mask holds integers)";
            return Error { s.str() };
        }
        out[i] = static_cast<std::uint32_t>(v[i]);
    }
    return out;
}

Result<PixelMask> readHdf5Mask(const MaskSpec& s, const DetectorGeometry& g, MaskBits bits)
{
    h5::quiet();
    h5::Handle f = h5::file(H5Fopen(s.file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
    if (!f) {
        return Error { s.file + ": cannot open as HDF5 (" + h5::lastError() + ")" };
    }
    auto name = pickDataset(f.get(), s.file, s.dataset, g);
    if (!name) {
        return name.error();
    }
    const std::string what = s.file + ":" + *name;
    h5::Handle d = h5::dataset(H5Dopen2(f.get(), name->c_str(), H5P_DEFAULT));
    if (!d) {
        return Error { what + ": not a dataset" };
    }
    h5::Handle type = h5::type(H5Dget_type(d.get()));
    const auto cls = type ? H5Tget_class(type.get()) : H5T_NO_CLASS;
    if (cls != H5T_INTEGER && cls != H5T_FLOAT) {
        return Error { what + ": not a number array (a mask holds integers)" };
    }
    const auto dims = h5::dims(d.get());
    if (product(dims) != g.pixelCount() || dims.empty()) {
        return Error { what + ": shape " + shapeText(dims) + ", the detector is " + detectorText(g) };
    }
    auto words = readWords(d.get(), what);
    if (!words) {
        return words.error();
    }
    PixelMask m { g.nSlow(), g.nFast(), std::vector<std::uint8_t>(words->size()) };
    const bool rule = bits.goodBits != 0 || bits.badBits != 0;
    for (std::size_t i = 0; i < words->size(); ++i) {
        const std::uint32_t v = (*words)[i];
        m.usable[i] = rule ? ((v & bits.goodBits) == bits.goodBits && (v & bits.badBits) == 0) : v == 0;
    }
    return m;
}

// Bad regions are read by GeomParser; a snippet of bad_* lines alone gets the run's panels appended (after the
// user's lines, so that the parser's line numbers stay those of the file).
Result<PixelMask> readBadRegionMask(const std::string& path, const DetectorGeometry& g)
{
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    auto t = GeomParser::parseTemplateText(text.str(), path);
    if (!t) {
        t = GeomParser::parseTemplateText(text.str() + "\n" + GeomParser::toGeomText(g), path);
    }
    if (!t) {
        return Error { t.error().message + " (a mask in text form is a CrystFEL geometry or bad_NAME/min_fs, "
                                           "max_fs, min_ss, max_ss, panel lines)" };
    }
    if (t->badRegions.empty()) {
        return Error { path + ": no bad_* regions (a mask in text form is CrystFEL's bad_NAME/min_fs, max_fs, min_ss, "
                              "max_ss or min_x, max_x, min_y, max_y lines)" };
    }
    auto panels = g.panels();
    for (const auto& b : t->badRegions) {
        if (!b.panel.empty()
            && std::none_of(panels.begin(), panels.end(), [&](const DetectorPanel& p) { return p.name == b.panel; })) {
            return Error { path + ": region '" + b.name + "' names panel '" + b.panel
                + "', which the run's geometry does not have" };
        }
    }
    for (auto& p : panels) {
        p.ignored = false; // no_index panels are the geometry's business, not the mask file's
    }
    auto withRegions = DetectorGeometry::fromPanels(panels, g.photonEnergyEv(), t->badRegions);
    if (!withRegions) {
        return Error { path + ": " + withRegions.error().message };
    }
    return PixelMask { g.nSlow(), g.nFast(), withRegions->validMask() };
}

// Writes through a temporary file in the same folder and renames it: a reader never sees half a mask.
Status replaceAtomically(const std::string& path, const std::function<Status(const std::string&)>& write)
{
    const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
    if (auto st = write(tmp); !st) {
        std::remove(tmp.c_str());
        return st;
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        std::remove(tmp.c_str());
        return Error { path + ": cannot write (" + ec.message() + ")" };
    }
    return {};
}

Status checkShape(const std::string& path, const PixelMask& m)
{
    if (m.nSlow <= 0 || m.nFast <= 0
        || m.usable.size() != static_cast<std::size_t>(m.nSlow) * static_cast<std::size_t>(m.nFast)) {
        return Error { path + ": the mask has " + std::to_string(m.usable.size()) + " values for "
            + std::to_string(m.nSlow) + " x " + std::to_string(m.nFast) + " pixels" };
    }
    return {};
}

struct Box {
    int minFs, maxFs, minSs, maxSs;
    std::string panel;
};

// Runs of masked pixels, row by row inside one panel; a run with the same fs span as an open box of the row above
// extends it. Each box starts where a run's span first appears, so there are at most as many boxes as runs whose
// span differs from the row above: for a convex shape (a drawn polygon, a circle) at most one per row it spans in
// each panel, for a rectangle one; a scatter of hot pixels one each (tst_MaskFile: a 9-vertex star polygon and 200
// single pixels on 120 x 150 give about 210 boxes; the same on the 64-panel CSPAD 957).
void panelBoxes(const PixelMask& m, const DetectorPanel& p, std::vector<Box>& out)
{
    std::map<std::pair<int, int>, std::size_t> open; // (minFs, maxFs) → index in out, extended through row ss − 1
    for (int ss = p.minSs; ss <= p.maxSs; ++ss) {
        std::map<std::pair<int, int>, std::size_t> next;
        const std::uint8_t* row = m.usable.data() + static_cast<std::size_t>(ss) * m.nFast;
        for (int fs = p.minFs; fs <= p.maxFs;) {
            if (row[fs]) {
                ++fs;
                continue;
            }
            const int start = fs;
            while (fs <= p.maxFs && !row[fs]) {
                ++fs;
            }
            const std::pair<int, int> span { start, fs - 1 };
            if (auto it = open.find(span); it != open.end()) {
                out[it->second].maxSs = ss;
                next[span] = it->second;
            } else {
                next[span] = out.size();
                out.push_back({ start, fs - 1, ss, ss, p.name });
            }
        }
        open = std::move(next);
    }
}

} // namespace

MaskSpec splitMaskSpec(const std::string& spec)
{
    const auto colon = spec.rfind(':');
    if (colon != std::string::npos && colon + 1 < spec.size() && spec[colon + 1] == '/') {
        return { spec.substr(0, colon), spec.substr(colon + 1) };
    }
    return { spec, {} };
}

Result<PixelMask> readPixelMask(const std::string& spec, const DetectorGeometry& geometry, MaskBits bits)
{
    if (spec.empty()) {
        return Error { "no mask file given" };
    }
    MaskSpec s = splitMaskSpec(spec);
    std::error_code ec;
    if (!std::filesystem::is_regular_file(s.file, ec)) {
        return Error { "mask file '" + s.file + "' does not exist (or is not a file)" };
    }
    h5::quiet();
    if (H5Fis_hdf5(s.file.c_str()) > 0) {
        return readHdf5Mask(s, geometry, bits);
    }
    if (!s.dataset.empty()) {
        return Error { s.file + ": not an HDF5 file, so it has no dataset " + s.dataset };
    }
    return readBadRegionMask(s.file, geometry);
}

Status writeMaskHdf5(const std::string& path, const PixelMask& mask, const std::string& dataset)
{
    if (auto st = checkShape(path, mask); !st) {
        return st;
    }
    return replaceAtomically(path, [&](const std::string& tmp) -> Status {
        h5::quiet();
        h5::Handle f = h5::file(H5Fcreate(tmp.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT));
        if (!f || !h5::createParents(f.get(), dataset)) {
            return Error { path + ": cannot create (" + h5::lastError() + ")" };
        }
        const hsize_t dims[2] = { static_cast<hsize_t>(mask.nSlow), static_cast<hsize_t>(mask.nFast) };
        h5::Handle space = h5::space(H5Screate_simple(2, dims, nullptr));
        h5::Handle d = h5::dataset(H5Dcreate2(
            f.get(), dataset.c_str(), H5T_STD_U8LE, space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
        std::vector<std::uint8_t> bad(mask.usable.size());
        std::transform(mask.usable.begin(), mask.usable.end(), bad.begin(), [](std::uint8_t u) { return u ? 0 : 1; });
        if (!d || H5Dwrite(d.get(), H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, bad.data()) < 0
            || !h5::writeStringAttribute(d.get(), "convention", "nonzero = bad (NeXus pixel_mask); 0 = usable")) {
            return Error { path + ":" + dataset + ": cannot write (" + h5::lastError() + ")" };
        }
        d.reset();
        if (!f.reset()) {
            return Error { path + ": cannot finish the file (" + h5::lastError() + ")" };
        }
        return {};
    });
}

Status writeMaskBadRegions(const std::string& path, const PixelMask& mask, const DetectorGeometry& geometry)
{
    if (auto st = checkShape(path, mask); !st) {
        return st;
    }
    if (mask.nSlow != geometry.nSlow() || mask.nFast != geometry.nFast()) {
        return Error { path + ": the mask is " + std::to_string(mask.nSlow) + " x " + std::to_string(mask.nFast)
            + ", the detector " + detectorText(geometry) };
    }
    std::vector<Box> boxes;
    for (const auto& p : geometry.panels()) {
        panelBoxes(mask, p, boxes);
    }
    return replaceAtomically(path, [&](const std::string& tmp) -> Status {
        std::ofstream out(tmp);
        std::size_t covered = 0;
        for (const auto& b : boxes) {
            covered += static_cast<std::size_t>(b.maxFs - b.minFs + 1) * static_cast<std::size_t>(b.maxSs - b.minSs + 1);
        }
        out << "; pixel mask written by FXS Monitor: " << boxes.size() << " bad regions covering the " << covered
            << " masked pixels inside panels of a " << mask.nSlow << " x " << mask.nFast
            << " detector\n";
        for (std::size_t i = 0; i < boxes.size(); ++i) {
            const auto& b = boxes[i];
            const std::string k = "bad_fxs_" + std::to_string(i) + "/";
            out << "\n"
                << k << "min_fs = " << b.minFs << "\n"
                << k << "max_fs = " << b.maxFs << "\n"
                << k << "min_ss = " << b.minSs << "\n"
                << k << "max_ss = " << b.maxSs << "\n"
                << k << "panel = " << b.panel << "\n";
        }
        out.close();
        if (!out) {
            return Error { path + ": cannot write" };
        }
        return {};
    });
}

} // namespace fxs
