#include <fxs/sources/DetectorFile.h>

#include <fxs/hdf5/Hdf5Util.h>
#include <fxs/sources/ChainedSource.h>
#include <fxs/sources/FileProbe.h>

#include <algorithm>
#include <vector>

namespace fxs {

std::int64_t maskFramesIn(const std::string& file, const std::string& dataset, std::size_t pixelCount)
{
    h5::quiet();
    h5::Handle f = h5::file(H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
    if (!f || !h5::linkExists(f.get(), dataset)) {
        return 0;
    }
    h5::Handle d = h5::dataset(H5Dopen2(f.get(), dataset.c_str(), H5P_DEFAULT));
    const auto dims = d ? h5::dims(d.get()) : std::vector<hsize_t> {};
    std::size_t slab = 1;
    for (std::size_t i = 1; i < dims.size(); ++i) {
        slab *= dims[i];
    }
    const bool perFrame = dims.size() >= 3 && dims[0] > 1 && slab == pixelCount;
    return perFrame ? static_cast<std::int64_t>(dims[0]) : 0;
}

Result<std::unique_ptr<FrameSource>> openDetectorFile(
    const std::string& path, const CxiSourceOptions& options, const std::function<void(const std::string&)>& log)
{
    // A file already validated (validate off) is listed in-process; any other through fxs-probe.
    auto nexus = options.validate ? FileProbe::nexusDataLinks(path, options.probe) : NexusMaster::dataLinks(path);
    if (!nexus) {
        return Error { path + ": " + nexus.error().message };
    }
    const auto& links = nexus->links;
    if (links.empty() || std::find(links.begin(), links.end(), options.datasetPath) != links.end()) {
        if (!nexus->missing.empty()) {
            return Error { path + ": the data file of " + nexus->missing + " is missing" };
        }
        auto s = CxiFileSource::open(path, options);
        return s ? Result<std::unique_ptr<FrameSource>>(std::move(*s)) : s.error();
    }
    if (log) {
        log(path + " is a NeXus master file: reading " + std::to_string(links.size()) + " data link(s) "
            + links.front() + (links.size() > 1 ? " … " + links.back() : ""));
        if (!nexus->missing.empty()) {
            log("warning: the data file of " + nexus->missing + " is missing; the run stops before it");
        }
    }
    std::vector<std::unique_ptr<FrameSource>> parts;
    for (const auto& link : links) {
        CxiSourceOptions o = options;
        o.datasetPath = link;
        o.frameMaskDataset.clear(); // a master file's mask is its pixel_mask, one for the run
        auto s = CxiFileSource::open(path, o);
        if (!s) {
            return s.error();
        }
        parts.push_back(std::move(*s));
    }
    return ChainedSource::create(std::move(parts));
}

} // namespace fxs
