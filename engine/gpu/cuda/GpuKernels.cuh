#pragma once

// Device kernels of the CUDA C2 backend (GpuC2Accumulator.cu).

#include <cuComplex.h>
#include <cuda_runtime.h>

namespace fxs::gpu {

/// δI = w (I − ring mean) (or w I) per (frame, q) row; also the weights themselves when maskOut is not null.
/// Grid (nQ, frames), one block per row. wStride is 0 for one static mask shared by every frame.
__global__ void prepareRows(
    const float* I, const float* W, long long wStride, float* out, float* maskOut, int nQ, int nPhi, int subtractMean);

/// Σ_frames w I and Σ_frames w added into double sums, one thread per (q, φ) bin.
__global__ void accumulateMean(
    const float* I, const float* W, long long wStride, int frames, int bins, double* num, double* den);

/// spec [frame][q][n] (n < nF) → T [n][destRow[frame]][q] for n < nKeep: the layout the GEMM reads.
__global__ void transposeSpectra(
    const cuComplex* spec, cuComplex* T, const int* destRow, int frames, int nQ, int nF, int nKeep, int batch);

/// acc_d += acc_f; acc_f = 0.
__global__ void foldIntoDouble(cuComplex* accF, cuDoubleComplex* accD, long long n);

/// Raw detector frames → polar rows through the CSR of a PolarRemapper (uint16 → float): one warp per polar bin
/// for kRemapFramesPerWarp frames at once (the bin's row is read once for them), lanes striding the row, then a
/// shuffle reduction; a non-finite sum gives 0 (as on the CPU). Grid (⌈bins / warps per block⌉,
/// ⌈frames / kRemapFramesPerWarp⌉); out is frames × bins.
constexpr int kRemapFramesPerWarp = 4;
__global__ void remapRawRows(const unsigned short* raw, long long framePixels, int frames, const unsigned* rowStart,
    const unsigned* pixel, const float* coef, int bins, float* out);

/// Fills n floats with a value (poisoning buffers in tests).
__global__ void fillFloat(float* p, long long n, float v);

} // namespace fxs::gpu
