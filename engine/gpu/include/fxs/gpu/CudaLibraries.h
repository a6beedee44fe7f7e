#pragma once

#include <string>

namespace fxs::detail {

/// Loads cuFFT and cuBLAS (once; engine/gpu/cuda/CudaLibraries.cpp) and finds the functions the GPU backend calls:
/// a CUDA build does not link them, so that programs that never correlate on a GPU do not pay their start-up.
/// False with the reason (which library or function is missing, or a build without CUDA) when they cannot be used.
bool loadCudaLibraries(std::string* why = nullptr);

} // namespace fxs::detail
