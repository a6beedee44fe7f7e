#include "SourceFactory.h"

#include <fxs/polar/PolarRemapper.h>
#include <fxs/sources/CxiFileSource.h>
#include <fxs/sources/DetectorFile.h>
#include <fxs/sources/DetectorStreamSource.h>
#include <fxs/sources/LiveFileSource.h>
#include <fxs/sources/MaskFile.h>
#include <fxs/geometry/GeomParser.h>
#include <fxs/simulation/SimulatorSource.h>
#include <thread>

namespace fxs::monitor {

Result<RunGeometry> SourceFactory::geometry(const RunConfig& config, int nSlow, int nFast, MissingValues* missing)
{
    return RunGeometry::resolve(config, nSlow, nFast, missing);
}

Result<DetectorGeometry> SourceFactory::withBeamstop(const DetectorGeometry& g)
{
    // A beamstop and its holder, as on a real detector: the demo then shows what a mask looks like.
    const double side = g.nFast();
    std::vector<BadRegion> bad(2);
    bad[0].name = "bad_beamstop";
    bad[0].minX = -0.03 * side;
    bad[0].maxX = 0.03 * side;
    bad[0].minY = -0.03 * side;
    bad[0].maxY = 0.03 * side;
    bad[1].name = "bad_holder";
    bad[1].minX = -0.008 * side;
    bad[1].maxX = 0.008 * side;
    bad[1].minY = 0.0;
    bad[1].maxY = side;
    return DetectorGeometry::fromPanels(g.panels(), g.photonEnergyEv(), bad);
}

widgets::PixelLayout SourceFactory::layout(const DetectorGeometry& g, const std::vector<std::uint8_t>& mask)
{
    widgets::PixelLayout l;
    l.nSlow = g.nSlow();
    l.nFast = g.nFast();
    l.wavelengthA = g.wavelengthA();
    l.pixelSizeM = g.panels().empty() ? 100e-6 : 1.0 / g.panels().front().pixelsPerM;
    const auto pos = g.pixelPositionsM();
    const auto valid = mask.size() == g.pixelCount() ? mask : g.validMask();
    const std::size_t n = g.pixelCount();
    l.xM.resize(n);
    l.yM.resize(n);
    l.zM.resize(n);
    l.panel.resize(n);
    l.bad.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        const bool outside = !std::isfinite(pos[i][0]);
        // Pixels of no panel are parked at the origin and flagged bad: they must not stretch the image.
        l.xM[i] = outside ? 0.0f : float(pos[i][0]);
        l.yM[i] = outside ? 0.0f : float(pos[i][1]);
        l.zM[i] = outside ? float(g.referenceDistanceM()) : float(pos[i][2]);
        l.bad[i] = valid[i] ? 0 : 1;
        const int p = g.panelAt(int(i / std::size_t(l.nFast)), int(i % std::size_t(l.nFast)));
        l.panel[i] = std::uint16_t(std::max(0, p));
    }
    for (const auto& p : g.panels()) {
        l.panelNames.push_back(QString::fromStdString(p.name));
    }
    return l;
}

Result<std::unique_ptr<FrameSource>> SourceFactory::simulated(const RunConfig& config, const DetectorGeometry& g)
{
    auto particle = ParticleModel::builtin(config.model.toStdString());
    if (!particle) {
        return particle.error();
    }
    SimulatorConfig sc;
    sc.seed = config.seed;
    sc.threads = 1; // one core plays the beamline; the others correlate
    sc.peakPhotons = 200.0;
    auto sim = Simulator::create(std::move(*particle), sc);
    if (!sim) {
        return sim.error();
    }
    SimulatorSourceOptions options;
    options.frames = config.simulatedShots > 0 ? config.simulatedShots : -1;
    options.rateHz = config.simulatedRateHz;
    auto source = SimulatorSource::create(std::make_shared<const Simulator>(std::move(*sim)), g, options);
    if (!source) {
        return source.error();
    }
    return std::unique_ptr<FrameSource>(std::move(*source));
}

Result<std::unique_ptr<FrameSource>> SourceFactory::stream(const RunConfig& config, const StreamWaiting& waiting)
{
    const std::string endpoint = config.streamEndpoint.trimmed().toStdString();
    if (!DetectorStreamSource::isEndpoint(endpoint)) {
        return Error { "detector stream: '" + endpoint
            + "' is not a ZeroMQ endpoint; enter the publisher's address as tcp://HOST:PORT" };
    }
    auto protocol = DetectorStreamSource::parseProtocol(config.streamProtocol.toStdString());
    if (!protocol) {
        return Error { "detector stream " + endpoint + ": " + protocol.error().message };
    }
    StreamSourceOptions options;
    options.endpoint = endpoint;
    options.protocol = *protocol;
    options.connectTimeoutS = 1e7; // a window waits for the detector until Stop (waiting() says when)
    options.stopAtSeriesEnd = config.streamStopAtEnd;
    auto onWorkers = decodeOnWorkers(config.streamDecode.toStdString(), std::thread::hardware_concurrency());
    if (!onWorkers) {
        return Error { "detector stream " + endpoint + ": " + onWorkers.error().message };
    }
    options.dectris.deferDecode = *onWorkers; // the shot pipeline's workers decode what the receiver leaves
    options.waiting = waiting;
    auto s = DetectorStreamSource::open(options);
    if (!s) {
        return s.error();
    }
    return std::unique_ptr<FrameSource>(std::move(*s));
}

namespace {
// Every message names the file: the engine's may not (e.g. when the validator itself cannot run).
Error aboutFile(const RunConfig& c, const Error& e)
{
    const std::string path = c.path.toStdString();
    if (e.message.find(path) != std::string::npos) {
        return e;
    }
    return Error { "cannot read " + path + " (dataset " + c.dataset.toStdString() + "): " + e.message };
}
// A CXI/HDF5 stack, or a DECTRIS NeXus master file's data links in order; with the geometry's mask per frame.
Result<std::unique_ptr<FrameSource>> cxiFile(
    const RunConfig& c, const std::optional<FileGeometry>& geometry, std::string* notice)
{
    CxiSourceOptions options;
    options.datasetPath = c.dataset.toStdString();
    if (geometry) {
        geometry->applyTo(options);
    }
    auto s = openDetectorFile(c.path.toStdString(), options, [&c, notice](const std::string& line) {
        if (line.rfind("warning: ", 0) == 0) {
            *notice = c.path.toStdString() + ": " + line.substr(9); // a data file missing: the run stops before it
        }
    });
    return s ? std::move(s) : Result<std::unique_ptr<FrameSource>>(aboutFile(c, s.error()));
}
} // namespace

Result<std::unique_ptr<ShotPipeline>> SourceFactory::shotPipeline(
    RunSetup& setup, const PolarGrid& grid, const ShotPipelineConfig& config)
{
    const std::vector<std::uint8_t> mask = setup.mask.empty() ? setup.geometry.validMask() : setup.mask;
    auto remapper = PolarRemapper::create(setup.geometry, grid, {}, mask);
    if (!remapper) {
        return remapper.error();
    }
    auto pipeline = std::make_unique<ShotPipeline>(std::move(setup.source), std::move(*remapper), mask, config);
    if (setup.file) {
        setup.file->applyTo(*pipeline, grid, {}, mask);
    }
    return pipeline;
}

Result<RunSetup> SourceFactory::open(const RunConfig& config, MissingValues* missing, const StreamWaiting& waiting)
{
    RunSetup setup;
    int nSlow = config.simulatedSize;
    int nFast = config.simulatedSize;
    if (config.source == SourceKind::CxiFile) {
        auto s = cxiFile(config, std::nullopt, &setup.notice);
        if (!s) {
            return s.error();
        }
        setup.source = std::move(*s);
    } else if (config.source == SourceKind::LiveFile) {
        LiveSourceOptions options;
        options.datasetPath = config.dataset.toStdString();
        auto s = LiveFileSource::open(config.path.toStdString(), options);
        if (!s) {
            return aboutFile(config, s.error());
        }
        setup.source = std::move(*s);
    } else if (config.source == SourceKind::DetectorStream) {
        auto s = stream(config, waiting);
        if (!s) {
            return s.error();
        }
        setup.source = std::move(*s);
    }
    if (setup.source) {
        nSlow = setup.source->shape().nSlow;
        nFast = setup.source->shape().nFast;
    }
    const auto* detectorStream = dynamic_cast<const DetectorStreamSource*>(setup.source.get());
    auto g = RunGeometry::resolve(config, nSlow, nFast, missing,
        detectorStream != nullptr ? detectorStream->dectrisStart() : std::nullopt);
    if (!g) {
        return g.error();
    }
    setup.geometry = std::move(g->geometry);
    setup.values = g->values;
    setup.file = std::move(g->file);
    if (config.source == SourceKind::Simulated && config.geometryPath.isEmpty()) {
        auto withStop = withBeamstop(setup.geometry);
        if (!withStop) {
            return withStop.error();
        }
        setup.geometry = std::move(*withStop);
    }
    PerFrameMask perFrame;
    std::string maskWarning;
    auto mask = pixelMask(config, setup.geometry, &perFrame, &maskWarning);
    if (!mask) {
        return mask.error();
    }
    setup.mask = std::move(*mask);
    if (setup.file) {
        // What the Pixel mask field or the geometry's mask turned out to be decides (as fxs correlate's --mask).
        setup.file->frameMask.reset();
        if (!perFrame.dataset.empty() && config.source == SourceKind::CxiFile) { // not read from a live file
            setup.file->frameMask = perFrame;
        }
    }
    if (setup.file && setup.file->frameMask) {
        // The geometry's mask has one slab per frame in the data file: the source reads it with each frame.
        auto s = cxiFile(config, setup.file, &setup.notice);
        if (!s) {
            return s.error();
        }
        setup.source = std::move(*s);
    }
    if (config.source == SourceKind::Simulated) {
        auto s = simulated(config, setup.geometry);
        if (!s) {
            return s.error();
        }
        setup.source = std::move(*s);
    }
    if (!maskWarning.empty()) { // in the message bar when the run starts and in its end message
        setup.notice += (setup.notice.empty() ? "warning: " : "; warning: ") + maskWarning;
    }
    setup.assembly = std::make_shared<const widgets::ImageAssembly>(layout(setup.geometry, setup.mask));
    return setup;
}

Result<std::vector<std::uint8_t>> SourceFactory::pixelMask(
    const RunConfig& config, const DetectorGeometry& geometry, PerFrameMask* perFrame, std::string* warning)
{
    std::vector<std::uint8_t> mask = geometry.validMask();
    GeomTemplate t; // without a geometry file: no mask key, no mask bits
    if (!config.geometryPath.isEmpty()) {
        auto parsed = GeomParser::parseTemplateFile(config.geometryPath.toStdString());
        if (!parsed) {
            return parsed.error();
        }
        t = std::move(*parsed);
    }
    const bool file = config.source == SourceKind::CxiFile || config.source == SourceKind::LiveFile;
    PerFrameMask unused; // without `perFrame`, a mask per frame is left out
    auto applied = applyGeometryMask(t, geometry, config.pixelMask.toStdString(),
        file ? config.path.toStdString() : std::string(), mask, perFrame != nullptr ? perFrame : &unused, "Pixel mask");
    if (!applied) {
        return applied.error();
    }
    if (warning != nullptr) {
        *warning = applied->warning;
    }
    return mask;
}

} // namespace fxs::monitor
