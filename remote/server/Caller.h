#pragma once

#include "TokenTable.h"

#include <string>

namespace fxs::remote {

/// Who made a call: the token's entry (copied, so that a reload during the call changes nothing) and the peer.
struct Caller {
    TokenEntry entry;
    std::string peer; ///< as gRPC names it, e.g. "ipv4:127.0.0.1:53012"
};

} // namespace fxs::remote
