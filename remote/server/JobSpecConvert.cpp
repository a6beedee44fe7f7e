// JobSpec (what a client asks for) → WorkerConfig (what fxs-worker reads), with the checks that make a bad
// request an INVALID_ARGUMENT naming the field rather than a failed job.
#include "JobStore.h"

namespace fxs::remote {

Result<WorkerConfig> workerConfigFor(const fxs::v1::JobSpec& spec, int maxRanks)
{
    WorkerConfig c;
    switch (spec.input_case()) {
    case fxs::v1::JobSpec::kSynthetic:
        c.inputKind = "synthetic";
        c.shots = spec.synthetic().shots();
        c.seed = spec.synthetic().seed();
        c.maskedFraction = spec.synthetic().masked_fraction();
        break;
    case fxs::v1::JobSpec::kCxi:
        if (spec.cxi().paths_size() != 1) {
            return Error { "cxi.paths: exactly one file per job is supported, got "
                + std::to_string(spec.cxi().paths_size()) };
        }
        if (spec.cxi().geometry_path().empty()) {
            return Error { "cxi.geometry_path: a CrystFEL .geom file is needed to remap the frames" };
        }
        if (!std::filesystem::exists(spec.cxi().paths(0))) {
            return Error { "cxi.paths: " + spec.cxi().paths(0) + " does not exist on the server" };
        }
        if (!std::filesystem::exists(spec.cxi().geometry_path())) {
            return Error { "cxi.geometry_path: " + spec.cxi().geometry_path() + " does not exist on the server" };
        }
        c.inputKind = "cxi";
        c.cxiPath = spec.cxi().paths(0);
        c.geometryPath = spec.cxi().geometry_path();
        if (!spec.cxi().dataset().empty()) {
            c.cxiDataset = spec.cxi().dataset();
        }
        break;
    case fxs::v1::JobSpec::kSimulator:
        return Error { "input: the simulator input is not supported by this fxs-server yet; use synthetic or cxi" };
    default:
        return Error { "input: the job has no input (set synthetic, cxi or simulator)" };
    }
    if (spec.ranks() < 1 || spec.ranks() > maxRanks) {
        return Error { "ranks must be between 1 and " + std::to_string(maxRanks) + ", got "
            + std::to_string(spec.ranks()) };
    }
    if (!spec.has_grid()) {
        return Error { "grid: missing (n_q, n_phi, q_min_inv_angstrom, q_max_inv_angstrom)" };
    }
    c.nQ = spec.grid().n_q();
    c.nPhi = spec.grid().n_phi();
    c.qMinInvA = spec.grid().q_min_inv_angstrom();
    c.qMaxInvA = spec.grid().q_max_inv_angstrom();
    c.nMax = spec.n_max() <= 0 ? -1 : spec.n_max();
    c.doublePrecision = spec.double_precision();
    c.ringMeanSubtracted = spec.ring_mean_subtracted();
    c.threadsPerRank = spec.threads_per_rank() == 0 ? 1 : spec.threads_per_rank();
    c.backend = spec.backend().empty() ? "cpu" : spec.backend();
    c.gpuDevices.assign(spec.gpu_devices().begin(), spec.gpu_devices().end());
    c.shotsPerUnit = spec.shots_per_unit() == 0 ? 16 : spec.shots_per_unit();
    c.unitsPerReduce = spec.units_per_reduce() == 0 ? 4 : spec.units_per_reduce();
    if (spec.reconstruction().enabled()) {
        return Error { "reconstruction.enabled: reconstruction on the server is not supported yet" };
    }
    if (auto st = c.validate(); !st) {
        return Error { st.message() };
    }
    return c;
}

} // namespace fxs::remote
