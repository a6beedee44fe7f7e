#include "CliSupport.h"
#include "Commands.h"

#include <filesystem>
#include <unistd.h>

namespace fxs::cli {

namespace {
int runBench(const std::vector<std::string>& args)
{
    // fxs-bench lives next to fxs (same build or install folder); exec keeps its output and exit code as is.
    const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe");
    const std::string bench = (self.parent_path() / "fxs-bench").string();
    if (access(bench.c_str(), X_OK) != 0) {
        return fail("bench", kExitProcessing, bench + ": not found (build the fxs-bench target)");
    }
    std::vector<char*> argv { const_cast<char*>(bench.c_str()) };
    for (const auto& a : args) {
        argv.push_back(const_cast<char*>(a.c_str()));
    }
    argv.push_back(nullptr);
    execv(bench.c_str(), argv.data());
    return fail("bench", kExitProcessing, bench + ": cannot be started");
}
} // namespace

void registerBench(CLI::App& app, CommandRegistry& registry)
{
    auto* sub = app.add_subcommand("bench", "Run the benchmarks (the same as fxs-bench; arguments are passed on)");
    sub->prefix_command();
    sub->footer("Examples:\n  fxs bench all --json\n  fxs bench c2");
    registry.add(sub, [sub] { return runBench(sub->remaining()); });
}

} // namespace fxs::cli
