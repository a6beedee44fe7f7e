#include "EndedRun.h"

#include "RunResults.h"
#include "RunVetoes.h"

#include <filesystem>

namespace fxs::monitor {

Result<std::string> EndedRun::rewrite(const std::string& vetoStateJson, const WindowMask& mask) const
{
    if (resultsPath.empty()) {
        return Error { "the run wrote no results file" };
    }
    LedgerColumns now = ledger;
    RunVetoes::finalVerdicts(*vetoes, now);
    const std::string tmp = resultsPath + ".rewriting";
    std::filesystem::remove(tmp);
    const auto written = RunResults::write(
        tmp, config, geometry, *pipeline, now, vetoStateJson, &values, stream ? &*stream : nullptr, &mask);
    if (!written) {
        std::filesystem::remove(tmp);
        return written.error();
    }
    std::error_code ec;
    std::filesystem::rename(tmp, resultsPath, ec);
    if (ec) {
        return Error { "cannot rename " + tmp + " to " + resultsPath + ": " + ec.message() };
    }
    return resultsPath;
}

} // namespace fxs::monitor
