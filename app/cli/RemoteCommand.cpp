// fxs remote: talk to an fxs-server from a terminal — who the token is there, its jobs, watch, fetch, cancel and
// resume (what the window's remote job does). Every subcommand first says who it acts as ("signed in as alice
// (operate)"), so that a refusal is no surprise.
#include "Commands.h"

#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>

#ifdef FXS_HAVE_REMOTE
#include "TokenFile.h"
#include "fxs/remote/RemoteSession.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#endif

namespace fxs::cli {

namespace {

struct RemoteCliOptions {
    std::string server = "127.0.0.1:50051";
    std::string tokenFile;
    std::string caFile;
    std::string jobId;
    std::string out; ///< fetch: where to write
    std::string kind = "results"; ///< fetch: results, sums, density, checkpoint, log
    double intervalS = 1.0; ///< watch: at most one progress line per interval (and every change of state)
};

#ifdef FXS_HAVE_REMOTE

std::string roleOf(const fxs::v1::WhoAmIReply& w)
{
    std::string r = fxs::v1::Role_Name(w.role());
    r = r.substr(r.find('_') + 1);
    for (char& c : r) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return r;
}

std::unique_ptr<remote::RemoteSession> connect(const RemoteCliOptions& o, fxs::v1::WhoAmIReply& who)
{
    auto token = remote::readTokenFile(o.tokenFile);
    if (!token) {
        std::cerr << "fxs remote: " << token.error().message << "\n";
        return nullptr;
    }
    remote::RemoteOptions ro;
    ro.target = o.server;
    ro.token = *token;
    if (!o.caFile.empty()) {
        std::ifstream in(o.caFile);
        if (!in) {
            std::cerr << "fxs remote: cannot read the CA certificate " << o.caFile << "\n";
            return nullptr;
        }
        std::ostringstream s;
        s << in.rdbuf();
        ro.rootCertsPem = s.str();
    }
    auto session = std::make_unique<remote::RemoteSession>(ro);
    auto w = session->whoAmI();
    if (!w) {
        std::cerr << "fxs remote: fxs-server at " << o.server << ": " << w.error().message << "\n";
        return nullptr;
    }
    who = *w;
    std::cout << "fxs-server at " << o.server << ": signed in as " << w->token_name() << " (" << roleOf(*w) << ")\n";
    return session;
}

void printJob(const fxs::v1::JobStatus& s)
{
    std::string state = fxs::v1::JobState_Name(s.state());
    state = state.substr(std::string("JOB_STATE_").size());
    std::cout << s.job_id() << "  " << state << "  " << s.shots_done() << "/" << s.shots_total() << " shots  owner "
              << (s.owner().empty() ? "-" : s.owner());
    if (!s.slurm_job_id().empty()) {
        std::cout << "  slurm " << s.slurm_job_id();
    }
    if (!s.message().empty()) {
        std::cout << "  (" << s.message() << ")";
    }
    std::cout << "\n";
}

std::string stateName(fxs::v1::JobState s)
{
    return fxs::v1::JobState_Name(s).substr(std::string("JOB_STATE_").size());
}

// One progress line: seconds since the watch began, state, shots, rate, the checkpoint and the attempt.
void printProgress(const fxs::v1::JobStatus& s, double seconds)
{
    char head[48];
    std::snprintf(head, sizeof head, "[%7.1f s] ", seconds);
    std::cout << head << s.job_id() << "  " << stateName(s.state()) << "  " << s.shots_done() << "/" << s.shots_total()
              << " shots";
    if (s.shots_total() > 0) {
        std::cout << " (" << (100 * s.shots_done()) / s.shots_total() << " %)";
    }
    char rate[32];
    std::snprintf(rate, sizeof rate, "%.0f", s.shots_per_second());
    std::cout << "  " << rate << " shots/s  checkpoint " << s.checkpoint_shots() << "  attempt " << s.attempt();
    if (s.reconstruction_progress() > 0.0) {
        std::cout << "  reconstruction " << static_cast<int>(100.0 * s.reconstruction_progress()) << " %";
    }
    std::cout << std::endl; // a pipe (tee, a log) sees each line as it comes
}

// Follows a job until it ends: progress lines, then the final status. Exit 0 succeeded, 1 failed (or lost), 4 cancelled.
int watchJob(remote::RemoteSession& session, const RemoteCliOptions& o)
{
    const auto t0 = std::chrono::steady_clock::now();
    const auto since = [&t0] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
    double lastLine = -1e9;
    int lastState = -1;
    session.setReconnectHandler(
        [&](const std::string& why) { std::cout << "fxs-server at " << o.server << ": reconnecting (" << why << ")\n"; });
    auto end = session.watch(o.jobId, [&](const fxs::v1::JobStatus& s) {
        const double t = since();
        if (s.state() != lastState || t - lastLine >= o.intervalS) {
            printProgress(s, t);
            lastLine = t;
            lastState = s.state();
        }
    });
    if (!end) {
        std::cerr << "fxs remote: watch " << o.jobId << ": " << end.error().message << "\n";
        return 1;
    }
    printProgress(*end, since());
    printJob(*end);
    return end->state() == fxs::v1::JOB_STATE_SUCCEEDED ? 0 : end->state() == fxs::v1::JOB_STATE_CANCELLED ? 4 : 1;
}

int fetchJob(remote::RemoteSession& session, const RemoteCliOptions& o)
{
    static const std::map<std::string, fxs::v1::ResultKind> kinds = { { "results", fxs::v1::RESULT_KIND_RESULTS_H5 },
        { "sums", fxs::v1::RESULT_KIND_C2_SUMS }, { "density", fxs::v1::RESULT_KIND_DENSITY_MRC },
        { "checkpoint", fxs::v1::RESULT_KIND_CHECKPOINT }, { "log", fxs::v1::RESULT_KIND_LOG } };
    const auto kind = kinds.find(o.kind);
    if (kind == kinds.end()) {
        std::cerr << "fxs remote: fetch --kind " << o.kind << ": expected results, sums, density, checkpoint or log\n";
        return 2;
    }
    if (const Status st = session.fetch(o.jobId, o.out, kind->second); !st.ok()) {
        std::cerr << "fxs remote: fetch " << o.jobId << " (" << o.kind << "): " << st.message() << "\n";
        return st.message().rfind("PERMISSION_DENIED", 0) == 0 ? 3 : 1;
    }
    std::error_code ec;
    const auto bytes = std::filesystem::file_size(o.out, ec);
    std::cout << "fetched the " << o.kind << " of job " << o.jobId << " into " << o.out << " (" << (ec ? 0 : bytes)
              << " bytes, SHA-256 checked)\n";
    return 0;
}

int runRemote(const std::string& action, const RemoteCliOptions& o)
{
    fxs::v1::WhoAmIReply who;
    auto session = connect(o, who);
    if (!session) {
        return 1;
    }
    if (action == "whoami") {
        std::cout << "limits: " << (who.max_jobs() ? std::to_string(who.max_jobs()) : "no limit on") << " running jobs, "
                  << (who.max_ranks() ? std::to_string(who.max_ranks()) : "no limit on") << " ranks; in use: "
                  << who.running_jobs() << " jobs, " << who.running_ranks() << " ranks\n";
        return 0;
    }
    if (action == "list") {
        auto jobs = session->list();
        if (!jobs) {
            std::cerr << "fxs remote: " << jobs.error().message << "\n";
            return 1;
        }
        for (const auto& j : *jobs) {
            printJob(j);
        }
        return 0;
    }
    if (action == "watch") {
        return watchJob(*session, o);
    }
    if (action == "fetch") {
        return fetchJob(*session, o);
    }
    auto r = action == "cancel" ? session->cancel(o.jobId) : session->resume(o.jobId);
    if (!r) {
        std::cerr << "fxs remote: " << action << " " << o.jobId << ": " << r.error().message << "\n";
        return r.error().message.rfind("PERMISSION_DENIED", 0) == 0 ? 3 : 1;
    }
    printJob(*r);
    return 0;
}

#else

int runRemote(const std::string&, const RemoteCliOptions&)
{
    std::cerr << "fxs remote: this fxs was built without the remote client (gRPC)\n";
    return 2;
}

#endif

CLI::App* addAction(CLI::App* remote, CommandRegistry& registry, const std::shared_ptr<RemoteCliOptions>& o,
    const std::string& name, const std::string& help, bool needsJob)
{
    auto* sub = remote->add_subcommand(name, help);
    sub->add_option("--server", o->server, "fxs-server's host:port")->capture_default_str();
    sub->add_option("--token-file", o->tokenFile, "file with your token (mode 0600)")->required();
    sub->add_option("--ca", o->caFile, "PEM CA certificate (TLS)");
    if (needsJob) {
        sub->add_option("job", o->jobId, "job id")->required();
    }
    registry.add(sub, [o, name] { return runRemote(name, *o); });
    return sub;
}

} // namespace

void registerRemote(CLI::App& app, CommandRegistry& registry)
{
    auto* remote = app.add_subcommand(
        "remote", "Talk to an fxs-server: who you are there, its jobs, watch, fetch, cancel, resume");
    remote->require_subcommand(1);
    auto o = std::make_shared<RemoteCliOptions>();
    addAction(remote, registry, o, "whoami", "your token's name, role and limits on the server", false);
    addAction(remote, registry, o, "list", "every job of the server (role watch)", false);
    auto* watch = addAction(remote, registry, o, "watch", "progress lines until a job ends (role watch)", true);
    watch->add_option("--interval", o->intervalS, "seconds between progress lines (each change of state too)")
        ->capture_default_str();
    auto* fetch = addAction(remote, registry, o, "fetch", "download a job's results file or sums (role watch)", true);
    fetch->add_option("--out", o->out, "file to write")->required();
    fetch->add_option("--kind", o->kind, "results (HDF5), sums (FXS1), density (MRC), checkpoint or log")
        ->capture_default_str();
    addAction(remote, registry, o, "cancel", "cancel a job (role operate; admin for another token's job)", true);
    addAction(remote, registry, o, "resume", "resume a failed or cancelled job (role operate; admin for others')", true);
    remote->footer("Example:\n  fxs remote whoami --server login1:50051 --token-file ~/.fxs/token\n"
                   "  fxs remote watch --token-file ~/.fxs/token JOB && fxs remote fetch --token-file ~/.fxs/token "
                   "JOB --out run.h5\n"
                   "Exit codes: 0 done (watch: the job succeeded), 1 failed, 2 bad arguments, 3 the role does not "
                   "allow it (PERMISSION_DENIED), 4 watch: the job was cancelled");
}

} // namespace fxs::cli
