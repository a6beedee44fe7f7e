// ParticleModel from atoms: PDB / mmCIF read by gemmi (header-only), IT92 form factors.
#include <fxs/simulation/ParticleModel.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <numbers>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wconversion"
#pragma GCC diagnostic ignored "-Wsign-conversion"
#pragma GCC diagnostic ignored "-Wold-style-cast"
#pragma GCC diagnostic ignored "-Wuseless-cast"
#include <gemmi/it92.hpp>
#include <gemmi/mmread.hpp>
#pragma GCC diagnostic pop

namespace fxs {

namespace {

std::string lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}

// The first alternative conformation only (blank or the first altloc letter met), so that no atom counts twice.
bool firstConformer(const gemmi::Atom& a, char& firstAltloc)
{
    if (a.altloc == '\0' || a.altloc == ' ') {
        return true;
    }
    if (firstAltloc == '\0') {
        firstAltloc = a.altloc;
    }
    return a.altloc == firstAltloc;
}

// The four Gaussians and the constant of one atom, scaled by its occupancy.
void addAtom(
    const gemmi::IT92<double>::Coef& f, double occupancy, const gemmi::Position& p, std::vector<Scatterer>& out)
{
    for (int k = 0; k < 4; ++k) {
        Scatterer s;
        s.amplitude = f.a(k) * occupancy;
        // e^{−b s²} with s = q/4π is e^{−q²σ²/2} with σ² = b / 8π².
        s.sigmaA = std::sqrt(f.b(k) / (8.0 * std::numbers::pi * std::numbers::pi));
        s.positionA = { p.x, p.y, p.z };
        out.push_back(s);
    }
    Scatterer c;
    c.amplitude = f.c() * occupancy;
    c.positionA = { p.x, p.y, p.z };
    out.push_back(c);
}

} // namespace

bool ParticleModel::isStructureFile(const std::string& path)
{
    const std::string ext = lower(std::filesystem::path(path).extension().string());
    return ext == ".pdb" || ext == ".ent" || ext == ".cif" || ext == ".mmcif";
}

Result<ParticleModel> ParticleModel::fromStructureFile(const std::string& path, const StructureOptions& options)
{
    gemmi::Structure st;
    try {
        st = gemmi::read_structure(gemmi::BasicInput(path));
    } catch (const std::exception& e) {
        return Error { path + ": cannot read as PDB or mmCIF (" + e.what() + ")" };
    }
    if (st.models.empty()) {
        return Error { path + ": no model (no ATOM/HETATM records)" };
    }
    std::vector<Scatterer> scatterers;
    double weight = 0.0;
    std::array<double, 3> centre { 0.0, 0.0, 0.0 };
    for (const gemmi::Chain& chain : st.models.front().chains) {
        for (const gemmi::Residue& res : chain.residues) {
            if (res.is_water() && !options.waters) {
                continue;
            }
            char firstAltloc = '\0';
            for (const gemmi::Atom& atom : res.atoms) {
                if ((atom.is_hydrogen() && !options.hydrogens) || !firstConformer(atom, firstAltloc)) {
                    continue;
                }
                const auto* f = gemmi::IT92<double>::get_ptr(atom.element.elem);
                if (f == nullptr || atom.element.elem == gemmi::El::X) {
                    return Error { path + ": atom " + atom.name + " of " + res.name + " " + res.seqid.str()
                        + ": element '" + atom.element.name() + "' has no IT92 form factor" };
                }
                const double occupancy = atom.occ > 0.0f ? double(atom.occ) : 1.0;
                addAtom(*f, occupancy, atom.pos, scatterers);
                const double electrons = (f->a(0) + f->a(1) + f->a(2) + f->a(3) + f->c()) * occupancy;
                weight += electrons;
                centre = { centre[0] + electrons * atom.pos.x, centre[1] + electrons * atom.pos.y,
                    centre[2] + electrons * atom.pos.z };
            }
        }
    }
    if (scatterers.empty() || !(weight > 0.0)) {
        return Error { path + ": no atoms left (hydrogens and waters are left out unless asked for)" };
    }
    for (auto& s : scatterers) {
        for (int a = 0; a < 3; ++a) {
            s.positionA[a] -= centre[a] / weight;
        }
    }
    return fromScatterers(std::filesystem::path(path).stem().string(), std::move(scatterers));
}

} // namespace fxs
