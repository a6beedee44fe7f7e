#pragma once

// Private: per-frame metadata from the standard CXI locations, read with the same caps as the stack.

#include <fxs/core/Result.h>

#include <cstdint>
#include <hdf5.h>
#include <vector>

namespace fxs::detail {

/// Reads CXI metadata that accompanies a stack of `frames` frames.
class CxiMetadata {
public:
    /// CXI location of the photon energy (joules; one value, or one per frame).
    static constexpr const char* kEnergyPath = "/entry_1/instrument_1/source_1/energy";
    /// Photon energies in eV: empty when absent, one value for the whole stack, or one per frame.
    /// Values above 1 are taken to be eV already (some writers store eV in the joule field).
    static Result<std::vector<double>> photonEnergiesEv(hid_t file, std::int64_t frames);
};

} // namespace fxs::detail
