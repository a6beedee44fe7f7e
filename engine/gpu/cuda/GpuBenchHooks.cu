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
        if (m.lastRaw) {
            m.remap(m.lastSlot, m.lastCount);
        }
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

std::shared_ptr<std::uint16_t> GpuBenchHooks::allocatePinnedRaw(std::size_t pixels)
{
    std::uint16_t* p = nullptr;
    if (cudaMallocHost(reinterpret_cast<void**>(&p), pixels * sizeof(std::uint16_t)) != cudaSuccess) {
        return {};
    }
    return std::shared_ptr<std::uint16_t>(p, [](std::uint16_t* q) { cudaFreeHost(q); });
}

Result<std::vector<float>> GpuBenchHooks::lastBatchIntensities(GpuC2Accumulator& accumulator)
{
    GpuC2Accumulator::Impl& m = *accumulator.m_impl;
    if (m.lastSlot < 0) {
        return Error { "no batch on the device yet" };
    }
    std::vector<float> out(m.frameFloats * m.lastCount);
    const cudaError_t e = cudaStreamSynchronize(m.computeStream) != cudaSuccess
        ? cudaGetLastError()
        : cudaMemcpy(out.data(), m.dI[m.lastSlot].get(), out.size() * sizeof(float), cudaMemcpyDeviceToHost);
    if (e != cudaSuccess) {
        return Error { gpu::cudaMessage(e, "reading the last batch") };
    }
    return out;
}

Result<double> GpuBenchHooks::measureHostToDevice(std::size_t bytes)
{
    return GpuC2Accumulator::hostToDeviceBytesPerSecond(bytes);
}

} // namespace fxs
