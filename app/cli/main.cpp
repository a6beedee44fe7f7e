// fxs: the headless command line on the FXS engine.
#include "Commands.h"

#include <CLI/CLI.hpp>
#include <fxs/Version.h>

#include <iostream>

int main(int argc, char** argv)
{
    CLI::App app { "fxs: headless Fluctuation X-ray Scattering processing (correlate, invert, reconstruct)" };
    app.set_version_flag("--version", std::string("fxs ") + std::string(fxs::versionString()));
    app.require_subcommand(1);
    app.footer("Exit codes: 0 success, 1 processing error, 2 bad arguments or input, 130 interrupted.\n"
               "Examples:\n"
               "  fxs demo --out out/demo        # the built-in simulated run, end to end\n"
               "  fxs <command> --help           # options of one command");
    fxs::cli::CommandRegistry registry;
    fxs::cli::registerAll(app, registry);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : 2;
    }
    return registry.runSelected();
}
