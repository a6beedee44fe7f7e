#include <fxs/simulation/SimulatedRun.h>

#include <fxs/results/MrcWriter.h>
#include <fxs/simulation/ParticleModel.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <thread>

namespace fxs {

namespace {

// Appends frames until the source ends, an error, or `stop`; always closes the writer (which marks a live file
// closed for its readers).
Result<std::int64_t> pump(FrameSource& source, CxiWriter& writer, const SimulatedRunOptions& options,
    const std::atomic<bool>* stop, std::atomic<std::int64_t>* written)
{
    std::int64_t n = 0;
    for (;;) {
        if (stop && stop->load()) {
            break;
        }
        auto next = source.next();
        if (!next) {
            (void)writer.close();
            return Error { "writing " + writer.path() + ": " + next.error().message };
        }
        if (!next->has_value()) {
            break;
        }
        if (auto st = writer.append(**next); !st) {
            (void)writer.close();
            return Error { st.message() };
        }
        ++n;
        if (written) {
            written->store(n);
        }
        if (options.progress && !options.progress(n)) {
            break;
        }
    }
    if (auto st = writer.close(); !st) {
        return Error { st.message() };
    }
    return n;
}

} // namespace

struct SimulatedRun::Impl {
    std::unique_ptr<FrameSource> source;
    std::unique_ptr<CxiWriter> writer;
    SimulatedRunOptions options;
    std::atomic<bool> stop { false };
    std::atomic<std::int64_t> written { 0 };
    std::thread thread;
    Result<std::int64_t> result { std::int64_t { 0 } };
};

SimulatedRun::SimulatedRun(std::unique_ptr<Impl> impl)
    : m(std::move(impl))
{
}

SimulatedRun::~SimulatedRun()
{
    stop();
    (void)wait();
}

Result<std::int64_t> SimulatedRun::writeCxi(
    FrameSource& source, const std::string& path, const SimulatedRunOptions& options)
{
    auto writer = CxiWriter::create(path, source.shape(), options.writer);
    if (!writer) {
        return writer.error();
    }
    return pump(source, **writer, options, nullptr, nullptr);
}

Result<std::unique_ptr<SimulatedRun>> SimulatedRun::start(
    std::unique_ptr<FrameSource> source, const std::string& path, const SimulatedRunOptions& options)
{
    if (!source) {
        return Error { "simulated run: no frame source" };
    }
    auto writer = CxiWriter::create(path, source->shape(), options.writer);
    if (!writer) {
        return writer.error();
    }
    auto impl = std::make_unique<Impl>();
    impl->source = std::move(source);
    impl->writer = std::move(*writer);
    impl->options = options;
    Impl* p = impl.get();
    impl->thread = std::thread([p] { p->result = pump(*p->source, *p->writer, p->options, &p->stop, &p->written); });
    return std::unique_ptr<SimulatedRun>(new SimulatedRun(std::move(impl)));
}

void SimulatedRun::stop()
{
    m->stop.store(true);
    m->source->cancel(); // wakes a paced source waiting for its next slot
}

Result<std::int64_t> SimulatedRun::wait()
{
    if (m->thread.joinable()) {
        m->thread.join();
    }
    return m->result;
}

std::int64_t SimulatedRun::framesWritten() const { return m->written.load(); }

Result<std::vector<std::string>> SimulatedRun::writeTruth(
    const ParticleModel& model, const std::string& runPath, int n, double voxelA)
{
    if (n < 8 || n > 512) {
        return Error { "truth density: the grid must have 8 … 512 voxels per side, got " + std::to_string(n) };
    }
    if (!(voxelA > 0.0)) {
        double sigma = 0.0;
        for (const auto& s : model.scatterers()) {
            sigma = std::max(sigma, s.sigmaA);
        }
        voxelA = std::max(1.5 * 2.0 * (model.extentA() + 3.0 * sigma) / n, 0.1);
    }
    const std::string jsonPath = runPath + ".model.json";
    {
        std::ofstream out(jsonPath, std::ios::binary | std::ios::trunc);
        out << model.toJson() << "\n";
        if (!out.flush()) {
            return Error { "cannot write the truth model to " + jsonPath };
        }
    }
    const ModelDensity d = model.density(n, voxelA);
    MrcMap map;
    map.nx = map.ny = map.nz = d.n;
    map.values = d.values;
    map.voxelSizeAngstrom = d.voxelA;
    const int centreVoxel = d.n / 2; // ModelDensity: voxel i is centred at (i − n/2) · voxel
    const double origin = -centreVoxel * d.voxelA;
    map.originAngstrom = { origin, origin, origin };
    map.label = "fxs simulator truth: " + model.name();
    const std::string mrcPath = runPath + ".truth.mrc";
    if (auto st = MrcWriter::write(mrcPath, map); !st) {
        return Error { st.message() };
    }
    return std::vector<std::string> { jsonPath, mrcPath };
}

} // namespace fxs
