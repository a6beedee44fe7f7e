#include "CliSupport.h"
#include "Commands.h"
#include "CorrelationRun.h"
#include "Figures.h"
#include "ResultsReader.h"
#include "RunOutput.h"
#include "Setup.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <fxs/sources/ChainedSource.h>
#include <fxs/sources/CxiFileSource.h>
#include <fxs/sources/DetectorFile.h>
#include <fxs/sources/DetectorStreamSource.h>
#include <fxs/geometry/GeomParser.h>
#include <fxs/sources/LiveFileSource.h>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

namespace fxs::cli {

namespace {
struct CorrelateOptions {
    std::vector<std::string> inputs; ///< files of one run, read in order
    std::string input; ///< the first of them (messages, weights)
    std::string dataset = "/entry_1/data_1/data";
    std::string geometry;
    GeometryOverrideOptions geometryValues;
    bool polar = false;
    std::string weights;
    int nQ = 100;
    int nPhi = 128;
    double qMin = 0.0;
    double qMax = 0.0;
    double wavelengthA = 0.0;
    double minTotal = -std::numeric_limits<double>::infinity();
    double maxTotal = std::numeric_limits<double>::infinity();
    double minHitScore = -1.0;
    std::string vetoFile;
    int threads = 0;
    int pipelineThreads = 0;
    int memoryBudgetMiB = 1024;
    std::string backend = "cpu";
    int gpuDevice = 0;
    std::string deviceRemap = "auto";
    std::string out;
    std::string checkpoint;
    double checkpointEveryS = 30.0;
    bool resume = false;
    bool noErrorBars = false;
    std::int64_t maxShots = -1;
    double rateHz = 0.0;
    bool live = false;
    const FileGeometry* fileGeometry = nullptr; ///< not an option: the geometry's mask per frame, read by the source
    double idleTimeoutS = 0.0;
    std::string figures;
    std::string stream; ///< "karabo", "dectris" or "dectris1" when the input is a ZeroMQ endpoint
    std::string streamSource; ///< Karabo device
    std::string streamDataPath = "image.data";
    std::string streamLayout = "auto";
    std::string streamChannel; ///< DECTRIS channel
    std::string streamDecode = "auto"; ///< DECTRIS V2: compressed images decoded by "workers", "receiver" or "auto"
    double connectTimeoutS = 30.0;
    bool stopAtEnd = false;
};

// A source that paces another one (replaying a run at a beamline rate).
class PacedSource final : public FrameSource {
public:
    PacedSource(std::unique_ptr<FrameSource> inner, double rateHz)
        : m_inner(std::move(inner))
        , m_period(1.0 / rateHz)
        , m_next(std::chrono::steady_clock::now())
    {
    }
    Result<std::optional<Frame>> next() override
    {
        std::this_thread::sleep_until(m_next);
        m_next += std::chrono::duration_cast<std::chrono::steady_clock::duration>(m_period);
        return m_inner->next();
    }
    SlabShape shape() const override { return m_inner->shape(); }
    std::optional<std::int64_t> totalFrames() const override { return m_inner->totalFrames(); }
    std::string description() const override { return m_inner->description(); }
    bool isLive() const override { return true; }
    Status seek(std::int64_t i) override { return m_inner->seek(i); }
    void cancel() override { m_inner->cancel(); }

private:
    std::unique_ptr<FrameSource> m_inner;
    std::chrono::duration<double> m_period;
    std::chrono::steady_clock::time_point m_next;
};

Result<std::unique_ptr<FrameSource>> openOne(
    const CorrelateOptions& o, const std::string& path, const std::string& dataset)
{
    if (!std::filesystem::is_regular_file(path)) {
        return Error { path + ": no such file" };
    }
    if (o.live) {
        LiveSourceOptions lo;
        lo.datasetPath = dataset;
        lo.idleTimeoutS = o.idleTimeoutS;
        auto s = LiveFileSource::open(path, lo);
        return s ? Result<std::unique_ptr<FrameSource>>(std::move(*s)) : s.error();
    }
    CxiSourceOptions co;
    co.datasetPath = dataset;
    co.deferDecode = true; // the shot pipeline decodes LZ4 / bitshuffle-LZ4 chunks on its workers
    if (dataset != o.dataset) {
        auto s = CxiFileSource::open(path, co);
        return s ? Result<std::unique_ptr<FrameSource>>(std::move(*s)) : s.error();
    }
    if (o.fileGeometry != nullptr) {
        o.fileGeometry->applyTo(co);
    }
    // The run's stack, or a DECTRIS NeXus master file's data links in order.
    return openDetectorFile(path, co, [](const std::string& line) { std::cerr << "correlate: " << line << "\n"; });
}

Result<std::unique_ptr<FrameSource>> openStream(const CorrelateOptions& o)
{
    if (o.inputs.size() > 1 || o.live || o.rateHz > 0.0) {
        return Error { "a detector stream is one input, without --live or --rate" };
    }
    auto protocol = DetectorStreamSource::parseProtocol(o.stream);
    if (!protocol) {
        return Error { "--stream: " + protocol.error().message };
    }
    auto layout = KaraboBridgeDecoder::parseLayout(o.streamLayout);
    if (!layout) {
        return Error { "--stream-layout: " + layout.error().message };
    }
    StreamSourceOptions so;
    so.endpoint = o.input;
    so.protocol = *protocol;
    so.connectTimeoutS = o.connectTimeoutS;
    so.idleTimeoutS = o.idleTimeoutS;
    so.stopAtSeriesEnd = o.stopAtEnd;
    so.karabo.source = o.streamSource;
    so.karabo.dataPath = o.streamDataPath;
    so.karabo.layout = *layout;
    so.dectris.channel = o.streamChannel;
    // Compressed images decoded on the shot pipeline's workers, or on the one receiving thread (the option's values
    // are checked by CLI11).
    const auto onWorkers = decodeOnWorkers(o.streamDecode, std::thread::hardware_concurrency());
    so.dectris.deferDecode = onWorkers && *onWorkers;
    so.log = [](const std::string& line) { std::cerr << "correlate: " << line << "\n"; };
    std::cerr << "correlate: waiting for the first frame from " << o.input << "\n";
    auto s = DetectorStreamSource::open(so);
    return s ? Result<std::unique_ptr<FrameSource>>(std::move(*s)) : s.error();
}

Result<std::unique_ptr<FrameSource>> openSource(const CorrelateOptions& o, const std::string& dataset)
{
    if (DetectorStreamSource::isEndpoint(o.input) || !o.stream.empty()) {
        if (o.stream.empty() || !DetectorStreamSource::isEndpoint(o.input)) {
            return Error { "a detector stream needs a ZeroMQ endpoint (tcp://HOST:PORT) and --stream karabo|dectris" };
        }
        return openStream(o);
    }
    if (o.live && o.inputs.size() > 1) {
        return Error { "--live follows one file; give a single input" };
    }
    std::vector<std::unique_ptr<FrameSource>> parts;
    for (const auto& path : o.inputs) {
        auto s = openOne(o, path, dataset);
        if (!s) {
            return s.error();
        }
        parts.push_back(std::move(*s));
    }
    auto src = ChainedSource::create(std::move(parts));
    if (!src) {
        return src.error();
    }
    if (o.rateHz > 0.0) {
        return std::unique_ptr<FrameSource>(std::make_unique<PacedSource>(std::move(*src), o.rateHz));
    }
    return src;
}

Result<VetoRules> vetoRules(const CorrelateOptions& o)
{
    VetoRules rules;
    if (!o.vetoFile.empty()) {
        std::ifstream in(o.vetoFile);
        const nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
        if (!in || j.is_discarded()) {
            return Error { o.vetoFile + ": cannot read the veto rules (expected JSON)" };
        }
        auto r = VetoRules::fromJson(j);
        if (!r) {
            return Error { o.vetoFile + ": " + r.error().message };
        }
        rules = *r;
    }
    if (std::isfinite(o.minTotal) || std::isfinite(o.maxTotal)) {
        if (auto st = rules.addThreshold({ ShotStatistic::Sum, o.minTotal, o.maxTotal }); !st) {
            return Error { "--min-total/--max-total: " + st.message() };
        }
    }
    if (o.minHitScore >= 0.0) {
        if (auto st = rules.addThreshold({ ShotStatistic::HitScore, o.minHitScore }); !st) {
            return Error { "--min-hit-score: " + st.message() };
        }
    }
    return rules;
}

struct Prepared {
    std::unique_ptr<ShotPipeline> feed;
    PolarGrid grid;
    double wavelengthA = 0.0;
    std::string geometryText;
    std::string geometryValues; ///< JSON: the values in effect and their sources
    std::optional<DetectorGeometry> geometry;
    DetectorStreamSource* stream = nullptr; ///< the source when it is a detector stream (its counts, its end)
};

// The geometry a DECTRIS start message describes (a flat detector normal to the beam), when it gives enough.
Result<GeometrySetup> geometryFromStart(const DetectorStreamSource* stream)
{
    const auto s = stream ? stream->dectrisStart() : std::nullopt;
    const double wavelengthA = s && s->incidentWavelengthA > 0.0 ? s->incidentWavelengthA
        : s && s->incidentEnergyEv > 0.0                       ? 12398.419843320026 / s->incidentEnergyEv
                                                               : 0.0;
    if (!s || s->imageSizeX <= 0 || s->pixelSizeXM <= 0.0 || s->detectorDistanceM <= 0.0 || wavelengthA <= 0.0) {
        return Error { "--geometry is required: the stream's start message does not give the image size, pixel "
                       "size, detector distance (detector_translation) and energy" };
    }
    SinglePanelSpec spec;
    spec.nSlow = s->imageSizeY;
    spec.nFast = s->imageSizeX;
    spec.pixelSizeM = s->pixelSizeXM;
    spec.beamCentreFastPx = s->beamCenterXPx;
    spec.beamCentreSlowPx = s->beamCenterYPx;
    spec.distanceM = s->detectorDistanceM;
    spec.wavelengthA = wavelengthA;
    auto g = DetectorGeometry::singlePanel(spec);
    if (!g) {
        return Error { "the stream's start message: " + g.error().message };
    }
    GeometrySetup gs { *g, GeomParser::toGeomText(*g), "the DECTRIS start message", g->validMask() };
    gs.text = "; from the DECTRIS Stream V2 start message of series " + std::to_string(s->seriesId) + "\n" + gs.text;
    return gs;
}

// The shot pipeline's settings from the command line.
ShotPipelineConfig pipelineConfig(const CorrelateOptions& o, bool keepMean)
{
    ShotPipelineConfig c;
    c.threads = o.pipelineThreads;
    c.memoryBudgetBytes = static_cast<std::size_t>(o.memoryBudgetMiB) << 20;
    c.keepMean = keepMean;
    return c;
}

Result<Prepared> preparePolar(const CorrelateOptions& o, std::unique_ptr<FrameSource> src)
{
    Prepared p;
    const SlabShape shape = src->shape();
    p.grid = { shape.nSlow, shape.nFast, o.qMin, o.qMax > o.qMin ? o.qMax : o.qMin + 1.0 };
    p.wavelengthA = o.wavelengthA;
    std::vector<float> weights;
    std::unique_ptr<FrameSource> weightSource;
    if (!o.weights.empty()) {
        auto w = readDoubleArray(o.input, o.weights);
        if (!w) {
            return w.error();
        }
        if (w->dims.size() == 3) {
            auto ws = openSource(o, o.weights);
            if (!ws) {
                return Error { "--weights " + o.weights + ": " + ws.error().message };
            }
            weightSource = std::move(*ws);
        } else if (w->values.size() == static_cast<std::size_t>(p.grid.size())) {
            weights.assign(w->values.begin(), w->values.end());
        } else {
            return Error { o.input + ": weight dataset " + o.weights + " must be (n_q, n_phi) = ("
                + std::to_string(shape.nSlow) + ", " + std::to_string(shape.nFast) + ") or (N, n_q, n_phi)" };
        }
    }
    p.feed = std::make_unique<ShotPipeline>(
        std::move(src), std::move(weights), std::move(weightSource), pipelineConfig(o, false));
    return p;
}

Result<Prepared> prepare(const CorrelateOptions& o)
{
    const bool dectris = o.stream == "dectris" || o.stream == "dectris1";
    if (!o.polar && o.geometry.empty() && !dectris) {
        return Error { "--geometry is required for detector stacks (or --polar for (N, n_q, n_phi) stacks)" };
    }
    // A file's geometry first: its mask may have one slab per frame, which the source then reads with each frame.
    const bool fileGeometry = !o.polar && !o.geometry.empty() && !DetectorStreamSource::isEndpoint(o.input);
    auto fileGeo = fileGeometry ? loadGeometry(o.geometry, o.geometryValues, o.input) : Result<GeometrySetup>(Error {});
    if (fileGeometry && !fileGeo) {
        return fileGeo.error();
    }
    CorrelateOptions withMask = o;
    if (fileGeometry && fileGeo->file.frameMask) {
        if (o.inputs.size() > 1 || o.live) {
            return Error { o.geometry + ": the mask per frame " + fileGeo->file.frameMask->dataset
                + " is read with each frame of one closed file; correlate such files one at a time" };
        }
        withMask.fileGeometry = &fileGeo->file;
    }
    auto src = openSource(withMask, o.dataset);
    if (!src) {
        return src.error();
    }
    auto* stream = dynamic_cast<DetectorStreamSource*>(src->get());
    if (o.polar) {
        auto p = preparePolar(o, std::move(*src));
        if (p) {
            p->stream = stream;
        }
        return p;
    }
    auto geo = fileGeometry               ? std::move(fileGeo)
        : o.geometry.empty() && stream != nullptr ? geometryFromStart(stream)
                                                  : loadGeometry(o.geometry, o.geometryValues, o.input);
    if (!geo) {
        return geo.error();
    }
    const SlabShape shape = (*src)->shape();
    if (shape.nSlow != geo->geometry.nSlow() || shape.nFast != geo->geometry.nFast()) {
        return Error { o.input + ":" + o.dataset + ": frames are " + std::to_string(shape.nSlow) + " x "
            + std::to_string(shape.nFast) + " but the geometry " + geo->name + " describes "
            + std::to_string(geo->geometry.nSlow()) + " x " + std::to_string(geo->geometry.nFast()) };
    }
    Prepared p;
    p.grid = defaultGrid(geo->geometry, o.nQ, o.nPhi);
    p.grid.qMinInvA = o.qMin > 0.0 ? o.qMin : p.grid.qMinInvA;
    p.grid.qMaxInvA = o.qMax > 0.0 ? o.qMax : p.grid.qMaxInvA;
    auto remapper = PolarRemapper::create(geo->geometry, p.grid, {}, geo->mask);
    if (!remapper) {
        return Error { "polar grid: " + remapper.error().message };
    }
    p.wavelengthA = geo->geometry.wavelengthA();
    p.geometryText = geo->text;
    p.geometryValues = geo->valuesJson;
    p.geometry = geo->geometry;
    p.stream = stream;
    p.feed = std::make_unique<ShotPipeline>(
        std::move(*src), std::move(*remapper), geo->mask, pipelineConfig(o, !o.figures.empty()));
    // The first file's per-frame values index its frames; a chain of files would need each file's own.
    if (geo->file.perFrame && o.inputs.size() > 1) {
        return Error { o.geometry + ": clen or the photon energy changes per frame in " + o.input
            + "; correlate such files one at a time (or give --clen / --photon-energy)" };
    }
    geo->file.applyTo(*p.feed, p.grid, RemapOptions {}, geo->mask);
    return p;
}

void drawFigures(const CorrelateOptions& o, const Prepared& prep, const RunOutcome& run, const C2Snapshot& snap)
{
    std::error_code ec;
    std::filesystem::create_directories(o.figures, ec);
    FigureInputs fi;
    fi.runLabel = "fxs correlate: " + std::filesystem::path(o.input).filename().string();
    fi.grid = prep.grid;
    fi.snapshot = &snap;
    fi.geometry = prep.geometry ? &*prep.geometry : nullptr;
    fi.meanDetector = prep.feed->meanDetector();
    fi.meanDetectorShots = prep.feed->framesInMean();
    fi.convergenceShots = run.convergenceShots;
    fi.convergenceCC = run.convergenceCC;
    renderAndList(fi, o.figures);
}

// The settings a checkpoint must share with the run resuming it (threads, pacing and limits may differ).
std::string scienceConfig(
    const CorrelateOptions& o, const PolarGrid& g, const VetoRules& rules, const std::string& geometryValues)
{
    nlohmann::json inputs = nlohmann::json::array();
    for (const auto& p : o.inputs) {
        inputs.push_back(DetectorStreamSource::isEndpoint(p) ? p : std::filesystem::absolute(p).string());
    }
    nlohmann::json j { { "inputs", inputs }, { "dataset", o.dataset }, { "geometry", o.geometry }, { "polar", o.polar },
        { "weights", o.weights }, { "grid", { g.nQ, g.nPhi, g.qMinInvA, g.qMaxInvA } }, { "vetoes", rules.toJson() } };
    if (!geometryValues.empty()) {
        j["geometry_values"] = nlohmann::json::parse(geometryValues);
    }
    return j.dump();
}
} // namespace

namespace {
void registerOptions(CLI::App* sub, CorrelateOptions& o)
{
    sub->add_option("input", o.inputs,
           "CXI/HDF5 files of one run (read in order, shot indices continue) with a "
           "detector stack (N, ss, fs) or a polar stack; with --stream, the publisher's endpoint tcp://HOST:PORT")
        ->required();
    sub->add_option("--dataset", o.dataset, "Dataset of the stack")->capture_default_str();
    sub->add_option("--geometry", o.geometry, "CrystFEL .geom file, or 'builtin' (the simulate/demo detector)");
    addGeometryOverrideOptions(sub, o.geometryValues);
    sub->add_flag("--polar", o.polar, "The stack is already polar: (N, n_q, n_phi)");
    sub->add_option("--weights", o.weights, "Polar input: mask/weight dataset (n_q, n_phi) or (N, n_q, n_phi)");
    sub->add_option("--n-q", o.nQ, "Radial bins")->capture_default_str()->check(CLI::Range(2, 4096));
    sub->add_option("--n-phi", o.nPhi, "Azimuthal bins")->capture_default_str()->check(CLI::Range(4, 8192));
    sub->add_option("--q-min", o.qMin, "Lowest q of the grid, 1/A (0: automatic)")->check(CLI::NonNegativeNumber);
    sub->add_option("--q-max", o.qMax, "Highest q of the grid, 1/A (0: automatic)")->check(CLI::NonNegativeNumber);
    sub->add_option("--wavelength", o.wavelengthA, "Polar input: X-ray wavelength in A (for the invariants)");
    sub->add_option("--min-total", o.minTotal, "Veto: shots with a lower total signal (photons) are left out");
    sub->add_option("--max-total", o.maxTotal, "Veto: shots with a higher total signal are left out");
    sub->add_option("--min-hit-score", o.minHitScore, "Veto: shots with fewer lit pixels (fraction) are left out");
    sub->add_option("--veto-rules", o.vetoFile,
        "JSON veto rules (thresholds on any shot statistic, manual ranges; "
        "the format of the monitor's veto panel)");
    sub->add_option("--threads", o.threads, "Worker threads (0: all cores)")->capture_default_str();
    sub->add_option("--pipeline-threads", o.pipelineThreads,
           "Threads that validate, remap and take the statistics of the frames read ahead (0: all cores)")
        ->capture_default_str();
    sub->add_option("--memory-budget", o.memoryBudgetMiB, "MiB of frames in flight in the shot pipeline")
        ->capture_default_str()
        ->check(CLI::Range(16, 1 << 20));
    sub->add_option("--backend", o.backend,
           "Where to correlate: cpu, gpu (CUDA; falls back to the CPU, saying why, when no GPU is usable) or auto")
        ->capture_default_str()
        ->check(CLI::IsMember({ "cpu", "gpu", "auto" }));
    sub->add_option("--gpu-device", o.gpuDevice, "CUDA device for --backend gpu")->capture_default_str();
    sub->add_option("--device-remap", o.deviceRemap,
           "With the GPU: remap uint16 detector frames on the device (on), on the CPU (off), or whichever is faster "
           "for this run (auto); the run's backend line says which")
        ->capture_default_str()
        ->check(CLI::IsMember({ "auto", "on", "off" }));
    sub->add_option("--out", o.out, "Results file to write (HDF5)")->required();
    sub->add_option("--checkpoint", o.checkpoint, "Checkpoint file (default: <out>.ckpt)");
    sub->add_option("--checkpoint-every", o.checkpointEveryS, "Seconds between checkpoints")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    sub->add_flag("--resume", o.resume, "Continue from the checkpoint (shots already in it are skipped)");
    sub->add_flag("--no-error-bars", o.noErrorBars,
        "Skip the sums behind C2's standard errors (faster; fxs-bench c2 reports their cost)");
    sub->add_option("--max-shots", o.maxShots, "Stop after this many shots (-1: all)")->capture_default_str();
    sub->add_option("--rate", o.rateHz, "Replay the input at this many shots per second (0: full speed)")
        ->check(CLI::NonNegativeNumber);
    sub->add_flag("--live", o.live, "Follow a file that is being written (HDF5 SWMR)");
    sub->add_option("--idle-timeout", o.idleTimeoutS,
        "Live file or stream: stop after this many seconds without a new shot");
    sub->add_option("--figures", o.figures, "Also draw PNG figures into this folder");
    sub->add_option("--stream", o.stream,
           "The input is a detector stream at a ZeroMQ endpoint (tcp://HOST:PORT): karabo (European XFEL Karabo "
           "bridge, REQ), dectris (DECTRIS Stream V2, PULL) or dectris1 (DECTRIS Stream V1, PULL)")
        ->check(CLI::IsMember({ "karabo", "dectris", "dectris1" }));
    sub->add_option("--stream-source", o.streamSource, "Karabo: the device to take (default: the first with the data)");
    sub->add_option("--stream-data-path", o.streamDataPath, "Karabo: the detector array")->capture_default_str();
    sub->add_option("--stream-layout", o.streamLayout,
           "Karabo: array axes, file (pulses, [modules,] ss, fs), online ([modules,] fs, ss, pulses) or auto")
        ->capture_default_str()
        ->check(CLI::IsMember({ "auto", "file", "online" }));
    sub->add_option("--stream-channel", o.streamChannel, "DECTRIS: the image channel (default: the first)");
    sub->add_option("--stream-decode", o.streamDecode,
           "DECTRIS V2: decode compressed images on the pipeline's workers, on the receiving thread, or auto "
           "(workers from 8 cores)")
        ->capture_default_str()
        ->check(CLI::IsMember({ "auto", "workers", "receiver" }));
    sub->add_option("--connect-timeout", o.connectTimeoutS, "Stream: seconds to wait for the first frame")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    sub->add_flag("--stop-at-end", o.stopAtEnd, "DECTRIS: stop at the end message of the series");
    sub->footer("Examples:\n  fxs correlate run.cxi --geometry det.geom --out run.h5 --n-q 150 --n-phi 256\n"
                "  fxs correlate run.cxi --geometry det.geom --out run.h5 --resume     # after Ctrl-C\n"
                "  fxs correlate tcp://det-host:31001 --stream dectris --out run.h5 --idle-timeout 10\n"
                "  fxs correlate tcp://bridge:4545 --stream karabo --geometry agipd.geom --out run.h5 --max-shots 10000\n"
                "  fxs correlate polar.h5 --polar --dataset /polar/intensity --weights /polar/mask "
                "--q-min 0.05 --q-max 0.8 --wavelength 1.38 --out run.h5");
}
} // namespace

static int runCorrelate(const CorrelateOptions& o, const CLI::App& sub)
{
    const std::string cmd = "correlate";
    auto prep = prepare(o);
    if (!prep) {
        return fail(cmd, kExitBadInput, prep.error().message);
    }
    RunSettings rs;
    rs.pipeline.accumulator.nQ = prep->grid.nQ;
    rs.pipeline.accumulator.nPhi = prep->grid.nPhi;
    rs.pipeline.accumulator.variance = !o.noErrorBars;
    rs.pipeline.threads = o.threads;
    rs.pipeline.backend = o.backend == "gpu" ? C2Backend::Gpu : o.backend == "auto" ? C2Backend::Auto : C2Backend::Cpu;
    rs.pipeline.gpuDevice = o.gpuDevice;
    rs.pipeline.deviceRemap = o.deviceRemap == "on" ? DeviceRemap::On
        : o.deviceRemap == "off"                     ? DeviceRemap::Off
                                                     : DeviceRemap::Auto;
    auto rules = vetoRules(o);
    if (!rules) {
        return fail(cmd, kExitBadInput, rules.error().message);
    }
    rs.veto = *rules;
    rs.checkpointPath = o.checkpoint.empty() ? o.out + ".ckpt" : o.checkpoint;
    rs.checkpointEveryS = o.checkpointEveryS;
    rs.checkpointConfig = scienceConfig(o, prep->grid, rs.veto, prep->geometryValues);
    rs.resume = o.resume;
    rs.maxShots = o.maxShots;
    std::cerr << "correlate: " << prep->feed->description() << " -> grid " << prep->grid.nQ << " x " << prep->grid.nPhi
              << ", q " << prep->grid.qMinInvA << "-" << prep->grid.qMaxInvA << " 1/A\n";
    auto run = runCorrelation(*prep->feed, rs);
    if (!run) {
        const bool resumeError = run.error().message.rfind("cannot resume", 0) == 0;
        return fail(cmd, resumeError ? kExitBadInput : kExitProcessing, run.error().message);
    }
    const C2Snapshot snap = C2Snapshot::compute(run->sums, { .threads = o.threads });
    ResultsContent rc { &*run, &snap, nullptr, prep->grid, prep->wavelengthA, prep->geometryText,
        withGeometryValues(effectiveConfig(sub), prep->geometryValues), o.inputs, std::nullopt };
    if (prep->stream != nullptr) {
        (void)prep->stream->finish(); // what it holds beyond --max-shots is counted, not correlated
        rc.stream = prep->stream->counts();
        const StreamCounts& c = *rc.stream;
        std::cout << "correlate: stream " << o.input << ": " << c.messages << " messages, " << c.frames << " frames, "
                  << c.malformed << " malformed (skipped), " << c.dropped << " dropped by the publisher, "
                  << c.reconnects << " reconnects, " << c.leftUncorrelated
                  << " received after the run's end and not correlated\n";
    }
    if (auto st = writeResults(o.out, rc); !st) {
        return fail(cmd, kExitProcessing, st.message());
    }
    std::cout << "correlate: " << run->accepted << " shots in C2 (" << run->resumed << " from the checkpoint), "
              << run->vetoed << " vetoed, " << run->refused << " refused (bad frames, see the ledger), split-half CC "
              << snap.splitHalfCC << "\n"
              << "  results file:  " << std::filesystem::absolute(o.out).string() << "\n"
              << "  checkpoint:    " << std::filesystem::absolute(rs.checkpointPath).string() << "\n";
    if (!o.figures.empty()) {
        drawFigures(o, *prep, *run, snap);
    }
    if (run->interrupted) {
        std::cout << "  interrupted: resume with the same command and --resume\n";
        return kExitInterrupted;
    }
    return kExitOk;
}

void registerCorrelate(CLI::App& app, CommandRegistry& registry)
{
    auto* sub = app.add_subcommand("correlate",
        "Correlate a CXI/HDF5 stack, a file being written (--live) or a detector stream (--stream) into C2 (results "
        "file, resumable)");
    auto o = std::make_shared<CorrelateOptions>();
    registerOptions(sub, *o);
    registry.add(sub, [o, sub] {
        o->input = o->inputs.front();
        return runCorrelate(*o, *sub);
    });
}

} // namespace fxs::cli
