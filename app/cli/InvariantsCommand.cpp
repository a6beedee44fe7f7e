#include "CliSupport.h"
#include "Commands.h"
#include "ResultsReader.h"
#include "RunOutput.h"

#include <filesystem>
#include <fxs/correlation/C2Snapshot.h>
#include <fxs/results/ResultsFile.h>
#include <iostream>

namespace fxs::cli {

namespace {
struct InvariantsOptions {
    std::string input;
    std::string out;
    int lMax = -1;
    double diameterA = 0.0;
    std::string method = "lsq";
    double particlesPerShot = 1.0;
    double tikhonov = 0.0;
    double wavelengthA = 0.0;
    int threads = 0;
};

int runInvariants(const InvariantsOptions& o, const CLI::App& sub)
{
    const std::string cmd = "invariants";
    auto stored = readResults(o.input);
    if (!stored) {
        return fail(cmd, kExitBadInput, stored.error().message);
    }
    const double lambda = o.wavelengthA > 0.0 ? o.wavelengthA : stored->wavelengthA;
    if (lambda <= 0.0) {
        return fail(cmd, kExitBadInput, o.input + ": the wavelength is unknown; give --wavelength");
    }
    if (o.lMax < 0 && o.diameterA <= 0.0) {
        return fail(cmd, kExitBadInput, "give --l-max or --particle-diameter (L ~ q_max * D)");
    }
    InvariantOptions io;
    io.method
        = o.method == "backsub" ? InvariantOptions::Method::BackSubstitution : InvariantOptions::Method::LeastSquares;
    io.lMax = o.lMax;
    io.particleDiameterA = o.diameterA;
    io.meanParticlesPerShot = o.particlesPerShot;
    io.tikhonov = o.tikhonov;
    io.threads = o.threads;
    const C2Snapshot snap = C2Snapshot::compute(stored->sums, { .threads = o.threads });
    auto inv = KamInvariants::fromSnapshot(snap, stored->grid, lambda, io);
    if (!inv) {
        return fail(cmd, kExitProcessing, inv.error().message);
    }
    const std::string out
        = o.out.empty() ? std::filesystem::path(o.input).replace_extension("").string() + "_invariants.h5" : o.out;
    auto file = ResultsFile::create(out);
    if (!file) {
        return fail(cmd, kExitProcessing, file.error().message);
    }
    const auto grid = gridArray(stored->grid, lambda);
    for (Status st : { (*file)->writeArray("polar_grid", grid, { 5 }, "n_q, n_phi, q_min, q_max, wavelength"),
             (*file)->writeSums(stored->sums), (*file)->writeSnapshot(snap), writeInvariants(**file, *inv),
             (*file)->writeConfiguration(effectiveConfig(sub)), (*file)->close() }) {
        if (!st) {
            return fail(cmd, kExitProcessing, out + ": " + st.message());
        }
    }
    std::cout << "invariants: B_l for l = 0, 2, ..., " << inv->lMax << " on " << inv->nQ << " q values (" << snap.shots
              << " shots)\n  results file:  " << std::filesystem::absolute(out).string() << "\n";
    return kExitOk;
}
} // namespace

void registerInvariants(CLI::App& app, CommandRegistry& registry)
{
    auto* sub = app.add_subcommand("invariants", "Kam invariants B_l(q, q') of a results file");
    auto o = std::make_shared<InvariantsOptions>();
    sub->add_option("input", o->input, "Results file (from fxs correlate or demo)")->required();
    sub->add_option("--out", o->out, "Results file to write (default: <input>_invariants.h5)");
    sub->add_option("--l-max", o->lMax, "Highest even l (-1: from --particle-diameter)")->capture_default_str();
    sub->add_option("--particle-diameter", o->diameterA, "Particle diameter in A (sets l_max ~ q_max * D)");
    sub->add_option("--method", o->method, "lsq (least squares over delta) or backsub (from the Fourier coefficients)")
        ->capture_default_str()
        ->check(CLI::IsMember({ "lsq", "backsub" }));
    sub->add_option("--particles-per-shot", o->particlesPerShot, "Mean particles per shot <N>")->capture_default_str();
    sub->add_option("--tikhonov", o->tikhonov, "Ridge weight of the least-squares fit")->capture_default_str();
    sub->add_option("--wavelength", o->wavelengthA, "Wavelength in A (default: from the results file)");
    sub->add_option("--threads", o->threads, "Worker threads (0: all cores)")->capture_default_str();
    sub->footer("Example:\n  fxs invariants run.h5 --particle-diameter 60 --out run_inv.h5");
    registry.add(sub, [o, sub] { return runInvariants(*o, *sub); });
}

} // namespace fxs::cli
