// fxs.ParticleModel and fxs.Simulator: simulated FXS shots with a known truth, on a polar grid or a detector.
#include "GeometryBindings.h"

#include <fxs/simulation/ParticleModel.h>
#include <fxs/simulation/Simulator.h>
#include <fxs/simulation/SimulatorPixels.h>

#include <pybind11/stl.h>

#include <cstring>
#include <memory>
#include <span>

namespace fxs::python {

namespace {

/// fxs.Simulator: a Simulator (shared, it is thread-safe and not copyable).
struct PySimulator {
    std::shared_ptr<Simulator> simulator;
};

IntensitySampling samplingOf(const std::string& s)
{
    if (s != "table" && s != "direct") {
        throw py::value_error("sampling: expected 'table' or 'direct', got '" + s + "'");
    }
    return s == "table" ? IntensitySampling::Table : IntensitySampling::Direct;
}

std::vector<std::int64_t> shotList(const py::object& shots)
{
    if (py::isinstance<py::int_>(shots)) {
        const auto n = shots.cast<std::int64_t>();
        if (n < 0) {
            throw py::value_error("shots: expected a count ≥ 0 or a list of shot indices");
        }
        std::vector<std::int64_t> v(static_cast<std::size_t>(n));
        for (std::int64_t i = 0; i < n; ++i) {
            v[i] = i;
        }
        return v;
    }
    return shots.cast<std::vector<std::int64_t>>();
}

/// Shots (n, rows, cols) float32 made by `make(shot, out)` with the GIL released.
template <class Make>
py::array_t<float> stack(const std::vector<std::int64_t>& shots, py::ssize_t rows, py::ssize_t cols, Make&& make)
{
    py::array_t<float> out({ static_cast<py::ssize_t>(shots.size()), rows, cols });
    float* data = out.mutable_data();
    const std::size_t size = static_cast<std::size_t>(rows * cols);
    py::gil_scoped_release release;
    for (std::size_t i = 0; i < shots.size(); ++i) {
        make(shots[i], std::span<float>(data + i * size, size));
    }
    return out;
}

void bindModel(py::module_& m)
{
    py::class_<ParticleModel>(m, "ParticleModel",
        "A particle with a known truth (Gaussian blobs, points, uniform spheres); lengths in Å, q in Å⁻¹.")
        .def_static("builtin", [](const std::string& name) { return unwrap(ParticleModel::builtin(name)); },
            py::arg("name"), "A built-in model: sphere, dumbbell, triangle3, tetramer4, pentamer5, helix6.")
        .def_static("names", &ParticleModel::builtinNames, "Names of the built-in models.")
        .def_static("load", [](const std::string& s) { return unwrap(ParticleModel::load(s)); }, py::arg("name_or_path"),
            "A built-in model by name, a PDB/mmCIF structure file or a JSON model file.")
        .def_static("from_json", [](const std::string& text) { return unwrap(ParticleModel::fromJson(text, "json")); },
            py::arg("text"), "A model from the JSON model format.")
        .def_static("sphere", &ParticleModel::sphere, py::arg("radius"), py::arg("amplitude") = 1.0)
        .def_static("dumbbell", &ParticleModel::dumbbell, py::arg("separation"), py::arg("sigma") = 0.0,
            py::arg("amplitude") = 1.0)
        .def_property_readonly("name", &ParticleModel::name)
        .def_property_readonly("extent", &ParticleModel::extentA, "Radius in Å of the ball holding the particle.")
        .def_property_readonly("scatterers", [](const ParticleModel& p) { return p.scatterers().size(); },
            "Number of scatterers.")
        .def("to_json", &ParticleModel::toJson)
        .def("intensity", [](const ParticleModel& p, const DoubleArray& q) {
            if (q.ndim() < 1 || q.shape(q.ndim() - 1) != 3) {
                throw py::value_error("q: expected q-vectors (..., 3) in Å⁻¹, got " + shapeText(shapeOf(q)));
            }
            const auto shape = shapeOf(q);
            std::vector<double> out(static_cast<std::size_t>(q.size() / 3));
            for (std::size_t i = 0; i < out.size(); ++i) {
                out[i] = p.intensity({ q.data()[3 * i], q.data()[3 * i + 1], q.data()[3 * i + 2] });
            }
            return ownedArray(std::move(out), { shape.begin(), shape.end() - 1 });
        },
            py::arg("q"), "|F(q)|² at q-vectors (..., 3) in Å⁻¹.")
        .def("density", [](const ParticleModel& p, int n, double voxel) {
            ModelDensity d = p.density(n, voxel);
            if (d.n == 0) {
                throw py::value_error("density: need 1 ≤ n ≤ 1024 and voxel > 0");
            }
            return ownedArray(std::move(d.values), { n, n, n });
        },
            py::arg("n"), py::arg("voxel"), "The truth density on an n³ grid (indexed [z, y, x]), voxel i at (i − n/2)·voxel.");
}

void bindSimulator(py::module_& m)
{
    py::class_<PySimulator>(m, "Simulator",
        "Simulated FXS shots (FXS_SPEC §6): per shot N randomly oriented copies of a model summed incoherently at "
        "Ewald-sphere q-vectors, times fluence and pixel gain, plus a water ring, then Poisson noise. Shot i depends "
        "only on (seed, i).")
        .def(py::init([](const ParticleModel& model, double meanParticles, bool poissonParticles, double peakPhotons,
                          double fluenceJitter, double waterRingPhotons, bool poissonNoise, std::uint64_t seed,
                          const std::string& sampling, int threads) {
            SimulatorConfig c;
            c.meanParticles = meanParticles;
            c.poissonParticles = poissonParticles;
            c.peakPhotons = peakPhotons;
            c.fluenceJitter = fluenceJitter;
            c.waterRingPhotons = waterRingPhotons;
            c.poissonNoise = poissonNoise;
            c.seed = seed;
            c.sampling = samplingOf(sampling);
            c.threads = threads;
            py::gil_scoped_release release;
            return PySimulator { std::make_shared<Simulator>(unwrap(Simulator::create(model, c))) };
        }),
            py::arg("model"), py::arg("mean_particles") = 1.0, py::arg("poisson_particles") = false,
            py::arg("peak_photons") = 1000.0, py::arg("fluence_jitter") = 0.0, py::arg("water_ring_photons") = 0.0,
            py::arg("poisson_noise") = true, py::arg("seed") = 1, py::arg("sampling") = "table", py::arg("threads") = 0)
        .def("polar_frames", [](const PySimulator& s, const PolarGrid& grid, double wavelength, const py::object& shots) {
            const SimulatorPixels px = unwrap(SimulatorPixels::polar(grid, wavelength));
            return stack(shotList(shots), grid.nQ, grid.nPhi,
                [&](std::int64_t shot, std::span<float> out) { s.simulator->simulate(px, shot, out); });
        },
            py::arg("grid"), py::arg("wavelength"), py::arg("shots") = 1,
            "Shots (n, n_q, n_phi) float32 at the polar bin centres (every weight 1); shots = a count (0 … n−1) or "
            "a list of shot indices.")
        .def("detector_frames", [](const PySimulator& s, const Geometry& g, const py::object& shots) {
            const SimulatorPixels px = unwrap(SimulatorPixels::detector(g.geometry));
            return stack(shotList(shots), g.geometry.nSlow(), g.geometry.nFast(),
                [&](std::int64_t shot, std::span<float> out) { s.simulator->simulate(px, shot, out); });
        },
            py::arg("geometry"), py::arg("shots") = 1,
            "Shots (n, n_slow, n_fast) float32 on a detector (solid angle and polarisation applied, 0 where masked).")
        .def_property_readonly("model", [](const PySimulator& s) { return s.simulator->model(); });
}

} // namespace

void bindSimulation(py::module_& m)
{
    bindModel(m);
    bindSimulator(m);
}

} // namespace fxs::python
