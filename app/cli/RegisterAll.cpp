#include "Commands.h"

namespace fxs::cli {

void registerAll(CLI::App& app, CommandRegistry& registry)
{
    registerDemo(app, registry);
    registerSimulate(app, registry);
    registerCorrelate(app, registry);
    registerInvariants(app, registry);
    registerReconstruct(app, registry);
    registerInspect(app, registry);
    registerReport(app, registry);
    registerBench(app, registry);
    registerRemote(app, registry);
}

} // namespace fxs::cli
