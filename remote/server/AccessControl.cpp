#include "AccessControl.h"

namespace fxs::remote {

AccessControl::AccessControl(std::filesystem::path tokenFile, TokenTable table)
    : m_tokenFile(std::move(tokenFile))
    , m_table(std::make_shared<const TokenTable>(std::move(table)))
{
}

Status AccessControl::reload()
{
    auto t = TokenTable::read(m_tokenFile);
    if (!t) {
        return Error { t.error().message };
    }
    std::lock_guard lock(m_mutex);
    m_table = std::make_shared<const TokenTable>(std::move(*t));
    return {};
}

std::shared_ptr<const TokenTable> AccessControl::table() const
{
    std::lock_guard lock(m_mutex);
    return m_table;
}

grpc::Status AccessControl::authenticate(const grpc::ServerContextBase& ctx, Caller& caller) const
{
    const auto& md = ctx.client_metadata();
    const auto it = md.find("authorization");
    if (it == md.end()) {
        return { grpc::StatusCode::UNAUTHENTICATED, "no bearer token: send 'authorization: Bearer <token>'" };
    }
    const std::string value(it->second.data(), it->second.size());
    constexpr std::string_view scheme = "Bearer ";
    const auto t = table();
    const TokenEntry* e = value.rfind(scheme, 0) == 0 ? t->find(value.substr(scheme.size())) : nullptr;
    if (e == nullptr) {
        return { grpc::StatusCode::UNAUTHENTICATED, "the bearer token is wrong" };
    }
    caller.entry = *e;
    caller.peer = ctx.peer();
    return grpc::Status::OK;
}

grpc::Status AccessControl::require(const Caller& caller, Role needed, const std::string& what)
{
    if (caller.entry.role >= needed) {
        return grpc::Status::OK;
    }
    return { grpc::StatusCode::PERMISSION_DENIED,
        what + " needs the role " + roleName(needed) + "; the token '" + caller.entry.name + "' has the role "
            + roleName(caller.entry.role) };
}

} // namespace fxs::remote
