#include "RunVetoes.h"

#include "SourceFactory.h"

#include <QObject>
#include <fxs/pipeline/ShotPipeline.h>
#include <unordered_set>

namespace fxs::monitor {

std::shared_ptr<VetoReevaluator> RunVetoes::make(const RunConfig& config, C2Pipeline& pipeline, const VetoRules& rules)
{
    VetoReevaluatorConfig c;
    c.c2.nQ = config.grid.nQ; // as EngineController::start() configures the run's C2
    c.c2.nPhi = config.grid.nPhi;
    c.ringBytes = std::size_t(std::max(0.0, config.vetoRingMb) * 1e6);
    c.spool = config.spoolGb > 0.0;
    c.spoolOptions.parentDir = config.spoolDir.toStdString();
    c.spoolOptions.maxBytes = std::uint64_t(std::max(0.0, config.spoolGb) * 1e9);
    c.spoolOptions.keep = config.keepSpool;
    return std::make_shared<VetoReevaluator>(pipeline, c, rules, rereader(config));
}

ShotRereader RunVetoes::rereader(const RunConfig& config)
{
    if (config.source != SourceKind::CxiFile && config.source != SourceKind::LiveFile) {
        return {}; // a simulated run or a detector stream cannot be read again: only the spool holds its shots
    }
    return [config](const std::vector<std::int64_t>& shots, const std::function<bool(PolarFrame &&)>& each) -> Status {
        // The same path as the run: the file validated again, the same geometry, remap and statistics.
        auto setup = SourceFactory::open(config);
        if (!setup) {
            return Error { "cannot read shots of " + config.path.toStdString() + " again: " + setup.error().message };
        }
        const std::unordered_set<std::int64_t> wanted(shots.begin(), shots.end());
        ShotPipelineConfig pc;
        pc.threads = 1; // the run's own pipeline keeps the other cores
        pc.stats = monitorShotStatsOptions();
        pc.lastShot = shots.back();
        pc.skipShot = [&wanted](std::int64_t s) { return wanted.count(s) == 0; };
        auto pipe = SourceFactory::shotPipeline(*setup, config.grid, pc);
        if (!pipe) {
            return pipe.error();
        }
        if (const Status s = (*pipe)->seek(shots.front()); !s) {
            return s;
        }
        return (*pipe)->run([&](PipelineShot& shot) {
            if (shot.outcome != ShotOutcome::Ready || wanted.count(shot.shotIndex) == 0) {
                return true;
            }
            return each(std::move(shot.polar));
        });
    };
}

void RunVetoes::finalVerdicts(const VetoReevaluator& vetoes, LedgerColumns& ledger)
{
    for (std::size_t i = 0; i < ledger.shotIndex.size(); ++i) {
        const auto v = vetoes.verdict(ledger.shotIndex[i]);
        if (!v) {
            continue; // refused frames keep their reason
        }
        const auto& [inC2, decision] = *v;
        ledger.accepted[i] = inC2 ? 1 : 0;
        if (inC2) {
            ledger.reason[i] = decision.accepted
                ? ""
                : "vetoed (" + decision.reason + ") but still in C2: its frame could not be read again";
        } else {
            ledger.reason[i]
                = decision.accepted ? "accepted but not in C2: its frame could not be read again" : decision.reason;
        }
    }
}

QString RunVetoes::endNote(const VetoCounts& c)
{
    QString note;
    if (c.pending > 0) {
        note += QObject::tr("; %1 shots were still being re-evaluated: the results file is written again once the C2 is exact")
                    .arg(c.pending);
    }
    if (c.unreachable > 0) {
        note += QObject::tr("; %1 shots whose verdict changed could not be reached again (polar spool too small) and "
                            "keep their earlier place in C2")
                    .arg(c.unreachable);
    }
    return note;
}

void RunVetoes::dumpPolar(std::FILE* file, const PolarFrame& polar)
{
    const std::int32_t shape[2] = { polar.nQ, polar.nPhi };
    std::fwrite(&polar.shotIndex, sizeof(std::int64_t), 1, file);
    std::fwrite(shape, sizeof(shape), 1, file);
    std::fwrite(polar.intensity.data(), sizeof(float), polar.intensity.size(), file);
    std::fwrite(polar.weight.data(), sizeof(float), polar.weight.size(), file);
}

} // namespace fxs::monitor
