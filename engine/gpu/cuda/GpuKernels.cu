#include "GpuKernels.cuh"

namespace fxs::gpu {

__global__ void prepareRows(
    const float* I, const float* W, long long wStride, float* out, float* maskOut, int nQ, int nPhi, int subtractMean)
{
    const int q = blockIdx.x;
    const long long frame = blockIdx.y;
    const long long row = frame * nQ + q;
    const float* i = I + row * nPhi;
    const float* w = W + frame * wStride + static_cast<long long>(q) * nPhi;
    __shared__ double sw[256];
    __shared__ double swi[256];
    double a = 0.0, b = 0.0;
    for (int p = threadIdx.x; p < nPhi; p += blockDim.x) {
        const float wp = w[p];
        if (wp > 0.0f) {
            a += wp;
            b += static_cast<double>(wp) * i[p];
        }
    }
    sw[threadIdx.x] = a;
    swi[threadIdx.x] = b;
    __syncthreads();
    for (int s = blockDim.x / 2; s > 0; s >>= 1) {
        if (threadIdx.x < s) {
            sw[threadIdx.x] += sw[threadIdx.x + s];
            swi[threadIdx.x] += swi[threadIdx.x + s];
        }
        __syncthreads();
    }
    const double mean = (subtractMean && sw[0] > 0.0) ? swi[0] / sw[0] : 0.0;
    float* o = out + row * nPhi;
    float* m = maskOut ? maskOut + row * nPhi : nullptr;
    for (int p = threadIdx.x; p < nPhi; p += blockDim.x) {
        const float wp = w[p];
        o[p] = wp > 0.0f ? static_cast<float>(wp * (i[p] - mean)) : 0.0f;
        if (m) {
            m[p] = wp;
        }
    }
}

__global__ void accumulateMean(
    const float* I, const float* W, long long wStride, int frames, int bins, double* num, double* den)
{
    const int b = blockIdx.x * blockDim.x + threadIdx.x;
    if (b >= bins) {
        return;
    }
    double a = 0.0, c = 0.0;
    for (int f = 0; f < frames; ++f) {
        const float w = W[f * wStride + b];
        if (w > 0.0f) {
            a += static_cast<double>(w) * I[static_cast<long long>(f) * bins + b];
            c += w;
        }
    }
    num[b] += a;
    den[b] += c;
}

// 32 × 32 tiles through shared memory: reads run along n, writes along q, both coalesced.
__global__ void transposeSpectra(
    const cuComplex* spec, cuComplex* T, const int* destRow, int frames, int nQ, int nF, int nKeep, int batch)
{
    __shared__ cuComplex tile[32][33];
    const long long rows = static_cast<long long>(frames) * nQ;
    const long long r0 = static_cast<long long>(blockIdx.x) * 32;
    const int n0 = blockIdx.y * 32;
    for (int k = threadIdx.y; k < 32; k += blockDim.y) {
        const long long r = r0 + k;
        const int n = n0 + threadIdx.x;
        if (r < rows && n < nKeep) {
            tile[k][threadIdx.x] = spec[r * nF + n];
        }
    }
    __syncthreads();
    for (int k = threadIdx.y; k < 32; k += blockDim.y) {
        const int n = n0 + k;
        const long long r = r0 + threadIdx.x;
        if (r < rows && n < nKeep) {
            const long long frame = r / nQ;
            const long long q = r % nQ;
            T[(static_cast<long long>(n) * batch + destRow[frame]) * nQ + q] = tile[threadIdx.x][k];
        }
    }
}

__global__ void foldIntoDouble(cuComplex* accF, cuDoubleComplex* accD, long long n)
{
    for (long long i = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; i < n;
         i += static_cast<long long>(gridDim.x) * blockDim.x) {
        accD[i].x += accF[i].x;
        accD[i].y += accF[i].y;
        accF[i] = make_cuComplex(0.0f, 0.0f);
    }
}

__global__ void remapRawRows(const unsigned short* __restrict__ raw, long long framePixels, int frames,
    const unsigned* __restrict__ rowStart, const unsigned* __restrict__ pixel, const float* __restrict__ coef, int bins,
    float* __restrict__ out)
{
    constexpr int F = kRemapFramesPerWarp;
    const int bin = blockIdx.x * (blockDim.x / 32) + threadIdx.x / 32;
    if (bin >= bins) {
        return; // the whole warp: bin is the same for its lanes
    }
    const int lane = threadIdx.x & 31;
    const int f0 = blockIdx.y * F;
    const int nf = min(F, frames - f0);
    const unsigned short* px = raw + static_cast<long long>(f0) * framePixels;
    float acc[F] = {};
    const unsigned end = rowStart[bin + 1];
    for (unsigned k = rowStart[bin] + lane; k < end; k += 32) {
        const float c = coef[k];
        const unsigned p = pixel[k];
#pragma unroll
        for (int f = 0; f < F; ++f) {
            if (f < nf) {
                acc[f] += c * static_cast<float>(px[f * framePixels + p]);
            }
        }
    }
#pragma unroll
    for (int f = 0; f < F; ++f) {
        float a = acc[f];
        for (int o = 16; o > 0; o >>= 1) {
            a += __shfl_down_sync(0xffffffffu, a, o);
        }
        if (lane == 0 && f < nf) {
            out[static_cast<long long>(f0 + f) * bins + bin] = isfinite(a) ? a : 0.0f;
        }
    }
}

__global__ void fillFloat(float* p, long long n, float v)
{
    for (long long i = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; i < n;
         i += static_cast<long long>(gridDim.x) * blockDim.x) {
        p[i] = v;
    }
}

} // namespace fxs::gpu
