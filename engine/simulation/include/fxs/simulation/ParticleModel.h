#pragma once

#include <fxs/core/Result.h>

#include <array>
#include <complex>
#include <string>
#include <string_view>
#include <vector>

namespace fxs {

/// One scatterer of a particle model: a Gaussian blob (a point when sigmaA = 0) or a uniform sphere.
struct Scatterer {
    enum class Kind { Gaussian, Sphere };
    Kind kind = Kind::Gaussian;
    double amplitude = 1.0; ///< F(0) of this scatterer (its integrated density, e.g. electrons)
    double sigmaA = 0.0; ///< Gaussian width in Å (0: a point scatterer)
    double radiusA = 0.0; ///< sphere radius in Å (Kind::Sphere)
    std::array<double, 3> positionA { 0.0, 0.0, 0.0 }; ///< centre in Å
};

/// A density sampled on a cubic grid: n³ values, x fastest (index (iz·n + iy)·n + ix), voxel i centred at
/// (i − n/2)·voxelA, so the origin sits on voxel n/2 as in an FFT grid. Values are density per Å³.
struct ModelDensity {
    int n = 0;
    double voxelA = 0.0;
    std::vector<float> values;

    /// Index of voxel (ix, iy, iz).
    std::size_t at(int ix, int iy, int iz) const
    {
        return (static_cast<std::size_t>(iz) * n + iy) * static_cast<std::size_t>(n) + ix;
    }
};

/// How ParticleModel::fromStructureFile() turns atoms into scatterers.
struct StructureOptions {
    bool hydrogens = false; ///< keep H and D atoms (most X-ray models have none or ride them on heavy atoms)
    bool waters = false; ///< keep water molecules (HOH, WAT, DOD)
};

/// A particle with a known truth: Gaussian blobs / points / uniform spheres, its scattering amplitude
///     F(q⃗) = Σ_j a_j e^{−q²σ_j²/2} e^{i q⃗·r_j}   (spheres: a_j · 3(sin qR − qR cos qR)/(qR)³ · e^{i q⃗·r_j})
/// and its density on a grid. q in Å⁻¹ (q = 4π sin θ / λ), lengths in Å.
class ParticleModel {
public:
    ParticleModel() = default;
    /// A model from scatterers; fails on non-finite values, negative widths or an empty list.
    static Result<ParticleModel> fromScatterers(std::string name, std::vector<Scatterer> scatterers);

    /// A uniform sphere of the given radius centred at the origin, F(0) = amplitude.
    static ParticleModel sphere(double radiusA, double amplitude = 1.0);
    /// Two equal scatterers at ±d/2 along x (points when sigmaA = 0).
    static ParticleModel dumbbell(double separationA, double sigmaA = 0.0, double amplitude = 1.0);
    /// A built-in model by name (see builtinNames()).
    static Result<ParticleModel> builtin(std::string_view name);
    /// Names of the built-in models: sphere, dumbbell, triangle3, tetramer4, pentamer5, helix6.
    static std::vector<std::string> builtinNames();

    /// Parses the JSON model format (docs in ParticleModel.cpp); `sourceName` names the file in errors.
    static Result<ParticleModel> fromJson(std::string_view text, const std::string& sourceName = "model");
    /// Reads a JSON model file.
    static Result<ParticleModel> fromFile(const std::string& path);
    /// Atoms of a PDB or mmCIF file (gemmi), first model, first alternative conformation, weighted by occupancy:
    /// each atom the IT92 form factor f(s) = Σ_k a_k e^{−b_k s²} + c (s = q/4π), i.e. four Gaussian scatterers of
    /// σ_k = √(b_k / 8π²) and amplitude a_k, plus a point of amplitude c, at the atom; the model centred on its
    /// electron-weighted centre. B-factors are not applied.
    static Result<ParticleModel> fromStructureFile(const std::string& path, const StructureOptions& options = {});
    /// True when `path` names a structure file (.pdb, .ent, .cif, .mmcif, upper or lower case).
    static bool isStructureFile(const std::string& path);
    /// A built-in model by name, otherwise a structure file (isStructureFile) or a JSON model file by path (what
    /// a command-line option takes).
    static Result<ParticleModel> load(const std::string& nameOrPath, const StructureOptions& structure = {});
    /// The model in the JSON format (round-trips through fromJson).
    std::string toJson() const;

    /// Name of the model.
    const std::string& name() const { return m_name; }
    /// The scatterers.
    const std::vector<Scatterer>& scatterers() const { return m_scatterers; }
    /// Radius in Å of the smallest origin-centred ball holding every centre (plus sphere radii).
    double extentA() const;
    /// F(0) = Σ a_j.
    double forwardAmplitude() const;

    /// F(q⃗), q in Å⁻¹.
    std::complex<double> amplitude(const std::array<double, 3>& qInvA) const;
    /// |F(q⃗)|².
    double intensity(const std::array<double, 3>& qInvA) const;
    /// The truth density on an n³ grid of voxelA spacing (Gaussians integrated over each voxel, spheres
    /// supersampled), so that Σ values · voxelA³ = F(0) when the particle fits in the box; same layout as
    /// MtipResult::density and MrcMap. Empty (n = 0) unless 1 ≤ n ≤ 1024 and voxelA > 0.
    ModelDensity density(int n, double voxelA) const;

private:
    std::string m_name;
    std::vector<Scatterer> m_scatterers;
};

/// 3(sin x − x cos x)/x³, the normalised amplitude of a uniform sphere at x = qR (1 at x = 0).
double sphereFormFactor(double x);

} // namespace fxs
