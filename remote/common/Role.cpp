#include "Role.h"

namespace fxs::remote {

std::string roleName(Role r)
{
    switch (r) {
    case Role::Watch:
        return "watch";
    case Role::Operate:
        return "operate";
    case Role::Admin:
        return "admin";
    }
    return "unknown";
}

std::optional<Role> parseRole(std::string_view name)
{
    for (Role r : { Role::Watch, Role::Operate, Role::Admin }) {
        if (name == roleName(r)) {
            return r;
        }
    }
    return std::nullopt;
}

} // namespace fxs::remote
