// fxs.Invariants, fxs.kam_invariants (Kam's B_l from a snapshot) and fxs.reconstruct (M-TIP, with a progress callback).
#include "AnalysisBindings.h"

#include <fxs/reconstruction/MtipReconstructor.h>

#include <pybind11/functional.h>
#include <pybind11/stl.h>

#include <atomic>
#include <type_traits>
#include <optional>

namespace fxs::python {

namespace {

InvariantOptions::Method methodOf(const std::string& m)
{
    if (m != "least_squares" && m != "back_substitution") {
        throw py::value_error("method: expected 'least_squares' or 'back_substitution', got '" + m + "'");
    }
    return m == "least_squares" ? InvariantOptions::Method::LeastSquares : InvariantOptions::Method::BackSubstitution;
}

InvariantOptions::B0Source b0Of(const std::string& b)
{
    if (b == "auto") {
        return InvariantOptions::B0Source::Auto;
    }
    if (b == "correlation") {
        return InvariantOptions::B0Source::Correlation;
    }
    if (b == "saxs") {
        return InvariantOptions::B0Source::Saxs;
    }
    throw py::value_error("b0: expected 'auto', 'correlation' or 'saxs', got '" + b + "'");
}

KamInvariants invariantsFromArrays(const DoubleArray& q, const DoubleArray& b, double wavelengthA)
{
    const py::ssize_t nQ = q.size();
    if (q.ndim() != 1 || b.ndim() != 3 || b.shape(1) != nQ || b.shape(2) != nQ || b.shape(0) < 1) {
        throw py::value_error("Invariants: expected q (n_q,) and b (l_max/2 + 1, n_q, n_q), got q "
            + shapeText(shapeOf(q)) + " and b " + shapeText(shapeOf(b)));
    }
    KamInvariants k = KamInvariants::zeros({ q.data(), q.data() + nQ }, 2 * static_cast<int>(b.shape(0) - 1));
    k.b.assign(b.data(), b.data() + b.size());
    k.wavelengthA = wavelengthA;
    return k;
}

KamInvariants kamInvariants(const C2Snapshot& snapshot, const PolarGrid& grid, double wavelengthA, int lMax,
    double diameterA, const std::string& method, const std::string& b0, double tikhonov, double meanParticles,
    bool symmetrise, bool clipNegative, bool limitRank, int threads)
{
    InvariantOptions o;
    o.method = methodOf(method);
    o.b0 = b0Of(b0);
    o.lMax = lMax;
    o.particleDiameterA = diameterA;
    o.tikhonov = tikhonov;
    o.meanParticlesPerShot = meanParticles;
    o.symmetrise = symmetrise;
    o.clipNegativeEigenvalues = clipNegative;
    o.limitRank = limitRank;
    o.threads = threads;
    py::gil_scoped_release release;
    return unwrap(KamInvariants::fromSnapshot(snapshot, grid, wavelengthA, o));
}

void bindInvariants(py::module_& m)
{
    m.def("kam_invariants", &kamInvariants, py::arg("snapshot"), py::arg("grid"), py::arg("wavelength"),
        py::arg("l_max") = -1, py::arg("particle_diameter") = 0.0, py::arg("method") = "least_squares",
        py::arg("b0") = "auto", py::arg("tikhonov") = 0.0, py::arg("mean_particles") = 1.0,
        py::arg("symmetrise") = true, py::arg("clip_negative") = true, py::arg("limit_rank") = true,
        py::arg("threads") = 0,
        "Kam invariants B_l(q, q') for even l ≤ l_max from a snapshot on `grid` at `wavelength` Å (Ewald curvature "
        "included): least squares of (1/4π) Σ_l B_l P_l(cos ψ(Δ)) over the valid Δ bins, or back-substitution from "
        "the Fourier coefficients. l_max < 0: from particle_diameter (Å). FxsError for unusable input.");
}

MtipConfig mtipConfig(const py::dict& kw)
{
    MtipConfig c;
    const auto get = [&kw](const char* key, auto& value) {
        if (kw.contains(key)) {
            value = kw[key].cast<std::decay_t<decltype(value)>>();
            PyDict_DelItemString(kw.ptr(), key);
        }
    };
    get("grid_size", c.gridSize);
    get("voxel_size", c.voxelSizeA);
    get("particle_diameter", c.particleDiameterA);
    get("initial_support_scale", c.initialSupportScale);
    get("l_max", c.lMax);
    get("max_shells", c.maxShells);
    get("hio_beta", c.hioBeta);
    get("shrink_wrap_sigma", c.shrinkWrapSigmaVoxels);
    get("shrink_wrap_threshold", c.shrinkWrapThreshold);
    get("q_squared_weights", c.qSquaredWeights);
    get("starts", c.starts);
    get("seed", c.seed);
    get("threads", c.threads);
    get("density_every", c.densityEvery);
    if (kw.contains("cycles")) {
        const auto t = kw["cycles"].cast<std::tuple<int, int, int, int>>();
        c.schedule = MtipConfig::cycles(std::get<0>(t), std::get<1>(t), std::get<2>(t), std::get<3>(t));
        PyDict_DelItemString(kw.ptr(), "cycles");
    }
    if (!kw.empty()) {
        throw py::type_error("reconstruct: unknown option(s) " + py::str(py::list(kw.attr("keys")())).cast<std::string>());
    }
    return c;
}

const char* kindName(MtipStep::Kind k)
{
    return k == MtipStep::Kind::Hio ? "HIO" : k == MtipStep::Kind::Er ? "ER" : "shrink-wrap";
}

py::dict progressDict(const MtipProgress& p, int n)
{
    py::dict d;
    d["start"] = p.start;
    d["starts"] = p.starts;
    d["iteration"] = p.iteration;
    d["iterations"] = p.iterations;
    d["kind"] = kindName(p.kind);
    d["real_space_error"] = p.realSpaceError;
    d["invariant_error"] = p.invariantError;
    d["density"] = p.density.empty() ? py::object(py::none())
                                     : py::object(ownedArray(std::vector<float>(p.density), { n, n, n }));
    return d;
}

/// Runs M-TIP with the GIL released; the callback runs with it re-acquired. A callback that returns False
/// cancels; one that raises cancels and its exception is raised once the reconstruction has stopped.
MtipResult reconstruct(const KamInvariants& inv, const std::optional<py::function>& progress, py::kwargs kw)
{
    const MtipConfig config = mtipConfig(kw);
    std::atomic<bool> cancel { false };
    std::exception_ptr raised;
    MtipControl control;
    control.cancel = &cancel;
    if (progress) {
        control.progress = [&](const MtipProgress& p) {
            py::gil_scoped_acquire acquire;
            try {
                const py::object answer = (*progress)(progressDict(p, config.gridSize));
                if (!answer.is_none() && !answer.cast<bool>()) {
                    cancel = true;
                }
            } catch (...) {
                raised = std::current_exception();
                cancel = true;
            }
        };
    }
    Result<MtipResult> r = [&] {
        py::gil_scoped_release release;
        return MtipReconstructor(config).run(inv, control);
    }();
    if (raised) {
        std::rethrow_exception(raised);
    }
    return unwrap(std::move(r));
}

void bindReconstruction(py::module_& m)
{
    py::class_<MtipResult>(m, "Reconstruction", "The outcome of an M-TIP reconstruction.")
        .def_readonly("grid_size", &MtipResult::gridSize)
        .def_readonly("voxel_size", &MtipResult::voxelSizeA, "Voxel edge in Å; voxel i is centred at (i − n/2)·voxel.")
        .def_readonly("l_max", &MtipResult::lMax)
        .def_property_readonly("density", [](py::object self) {
            const auto& r = self.cast<const MtipResult&>();
            return viewArray(r.density, { r.gridSize, r.gridSize, r.gridSize }, self);
        }, "Density (n, n, n) float32 indexed [z, y, x].")
        .def_property_readonly("support", [](py::object self) {
            const auto& r = self.cast<const MtipResult&>();
            return viewArray(r.support, { r.gridSize, r.gridSize, r.gridSize }, self).attr("view")("bool");
        }, "Final support (n, n, n) bool.")
        .def_readonly("shell_q", &MtipResult::shellQInvA, "q of the shells used, Å⁻¹.")
        .def_readonly("real_space_error", &MtipResult::realSpaceError)
        .def_readonly("invariant_error", &MtipResult::invariantError, "Per even l (index l/2).")
        .def_readonly("real_space_error_history", &MtipResult::realSpaceErrorHistory)
        .def_readonly("start_real_space_errors", &MtipResult::startRealSpaceErrors)
        .def_readonly("best_start", &MtipResult::bestStart)
        .def_readonly("iterations_run", &MtipResult::iterationsRun)
        .def_readonly("cancelled", &MtipResult::cancelled);
    m.def("reconstruct", &reconstruct, py::arg("invariants"), py::arg("progress") = py::none(),
        "M-TIP phasing of Kam invariants into a 3D density (FXS_SPEC §5). Options as keywords: grid_size (64), "
        "voxel_size, particle_diameter, initial_support_scale, l_max, max_shells, hio_beta, shrink_wrap_sigma, "
        "shrink_wrap_threshold, q_squared_weights, starts (3), seed, threads, density_every, and "
        "cycles=(cycles, hio, er, final_er) for the schedule. progress(dict) is called after every iteration "
        "with start, starts, iteration, iterations, kind, real_space_error, invariant_error and density (every "
        "density_every iterations, else None); returning False cancels.");
}

} // namespace

void bindInvariantsClass(py::module_& m)
{
    py::class_<KamInvariants>(m, "Invariants",
        "Kam invariants B_l(q, q') for even l = 0 … l_max: C2(q, q', ψ) = (1/4π) Σ_l B_l(q, q') P_l(cos ψ).")
        .def(py::init(&invariantsFromArrays), py::arg("q"), py::arg("b"), py::arg("wavelength") = 0.0,
            "From arrays: q (n_q,) in Å⁻¹ and b (l_max/2 + 1, n_q, n_q), even l at block l/2.")
        .def_readonly("n_q", &KamInvariants::nQ)
        .def_readonly("l_max", &KamInvariants::lMax)
        .def_readonly("wavelength", &KamInvariants::wavelengthA, "Å (0: unknown).")
        .def_property_readonly("q", [](py::object self) {
            const auto& k = self.cast<const KamInvariants&>();
            return viewArray(k.qInvA, { k.nQ }, self);
        }, "q of the rows and columns, Å⁻¹.")
        .def_property_readonly("b", [](py::object self) {
            const auto& k = self.cast<const KamInvariants&>();
            return viewArray(k.b, { k.lCount(), k.nQ, k.nQ }, self);
        }, "B_l as (l_max/2 + 1, n_q, n_q); block l/2 holds B_l.")
        .def("B", [](py::object self, int l) {
            const auto& k = self.cast<const KamInvariants&>();
            if (l < 0 || l > k.lMax || l % 2) {
                throw py::value_error("B: l must be even and in [0, " + std::to_string(k.lMax) + "], got " + std::to_string(l));
            }
            return py::object(self.attr("b")[py::int_(l / 2)]);
        }, py::arg("l"), "The (n_q, n_q) matrix B_l.");
}

void bindAnalysis(py::module_& m)
{
    bindInvariants(m);
    bindReconstruction(m);
}

} // namespace fxs::python
