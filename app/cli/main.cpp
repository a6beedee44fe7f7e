// fxs: the headless command line on the FXS engine.
#include "CliSupport.h"
#include "Commands.h"

#include <CLI/CLI.hpp>
#include <fxs/core/Version.h>
#include <iostream>

int main(int argc, char** argv)
{
    CLI::App app { "fxs: headless Fluctuation X-ray Scattering processing (correlate, invert, reconstruct)", "fxs" };
    app.set_version_flag("--version", std::string("fxs ") + std::string(fxs::versionString()));
    app.require_subcommand(1);
    app.footer("Exit codes: 0 success, 1 processing error, 2 bad arguments or input, 130 interrupted (Ctrl-C;\n"
               "a resumable checkpoint is left where the command has one).\n"
               "Every option can also come from a JSON file: fxs <command> --config run.json, with keys named\n"
               "like the long options without '--' (the command line wins).\n"
               "Examples:\n"
               "  fxs demo --out out/demo                      # the built-in simulated run, end to end\n"
               "  fxs simulate --out run.cxi --shots 2000      # a simulated CXI run\n"
               "  fxs correlate run.cxi --out run.h5           # C2 of a CXI stack (resumable: --resume)\n"
               "  fxs inspect run.cxi                          # datasets, shapes, per-frame statistics\n"
               "  fxs <command> --help                         # options of one command\n"
               "Documentation: docs/CLI.md");
    fxs::cli::CommandRegistry registry;
    fxs::cli::registerAll(app, registry);
    for (CLI::App* sub : app.get_subcommands({})) {
        sub->add_option("--config", "JSON file of options for this command (keys: long option names)");
    }
    std::vector<std::string> args(argv + 1, argv + argc);
    auto expanded = fxs::cli::expandConfig(app, args);
    if (!expanded) {
        return fxs::cli::fail("config", fxs::cli::kExitBadInput, expanded.error().message);
    }
    // CLI11 parses a reversed vector (it pops from the back).
    std::vector<std::string> reversed(expanded->rbegin(), expanded->rend());
    try {
        app.parse(reversed);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : fxs::cli::kExitBadInput;
    }
    fxs::cli::installInterruptHandler();
    return registry.runSelected();
}
