// Benchmark-only entry points of the CUDA backend: see fxs/gpu/GpuBenchHooks.h.
#include "GpuC2AccumulatorImpl.cuh"

#include <cstring>
#include <fxs/gpu/GpuBenchHooks.h>

namespace fxs {

Result<double> GpuBenchHooks::rerunResident(GpuC2Accumulator& accumulator, int repeats)
{
    GpuC2Accumulator::Impl& m = *accumulator.m_impl;
    if (m.lastSlot < 0) {
        return Error { "no batch on the device yet" };
    }
    cudaStreamSynchronize(m.copyStream);
    cudaEvent_t start, stop;
    cudaEventCreate(&start);
    cudaEventCreate(&stop);
    cudaEventRecord(start, m.computeStream);
    for (int i = 0; i < repeats; ++i) {
        if (Status s = m.compute(m.lastSlot, m.lastCount, m.lastWStride, m.lastDeviceMasks, m.lastHalf); !s) {
            return Error { s.message() };
        }
        m.pendingShots[0] += m.lastHalf[0];
        m.pendingShots[1] += m.lastHalf[1];
        m.added += m.lastCount;
        m.floatFrames += m.lastCount;
        if (m.floatFrames >= m.cfg.foldFrames) {
            m.fold();
        }
    }
    cudaEventRecord(stop, m.computeStream);
    cudaEventSynchronize(stop);
    float ms = 0;
    cudaEventElapsedTime(&ms, start, stop);
    cudaEventDestroy(start);
    cudaEventDestroy(stop);
    return ms / 1000.0;
}

std::shared_ptr<float> GpuBenchHooks::allocatePinned(std::size_t floats)
{
    float* p = nullptr;
    if (cudaMallocHost(reinterpret_cast<void**>(&p), floats * sizeof(float)) != cudaSuccess) {
        return {};
    }
    return std::shared_ptr<float>(p, [](float* q) { cudaFreeHost(q); });
}

Result<double> GpuBenchHooks::measureHostToDevice(std::size_t bytes)
{
    auto host = allocatePinned(bytes / sizeof(float));
    void* dev = nullptr;
    if (!host || cudaMalloc(&dev, bytes) != cudaSuccess) {
        return Error { "CUDA: cannot allocate " + std::to_string(bytes) + " bytes to measure copies" };
    }
    std::memset(host.get(), 1, bytes);
    cudaMemcpy(dev, host.get(), bytes, cudaMemcpyHostToDevice); // warm-up
    cudaEvent_t start, stop;
    cudaEventCreate(&start);
    cudaEventCreate(&stop);
    cudaEventRecord(start);
    const int repeats = 5;
    for (int i = 0; i < repeats; ++i) {
        cudaMemcpyAsync(dev, host.get(), bytes, cudaMemcpyHostToDevice);
    }
    cudaEventRecord(stop);
    cudaEventSynchronize(stop);
    float ms = 0;
    cudaEventElapsedTime(&ms, start, stop);
    cudaEventDestroy(start);
    cudaEventDestroy(stop);
    cudaFree(dev);
    return static_cast<double>(bytes) * repeats / (ms / 1000.0);
}

} // namespace fxs
