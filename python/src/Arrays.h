#pragma once

// Helpers shared by the binding files: engine errors as Python exceptions, numpy arrays that take over or view
// engine vectors without copying, and the registration functions of each file.

#include <fxs/core/Result.h>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace fxs::python {

namespace py = pybind11;

/// An engine Error on its way to Python: raised there as fxs.FxsError with the engine's message.
class EngineError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Raises the Status's message when it failed.
inline void check(const Status& status)
{
    if (!status) {
        throw EngineError(status.message());
    }
}

/// The value, or raises the error's message.
template <class T> T unwrap(Result<T>&& result)
{
    if (!result) {
        throw EngineError(result.error().message);
    }
    return std::move(result.value());
}

/// A numpy array that owns `values` (moved, not copied), with the given shape (row-major).
template <class T> py::array_t<T> ownedArray(std::vector<T>&& values, std::vector<py::ssize_t> shape)
{
    auto* owned = new std::vector<T>(std::move(values));
    py::capsule free(owned, [](void* p) { delete static_cast<std::vector<T>*>(p); });
    return py::array_t<T>(std::move(shape), owned->data(), free);
}

/// A numpy view of `values` that keeps `owner` (the Python object holding them) alive; read-only. Values that do not
/// fill `shape` (an array not computed, hence empty) are shown flat.
template <class T> py::array_t<T> viewArray(const std::vector<T>& values, std::vector<py::ssize_t> shape, py::handle owner)
{
    py::ssize_t n = 1;
    for (py::ssize_t d : shape) {
        n *= d;
    }
    if (n != static_cast<py::ssize_t>(values.size())) {
        shape = { static_cast<py::ssize_t>(values.size()) };
    }
    py::array_t<T> a(std::move(shape), values.data(), owner);
    py::detail::array_proxy(a.ptr())->flags &= ~py::detail::npy_api::NPY_ARRAY_WRITEABLE_;
    return a;
}

/// A float32 C-contiguous view of `a` (a copy only when its type or layout differ).
using FloatArray = py::array_t<float, py::array::c_style | py::array::forcecast>;
using DoubleArray = py::array_t<double, py::array::c_style | py::array::forcecast>;

/// Shape of `a` as a vector, for messages and checks.
std::vector<py::ssize_t> shapeOf(const py::array& a);
/// "(3, 4, 5)".
std::string shapeText(const std::vector<py::ssize_t>& shape);

void bindGeometry(py::module_& m);
void bindCorrelation(py::module_& m);
void bindResults(py::module_& m);
void bindAnalysis(py::module_& m);
void bindSimulation(py::module_& m);
void bindRemote(py::module_& m);

} // namespace fxs::python
