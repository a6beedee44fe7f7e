// fxs.open_results (HDF5 results files and the engine's sums files) and fxs.write_results.
#include "AnalysisBindings.h"
#include "CorrelationBindings.h"
#include "ResultsReader.h"

#include <fxs/results/ResultsFile.h>
#include <fxs/results/SumsFile.h>

#include <pybind11/stl.h>

#include <array>
#include <cstring>
#include <fstream>
#include <optional>

namespace fxs::python {

namespace {

/// fxs.Results: what a results file or a sums file holds.
struct Results {
    std::string path;
    std::string format; ///< "hdf5" or the sums layout ("FXSCKPT 3", ...)
    std::shared_ptr<C2Sums> sums;
    std::optional<PolarGrid> grid;
    double wavelengthA = 0.0;
    std::string configuration;
    std::string geometry;
    std::optional<KamInvariants> invariants;
    std::vector<double> convergenceShots, convergenceCC;
    std::vector<float> density;
    int densityN = 0;
    double densityVoxelA = 0.0;
    std::vector<std::int64_t> shotsDone;
};

/// True when the file starts like one of the engine's sums files (rather than HDF5).
bool isSumsFile(const std::string& path)
{
    std::array<char, 8> magic {};
    std::ifstream in(path, std::ios::binary);
    in.read(magic.data(), magic.size());
    const std::string m(magic.data(), magic.size());
    return m == std::string("FXSCKPT\0", 8) || m == "FXS1SUMS";
}

Results openResults(const std::string& path)
{
    Results r;
    r.path = path;
    if (isSumsFile(path)) {
        SumsFile f = unwrap(SumsFile::read(path));
        r.format = f.format;
        r.sums = std::make_shared<C2Sums>(std::move(f.sums));
        r.configuration = std::move(f.configuration);
        r.shotsDone = std::move(f.shotsDone);
        return r;
    }
    cli::StoredRun s = unwrap(cli::readResults(path));
    r.format = "hdf5";
    r.sums = std::make_shared<C2Sums>(std::move(s.sums));
    r.grid = s.grid;
    r.wavelengthA = s.wavelengthA;
    r.configuration = std::move(s.configuration);
    r.geometry = std::move(s.geometry);
    r.invariants = std::move(s.invariants);
    r.convergenceShots = std::move(s.convergenceShots);
    r.convergenceCC = std::move(s.convergenceCC);
    r.density = std::move(s.density);
    r.densityN = s.densityN;
    r.densityVoxelA = s.densityVoxelA;
    return r;
}

void writeResults(const std::string& path, const C2Sums& sums, const PolarGrid& grid, double wavelengthA,
    const std::optional<KamInvariants>& invariants, std::optional<DoubleArray> density, double voxelA,
    const std::string& configuration, const std::string& geometry)
{
    if (grid.nQ != sums.nQ || grid.nPhi != sums.nPhi) {
        throw py::value_error("write_results: the grid is " + std::to_string(grid.nQ) + " × "
            + std::to_string(grid.nPhi) + " but the sums are " + std::to_string(sums.nQ) + " × "
            + std::to_string(sums.nPhi));
    }
    std::vector<double> densityValues;
    std::int64_t n = 0;
    if (density) {
        n = density->ndim() == 3 ? density->shape(0) : 0;
        if (n == 0 || density->shape(1) != n || density->shape(2) != n) {
            throw py::value_error("density: expected a cube (n, n, n), got " + shapeText(shapeOf(*density)));
        }
        densityValues.assign(density->data(), density->data() + density->size());
    }
    py::gil_scoped_release release;
    auto file = unwrap(ResultsFile::create(path));
    const std::vector<double> g { double(grid.nQ), double(grid.nPhi), grid.qMinInvA, grid.qMaxInvA, wavelengthA };
    std::vector<Status> steps { file->writeArray("polar_grid", g, { 5 }, "n_q, n_phi, q_min (1/A), q_max (1/A), wavelength (A)"),
        file->writeSums(sums), file->writeSnapshot(C2Snapshot::compute(sums)), file->writeConfiguration(configuration) };
    if (!geometry.empty()) {
        steps.push_back(file->writeGeometry(geometry));
    }
    if (invariants) {
        const std::int64_t nQ = invariants->nQ;
        steps.push_back(file->writeArray("invariants/B_l", invariants->b, { invariants->lCount(), nQ, nQ },
            "Kam invariants B_l(q, q') for even l = 0, 2, ..., l_max (block l/2)"));
        steps.push_back(file->writeArray("invariants/q_inv_angstrom", invariants->qInvA, { nQ }, "q of B_l rows, 1/A"));
    }
    if (n > 0) {
        steps.push_back(file->writeArray("density", densityValues, { n, n, n }, "density, x fastest"));
        steps.push_back(file->writeArray("density_voxel_A", std::vector<double> { voxelA }, { 1 }, "voxel edge in A"));
    }
    steps.push_back(file->close());
    for (const Status& s : steps) {
        check(s);
    }
}

void bindResultsClass(py::module_& m)
{
    py::class_<Results>(m, "Results",
        "A results file (HDF5, docs/RESULTS_SCHEMA.md) or a sums file read back: the C2 sums and what the run "
        "stored beside them. snapshot() recomputes the normalised C2 (the same function that wrote /c2).")
        .def_readonly("path", &Results::path)
        .def_readonly("format", &Results::format,
            "'hdf5', or the sums file layout ('FXSCKPT 3', older 'FXSCKPT 2', 'FXS1SUMS').")
        .def_readonly("sums", &Results::sums, "The C2 sums (fxs.Sums).")
        .def_readonly("grid", &Results::grid, "The polar grid (None for a sums file).")
        .def_readonly("wavelength", &Results::wavelengthA, "Wavelength in Å (0: unknown).")
        .def_readonly("configuration", &Results::configuration, "The run's configuration (JSON text).")
        .def_readonly("geometry", &Results::geometry, "The run's .geom text (empty for polar input).")
        .def_readonly("invariants", &Results::invariants, "Kam invariants stored in the file, or None.")
        .def_property_readonly("convergence", [](const Results& r) {
            return py::make_tuple(ownedArray(std::vector<double>(r.convergenceShots), { py::ssize_t(r.convergenceShots.size()) }),
                ownedArray(std::vector<double>(r.convergenceCC), { py::ssize_t(r.convergenceCC.size()) }));
        }, "(shots, split-half CC) samples of the run.")
        .def_property_readonly("density", [](py::object self) -> py::object {
            const auto& r = self.cast<const Results&>();
            if (r.densityN == 0) {
                return py::none();
            }
            return viewArray(r.density, { r.densityN, r.densityN, r.densityN }, self);
        }, "The reconstructed density (n, n, n) indexed [z, y, x], or None.")
        .def_readonly("density_voxel", &Results::densityVoxelA, "Voxel edge of the density in Å.")
        .def_property_readonly("shots_done", [](const Results& r) {
            return ownedArray(std::vector<std::int64_t>(r.shotsDone), { py::ssize_t(r.shotsDone.size()) });
        }, "Indices of the shots in the sums (local checkpoints; empty otherwise).")
        .def("snapshot", [](const Results& r, bool sh, bool is, bool f, int t, double thr) {
            return snapshotOf(*r.sums, snapshotOptions(sh, is, f, t, thr));
        },
            FXS_SNAPSHOT_ARGS, "The normalised C2 of the stored sums.");
}

} // namespace

void bindResults(py::module_& m)
{
    bindInvariantsClass(m);
    bindResultsClass(m);
    m.def("open_results", [](const std::string& path) {
        py::gil_scoped_release release;
        return openResults(path);
    },
        py::arg("path"),
        "Reads a results file (HDF5) or a sums file (checkpoint, fxs-server's C2 result); FxsError names the file "
        "and what is missing or malformed.");
    m.def("write_results", &writeResults, py::arg("path"), py::arg("sums"), py::arg("grid"),
        py::arg("wavelength") = 0.0, py::arg("invariants") = py::none(), py::arg("density") = py::none(),
        py::arg("density_voxel") = 0.0, py::arg("configuration") = "{}", py::arg("geometry") = "",
        "Writes a results file (docs/RESULTS_SCHEMA.md): /sums, /c2 (the snapshot of the sums), "
        "/analysis/polar_grid, and the invariants and density when given.");
}

} // namespace fxs::python
