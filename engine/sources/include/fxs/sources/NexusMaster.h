#pragma once

#include <fxs/core/Result.h>

#include <string>
#include <vector>

namespace fxs {

/// The data links of a master file in order, and the first one whose data file is missing.
struct NexusLinks {
    std::vector<std::string> links; ///< `/entry/data/data_000001`, …: each opens as an (N, ss, fs) stack
    std::string missing; ///< the link (and file) where the list stopped, empty when none is missing

    /// {"ok":true,"links":[…],"missing":"…"} or {"ok":false,"error":"…"}.
    static std::string toJson(const Result<NexusLinks>& r);
    static Result<NexusLinks> fromJson(const std::string& text);
};

/// DECTRIS NeXus master files (EIGER, PILATUS4, JUNGFRAU at synchrotrons and SwissFEL) hold no pixels: their
/// `/entry/data` group links `data_000001`, `data_000002`, … to data files (HDF5 external links) whose
/// `/entry/data/data` stacks hold the frames, often bitshuffle-LZ4 compressed.
class NexusMaster {
public:
    static constexpr const char* kDataGroup = "/entry/data";

    /// The data links of master file `path`; none when it is not one. A link whose data file is missing ends the
    /// list there (a run copied in part, or still being written), so that frames stay in order. This runs the
    /// HDF5 library on the file: in the application go through FileProbe::nexusDataLinks (a separate process).
    static Result<NexusLinks> dataLinks(const std::string& path);
};

} // namespace fxs
