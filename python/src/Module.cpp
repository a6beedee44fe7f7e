// The compiled part of the `fxs` package: one file per engine area registers its classes here.
#include "Arrays.h"

#include <fxs/core/Version.h>

namespace py = pybind11;

PYBIND11_MODULE(_fxs, m)
{
    m.doc() = "FXS Monitor's engine: geometry, polar remap, C2 accumulation, results files, Kam invariants, "
              "M-TIP reconstruction, the simulator and the fxs-server client.";
    auto error = py::register_exception<fxs::python::EngineError>(m, "FxsError", PyExc_RuntimeError);
    error.doc() = "An error reported by the engine; the message names the file, option or value at fault.";
    m.attr("__version__") = std::string(fxs::versionString());
    fxs::python::bindGeometry(m);
    fxs::python::bindCorrelation(m);
    fxs::python::bindResults(m);
    fxs::python::bindAnalysis(m);
    fxs::python::bindSimulation(m);
    fxs::python::bindRemote(m);
}
