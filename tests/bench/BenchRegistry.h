#pragma once

// fxs-bench: every benchmark registers itself by name; `fxs-bench <name> [--json] [options]` runs one,
// `fxs-bench all --json` runs them all. With --json the last line printed is one JSON object.

#include <filesystem>
#include <functional>
#include <map>
#include <unistd.h>
#include <string>
#include <vector>

namespace fxs::bench {

/// Arguments after the benchmark name (without --json), and whether JSON output was asked for.
struct BenchArgs {
    std::vector<std::string> args;
    bool json = false;
};

using BenchFn = std::function<int(const BenchArgs&)>;

struct BenchEntry {
    std::string description;
    BenchFn run;
    std::string options; ///< the options it takes, one per line ("--frames N   frames per file"), for --help
};

/// The registry of benchmarks, filled by static Registrar objects.
inline std::map<std::string, BenchEntry>& registry()
{
    static std::map<std::string, BenchEntry> r;
    return r;
}

/// Declare at namespace scope: `static fxs::bench::Registrar reg{"c2", "C2 engine vs reference", &runC2};`
struct Registrar {
    Registrar(const std::string& name, const std::string& description, BenchFn fn, std::string options = {})
    {
        registry()[name] = { description, std::move(fn), std::move(options) };
    }
};

/// A data file the benchmarks read (reference scripts, the ePix10k2M-like geometry): beside the program
/// (<bin>/../share/fxs-monitor/bench, in the build tree and once installed), else in the source folder it was built
/// from; "" when neither has it (the caller says so and exits non-zero).
inline std::string dataFile(const std::string& name)
{
    std::error_code ec;
    const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    std::vector<std::filesystem::path> places;
    if (!ec) {
        places.push_back(exe.parent_path().parent_path() / "share/fxs-monitor/bench" / name);
    }
#ifdef FXS_BENCH_DIR
    places.push_back(std::filesystem::path(FXS_BENCH_DIR) / name);
    places.push_back(std::filesystem::path(FXS_BENCH_DIR) / "../../resources/geometry" / name);
#endif
    for (const auto& p : places) {
        if (std::filesystem::is_regular_file(p, ec)) {
            return p.string();
        }
    }
    return {};
}

} // namespace fxs::bench
