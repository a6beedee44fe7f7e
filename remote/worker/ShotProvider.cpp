#include "ShotProvider.h"

#include "SyntheticPolarSource.h"
#include "fxs/CxiFileSource.h"
#include "fxs/GeomParser.h"
#include "fxs/InputIdentity.h"
#include "fxs/PolarRemapper.h"

namespace fxs::remote {

namespace {

class SyntheticProvider final : public ShotProvider {
public:
    explicit SyntheticProvider(const WorkerConfig& c)
        : m_source(c.nQ, c.nPhi, c.seed, c.maskedFraction)
    {
    }
    Status produce(std::int64_t first, std::int64_t last, const std::function<void(PolarFrame&&)>& sink) override
    {
        for (std::int64_t s = first; s < last; ++s) {
            sink(m_source.frame(s));
        }
        return {};
    }

private:
    SyntheticPolarSource m_source;
};

class CxiProvider final : public ShotProvider {
public:
    CxiProvider(std::unique_ptr<CxiFileSource> source, PolarRemapper remapper)
        : m_source(std::move(source))
        , m_remapper(std::move(remapper))
    {
    }
    Status produce(std::int64_t first, std::int64_t last, const std::function<void(PolarFrame&&)>& sink) override
    {
        if (auto st = m_source->seek(first); !st) {
            return st;
        }
        for (std::int64_t s = first; s < last; ++s) {
            auto frame = m_source->next();
            if (!frame) {
                return frame.error();
            }
            if (!*frame) {
                return Error { "the stack ended at shot " + std::to_string(s) + " (" + m_source->description() + ")" };
            }
            auto polar = m_remapper.remap(**frame);
            if (!polar) {
                return polar.error();
            }
            sink(std::move(*polar));
        }
        return {};
    }

private:
    std::unique_ptr<CxiFileSource> m_source;
    PolarRemapper m_remapper;
};

Result<std::unique_ptr<ShotProvider>> openCxi(WorkerConfig& cfg, int rank)
{
    CxiSourceOptions options;
    options.datasetPath = cfg.cxiDataset;
    options.validate = rank == 0; // rank 0 ran fxs-probe before the others got here
    auto source = CxiFileSource::open(cfg.cxiPath, options);
    if (!source) {
        return source.error();
    }
    auto geometry = GeomParser::parseFile(cfg.geometryPath);
    if (!geometry) {
        return geometry.error();
    }
    RemapOptions remap;
    remap.threads = 1; // ranks share the node's cores
    auto remapper = PolarRemapper::create(*geometry, PolarGrid { cfg.nQ, cfg.nPhi, cfg.qMinInvA, cfg.qMaxInvA }, remap);
    if (!remapper) {
        return remapper.error();
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
    return std::unique_ptr<ShotProvider>(std::make_unique<CxiProvider>(std::move(*source), std::move(*remapper)));
}

} // namespace

Result<std::unique_ptr<ShotProvider>> openShotProvider(WorkerConfig& cfg, MPI_Comm comm)
{
    if (cfg.inputKind != "cxi") {
        return std::unique_ptr<ShotProvider>(std::make_unique<SyntheticProvider>(cfg));
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
        if (rank == 0) {
            return p;
        }
        return Error { "rank 0 could not open the input" };
    }
    if (rank != 0) {
        p = openCxi(cfg, rank);
    }
    int good = p.ok() ? 1 : 0, all = 0;
    MPI_Allreduce(&good, &all, 1, MPI_INT, MPI_MIN, comm);
    if (!all) {
        if (p.ok()) {
            return Error { "another rank could not open the input" };
        }
        return p;
    }
    return p;
}

} // namespace fxs::remote
