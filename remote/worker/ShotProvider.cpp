#include "ShotProvider.h"

#include "SyntheticPolarSource.h"
#include <fxs/pipeline/FileGeometry.h>
#include <fxs/sources/CxiFileSource.h>
#include <fxs/sources/DetectorFile.h>
#include <fxs/sources/GeomDataReader.h>
#include <fxs/geometry/GeomParser.h>
#include <fxs/sources/InputIdentity.h>
#include <fxs/sources/MaskFile.h>
#include <fxs/pipeline/ShotPipeline.h>
#include <fxs/polar/PolarRemapper.h>
#include <fxs/results/AtomicFile.h>
#include <fxs/simulation/Simulator.h>
#include <fxs/simulation/SimulatorPixels.h>
#include <fxs/simulation/SimulatorSource.h>

#include <fstream>
#include <iostream>

namespace fxs::remote {

namespace {

std::string& noticeFile()
{
    static std::string path;
    return path;
}

// Which shots get their statistics computed, and how. With vetoes every shot needs them; without, they only feed
// the hit rate and mean intensity each rank reports (JobStatus counts the shots they come from), and every 4th
// shot is enough there: on a 2 Mpx detector the statistics cost a third of the remapping.
struct StatsPlan {
    ShotStatsOptions options;
    int every = 1;
    bool wants(std::int64_t shot) const { return every <= 1 || shot % every == 0; }
};

StatsPlan statsFor(const WorkerConfig& cfg) { return { cfg.statsOptions, cfg.veto.is_null() ? 4 : 1 }; }

// Polar frames as they come (synthetic, simulated polar bins): the statistics are those of the polar image.
Status sinkPolar(PolarFrame&& polar, const StatsPlan& stats, const std::function<Status(ProvidedShot&&)>& sink)
{
    ProvidedShot shot { std::move(polar), std::nullopt };
    if (stats.wants(shot.polar.shotIndex)) {
        auto computed = ShotStats::ofPolar(shot.polar, stats.options);
        if (!computed) {
            return computed.error();
        }
        shot.stats = *computed;
    }
    return sink(std::move(shot));
}

// A job's geometry resolved against its data file, and the pixels the job uses on it (1 = usable).
struct WorkerGeometry {
    FileGeometry file;
    DetectorGeometry geometry; ///< file.resolved's, at the first frame
    std::vector<std::uint8_t> mask;
};

// The geometry with the job's values: the user's (JobSpec GeometryValues) win, then the .geom file's numbers,
// then the values it names as HDF5 paths in `dataFile` (per frame when they change there; FileGeometry). The pixel
// mask is the job's geometry_values.mask, else the geometry's mask key, applied as fxs correlate does (a mask per
// frame in the data file is read by the source with each frame).
Result<WorkerGeometry> workerGeometry(const WorkerConfig& cfg, const std::string& dataFile, const std::string& field)
{
    auto t = GeomParser::parseTemplateFile(cfg.geometryPath);
    if (!t) {
        return t.error();
    }
    auto g = FileGeometry::read(std::move(*t), { cfg.clenM, cfg.photonEnergyEv, cfg.beamShiftXM, cfg.beamShiftYM },
        dataFile);
    if (!g) {
        return g.error();
    }
    if (auto st = g->resolve(0); !st) {
        return Error { st.message() + " (in a job: " + field + ".geometry_values)" };
    }
    WorkerGeometry w { std::move(*g), {}, {} };
    w.geometry = w.file.resolved.geometry;
    w.mask = w.geometry.validMask();
    PerFrameMask perFrame;
    auto applied = applyGeometryMask(w.file.geometryTemplate, w.geometry, cfg.maskPath, dataFile, w.mask, &perFrame,
        field + ".geometry_values.mask");
    if (!applied) {
        return applied.error();
    }
    if (!applied->warning.empty()) {
        (void)noteForUser("warning: " + applied->warning);
    }
    w.file.frameMask.reset(); // what the job's mask or the geometry's mask turned out to be decides
    if (!perFrame.dataset.empty()) {
        w.file.frameMask = perFrame;
    }
    return w;
}

// Detector frames (CXI stack, simulated detector) through the engine's shot pipeline (fxs/pipeline/ShotPipeline.h):
// read ahead, validated, remapped onto the job's grid, statistics of the detector frame over its valid pixels, as
// `fxs correlate` and the monitor compute them. A refused frame reaches the sink with its reason.
class PipelineProvider final : public ShotProvider {
public:
    PipelineProvider(std::unique_ptr<ShotPipeline> pipeline, double lambdaA, StatsPlan stats)
        : m_pipeline(std::move(pipeline))
        , m_lambdaA(lambdaA)
        , m_stats(stats)
    {
    }
    Status produce(std::int64_t first, std::int64_t last, const std::function<Status(ProvidedShot&&)>& sink) override
    {
        if (auto st = m_pipeline->seek(first); !st) {
            return st;
        }
        m_pipeline->config().maxShots = last - first;
        std::int64_t next = first;
        Status failed;
        auto st = m_pipeline->run([&](PipelineShot& s) {
            ProvidedShot shot;
            shot.polar = std::move(s.polar);
            shot.polar.shotIndex = s.shotIndex;
            if (m_pipeline->config().deferRemap) {
                shot.raw = std::move(s.frame);
            }
            if (s.outcome == ShotOutcome::Refused) {
                shot.refusal = s.refusal;
            } else if (m_stats.wants(s.shotIndex)) {
                shot.stats = s.stats;
            }
            next = s.shotIndex + 1;
            failed = sink(std::move(shot));
            return failed.ok();
        });
        if (!st) {
            return Error { m_pipeline->description() + ": " + st.message() };
        }
        if (!failed) {
            return failed;
        }
        if (next < last) {
            return Error { "the input ended at shot " + std::to_string(next) + " (" + m_pipeline->description() + ")" };
        }
        return {};
    }
    double wavelengthA() const override { return m_lambdaA; }
    std::optional<PolarRemapper> rawRemapper() const override { return m_pipeline->rawRemapper(); }
    void deferRemap(bool on) override { m_pipeline->config().deferRemap = on; }

private:
    std::unique_ptr<ShotPipeline> m_pipeline;
    double m_lambdaA;
    StatsPlan m_stats;
};

// The pipeline from `source` onto the job's grid: one worker thread (ranks share the node's cores) beside the
// reader.
// A geometry that changes per frame is followed frame by frame; a mask per frame comes with the source's frames.
Result<std::unique_ptr<ShotProvider>> pipelineProvider(
    std::unique_ptr<FrameSource> source, const WorkerGeometry& w, const WorkerConfig& cfg)
{
    const DetectorGeometry& geometry = w.geometry;
    RemapOptions remap;
    remap.threads = 1;
    const PolarGrid grid { cfg.nQ, cfg.nPhi, cfg.qMinInvA, cfg.qMaxInvA };
    auto remapper = PolarRemapper::create(geometry, grid, remap, w.mask);
    if (!remapper) {
        return remapper.error();
    }
    ShotPipelineConfig pc;
    pc.threads = 1;
    pc.stats = cfg.statsOptions;
    pc.memoryBudgetBytes = std::size_t(256) << 20;
    auto pipeline = std::make_unique<ShotPipeline>(std::move(source), std::move(*remapper), w.mask, pc);
    w.file.applyTo(*pipeline, grid, remap, w.mask);
    return std::unique_ptr<ShotProvider>(
        std::make_unique<PipelineProvider>(std::move(pipeline), geometry.wavelengthA(), statsFor(cfg)));
}

class SyntheticProvider final : public ShotProvider {
public:
    explicit SyntheticProvider(const WorkerConfig& c)
        : m_source(c.nQ, c.nPhi, c.seed, c.maskedFraction)
        , m_stats(statsFor(c))
    {
    }
    Status produce(std::int64_t first, std::int64_t last, const std::function<Status(ProvidedShot&&)>& sink) override
    {
        for (std::int64_t s = first; s < last; ++s) {
            if (auto st = sinkPolar(m_source.frame(s), m_stats, sink); !st) {
                return st;
            }
        }
        return {};
    }
    double wavelengthA() const override { return 0.0; }

private:
    SyntheticPolarSource m_source;
    StatsPlan m_stats;
};

// Shot s is Simulator::polarFrame(pixels, s): a function of (seed, s) alone.
class SimulatorProvider final : public ShotProvider {
public:
    SimulatorProvider(Simulator sim, SimulatorPixels pixels, double lambdaA, StatsPlan stats)
        : m_sim(std::move(sim))
        , m_pixels(std::move(pixels))
        , m_lambdaA(lambdaA)
        , m_stats(stats)
    {
    }
    Status produce(std::int64_t first, std::int64_t last, const std::function<Status(ProvidedShot&&)>& sink) override
    {
        for (std::int64_t s = first; s < last; ++s) {
            if (auto st = sinkPolar(m_sim.polarFrame(m_pixels, s), m_stats, sink); !st) {
                return st;
            }
        }
        return {};
    }
    double wavelengthA() const override { return m_lambdaA; }

private:
    Simulator m_sim;
    SimulatorPixels m_pixels;
    double m_lambdaA;
    StatsPlan m_stats;
};

Result<std::unique_ptr<ShotProvider>> openSimulator(const WorkerConfig& cfg)
{
    auto model = ParticleModel::load(cfg.model);
    if (!model) {
        return Error { "simulator.model: " + model.error().message };
    }
    SimulatorConfig sc;
    sc.seed = cfg.seed;
    sc.peakPhotons = cfg.peakPhotons;
    sc.meanParticles = cfg.meanParticles;
    sc.threads = 1; // ranks share the node's cores
    auto sim = Simulator::create(std::move(*model), sc);
    if (!sim) {
        return Error { "simulator: " + sim.error().message };
    }
    const PolarGrid grid { cfg.nQ, cfg.nPhi, cfg.qMinInvA, cfg.qMaxInvA };
    if (cfg.geometryPath.empty()) {
        auto pixels = SimulatorPixels::polar(grid, cfg.wavelengthA);
        if (!pixels) {
            return Error { "simulator.wavelength_angstrom: " + pixels.error().message };
        }
        return std::unique_ptr<ShotProvider>(
            std::make_unique<SimulatorProvider>(std::move(*sim), std::move(*pixels), cfg.wavelengthA, statsFor(cfg)));
    }
    auto geometry = workerGeometry(cfg, {}, "simulator");
    if (!geometry) {
        return Error { "simulator.geometry_path: " + geometry.error().message };
    }
    // Shot s of the stream is Simulator::detectorFrame for s: any rank can produce any unit.
    SimulatorSourceOptions so;
    so.frames = cfg.shots;
    so.photonEnergyEv = geometry->geometry.photonEnergyEv();
    auto source = SimulatorSource::create(std::make_shared<const Simulator>(std::move(*sim)), geometry->geometry, so);
    if (!source) {
        return Error { "simulator.geometry_path: " + source.error().message };
    }
    auto provider = pipelineProvider(std::move(*source), *geometry, cfg);
    if (!provider) {
        return Error { "simulator.geometry_path: " + provider.error().message };
    }
    return provider;
}

Result<std::unique_ptr<ShotProvider>> openCxi(WorkerConfig& cfg, int rank)
{
    CxiSourceOptions options;
    options.datasetPath = cfg.cxiDataset;
    options.validate = rank == 0; // rank 0 ran fxs-probe before the others got here
    options.deferDecode = true; // the shot pipeline decodes LZ4 / bitshuffle-LZ4 chunks on its worker
    // A CXI stack, or a DECTRIS NeXus master file's data links in order (the rank that validates says so).
    auto log = [rank](const std::string& line) {
        if (rank == 0) {
            std::cerr << "fxs-worker: " << line << "\n";
        }
    };
    auto source = openDetectorFile(cfg.cxiPath, options, log);
    if (!source) {
        return source.error();
    }
    auto geometry = workerGeometry(cfg, cfg.cxiPath, "cxi"); // after rank 0 validated the file
    if (!geometry) {
        return geometry.error();
    }
    if (geometry->file.frameMask) {
        // The geometry's mask has one slab per frame in the data file: the source reads it with each frame.
        geometry->file.applyTo(options);
        options.validate = false; // validated just above
        source = openDetectorFile(cfg.cxiPath, options);
        if (!source) {
            return source.error();
        }
    }
    auto total = (*source)->totalFrames();
    auto data = InputIdentity::of(cfg.cxiPath);
    auto geom = InputIdentity::of(cfg.geometryPath);
    if (!total || *total <= 0 || !data || !geom) {
        return Error { "cannot identify the input " + cfg.cxiPath + " (empty stack, or unreadable file)" };
    }
    cfg.shots = *total;
    cfg.inputIdentity = std::to_string(data->sizeBytes) + ":" + data->sha256FirstMiB + "/"
        + std::to_string(geom->sizeBytes) + ":" + geom->sha256FirstMiB;
    return pipelineProvider(std::move(*source), *geometry, cfg);
}

// Every rank opens its own; all must succeed (a rank that cannot simulate would hang the others' reductions).
Result<std::unique_ptr<ShotProvider>> openEverywhere(
    Result<std::unique_ptr<ShotProvider>> p, MPI_Comm comm, const std::string& what)
{
    int good = p.ok() ? 1 : 0, all = 0;
    MPI_Allreduce(&good, &all, 1, MPI_INT, MPI_MIN, comm);
    if (!all && p.ok()) {
        return Error { "another rank could not open the " + what };
    }
    return p;
}

} // namespace

void setNoticeFile(const std::string& path) { noticeFile() = path; }

Status noteForUser(const std::string& line)
{
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (rank != 0) {
        return {};
    }
    std::cerr << "fxs-worker: " << line << "\n";
    if (noticeFile().empty()) {
        return {};
    }
    std::string text = line;
    if (std::ifstream earlier(noticeFile()); earlier) { // after what the job said before, on the notice's one line
        std::string before;
        if (std::getline(earlier, before) && !before.empty()) {
            text = before + "; " + line;
        }
    }
    return writeTextAtomically(noticeFile(), text + "\n");
}

Result<DetectorInput> openDetectorInput(const WorkerConfig& cfg, const std::string& field)
{
    auto geometry = workerGeometry(cfg, {}, field);
    if (!geometry) {
        return Error { field + ".geometry_path: " + geometry.error().message };
    }
    RemapOptions options;
    options.threads = 1; // the ranks are the parallelism of a stream job
    auto remapper
        = PolarRemapper::create(
            geometry->geometry, PolarGrid { cfg.nQ, cfg.nPhi, cfg.qMinInvA, cfg.qMaxInvA }, options, geometry->mask);
    if (!remapper) {
        return Error { field + ".geometry_path: " + remapper.error().message };
    }
    // A stream's frames arrive one at a time on each rank, already decoded: remapped here, with their statistics.
    struct Remap {
        PolarRemapper remapper;
        std::vector<std::uint8_t> valid;
        StatsPlan stats;
    };
    auto shared = std::make_shared<const Remap>(Remap { std::move(*remapper), geometry->mask, statsFor(cfg) });
    return DetectorInput { [shared](const Frame& frame, const std::function<Status(ProvidedShot&&)>& sink) -> Status {
                              ProvidedShot shot;
                              if (auto st = shared->remapper.remapInto(frame, shot.polar); !st) {
                                  return Error { "shot " + std::to_string(frame.shotIndex) + ": " + st.message() };
                              }
                              shot.polar.shotIndex = frame.shotIndex;
                              if (shared->stats.wants(frame.shotIndex)) {
                                  auto stats = ShotStats::compute(frame, shared->valid, shared->stats.options);
                                  if (!stats) {
                                      return stats.error();
                                  }
                                  shot.stats = *stats;
                              }
                              return sink(std::move(shot));
                          },
        geometry->geometry.nSlow(), geometry->geometry.nFast(), geometry->geometry.wavelengthA() };
}

Result<std::unique_ptr<ShotProvider>> openShotProvider(WorkerConfig& cfg, MPI_Comm comm)
{
    if (cfg.inputKind == "synthetic") {
        return std::unique_ptr<ShotProvider>(std::make_unique<SyntheticProvider>(cfg));
    }
    if (cfg.inputKind == "simulator") {
        return openEverywhere(openSimulator(cfg), comm, "simulator");
    }
    int rank = 0;
    MPI_Comm_rank(comm, &rank);
    Result<std::unique_ptr<ShotProvider>> p = Error { "not opened" };
    int ok = 1;
    if (rank == 0) {
        p = openCxi(cfg, 0);
        ok = p.ok() ? 1 : 0;
    }
    MPI_Bcast(&ok, 1, MPI_INT, 0, comm);
    if (!ok) {
        // Every rank reports rank 0's reason: whichever rank's failure the server sees first names the real cause.
        std::string why = rank == 0 ? p.error().message : std::string();
        int length = int(why.size());
        MPI_Bcast(&length, 1, MPI_INT, 0, comm);
        why.resize(std::size_t(length));
        MPI_Bcast(why.data(), length, MPI_CHAR, 0, comm);
        if (rank == 0) {
            return p;
        }
        return Error { "rank 0 could not open the input: " + why };
    }
    if (rank != 0) {
        p = openCxi(cfg, rank);
    }
    return openEverywhere(std::move(p), comm, "input");
}

} // namespace fxs::remote
