#pragma once

// fxs-bench: every benchmark registers itself by name; `fxs-bench <name> [--json] [options]` runs one,
// `fxs-bench all --json` runs them all. With --json the last line printed is one JSON object.

#include <functional>
#include <map>
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
};

/// The registry of benchmarks, filled by static Registrar objects.
inline std::map<std::string, BenchEntry>& registry()
{
    static std::map<std::string, BenchEntry> r;
    return r;
}

/// Declare at namespace scope: `static fxs::bench::Registrar reg{"c2", "C2 engine vs reference", &runC2};`
struct Registrar {
    Registrar(const std::string& name, const std::string& description, BenchFn fn)
    {
        registry()[name] = { description, std::move(fn) };
    }
};

} // namespace fxs::bench
