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

    /// European XFEL's CXI files (EXtra-data's `write_virtual_cxi`): train and pulse id of every frame.
    static constexpr const char* kTrainIdPath = "/entry_1/trainId";
    static constexpr const char* kPulseIdPath = "/entry_1/pulseId";
    /// The source's ids of every frame, each column empty when the file does not have it with one value per frame.
    struct SourceIds {
        std::vector<std::int64_t> series; ///< train ids
        std::vector<std::int64_t> frameNumber; ///< index of the frame within its train (0 at each new train id)
        std::vector<std::int64_t> pulse; ///< pulse ids
    };
    static Result<SourceIds> sourceIds(hid_t file, std::int64_t frames);
};

} // namespace fxs::detail
