#pragma once

#include "RemoteJobStatus.h"
#include "RunConfig.h"

#include <QStringList>
#include <fxs/shots/VetoRules.h>
#include <string>

#ifdef FXS_HAVE_REMOTE
#include "fxs.pb.h"
#endif

namespace fxs::monitor {

/// The translation between the run-control panel and fxs-server: the JobSpec sent, the words shown for errors.
class RemoteJobSpec {
public:
#ifdef FXS_HAVE_REMOTE
    /// The job for these settings: input, grid, n_max, precision, ranks, backend, reconstruction and every veto
    /// rule (thresholds on any statistic, manual ranges, with the window's statistics settings).
    static fxs::v1::JobSpec build(const RunConfig& config, const VetoRules& rules);
    /// /run/configuration of the results file: the job as sent, the server, the job id and how it ended.
    static std::string configurationJson(
        const fxs::v1::JobSpec& spec, const QString& server, const RemoteJobStatus& end);
#endif
    /// A RemoteSession error ("UNAUTHENTICATED: …") as a sentence naming the server and what to check.
    static QString explain(const std::string& error, const QString& server, const RemoteJobSettings& settings);
};

} // namespace fxs::monitor
