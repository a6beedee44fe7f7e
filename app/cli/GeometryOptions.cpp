#include "GeometryOptions.h"

#include <cmath>
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
           "Pixel mask: HDF5 FILE[:DATASET] (default dataset: the geometry's 'mask' key, else /data/mask, else /mask, "
           "else the file's only integer dataset of the detector's shape; with the geometry's mask_good/mask_bad bits, "
           "else nonzero = bad), or a CrystFEL bad-region file (.geom or bad_NAME/min_fs ... lines)")
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

} // namespace fxs::cli
