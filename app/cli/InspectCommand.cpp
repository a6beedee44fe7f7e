#include "CliSupport.h"
#include "Commands.h"
#include "DatasetLister.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fxs/sources/CxiFileSource.h>
#include <fxs/sources/FileProbe.h>
#include <iostream>
#include <limits>

namespace fxs::cli {

namespace {
struct InspectOptions {
    std::string input;
    std::string dataset;
    std::int64_t frames = 10;
};

std::string defaultStack(const std::vector<DatasetEntry>& entries)
{
    for (const auto& e : entries) {
        if (e.path == "/entry_1/data_1/data" && e.dims.size() >= 3) {
            return e.path;
        }
    }
    for (const auto& e : entries) {
        if (e.dims.size() >= 3) {
            return e.path;
        }
    }
    return {};
}

int frameStatistics(const InspectOptions& o, const std::string& dataset)
{
    CxiSourceOptions co;
    co.datasetPath = dataset;
    auto src = CxiFileSource::open(o.input, co);
    if (!src) {
        return fail("inspect", kExitBadInput, src.error().message);
    }
    const StackInfo& info = (*src)->info();
    std::cout << "\nstack " << dataset << ": " << info.frames << " frames of " << info.slab.nSlow << " x "
              << info.slab.nFast << " " << pixelTypeName(info.slab.type) << " (validated by fxs-probe";
    for (int f : info.filters) {
        std::cout << ", filter " << f;
    }
    std::cout << ")\n  frame          min          max         mean          sum  non-finite\n";
    for (std::int64_t k = 0; (o.frames < 0 || k < o.frames) && !interrupted(); ++k) {
        auto frame = (*src)->next();
        if (!frame) {
            return fail("inspect", kExitBadInput, frame.error().message);
        }
        if (!frame->has_value()) {
            break;
        }
        const Frame& f = **frame;
        double lo = std::numeric_limits<double>::infinity(), hi = -lo, sum = 0.0;
        std::int64_t bad = 0;
        for (std::size_t i = 0; i < f.size(); ++i) {
            const double v = f.value(i);
            if (!std::isfinite(v)) {
                ++bad;
                continue;
            }
            lo = std::min(lo, v);
            hi = std::max(hi, v);
            sum += v;
        }
        const double mean = f.size() > static_cast<std::size_t>(bad) ? sum / static_cast<double>(f.size() - bad) : 0.0;
        std::printf("%7lld %12.6g %12.6g %12.6g %12.6g %11lld\n", static_cast<long long>(f.shotIndex), lo, hi, mean,
            sum, static_cast<long long>(bad));
    }
    return interrupted() ? kExitInterrupted : kExitOk;
}

int runInspect(const InspectOptions& o)
{
    if (!std::filesystem::is_regular_file(o.input)) {
        return fail("inspect", kExitBadInput, o.input + ": no such file");
    }
    auto entries = listDatasets(o.input);
    if (!entries) {
        return fail("inspect", kExitBadInput, entries.error().message);
    }
    std::cout << o.input << ": " << entries->size() << " datasets\n";
    for (const auto& e : *entries) {
        std::string shape;
        for (std::size_t i = 0; i < e.dims.size(); ++i) {
            shape += (i ? " x " : "") + std::to_string(e.dims[i]);
        }
        std::cout << "  " << e.path << "  (" << (shape.empty() ? "scalar" : shape) << ") " << e.type << "\n";
    }
    const std::string dataset = o.dataset.empty() ? defaultStack(*entries) : o.dataset;
    if (dataset.empty()) {
        std::cout << "no image stack (a dataset of rank 3 or 4) to take per-frame statistics of\n";
        return kExitOk;
    }
    return frameStatistics(o, dataset);
}
} // namespace

void registerInspect(CLI::App& app, CommandRegistry& registry)
{
    auto* sub = app.add_subcommand("inspect",
        "List the datasets of an HDF5/CXI file and per-frame statistics "
        "(the file is opened by fxs-probe first: a damaged file cannot crash fxs)");
    auto o = std::make_shared<InspectOptions>();
    sub->add_option("input", o->input, "HDF5 / CXI file")->required();
    sub->add_option("--dataset", o->dataset,
        "Image stack for the statistics (default: /entry_1/data_1/data or the "
        "first dataset of rank 3-4)");
    sub->add_option("--frames", o->frames, "Frames to take statistics of (-1: all)")->capture_default_str();
    sub->footer("Example:\n  fxs inspect run.cxi --frames 20");
    registry.add(sub, [o] { return runInspect(*o); });
}

} // namespace fxs::cli
