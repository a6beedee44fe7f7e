#pragma once

#include "Arrays.h"

#include <fxs/invariants/KamInvariants.h>

namespace fxs::python {

/// Registers fxs.Invariants before anything that returns it.
void bindInvariantsClass(py::module_& m);

} // namespace fxs::python
