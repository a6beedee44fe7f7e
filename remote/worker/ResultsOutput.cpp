#include "ResultsOutput.h"
#include "CheckpointWriter.h"

#include <fxs/results/AtomicFile.h>
#include <fxs/results/MrcWriter.h>
#include <fxs/simulation/ParticleModel.h>
#include <fxs/results/ResultsFile.h>

#include <algorithm>

namespace fxs::remote {

namespace {

PolarGrid gridOf(const WorkerConfig& c) { return { c.nQ, c.nPhi, c.qMinInvA, c.qMaxInvA }; }

// The particle diameter the invariants' l_max and M-TIP's support start from: given, or twice the model's extent.
double diameterA(const WorkerConfig& c)
{
    if (c.mtipDiameterA > 0.0) {
        return c.mtipDiameterA;
    }
    auto model = ParticleModel::load(c.model);
    return model ? 2.0 * model->extentA() : 0.0;
}

// `iterations` per start as cycles of 60 HIO, shrink-wrap, 40 ER (as `fxs reconstruct --cycles`), the rest ER.
std::vector<MtipStep> scheduleFor(int iterations)
{
    const int cycles = std::max(1, (iterations - 100) / 100);
    return MtipConfig::cycles(cycles, 60, 40, std::max(0, iterations - 100 * cycles));
}

Result<MtipResult> runMtip(
    const FinalProducts& p, const KamInvariants& inv, double diameter, const std::function<void(double)>& progress)
{
    MtipConfig mc;
    mc.gridSize = p.cfg.mtipGridSize;
    mc.particleDiameterA = diameter;
    mc.starts = p.cfg.mtipStarts;
    mc.seed = p.cfg.mtipSeed;
    mc.threads = p.threads;
    mc.schedule = scheduleFor(p.cfg.mtipIterations);
    MtipControl control;
    control.progress = [&](const MtipProgress& m) {
        const double done = static_cast<double>(m.start) * m.iterations + m.iteration;
        progress(std::min(1.0, done / (static_cast<double>(m.starts) * std::max(1, m.iterations))));
    };
    auto rec = MtipReconstructor(mc).run(inv, control);
    if (!rec) {
        return Error { "reconstruction: M-TIP: " + rec.error().message };
    }
    if (auto st = MrcWriter::write(p.files.densityMrc().string(), MrcWriter::mapOf(*rec)); !st) {
        return Error { "reconstruction: " + st.message() };
    }
    return rec;
}

} // namespace

Result<FinalAnalysis> analyse(const FinalProducts& p, const C2Sums& sums, const std::function<void(double)>& progress)
{
    SnapshotOptions so;
    so.threads = p.threads;
    FinalAnalysis a { C2Snapshot::compute(sums, so), std::nullopt, std::nullopt };
    // The job's last progress snapshot (the checkpoint writer leaves the final one to this full computation),
    // after any earlier one the writer may still be putting on disk.
    if (p.writer != nullptr) {
        p.writer->waitForEarlier();
    }
    if (auto st = writeSnapshotFile(a.snapshot, p.files); !st) {
        return Error { "snapshot: " + st.message() };
    }
    if (!p.cfg.reconstruct) {
        return a;
    }
    progress(0.0);
    const double diameter = diameterA(p.cfg);
    InvariantOptions io;
    io.particleDiameterA = diameter;
    io.lMax = p.cfg.mtipLMax;
    io.meanParticlesPerShot = p.cfg.inputKind == "simulator" ? p.cfg.meanParticles : 1.0;
    io.threads = p.threads;
    auto inv = KamInvariants::fromSnapshot(a.snapshot, gridOf(p.cfg), p.wavelengthA, io);
    if (!inv) {
        return Error { "reconstruction: Kam invariants: " + inv.error().message };
    }
    auto rec = runMtip(p, *inv, diameter, progress);
    if (!rec) {
        return rec.error();
    }
    a.invariants = std::move(*inv);
    a.density = std::move(*rec);
    progress(1.0);
    return a;
}

namespace {

// Every shot of the job, in order: accepted unless the vetoes rejected it (then with the reason).
LedgerColumns ledgerOf(const WorkerConfig& cfg, const std::vector<RejectedShot>& rejected)
{
    LedgerColumns l;
    const auto n = static_cast<std::size_t>(cfg.shots);
    l.shotIndex.resize(n);
    l.accepted.assign(n, 1);
    l.reason.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        l.shotIndex[i] = static_cast<std::int64_t>(i);
    }
    for (const auto& r : rejected) {
        if (r.shot >= 0 && r.shot < cfg.shots) {
            l.accepted[static_cast<std::size_t>(r.shot)] = 0;
            l.reason[static_cast<std::size_t>(r.shot)] = r.reason;
        }
    }
    return l;
}

std::vector<Status> writeDensity(ResultsFile& f, const KamInvariants& inv, const MtipResult& r)
{
    const std::int64_t nQ = inv.nQ, n = r.gridSize;
    const std::vector<double> density(r.density.begin(), r.density.end());
    return { f.writeArray("invariants/B_l", inv.b, { inv.lCount(), nQ, nQ },
                 "Kam invariants B_l(q, q') for even l = 0, 2, ..., l_max (block l/2), photons^2"),
        f.writeArray("invariants/q_inv_angstrom", inv.qInvA, { nQ }, "q of the rows and columns of B_l, 1/A"),
        f.writeArray("density", density, { n, n, n }, "M-TIP density, x fastest"),
        f.writeArray("density_voxel_A", std::vector<double> { r.voxelSizeA }, { 1 }, "voxel edge in A"),
        f.writeArray("real_space_error_history", r.realSpaceErrorHistory,
            { static_cast<std::int64_t>(r.realSpaceErrorHistory.size()) }, "kept start, per iteration") };
}

} // namespace

Status writeResultsFile(const FinalProducts& p, const SumsFile& final, const FinalAnalysis& a)
{
    const std::filesystem::path tmp = p.files.resultsH5().string() + ".tmp";
    auto created = ResultsFile::create(tmp.string());
    if (!created) {
        return Error { created.error().message };
    }
    ResultsFile& f = **created;
    const PolarGrid g = gridOf(p.cfg);
    std::vector<Status> steps { f.writeArray("polar_grid",
                                    std::vector<double> {
                                        double(g.nQ), double(g.nPhi), g.qMinInvA, g.qMaxInvA, p.wavelengthA },
                                    { 5 }, "n_q, n_phi, q_min (1/A), q_max (1/A), wavelength (A)"),
        f.writeConfiguration(p.cfg.toJson()), f.writeSums(final.sums),
        f.writeLedger(p.ledger != nullptr ? *p.ledger : ledgerOf(p.cfg, final.rejected)), f.writeSnapshot(a.snapshot) };
    if (p.stream != nullptr) {
        steps.push_back(f.writeStreamCounts(*p.stream));
    }
    if (!p.cfg.geometryPath.empty()) {
        auto text = readText(p.cfg.geometryPath);
        steps.push_back(text ? f.writeGeometry(*text) : Status { text.error() });
    }
    if (a.invariants && a.density) {
        for (auto& st : writeDensity(f, *a.invariants, *a.density)) {
            steps.push_back(std::move(st));
        }
    }
    steps.push_back(f.close());
    for (const auto& st : steps) {
        if (!st) {
            return Error { p.files.resultsH5().string() + ": " + st.message() };
        }
    }
    std::error_code ec;
    std::filesystem::rename(tmp, p.files.resultsH5(), ec);
    return ec ? Status { Error { p.files.resultsH5().string() + ": " + ec.message() } } : Status {};
}

} // namespace fxs::remote
