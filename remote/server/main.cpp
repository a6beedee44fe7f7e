// fxs-server: runs FXS correlation jobs (fxs-worker under mpirun) for remote clients over gRPC. No Qt.
#include "AccessControl.h"
#include <fxs/results/AtomicFile.h>
#include "AuditLog.h"
#include "DataRoots.h"
#include "JobService.h"
#include "JobStore.h"
#include "ServerOptions.h"
#include "TokenTable.h"

#include <csignal>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <iostream>
#include <spdlog/spdlog.h>

namespace {

std::shared_ptr<grpc::ServerCredentials> credentials(const fxs::remote::ServerOptions& o, std::string& error)
{
    if (o.tlsCert.empty()) {
        return grpc::InsecureServerCredentials();
    }
    auto cert = fxs::readText(o.tlsCert);
    auto key = fxs::readText(o.tlsKey);
    if (!cert || !key) {
        error = !cert ? cert.error().message : key.error().message;
        return nullptr;
    }
    grpc::SslServerCredentialsOptions ssl;
    ssl.pem_key_cert_pairs.push_back({ *key, *cert });
    return grpc::SslServerCredentials(ssl);
}

int fail(const std::string& message)
{
    std::cerr << "fxs-server: " << message << "\n";
    return 2;
}

} // namespace

int main(int argc, char** argv)
{
    bool help = false;
    auto options = fxs::remote::ServerOptions::parse(argc, argv, help);
    if (!options) {
        std::cerr << options.error().message << "\n";
        return help ? 0 : 2;
    }
    auto tokens = fxs::remote::TokenTable::read(options->tokenFile);
    if (!tokens) {
        return fail(tokens.error().message);
    }
    auto roots = fxs::remote::DataRoots::create(options->dataRoots);
    if (!roots) {
        return fail(roots.error().message);
    }
    std::string error;
    auto creds = credentials(*options, error);
    if (!creds) {
        return fail(error);
    }
    // SIGTERM/SIGINT are taken by sigwait below; every thread started from here on inherits the mask.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    std::signal(SIGPIPE, SIG_IGN);

    fxs::remote::JobStore store(*options);
    if (auto st = store.loadAll(); !st) {
        return fail(st.message());
    }
    std::error_code ec;
    std::filesystem::create_directories(options->auditLog.parent_path(), ec);
    auto audit = fxs::remote::AuditLog::open(options->auditLog);
    if (!audit) {
        return fail(audit.error().message);
    }
    fxs::remote::AccessControl access(options->tokenFile, std::move(*tokens));
    fxs::remote::JobService service(store, access, std::move(*roots), **audit);
    grpc::EnableDefaultHealthCheckService(true);
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort(options->listen, creds, &port);
    builder.RegisterService(&service);
    builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 20000);
    builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10000);
    builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
    builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 5000);
    std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
    if (!server || port == 0) {
        return fail("cannot listen on " + options->listen + " (address in use, or not an address of this machine?)");
    }
    store.start();
    spdlog::info("fxs-server listening on port {} ({}), state in {}, {} tokens, data roots: {}, audit log {}", port,
        options->tlsCert.empty() ? "no TLS" : "TLS", options->stateDir.string(), access.table()->entries().size(),
        fxs::remote::DataRoots::create(options->dataRoots)->describe(), options->auditLog.string());
    if (!options->portFile.empty()) {
        (void)fxs::writeTextAtomically(options->portFile, std::to_string(port) + "\n");
    }
    int sig = 0;
    // SIGHUP reloads the token file (a file that fails the checks leaves the tokens in force); the others drain.
    while (sigwait(&signals, &sig) == 0 && sig == SIGHUP) {
        if (auto st = access.reload(); !st) {
            spdlog::error("SIGHUP: the token file was not reloaded, the tokens in force stay: {}", st.message());
        } else {
            spdlog::info("SIGHUP: token file {} reloaded ({} tokens)", options->tokenFile.string(),
                access.table()->entries().size());
        }
    }
    // Drain: watchers are told to reconnect, calls in flight get 5 s, jobs keep running and are adopted by the
    // next server (their state is on disk).
    spdlog::info("signal {}: draining", sig);
    server->GetHealthCheckService()->Shutdown();
    store.stop();
    server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
    server->Wait();
    spdlog::info("fxs-server stopped");
    return 0;
}
