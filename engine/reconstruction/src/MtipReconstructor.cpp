#include <fxs/reconstruction/MtipReconstructor.h>

#include "MtipWorkspace.h"
#include <fxs/core/ParallelRange.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>
#include <string>

namespace fxs {

std::vector<MtipStep> MtipConfig::cycles(int cycles, int hio, int er, int finalEr)
{
    std::vector<MtipStep> s;
    for (int c = 0; c < cycles; ++c) {
        s.push_back({ MtipStep::Kind::Hio, hio });
        s.push_back({ MtipStep::Kind::ShrinkWrap, 1 });
        s.push_back({ MtipStep::Kind::Er, er });
    }
    if (finalEr > 0) {
        s.push_back({ MtipStep::Kind::Er, finalEr });
    }
    return s;
}

std::vector<MtipStep> MtipConfig::defaultSchedule() { return cycles(5, 60, 40, 100); }

int MtipConfig::iterationCount(const std::vector<MtipStep>& schedule)
{
    int n = 0;
    for (const auto& s : schedule) {
        n += s.kind == MtipStep::Kind::ShrinkWrap ? 0 : std::max(0, s.iterations);
    }
    return n;
}

MtipReconstructor::MtipReconstructor(MtipConfig config)
    : m_config(std::move(config))
{
}

namespace {

struct Setup {
    int n = 0;
    double voxelA = 0.0;
    double dk = 0.0;
    KamInvariants shells;
};

Status checkConfig(const MtipConfig& c, const KamInvariants& inv)
{
    if (c.gridSize < 8 || c.gridSize > 512 || c.gridSize % 2 != 0) {
        return Error { "M-TIP: the grid size must be even and between 8 and 512 (got " + std::to_string(c.gridSize)
            + ")" };
    }
    if (inv.nQ < 1 || inv.qInvA.size() != static_cast<std::size_t>(inv.nQ)
        || inv.b.size() != static_cast<std::size_t>(inv.lCount()) * inv.nQ * inv.nQ) {
        return Error { "M-TIP: the invariants are empty or inconsistent (n_q = " + std::to_string(inv.nQ) + ")" };
    }
    if (!std::all_of(inv.b.begin(), inv.b.end(), [](double v) { return std::isfinite(v); })) {
        return Error { "M-TIP: the invariants hold non-finite values" };
    }
    if (!std::is_sorted(inv.qInvA.begin(), inv.qInvA.end()) || !(inv.qInvA.back() > 0.0)) {
        return Error { "M-TIP: the invariants' q values must be ascending and positive" };
    }
    if (MtipConfig::iterationCount(c.schedule) < 1 || c.starts < 1) {
        return Error { "M-TIP: the schedule has no HIO/ER iteration or the number of starts is below 1" };
    }
    if (!(c.hioBeta > 0.0) || !(c.shrinkWrapThreshold > 0.0) || !(c.shrinkWrapThreshold < 1.0)) {
        return Error { "M-TIP: HIO β must be positive and the shrink-wrap threshold within (0, 1)" };
    }
    return Status::success();
}

// Grid spacing and shells: the shells are the invariants' q below the grid's usable frequency (n/2 − 1)·dk,
// evenly thinned to maxShells (trilinear sampling needs one voxel of margin before the Nyquist wrap).
Result<Setup> makeSetup(const MtipConfig& c, const KamInvariants& inv)
{
    Setup s;
    s.n = c.gridSize;
    const double qTop = inv.qInvA.back();
    s.voxelA = c.voxelSizeA > 0.0 ? c.voxelSizeA : 2.0 * std::numbers::pi * (s.n / 2 - 1) / (s.n * qTop);
    s.dk = 2.0 * std::numbers::pi / (s.n * s.voxelA);
    std::vector<int> rows;
    for (int i = 0; i < inv.nQ; ++i) {
        if (inv.qInvA[i] > 0.0 && inv.qInvA[i] <= (s.n / 2 - 1) * s.dk * (1.0 + 1e-9)) {
            rows.push_back(i);
        }
    }
    if (rows.size() < 2) {
        return Error { "M-TIP: fewer than two q shells fit the grid (voxel " + std::to_string(s.voxelA)
            + " Å); use a smaller voxel size" };
    }
    const int maxShells = c.maxShells > 0 ? c.maxShells : s.n / 2;
    if (static_cast<int>(rows.size()) > maxShells) {
        std::vector<int> thin;
        for (int k = 0; k < maxShells; ++k) {
            thin.push_back(rows[static_cast<std::size_t>(std::llround(k * (rows.size() - 1.0) / (maxShells - 1)))]);
        }
        rows = thin;
    }
    s.shells = inv.subset(rows, c.lMax >= 0 ? c.lMax : inv.lMax);
    return s;
}

std::vector<float> toFloat(const std::vector<double>& v) { return { v.begin(), v.end() }; }

struct StartOutcome {
    std::vector<double> rho;
    std::vector<std::uint8_t> support;
    std::vector<double> history;
    std::vector<double> invariantError;
    double error = 0.0;
    bool cancelled = false;
};

} // namespace

namespace {

StartOutcome runStart(
    const MtipConfig& c, const Setup& s, detail::MtipWorkspace& ws, int start, const MtipControl& control)
{
    const int n = s.n;
    const std::size_t size = static_cast<std::size_t>(n) * n * n;
    StartOutcome out;
    out.rho.assign(size, 0.0);
    out.support.assign(size, 0);
    const double diameter = c.particleDiameterA > 0.0 ? c.particleDiameterA : 0.5 * n * s.voxelA;
    const double r2 = std::pow(0.5 * diameter * c.initialSupportScale / s.voxelA, 2);
    std::mt19937_64 rng(c.seed * 0x9E3779B97F4A7C15ULL + static_cast<std::uint64_t>(start));
    std::uniform_real_distribution<double> uni(0.0, 1.0);
    for (int iz = 0; iz < n; ++iz) {
        for (int iy = 0; iy < n; ++iy) {
            for (int ix = 0; ix < n; ++ix) {
                const double d2 = std::pow(ix - n / 2, 2) + std::pow(iy - n / 2, 2) + std::pow(iz - n / 2, 2);
                const std::size_t i = (static_cast<std::size_t>(iz) * n + iy) * n + ix;
                out.support[i] = d2 <= r2 ? 1 : 0;
                out.rho[i] = out.support[i] ? uni(rng) : 0.0;
            }
        }
    }
    std::vector<double> rhoPrime;
    const int total = MtipConfig::iterationCount(c.schedule);
    int it = 0;
    for (const MtipStep& step : c.schedule) {
        if (step.kind == MtipStep::Kind::ShrinkWrap) {
            ws.shrinkWrap(out.rho, out.support, c.shrinkWrapSigmaVoxels, c.shrinkWrapThreshold);
            continue;
        }
        for (int k = 0; k < step.iterations; ++k) {
            if (control.cancel && control.cancel->load()) {
                out.cancelled = true;
                return out;
            }
            out.invariantError = ws.fourierProjection(out.rho, rhoPrime);
            out.error = ws.realSpaceStep(step.kind, c.hioBeta, out.rho, rhoPrime, out.support);
            out.history.push_back(out.error);
            ++it;
            if (!control.progress) {
                continue;
            }
            MtipProgress p { start, c.starts, it, total, step.kind, out.error, out.invariantError, {} };
            const bool asked = control.densityRequest && control.densityRequest->exchange(false);
            if (asked || (c.densityEvery > 0 && it % c.densityEvery == 0)) {
                p.density = toFloat(out.rho);
            }
            control.progress(p);
        }
    }
    return out;
}

} // namespace

Result<MtipResult> MtipReconstructor::run(const KamInvariants& invariants, const MtipControl& control) const
{
    const MtipConfig& c = m_config;
    if (Status st = checkConfig(c, invariants); !st) {
        return Error { st.message() };
    }
    Result<Setup> setup = makeSetup(c, invariants);
    if (!setup) {
        return setup.error();
    }
    const Setup& s = *setup;
    detail::MtipWorkspace ws(s.n, s.dk, s.shells, c.qSquaredWeights, detail::resolveThreads(c.threads));
    MtipResult result;
    result.gridSize = s.n;
    result.voxelSizeA = s.voxelA;
    result.lMax = s.shells.lMax;
    result.shellQInvA = s.shells.qInvA;
    StartOutcome best;
    bool haveBest = false;
    for (int start = 0; start < c.starts; ++start) {
        StartOutcome o = runStart(c, s, ws, start, control);
        const bool cancelled = o.cancelled;
        result.iterationsRun += static_cast<int>(o.history.size());
        if (!cancelled || !haveBest) {
            result.startRealSpaceErrors.push_back(o.error);
        }
        if (!haveBest || (!cancelled && o.error < best.error)) {
            result.bestStart = start;
            best = std::move(o);
            haveBest = true;
        }
        if (cancelled || (control.cancel && control.cancel->load())) {
            result.cancelled = true;
            break;
        }
    }
    result.density = toFloat(best.rho);
    result.support = std::move(best.support);
    result.realSpaceError = best.error;
    result.invariantError = std::move(best.invariantError);
    result.realSpaceErrorHistory = std::move(best.history);
    return result;
}

} // namespace fxs
