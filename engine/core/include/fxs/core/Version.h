#pragma once

#include <string_view>

namespace fxs {

/// The one version string of every binary: project version plus `git describe`.
std::string_view versionString();

} // namespace fxs
