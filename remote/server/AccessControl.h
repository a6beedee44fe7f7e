#pragma once

#include "Caller.h"
#include "TokenTable.h"

#include <grpcpp/grpcpp.h>
#include <memory>
#include <mutex>

namespace fxs::remote {

/// The token table in force and the checks made on every call: who is calling (UNAUTHENTICATED when nobody
/// known) and whether the role allows the call (PERMISSION_DENIED naming the role needed). Thread-safe; reload()
/// swaps the table (SIGHUP) while calls go on.
class AccessControl {
public:
    AccessControl(std::filesystem::path tokenFile, TokenTable table);

    /// Reads the token file again; on an error the table in force stays and the Error says why.
    Status reload();
    /// The caller of `ctx` (its bearer token looked up), or UNAUTHENTICATED.
    grpc::Status authenticate(const grpc::ServerContextBase& ctx, Caller& caller) const;
    /// OK when the caller's role is at least `needed`; else PERMISSION_DENIED "<what> needs the role <needed>; the
    /// token '<name>' has the role <role>".
    static grpc::Status require(const Caller& caller, Role needed, const std::string& what);
    /// The table in force.
    std::shared_ptr<const TokenTable> table() const;

private:
    std::filesystem::path m_tokenFile;
    mutable std::mutex m_mutex;
    std::shared_ptr<const TokenTable> m_table;
};

} // namespace fxs::remote
