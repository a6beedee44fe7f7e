#include "Commands.h"

#include <iostream>

namespace fxs::cli {

void registerDemo(CLI::App& app, CommandRegistry& registry)
{
    auto* sub = app.add_subcommand("demo", "Run the built-in simulated FXS run end to end");
    auto out = std::make_shared<std::string>("out/demo");
    sub->add_option("--out", *out, "Output folder for the results file and PNG snapshots");
    registry.add(sub, [out] {
        std::cout << "demo: not yet\n";
        return 0;
    });
}

} // namespace fxs::cli
