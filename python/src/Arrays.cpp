#include "Arrays.h"

namespace fxs::python {

std::vector<py::ssize_t> shapeOf(const py::array& a) { return { a.shape(), a.shape() + a.ndim() }; }

std::string shapeText(const std::vector<py::ssize_t>& shape)
{
    std::string s = "(";
    for (std::size_t i = 0; i < shape.size(); ++i) {
        s += (i ? ", " : "") + std::to_string(shape[i]);
    }
    return s + (shape.size() == 1 ? ",)" : ")");
}

} // namespace fxs::python
