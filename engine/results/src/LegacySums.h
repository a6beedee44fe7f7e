#pragma once

// Private: the reader of fxs-worker's earlier sums files ("FXS1SUMS"), kept so that checkpoints and results of jobs
// run before the one sums format can still be resumed and fetched. Nothing writes this layout any more.

#include <fxs/results/SumsFile.h>

#include <fstream>

namespace fxs::detail {

inline constexpr char kFxs1SumsMagic[8] = { 'F', 'X', 'S', '1', 'S', 'U', 'M', 'S' };

/// Reads an FXS1SUMS file from `in` (at its first byte): "FXS1SUMS", uint32 header length, a JSON header (n_q, n_phi,
/// n_max, ring_mean_subtracted, shots, computation_hash, units_done, rejected), then signal[0], signal[1], mask[0],
/// mask[1] complex128 and the image sums float64. With `arrays` false, the header only.
Result<SumsFile> readFxs1Sums(std::ifstream& in, const std::filesystem::path& path, bool arrays);

} // namespace fxs::detail
