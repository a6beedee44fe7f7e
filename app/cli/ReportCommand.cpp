#include "CliSupport.h"
#include "Commands.h"
#include "Figures.h"
#include "ResultsReader.h"

#include <filesystem>
#include <fxs/correlation/C2Snapshot.h>
#include <iostream>

namespace fxs::cli {

namespace {
struct ReportOptions {
    std::string input;
    std::string out = "report";
    std::string reconstruction;
    bool pdf = false;
    int threads = 0;
};

int runReport(const ReportOptions& o)
{
    const std::string cmd = "report";
    if (!figuresAvailable()) {
        return fail(cmd, kExitProcessing, "this fxs was built without the Qt widgets: no figures");
    }
    auto stored = readResults(o.input);
    if (!stored) {
        return fail(cmd, kExitBadInput, stored.error().message);
    }
    std::error_code ec;
    std::filesystem::create_directories(o.out, ec);
    if (ec) {
        return fail(cmd, kExitBadInput, o.out + ": cannot create the folder (" + ec.message() + ")");
    }
    const C2Snapshot snap = C2Snapshot::compute(stored->sums, { .threads = o.threads });
    FigureInputs fi;
    fi.runLabel = std::filesystem::path(o.input).filename().string();
    fi.grid = stored->grid;
    fi.snapshot = &snap;
    fi.convergenceShots = stored->convergenceShots;
    fi.convergenceCC = stored->convergenceCC;
    fi.invariants = stored->invariants ? &*stored->invariants : nullptr;
    if (!o.reconstruction.empty()) {
        auto d = readDoubleArray(o.reconstruction, "/analysis/density");
        auto v = readDoubleArray(o.reconstruction, "/analysis/density_voxel_A");
        if (!d || !v || d->dims.size() != 3 || v->values.empty()) {
            return fail(
                cmd, kExitBadInput, o.reconstruction + ": no /analysis/density (a file written by fxs reconstruct)");
        }
        fi.density.assign(d->values.begin(), d->values.end());
        fi.densityN = static_cast<int>(d->dims[0]);
        fi.densityVoxelA = v->values[0];
    }
    auto figs = renderFigures(fi, o.out, o.pdf);
    if (!figs) {
        return fail(cmd, kExitProcessing, figs.error().message);
    }
    std::cout << "report: " << figs->size() << " files\n";
    for (const auto& f : *figs) {
        std::cout << "  " << std::filesystem::absolute(f).string() << "\n";
    }
    return kExitOk;
}
} // namespace

void registerReport(CLI::App& app, CommandRegistry& registry)
{
    auto* sub = app.add_subcommand("report", "Draw the figures of a results file (PNG, optionally PDF), offscreen");
    auto o = std::make_shared<ReportOptions>();
    sub->add_option("input", o->input, "Results file (fxs correlate, demo or invariants)")->required();
    sub->add_option("--out", o->out, "Folder for the figures")->capture_default_str();
    sub->add_option("--reconstruction", o->reconstruction, "Also draw a density slice from fxs reconstruct's file");
    sub->add_flag("--pdf", o->pdf, "Also write PDF files");
    sub->add_option("--threads", o->threads, "Worker threads (0: all cores)")->capture_default_str();
    sub->footer("Example:\n  fxs report run_inv.h5 --reconstruction rec.h5 --out figures --pdf");
    registry.add(sub, [o] { return runReport(*o); });
}

} // namespace fxs::cli
