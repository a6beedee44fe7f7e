// fxs remote: talk to an fxs-server from a terminal — who the token is there, its jobs, cancel and resume. Every
// subcommand first says who it acts as ("signed in as alice (operate)"), so that a refusal is no surprise.
#include "Commands.h"

#include <iostream>
#include <memory>

#ifdef FXS_HAVE_REMOTE
#include "TokenFile.h"
#include "fxs/remote/RemoteSession.h"

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
    auto* remote = app.add_subcommand("remote", "Talk to an fxs-server: who you are there, its jobs, cancel, resume");
    remote->require_subcommand(1);
    auto o = std::make_shared<RemoteCliOptions>();
    addAction(remote, registry, o, "whoami", "your token's name, role and limits on the server", false);
    addAction(remote, registry, o, "list", "every job of the server (role watch)", false);
    addAction(remote, registry, o, "cancel", "cancel a job (role operate; admin for another token's job)", true);
    addAction(remote, registry, o, "resume", "resume a failed or cancelled job (role operate; admin for others')", true);
    remote->footer("Example:\n  fxs remote whoami --server login1:50051 --token-file ~/.fxs/token\n"
                   "Exit codes: 0 done, 1 failed, 3 the role does not allow it (PERMISSION_DENIED)");
}

} // namespace fxs::cli
