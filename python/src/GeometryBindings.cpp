// fxs.PolarGrid, fxs.Geometry (CrystFEL .geom files) and fxs.PolarRemapper.
#include "GeometryBindings.h"

#include <fxs/geometry/GeomParser.h>
#include <fxs/geometry/GeomTemplate.h>

#include <pybind11/stl.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <optional>

namespace fxs::python {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

template <class T> py::array_t<T> slabArray(const Geometry& g, std::vector<T>&& v)
{
    return ownedArray(std::move(v), { g.geometry.nSlow(), g.geometry.nFast() });
}

Geometry fromTemplate(const GeomTemplate& t, std::optional<double> clen, std::optional<double> energy,
    std::pair<double, double> shift)
{
    GeomOverrides o;
    o.cameraLengthM = clen.value_or(kNaN);
    o.photonEnergyEv = energy.value_or(kNaN);
    o.beamShiftXM = shift.first;
    o.beamShiftYM = shift.second;
    ResolvedGeometry r = unwrap(t.resolve(o));
    return { std::move(r.geometry), r.cameraLengthM, valueSourceName(r.cameraLengthSource),
        valueSourceName(r.photonEnergySource), t.warnings };
}

PixelType pixelTypeOf(const py::dtype& d)
{
    if (d.is(py::dtype::of<std::uint16_t>())) {
        return PixelType::UInt16;
    }
    if (d.is(py::dtype::of<std::int16_t>())) {
        return PixelType::Int16;
    }
    if (d.is(py::dtype::of<std::int32_t>())) {
        return PixelType::Int32;
    }
    return d.is(py::dtype::of<double>()) ? PixelType::Float64 : PixelType::Float32;
}

std::vector<std::uint8_t> maskOf(const std::optional<py::array>& mask)
{
    if (!mask) {
        return {};
    }
    auto m = py::array_t<std::uint8_t, py::array::c_style | py::array::forcecast>::ensure(*mask);
    if (!m) {
        throw py::type_error("mask: expected an array of booleans or integers (nonzero = usable)");
    }
    return { m.data(), m.data() + m.size() };
}

RemapOptions remapOptions(const std::string& mode, bool solidAngle, bool polarisation, double fraction, double angle,
    int threads)
{
    RemapOptions o;
    if (mode != "split" && mode != "nearest") {
        throw py::value_error("mode: expected 'split' or 'nearest', got '" + mode + "'");
    }
    o.mode = mode == "split" ? RemapMode::Split : RemapMode::Nearest;
    o.solidAngleCorrection = solidAngle;
    o.polarisationCorrection = polarisation;
    o.polarisationFraction = fraction;
    o.polarisationAngleRad = angle;
    o.threads = threads;
    return o;
}

/// Remaps one image or a stack (N, nSlow, nFast) into intensity and weight arrays of shape (…, nQ, nPhi).
std::pair<py::array_t<float>, py::array_t<float>> remapAll(const Remapper& r, const py::array& frames)
{
    const PolarRemapper& pr = r.remapper;
    const bool stack = frames.ndim() == 3;
    if (frames.ndim() != 2 && !stack) {
        throw py::value_error("frame: expected an image (n_slow, n_fast) or a stack (n, n_slow, n_fast), got shape "
            + shapeText(shapeOf(frames)));
    }
    const py::ssize_t n = stack ? frames.shape(0) : 1;
    const PolarGrid& g = pr.grid();
    std::vector<py::ssize_t> shape { g.nQ, g.nPhi };
    if (stack) {
        shape.insert(shape.begin(), n);
    }
    py::array_t<float> intensity(shape), weight(shape);
    const std::size_t bins = static_cast<std::size_t>(g.size());
    for (py::ssize_t i = 0; i < n; ++i) {
        const py::array image = stack ? frames[py::int_(i)].cast<py::array>() : frames;
        Frame f = frameOf(image, i);
        PolarFrame out;
        {
            py::gil_scoped_release release;
            check(pr.remapInto(f, out));
        }
        std::memcpy(intensity.mutable_data() + i * bins, out.intensity.data(), bins * sizeof(float));
        std::memcpy(weight.mutable_data() + i * bins, out.weight.data(), bins * sizeof(float));
    }
    return { intensity, weight };
}

void bindGrid(py::module_& m)
{
    py::class_<PolarGrid>(m, "PolarGrid",
        "The polar grid: n_q radial bins between q_min and q_max (Å⁻¹), n_phi azimuthal bins over 2π. Bin centres: "
        "q_i = q_min + (i + ½)(q_max − q_min)/n_q, φ_j = (j + ½)·2π/n_phi.")
        .def(py::init([](int nQ, int nPhi, double qMin, double qMax) {
            PolarGrid g { nQ, nPhi, qMin, qMax };
            if (!g.valid()) {
                throw py::value_error("PolarGrid: need n_q > 0, n_phi ≥ 4 and 0 ≤ q_min < q_max (got n_q="
                    + std::to_string(nQ) + ", n_phi=" + std::to_string(nPhi) + ", q_min=" + std::to_string(qMin)
                    + ", q_max=" + std::to_string(qMax) + ")");
            }
            return g;
        }),
            py::arg("n_q") = 300, py::arg("n_phi") = 256, py::arg("q_min") = 0.05, py::arg("q_max") = 1.0)
        .def_readonly("n_q", &PolarGrid::nQ, "Radial bins.")
        .def_readonly("n_phi", &PolarGrid::nPhi, "Azimuthal bins.")
        .def_readonly("q_min", &PolarGrid::qMinInvA, "Lower q edge in Å⁻¹.")
        .def_readonly("q_max", &PolarGrid::qMaxInvA, "Upper q edge in Å⁻¹.")
        .def_property_readonly("q_centres", [](const PolarGrid& g) {
            std::vector<double> q(g.nQ);
            for (int i = 0; i < g.nQ; ++i) {
                q[i] = g.qCentre(i);
            }
            return ownedArray(std::move(q), { g.nQ });
        }, "Centre of every q bin in Å⁻¹, shape (n_q,).")
        .def_property_readonly("phi_centres", [](const PolarGrid& g) {
            std::vector<double> p(g.nPhi);
            for (int j = 0; j < g.nPhi; ++j) {
                p[j] = g.phiCentre(j);
            }
            return ownedArray(std::move(p), { g.nPhi });
        }, "Centre of every φ bin in radians, shape (n_phi,).")
        .def("__eq__", [](const PolarGrid& a, const PolarGrid& b) { return a == b; })
        .def("__repr__", [](const PolarGrid& g) {
            return "PolarGrid(n_q=" + std::to_string(g.nQ) + ", n_phi=" + std::to_string(g.nPhi) + ", q_min="
                + py::repr(py::float_(g.qMinInvA)).cast<std::string>() + ", q_max="
                + py::repr(py::float_(g.qMaxInvA)).cast<std::string>() + ")";
        });
}

void bindGeometryClass(py::module_& m)
{
    using Shift = std::pair<double, double>;
    py::class_<Geometry>(m, "Geometry",
        "A detector geometry (CrystFEL .geom semantics). Per-pixel arrays have the slab shape (n_slow, n_fast); "
        "pixels outside every panel have q = NaN. 2θ = atan2(√(x²+y²), z), φ = atan2(y, x) in [0, 2π), "
        "q = 4π sin θ / λ in Å⁻¹.")
        .def_static("from_geom", [](const std::string& path, std::optional<double> clen, std::optional<double> energy,
                                     Shift shift) {
            return fromTemplate(unwrap(GeomParser::parseTemplateFile(path)), clen, energy, shift);
        },
            py::arg("path"), py::arg("clen") = py::none(), py::arg("photon_energy") = py::none(),
            py::arg("beam_shift") = Shift { 0.0, 0.0 },
            "Reads a CrystFEL .geom file. clen (metres) and photon_energy (eV) win over the file; they are needed "
            "when the file leaves them out or names an HDF5 path. beam_shift = (x, y) in metres moves the beam.")
        .def_static("from_text", [](const std::string& text, std::optional<double> clen, std::optional<double> energy,
                                     Shift shift) {
            return fromTemplate(unwrap(GeomParser::parseTemplateText(text, "<text>")), clen, energy, shift);
        },
            py::arg("text"), py::arg("clen") = py::none(), py::arg("photon_energy") = py::none(),
            py::arg("beam_shift") = Shift { 0.0, 0.0 }, "Same as from_geom, from the text of a .geom file.")
        .def_static("single_panel", [](int nSlow, int nFast, double pixelSize, double distance, double energy,
                                        std::optional<Shift> centre) {
            SinglePanelSpec s;
            s.nSlow = nSlow;
            s.nFast = nFast;
            s.pixelSizeM = pixelSize;
            s.distanceM = distance;
            s.photonEnergyEv = energy;
            const Shift c = centre.value_or(Shift { 0.5 * nFast, 0.5 * nSlow });
            s.beamCentreFastPx = c.first;
            s.beamCentreSlowPx = c.second;
            Geometry g { unwrap(DetectorGeometry::singlePanel(s)), distance, "user", "user", {} };
            return g;
        },
            py::arg("n_slow"), py::arg("n_fast"), py::arg("pixel_size") = 100e-6, py::arg("distance") = 0.1,
            py::arg("photon_energy") = 9000.0, py::arg("beam_centre") = py::none(),
            "One flat panel normal to the beam; beam_centre = (fast, slow) in pixels from the first pixel's outer "
            "corner (default: the middle).")
        .def_property_readonly("n_slow", [](const Geometry& g) { return g.geometry.nSlow(); }, "Rows of the slab.")
        .def_property_readonly("n_fast", [](const Geometry& g) { return g.geometry.nFast(); }, "Columns of the slab.")
        .def_property_readonly("shape", [](const Geometry& g) {
            return py::make_tuple(g.geometry.nSlow(), g.geometry.nFast());
        }, "(n_slow, n_fast): the shape of frames.")
        .def_property_readonly("photon_energy", [](const Geometry& g) { return g.geometry.photonEnergyEv(); },
            "Photon energy in eV.")
        .def_property_readonly("wavelength", [](const Geometry& g) { return g.geometry.wavelengthA(); },
            "Wavelength in Å.")
        .def_readonly("clen", &Geometry::cameraLengthM, "Camera length in effect (first panel), metres.")
        .def_readonly("clen_source", &Geometry::cameraLengthSource, "Where clen came from: 'geometry' or 'user'.")
        .def_readonly("photon_energy_source", &Geometry::photonEnergySource, "Where the photon energy came from.")
        .def_readonly("warnings", &Geometry::warnings, "Keys of the .geom file that were ignored.")
        .def_property_readonly("panels", [](const Geometry& g) {
            std::vector<std::string> names;
            for (const auto& p : g.geometry.panels()) {
                names.push_back(p.name);
            }
            return names;
        }, "Panel names, in file order.")
        .def_property_readonly("q", [](const Geometry& g) { return slabArray(g, g.geometry.qInvAngstrom()); },
            "q = 4π sin θ / λ of every pixel centre in Å⁻¹, float32 (n_slow, n_fast); NaN outside the panels.")
        .def_property_readonly("phi", [](const Geometry& g) { return slabArray(g, g.geometry.phiRad()); },
            "Azimuth φ = atan2(y, x) in [0, 2π) of every pixel centre, float32 (n_slow, n_fast).")
        .def_property_readonly("two_theta", [](const Geometry& g) { return slabArray(g, g.geometry.twoThetaRad()); },
            "Scattering angle 2θ in radians, float32 (n_slow, n_fast).")
        .def_property_readonly("solid_angle", [](const Geometry& g) {
            return slabArray(g, g.geometry.solidAngleFactor());
        }, "Relative solid angle cos α (D_ref / r)² of every pixel, float32 (n_slow, n_fast).")
        .def("polarisation", [](const Geometry& g, double fraction, double angle) {
            return slabArray(g, g.geometry.polarisationFactor(fraction, angle));
        },
            py::arg("fraction") = 1.0, py::arg("plane_angle") = 0.0,
            "Polarisation factor P = ½[(1 + cos²2θ) − f cos(2(φ − φ_pol)) sin²2θ] of every pixel.")
        .def_property_readonly("mask", [](const Geometry& g) {
            return slabArray(g, g.geometry.validMask()).attr("view")("bool");
        }, "True for usable pixels (inside a panel, not in an ignored panel or a bad region).")
        .def_property_readonly("positions", [](const Geometry& g) {
            auto p = g.geometry.pixelPositionsM();
            std::vector<double> flat(p.size() * 3);
            std::memcpy(flat.data(), p.data(), flat.size() * sizeof(double));
            return ownedArray(std::move(flat), { g.geometry.nSlow(), g.geometry.nFast(), 3 });
        }, "Lab position (x, y, z) in metres of every pixel centre, (n_slow, n_fast, 3).")
        .def("to_geom", [](const Geometry& g) { return GeomParser::toGeomText(g.geometry); },
            "The geometry as .geom text (read back by from_text).")
        .def("__repr__", [](const Geometry& g) {
            return "Geometry(" + std::to_string(g.geometry.panels().size()) + " panels, " + std::to_string(g.geometry.nSlow())
                + " × " + std::to_string(g.geometry.nFast()) + ", clen " + std::to_string(g.cameraLengthM) + " m, "
                + std::to_string(g.geometry.photonEnergyEv()) + " eV)";
        });
}

void bindRemapper(py::module_& m)
{
    py::class_<Remapper>(m, "PolarRemapper",
        "Maps detector frames onto a PolarGrid (pixel splitting by default, solid-angle and polarisation "
        "corrections). Per bin: intensity = Σ f c I / Σ f over valid pixels; weight = the valid fraction of the bin. "
        "The table is built once per geometry, grid, options and mask and shared.")
        .def(py::init([](const Geometry& g, const PolarGrid& grid, const std::string& mode, bool solidAngle,
                          bool polarisation, double fraction, double angle, std::optional<py::array> mask, int threads) {
            const RemapOptions o = remapOptions(mode, solidAngle, polarisation, fraction, angle, threads);
            const auto extra = maskOf(mask);
            py::gil_scoped_release release;
            return Remapper { unwrap(PolarRemapper::create(g.geometry, grid, o, extra)) };
        }),
            py::arg("geometry"), py::arg("grid"), py::arg("mode") = "split", py::arg("solid_angle") = true,
            py::arg("polarisation") = true, py::arg("polarisation_fraction") = 1.0,
            py::arg("polarisation_angle") = 0.0, py::arg("mask") = py::none(), py::arg("threads") = 0)
        .def("__call__", [](const Remapper& r, const py::array& frame) { return remapAll(r, frame).first; },
            py::arg("frame"),
            "The polar image (n_q, n_phi) float32 of a frame (n_slow, n_fast), or (n, n_q, n_phi) of a stack.")
        .def("remap", &remapAll, py::arg("frame"),
            "(intensity, weight) of a frame or a stack: what C2Accumulator.add takes.")
        .def_property_readonly("grid", [](const Remapper& r) { return r.remapper.grid(); }, "The polar grid.")
        .def_property_readonly("bin_weight", [](const Remapper& r) {
            const auto w = r.remapper.binWeight();
            return ownedArray(std::vector<float>(w.begin(), w.end()), { r.remapper.grid().nQ, r.remapper.grid().nPhi });
        }, "Valid fraction of every bin, (n_q, n_phi).")
        .def_property_readonly("bin_pixel_count", [](const Remapper& r) {
            const auto w = r.remapper.binPixelCount();
            return ownedArray(std::vector<float>(w.begin(), w.end()), { r.remapper.grid().nQ, r.remapper.grid().nPhi });
        }, "Σ_p f_bp: how many (fractional) valid pixels feed every bin, (n_q, n_phi).")
        .def_property_readonly("build_seconds", [](const Remapper& r) { return r.remapper.buildSeconds(); },
            "Seconds it took to build the table (0 when it came from the cache).");
}

} // namespace

Frame frameOf(const py::array& image, std::int64_t shotIndex)
{
    if (image.ndim() != 2) {
        throw py::value_error("frame: expected a 2D image (n_slow, n_fast), got shape " + shapeText(shapeOf(image)));
    }
    const PixelType type = pixelTypeOf(image.dtype());
    py::array contiguous = type == PixelType::Float32
        ? py::array(FloatArray::ensure(image))
        : py::array::ensure(image, py::array::c_style);
    Frame f;
    f.shotIndex = shotIndex;
    f.nSlow = static_cast<int>(image.shape(0));
    f.nFast = static_cast<int>(image.shape(1));
    f.type = type;
    const auto* bytes = static_cast<const std::byte*>(contiguous.data());
    f.pixels.assign(bytes, bytes + f.size() * pixelSize(type));
    return f;
}

void bindGeometry(py::module_& m)
{
    bindGrid(m);
    bindGeometryClass(m);
    bindRemapper(m);
}

} // namespace fxs::python
