#pragma once

// Exact Kam invariants of the built-in tetramer (ParticleModel "tetramer4") from the closed form, on nQ evenly
// spaced q in [0.02, 0.5] Å⁻¹: data for widget tests and screenshots, independent of the engine's solver.

#include "KamClosedForm.h"

#include <fxs/invariants/KamInvariants.h>
#include <fxs/simulation/ParticleModel.h>

namespace fxs::test {

inline KamInvariants tetramerInvariants(int nQ, int lMax)
{
    auto model = ParticleModel::builtin("tetramer4");
    std::vector<Blob> blobs;
    for (const auto& s : model->scatterers()) {
        blobs.push_back({ s.amplitude, s.sigmaA, s.positionA });
    }
    std::vector<double> q;
    for (int i = 0; i < nQ; ++i) {
        q.push_back(0.02 + 0.48 * i / (nQ - 1));
    }
    KamInvariants inv = KamInvariants::zeros(q, lMax);
    inv.b = closedFormInvariants(blobs, q, lMax);
    return inv;
}

} // namespace fxs::test
