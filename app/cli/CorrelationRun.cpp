#include "CorrelationRun.h"

#include "CliSupport.h"

#include <atomic>
#include <chrono>
#include <iostream>
#include <thread>

namespace fxs::cli {

Result<RunOutcome> runCorrelation(ShotPipeline& shots, const RunSettings& settings)
{
    const std::int64_t total = shots.totalFrames().value_or(-1);
    const std::int64_t planned
        = settings.maxShots >= 0 && (total < 0 || settings.maxShots < total) ? settings.maxShots : total;
    Progress progress(settings.label, planned);
    auto tally = [](std::int64_t vetoed, std::int64_t refused) {
        return std::to_string(vetoed) + " vetoed" + (refused > 0 ? ", " + std::to_string(refused) + " refused" : "");
    };
    ShotRunHooks hooks;
    hooks.stopRequested = [] { return interrupted(); };
    std::int64_t seen = 0;
    std::string last;
    hooks.progress = [&](std::int64_t s, std::int64_t skipped, std::int64_t vetoed, std::int64_t refused) {
        seen = s;
        last = tally(vetoed, refused);
        progress.setSkipped(skipped);
        progress.update(s, last);
    };
    // A live source blocks in next(); this watcher turns Ctrl-C into a prompt cancel().
    std::atomic<bool> finished { false };
    std::thread watcher([&] {
        while (!finished.load() && !interrupted()) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        if (interrupted()) {
            shots.cancel();
        }
    });
    auto run = runShots(shots, settings, hooks);
    finished.store(true);
    watcher.join();
    if (!run) {
        return run.error();
    }
    if (settings.pipeline.backend != C2Backend::Cpu) {
        std::cerr << settings.label << ": correlated on " << run->backend << "\n";
    }
    progress.finish(seen, (last.empty() ? tally(0, 0) : last) + (run->interrupted ? ", interrupted" : ""));
    return run;
}

} // namespace fxs::cli
