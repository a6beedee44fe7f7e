// The CUDA backend's state, shared by GpuC2Accumulator.cu and the benchmark hooks (GpuBenchHooks.cu): not a
// public header (it names CUDA types).
#pragma once

#include <algorithm>
#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <cufft.h>
#include <functional>
#include <fxs/correlation/MaskSpectra.h>
#include <fxs/gpu/GpuC2Accumulator.h>
#include <memory>
#include <string>
#include <vector>

namespace fxs {

namespace gpu {

inline std::string cudaMessage(cudaError_t e, const char* what)
{
    return std::string("CUDA: ") + what + ": " + cudaGetErrorString(e);
}

// A device allocation released on destruction.
template <class T> class DeviceArray {
public:
    DeviceArray() = default;
    ~DeviceArray() { cudaFree(m_p); }
    DeviceArray(const DeviceArray&) = delete;
    DeviceArray& operator=(const DeviceArray&) = delete;
    cudaError_t allocate(std::size_t n)
    {
        m_n = n;
        const cudaError_t e = cudaMalloc(reinterpret_cast<void**>(&m_p), std::max<std::size_t>(1, n) * sizeof(T));
        return e == cudaSuccess ? cudaMemset(m_p, 0, n * sizeof(T)) : e;
    }
    T* get() const { return m_p; }
    std::size_t size() const { return m_n; }

private:
    T* m_p = nullptr;
    std::size_t m_n = 0;
};

// Pinned host memory released on destruction.
template <class T> class PinnedArray {
public:
    PinnedArray() = default;
    ~PinnedArray() { cudaFreeHost(m_p); }
    PinnedArray(const PinnedArray&) = delete;
    PinnedArray& operator=(const PinnedArray&) = delete;
    cudaError_t allocate(std::size_t n)
    {
        return cudaMallocHost(reinterpret_cast<void**>(&m_p), std::max<std::size_t>(1, n) * sizeof(T));
    }
    T* get() const { return m_p; }

private:
    T* m_p = nullptr;
};

} // namespace gpu

struct GpuC2Accumulator::Impl {
    GpuC2Config cfg;
    int nQ = 0, nPhi = 0, nF = 0, nFreq = 0, B = 0;
    std::size_t frameFloats = 0;
    cudaStream_t copyStream = nullptr, computeStream = nullptr;
    cudaEvent_t copied[2] {}, consumed[2] {};
    cufftHandle plan = 0;
    cublasHandle_t blas = nullptr;
    template <class T> using DeviceArray = gpu::DeviceArray<T>;
    template <class T> using PinnedArray = gpu::PinnedArray<T>;
    DeviceArray<float> dI[2], dW[2], dStatic, dReal, dMaskReal;
    DeviceArray<cuComplex> dSpec, dT, dAccF[2], dMaskAccF[2];
    DeviceArray<cuDoubleComplex> dAccD[2], dMaskAccD[2];
    DeviceArray<double> dMeanNum, dMeanDen;
    DeviceArray<int> dDest[2];
    PinnedArray<float> hI[2], hW[2]; // staging for add(), one per slot
    PinnedArray<int> hDest[2];
    PinnedArray<cuDoubleComplex> hTotals; // flush() downloads through it
    int staged = 0;
    std::int64_t stagedFirstShot = 0;
    std::vector<std::int64_t> stagedShots;
    int slot = 0;
    bool deviceMasksUsed = false;
    std::int64_t pendingShots[2] = { 0, 0 }; // on the device, not yet in the totals
    std::int64_t floatFrames = 0; // frames in the float accumulators since the last fold
    std::int64_t added = 0;
    std::int64_t bytesCopied = 0;
    std::string deviceName;
    std::vector<float> staticMask;
    PolarFrame staticMaskFrame; // its weights are staticMask (the raw path counts it per batch)
    std::unique_ptr<detail::MaskSpectra> hostMasks;
    // The device remap of raw frames (setDeviceRemap): the CSR on the device, raw batches double-buffered.
    bool rawRemap = false;
    int rawSlow = 0, rawFast = 0;
    std::size_t rawPixels = 0; // per frame
    DeviceArray<unsigned> dRowStart, dPixel;
    DeviceArray<float> dCoef;
    DeviceArray<std::uint16_t> dRaw[2];
    PinnedArray<std::uint16_t> hRaw[2]; // staging for addRaw(), one per slot
    bool stagedRaw = false; // the staged frames are raw (hRaw), not polar (hI, hW)
    C2Sums own;
    C2Sink* sink = nullptr;

    ~Impl()
    {
        if (computeStream) {
            cudaStreamSynchronize(computeStream);
        }
        if (copyStream) {
            cudaStreamSynchronize(copyStream);
        }
        for (int i = 0; i < 2; ++i) {
            if (copied[i]) {
                cudaEventDestroy(copied[i]);
            }
            if (consumed[i]) {
                cudaEventDestroy(consumed[i]);
            }
        }
        if (plan) {
            cufftDestroy(plan);
        }
        if (blas) {
            cublasDestroy(blas);
        }
        if (computeStream) {
            cudaStreamDestroy(computeStream);
        }
        if (copyStream) {
            cudaStreamDestroy(copyStream);
        }
    }

    C2Sums& target() { return sink ? sink->sums : own; }

    Status init(const GpuC2Config& c);
    Status runBatch(
        const float* I, const float* W, long long wStride, const std::int64_t* shots, int count, bool deviceMasks);
    Status compute(int s, int count, long long wStride, bool deviceMasks, const int half[2]);
    Status runRawBatch(const std::uint16_t* raw, const std::int64_t* shots, int count);
    Status runStaged(); // the frames staged by add() or addRaw(), if any
    Status stageNext(bool raw); // before staging a frame (raw or polar): sends staged frames of the other kind
    // Uploads `count` frames' destination rows (even shots first, then odd) and the inputs, after the compute
    // stream is done with slot s; the compute stream then waits for them.
    void upload(int s, const std::int64_t* shots, int count, int half[2],
        const std::function<void(cudaStream_t)>& copies);
    int lastSlot = -1, lastCount = 0, lastHalf[2] = { 0, 0 };
    long long lastWStride = 0;
    bool lastDeviceMasks = false;
    bool lastRaw = false; // the last batch came raw: re-running it remaps it again
    void remap(int s, int count); // dRaw[s] → dI[s]
    void gemmHalves(const cuComplex* T, int keep, const int count[2], cuComplex* const acc[2]);
    Status fold();
    Status flush();
};

} // namespace fxs
