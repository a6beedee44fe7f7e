#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace fxs::remote {

/// What a token may do, each role including the ones before it: watch (list, watch, fetch), operate (also submit,
/// and cancel and resume its own jobs), admin (also the jobs of others and the server's settings).
enum class Role { Watch = 1, Operate = 2, Admin = 3 };

/// "watch", "operate" or "admin".
std::string roleName(Role r);
/// The role named `name` (as roleName writes it), or nothing.
std::optional<Role> parseRole(std::string_view name);

} // namespace fxs::remote
