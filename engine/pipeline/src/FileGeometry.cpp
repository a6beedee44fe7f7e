#include <fxs/pipeline/FileGeometry.h>

#include <fxs/sources/DetectorFile.h>
#include <fxs/sources/GeomDataReader.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <set>
#include <sstream>
#include <thread>

namespace fxs {

namespace {

// Distinct geometries looked at for the ranges; a run whose values differ on every frame is sampled beyond that.
constexpr std::size_t kMaxDistinct = 4096;

void widen(ValueRange& r, double v)
{
    r.min = std::isnan(r.min) ? v : std::min(r.min, v);
    r.max = std::isnan(r.max) ? v : std::max(r.max, v);
}

std::string number(double v)
{
    std::ostringstream s;
    s.precision(6);
    s << v;
    return s.str();
}

} // namespace

Result<FileGeometry> FileGeometry::read(GeomTemplate geometry, const GeomOverrides& overrides, const std::string& dataFile)
{
    FileGeometry g;
    g.geometryTemplate = std::move(geometry);
    g.overrides = overrides;
    g.dataFile = dataFile;
    if (!dataFile.empty() && !g.geometryTemplate.dataPaths().empty()) {
        auto v = GeomDataReader::read(dataFile, g.geometryTemplate.dataPaths(), &g.growingPaths);
        if (!v) {
            return v.error();
        }
        g.dataValues = std::move(*v);
    }
    return g;
}

Status FileGeometry::resolve(std::int64_t frame)
{
    auto r = geometryTemplate.resolve(overrides, dataValues, frame);
    if (!r) {
        return Error { r.error().message + (dataFile.empty() ? std::string() : " (data file " + dataFile + ")") };
    }
    resolved = std::move(*r);
    // The values that differ between frames pick the geometry (as FrameRemappers keys its tables).
    std::vector<const std::vector<double>*> varying;
    std::size_t frames = 0;
    for (const auto& path : geometryTemplate.geometryPaths(overrides)) {
        const auto it = dataValues.find(path);
        if (it != dataValues.end() && it->second.size() > 1) {
            frames = varying.empty() ? it->second.size() : std::min(frames, it->second.size());
            varying.push_back(&it->second);
        }
    }
    const auto geometryPaths = geometryTemplate.geometryPaths(overrides);
    perFrame = !varying.empty() || std::any_of(growingPaths.begin(), growingPaths.end(), [&](const auto& p) {
        return std::find(geometryPaths.begin(), geometryPaths.end(), p) != geometryPaths.end();
    });
    cameraLengthM = {};
    photonEnergyEv = {};
    widen(cameraLengthM, resolved.cameraLengthM);
    widen(photonEnergyEv, resolved.photonEnergyEv);
    std::set<std::vector<double>> seen;
    for (std::size_t f = 0; f < frames && seen.size() < kMaxDistinct; ++f) {
        std::vector<double> key;
        for (const auto* v : varying) {
            key.push_back((*v)[f]);
        }
        if (!seen.insert(key).second) {
            continue;
        }
        auto at = geometryTemplate.resolve(overrides, dataValues, static_cast<std::int64_t>(f));
        if (!at) {
            return Error { at.error().message + " (data file " + dataFile + ")" };
        }
        widen(cameraLengthM, at->cameraLengthM);
        widen(photonEnergyEv, at->photonEnergyEv);
    }
    cameraLengthM.distinct = photonEnergyEv.distinct = std::max<std::size_t>(1, seen.size());
    frameMask.reset();
    const auto& m = geometryTemplate.mask;
    const std::string maskFile = m.file.empty() ? dataFile : m.file;
    if (!m.dataset.empty() && !dataFile.empty() && maskFile == dataFile
        && maskFramesIn(dataFile, m.dataset, resolved.geometry.pixelCount()) > 0) {
        frameMask = PerFrameMask { m.dataset, m.goodBits, m.badBits };
    }
    return {};
}

void FileGeometry::applyTo(CxiSourceOptions& options) const
{
    if (frameMask) {
        options.frameMaskDataset = frameMask->dataset;
        options.frameMaskGood = frameMask->goodBits;
        options.frameMaskBad = frameMask->badBits;
    }
}

void FileGeometry::applyTo(ShotPipeline& pipeline, const PolarGrid& grid, const RemapOptions& options,
    const std::vector<std::uint8_t>& mask) const
{
    if (perFrame) {
        auto remappers
            = std::make_unique<FrameRemappers>(geometryTemplate, overrides, dataValues, grid, options, mask);
        if (!growingPaths.empty()) {
            remappers->follow(growingPaths, refreshValues());
        }
        pipeline.setFrameRemappers(std::move(remappers));
    }
    // The source marks each frame's own bad pixels NaN (CxiSourceOptions::frameMaskDataset).
    pipeline.config().nonFiniteMasked = pipeline.config().nonFiniteMasked || frameMask.has_value();
}

FrameRemappers::Refresh FileGeometry::refreshValues() const
{
    return [file = dataFile, paths = geometryTemplate.dataPaths(), growing = growingPaths](
               std::int64_t frame) -> Result<GeomDataValues> {
        // A writer may flush a frame before its values: they are waited for a little (2 s) before the frame fails.
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
        for (;;) {
            auto v = GeomDataReader::read(file, paths);
            const bool complete = v && std::all_of(growing.begin(), growing.end(), [&](const std::string& p) {
                const auto it = v->find(p);
                return it != v->end() && static_cast<std::size_t>(frame) < it->second.size();
            });
            if (!v || complete || std::chrono::steady_clock::now() > deadline) {
                return v;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    };
}

std::string FileGeometry::perFrameSummary() const
{
    if (!perFrame || cameraLengthM.distinct <= 1) {
        return {};
    }
    std::string s;
    if (cameraLengthM.min != cameraLengthM.max) {
        s = "clen " + number(cameraLengthM.min) + "–" + number(cameraLengthM.max) + " m";
    }
    if (photonEnergyEv.min != photonEnergyEv.max) {
        s += (s.empty() ? "" : ", ") + std::string("photon energy ") + number(photonEnergyEv.min) + "–"
            + number(photonEnergyEv.max) + " eV";
    }
    return (s.empty() ? std::string("values") : s) + " per frame (" + std::to_string(cameraLengthM.distinct)
        + (cameraLengthM.distinct >= kMaxDistinct ? "+" : "") + " geometries, data file)";
}

} // namespace fxs
