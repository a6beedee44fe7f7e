#include "RunOutput.h"

#include <fxs/sources/InputIdentity.h>
#include <fxs/results/ResultsFile.h>

namespace fxs::cli {

std::vector<double> gridArray(const PolarGrid& grid, double wavelengthA)
{
    return { static_cast<double>(grid.nQ), static_cast<double>(grid.nPhi), grid.qMinInvA, grid.qMaxInvA, wavelengthA };
}

Status writeInvariants(ResultsFile& file, const KamInvariants& inv)
{
    const std::int64_t nQ = inv.nQ;
    if (auto st = file.writeArray("invariants/B_l", inv.b, { inv.lCount(), nQ, nQ },
            "Kam invariants B_l(q, q') for even l = 0, 2, ..., l_max (block l/2), photons^2");
        !st) {
        return st;
    }
    return file.writeArray("invariants/q_inv_angstrom", inv.qInvA, { nQ }, "q of the rows and columns of B_l, 1/A");
}

Status writeShotStatistics(ResultsFile& file, const ShotLedger& ledger)
{
    const auto entries = ledger.entries();
    std::vector<double> table;
    table.reserve(entries.size() * 8);
    for (const auto& e : entries) {
        const ShotStats& s = e.stats;
        table.insert(table.end(),
            { static_cast<double>(s.shotIndex), s.sum, s.mean, s.max, static_cast<double>(s.saturated),
                s.maskedFraction, s.hitScore, s.particles });
    }
    return file.writeArray("shot_statistics", table, { static_cast<std::int64_t>(entries.size()), 8 },
        "per shot read in this session: shot_index, sum, mean, max, saturated, masked_fraction, hit_score, particles");
}

Status writeResults(const std::string& path, const ResultsContent& c)
{
    auto created = ResultsFile::create(path);
    if (!created) {
        return Error { created.error().message };
    }
    ResultsFile& f = **created;
    const std::vector<double> grid = gridArray(c.grid, c.wavelengthA);
    std::vector<Status> steps;
    steps.push_back(f.writeArray("polar_grid", grid, { 5 }, "n_q, n_phi, q_min (1/A), q_max (1/A), wavelength (A)"));
    steps.push_back(f.writeConfiguration(c.configuration));
    if (!c.geometryText.empty()) {
        steps.push_back(f.writeGeometry(c.geometryText));
    }
    if (c.run != nullptr) {
        steps.push_back(f.writeSums(c.run->sums));
        steps.push_back(f.writeLedger(c.run->ledger));
        std::vector<double> conv = c.run->convergenceShots;
        conv.insert(conv.end(), c.run->convergenceCC.begin(), c.run->convergenceCC.end());
        const auto n = static_cast<std::int64_t>(c.run->convergenceShots.size());
        steps.push_back(f.writeArray("convergence", conv, { 2, n }, "row 0: shots accepted, row 1: split-half CC"));
        steps.push_back(writeShotStatistics(f, c.run->shotLedger));
    }
    if (c.stream) {
        steps.push_back(f.writeStreamCounts(*c.stream));
    }
    if (c.snapshot != nullptr) {
        steps.push_back(f.writeSnapshot(*c.snapshot));
    }
    if (c.invariants != nullptr) {
        steps.push_back(writeInvariants(f, *c.invariants));
    }
    std::vector<InputIdentity> inputs;
    for (const auto& p : c.inputPaths) {
        if (auto id = InputIdentity::of(p)) {
            inputs.push_back(*id);
        }
    }
    if (!inputs.empty()) {
        steps.push_back(f.writeInputs(inputs));
    }
    steps.push_back(f.close());
    for (const auto& st : steps) {
        if (!st) {
            return Error { path + ": " + st.message() };
        }
    }
    return {};
}

} // namespace fxs::cli
