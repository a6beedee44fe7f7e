// fxs-bench: benchmark programs; figures are ratios against references run in the same process.
#include "BenchRegistry.h"

#include <fxs/core/Version.h>

#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>

namespace {

void usage()
{
    std::cout << "usage: fxs-bench <benchmark|all> [--json] [options]\n\nbenchmarks:\n";
    for (const auto& [name, entry] : fxs::bench::registry()) {
        std::cout << "  " << name << "  " << entry.description << "\n";
    }
}

// One benchmark; whatever it throws becomes a message and exit status 1, never an abort.
int runOne(const std::string& name, const fxs::bench::BenchEntry& entry, const fxs::bench::BenchArgs& args)
{
    try {
        return entry.run(args);
    } catch (const std::exception& e) {
        std::cerr << "fxs-bench " << name << ": failed: " << e.what() << "\n";
    } catch (...) {
        std::cerr << "fxs-bench " << name << ": failed with an unknown exception\n";
    }
    return 1;
}

} // namespace

int main(int argc, char** argv)
{
    if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h")) {
        usage();
        return argc < 2 ? 2 : 0;
    }
    if (!std::strcmp(argv[1], "--version")) {
        std::cout << "fxs-bench " << fxs::versionString() << "\n";
        return 0;
    }
    fxs::bench::BenchArgs args;
    for (int i = 2; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--json")) {
            args.json = true;
        } else {
            args.args.emplace_back(argv[i]);
        }
    }
    const std::string name = argv[1];
    auto& reg = fxs::bench::registry();
    if (name == "all") {
        int rc = 0;
        for (const auto& [n, entry] : reg) {
            std::cerr << "== fxs-bench " << n << "\n";
            rc |= runOne(n, entry, args);
        }
        return rc;
    }
    auto it = reg.find(name);
    if (it == reg.end()) {
        std::cerr << "fxs-bench: unknown benchmark '" << name << "'\n";
        usage();
        return 2;
    }
    for (const auto& a : args.args) {
        if (a == "--help" || a == "-h") { // says what it would run, and runs nothing
            std::cout << "usage: fxs-bench " << name << " [--json] [options]\n\n" << it->second.description << "\n";
            if (!it->second.options.empty()) {
                std::cout << "\noptions:\n" << it->second.options;
            }
            std::cout << "\n  --json   print one JSON object of the figures as the last line\n";
            return 0;
        }
    }
    return runOne(name, it->second, args);
}
