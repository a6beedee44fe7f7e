#include "GeometryOptions.h"

#include "ResultsReader.h"

#include <fxs/sources/DetectorFile.h>

#include <cmath>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace fxs::cli {

void addGeometryOverrideOptions(CLI::App* sub, GeometryOverrideOptions& o)
{
    sub->add_option("--clen", o.clenM,
           "Camera length in metres, for every panel (wins over the geometry's clen and the data file's value; "
           "coffset is still added)")
        ->type_name("METRES");
    sub->add_option("--photon-energy", o.photonEnergyEv,
           "Photon energy in eV (wins over the geometry's photon_energy and the data file's value)")
        ->type_name("EV")
        ->check(CLI::PositiveNumber);
    sub->add_option("--beam-shift", o.beamShift,
           "Where the beam meets the detector, X,Y in metres in the geometry's lab frame (every pixel moves by -X,-Y)")
        ->type_name("X,Y");
    sub->add_option("--mask", o.mask,
           "Pixel mask: HDF5 FILE[:DATASET] (default dataset: the geometry's 'mask' key, else /mask); with the "
           "geometry's mask_good/mask_bad bits, else nonzero = bad")
        ->type_name("FILE[:DATASET]");
}

Result<GeomOverrides> toOverrides(const GeometryOverrideOptions& o)
{
    GeomOverrides g;
    g.cameraLengthM = o.clenM;
    g.photonEnergyEv = o.photonEnergyEv;
    if (!o.beamShift.empty()) {
        std::istringstream in(o.beamShift);
        char comma = 0;
        std::string rest;
        if (!(in >> g.beamShiftXM >> comma >> g.beamShiftYM) || comma != ',' || (in >> rest)
            || !std::isfinite(g.beamShiftXM) || !std::isfinite(g.beamShiftYM)) {
            return Error { "--beam-shift '" + o.beamShift + "': expected X,Y in metres, e.g. 0.0012,-0.0004" };
        }
    }
    return g;
}

MaskSpec parseMaskSpec(const std::string& spec, const std::string& fallback)
{
    // FILE:DATASET with an HDF5 path after the last ':' (a Windows drive letter never precedes a '/').
    const auto colon = spec.rfind(':');
    if (colon != std::string::npos && colon + 1 < spec.size() && spec[colon + 1] == '/') {
        return { spec.substr(0, colon), spec.substr(colon + 1) };
    }
    return { spec, fallback.empty() ? "/mask" : fallback };
}

std::string withGeometryValues(const std::string& config, const std::string& valuesJson)
{
    if (valuesJson.empty()) {
        return config;
    }
    auto j = nlohmann::json::parse(config, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
        return config;
    }
    j["geometry_values"] = nlohmann::json::parse(valuesJson);
    return j.dump();
}

Result<std::string> applyGeometryMask(const GeomTemplate& t, const DetectorGeometry& g, const std::string& maskOption,
    const std::string& dataFile, std::vector<std::uint8_t>& mask, PerFrameMask* perFrame)
{
    MaskSpec spec;
    if (!maskOption.empty()) {
        spec = parseMaskSpec(maskOption, t.mask.dataset);
    } else if (!t.mask.dataset.empty() && (!t.mask.file.empty() || !dataFile.empty())) {
        spec = { t.mask.file.empty() ? dataFile : t.mask.file, t.mask.dataset };
    } else {
        return std::string();
    }
    const std::string what = spec.file + ":" + spec.dataset;
    if (const auto frames = maskFramesIn(spec.file, spec.dataset, g.pixelCount()); frames > 0) {
        // One slab per frame: the source reads it with each frame (bad pixels become NaN, masked for that shot).
        if (perFrame == nullptr || spec.file != dataFile) {
            return Error { what + ": a mask per frame (" + std::to_string(frames)
                + " frames) can only be used from the data file itself, by fxs correlate" };
        }
        *perFrame = { spec.dataset, t.mask.goodBits, t.mask.badBits };
        return what + " (per frame)";
    }
    auto a = readDoubleArray(spec.file, spec.dataset);
    if (!a) {
        if (maskOption.empty()) {
            // CrystFEL would stop; a CXI file without the geometry's mask is common enough to go on, saying so.
            std::cerr << "fxs: warning: the geometry's mask " << what << " cannot be read (" << a.error().message
                      << "); no pixel mask applied (give one with --mask FILE[:DATASET])\n";
            return std::string();
        }
        return Error { "--mask " + maskOption + ": " + a.error().message };
    }
    if (a->values.size() != g.pixelCount()) {
        return Error { what + ": the mask has " + std::to_string(a->values.size()) + " values, the detector "
            + std::to_string(g.pixelCount()) + " (" + std::to_string(g.nSlow()) + " x " + std::to_string(g.nFast())
            + "); a mask per frame is not applied here" };
    }
    std::vector<std::uint32_t> bits(a->values.size());
    const bool rule = t.mask.goodBits != 0 || t.mask.badBits != 0;
    for (std::size_t i = 0; i < bits.size(); ++i) {
        const auto v = static_cast<std::uint32_t>(a->values[i]);
        bits[i] = rule ? v : (v != 0 ? 1u : 0u);
    }
    auto combined = rule ? g.validMaskWith(bits) : Result<std::vector<std::uint8_t>>(g.validMask());
    if (!combined) {
        return combined.error();
    }
    for (std::size_t i = 0; i < mask.size(); ++i) {
        mask[i] = mask[i] && (*combined)[i] && (rule || bits[i] == 0);
    }
    return what;
}

} // namespace fxs::cli
