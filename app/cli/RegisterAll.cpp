#include "Commands.h"

namespace fxs::cli {

void registerAll(CLI::App& app, CommandRegistry& registry) { registerDemo(app, registry); }

} // namespace fxs::cli
