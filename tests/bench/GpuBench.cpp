// fxs-bench gpu: the CUDA backend on 300 × 256 polar frames — resident on the device, end to end from pinned
// host memory, and the host→device copy limit for the same frames.
#include "BenchRegistry.h"

#include <chrono>
#include <fxs/gpu/GpuBenchHooks.h>
#include <fxs/gpu/GpuC2Accumulator.h>
#include <iostream>
#include <random>
#include <sstream>

namespace {

int runGpu(const fxs::bench::BenchArgs& args)
{
    std::string why;
    if (!fxs::GpuC2Accumulator::available(&why)) {
        std::cerr << "gpu: skipped: " << why << "\n";
        if (args.json) {
            std::cout << "{\"benchmark\":\"gpu\",\"skipped\":true}" << std::endl;
        }
        return 0;
    }
    const int nQ = 300, nPhi = 256, frames = 8192;
    fxs::GpuC2Config g;
    g.c2.nQ = nQ;
    g.c2.nPhi = nPhi;
    g.batchFrames = 1024;
    g.foldFrames = 8192;
    const std::size_t frameFloats = static_cast<std::size_t>(nQ) * nPhi;
    auto host = fxs::GpuBenchHooks::allocatePinned(frameFloats * frames);
    std::mt19937 rng(5);
    std::uniform_real_distribution<float> u(0.0f, 1.0f);
    for (std::size_t i = 0; i < frameFloats * frames; ++i) {
        host.get()[i] = u(rng);
    }
    std::vector<float> mask(frameFloats, 1.0f);
    for (std::size_t i = 0; i < frameFloats; ++i) {
        mask[i] = (i % nPhi) % 64 < 4 ? 0.0f : 1.0f; // panel gaps
    }
    auto acc = fxs::GpuC2Accumulator::create(g);
    if (!acc) {
        std::cerr << "gpu: " << acc.error().message << "\n";
        return 1;
    }
    (*acc)->setStaticMask(mask);
    (*acc)->addHostBatch(host.get(), nullptr, 2048, 0); // warm-up: plans, handles, first touches
    (*acc)->flush();
    // A stream of passes × frames shots from pinned host memory, then the flush that a snapshot needs.
    const int passes = 8;
    const auto t0 = std::chrono::steady_clock::now();
    for (int p = 0; p < passes; ++p) {
        (*acc)->addHostBatch(host.get(), nullptr, frames, static_cast<std::int64_t>(p) * frames);
    }
    const double tStream = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    (*acc)->flush();
    const double tAll = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double endToEnd = passes * frames / tAll;
    std::cerr << "gpu: streamed " << passes * frames << " frames in " << tStream << " s, flush " << tAll - tStream
              << " s\n";
    const int repeats = 16;
    auto resident = fxs::GpuBenchHooks::rerunResident(**acc, repeats);
    const double residentRate = resident ? repeats * g.batchFrames / *resident : 0.0;
    auto copy = fxs::GpuBenchHooks::measureHostToDevice(frameFloats * sizeof(float) * 1024);
    const double copyLimit = copy ? *copy / (frameFloats * sizeof(float)) : 0.0;
    const auto st = (*acc)->stats();
    std::cerr << "gpu: " << st.deviceName << ": resident " << residentRate << " frames/s, end to end " << endToEnd
              << " frames/s, copy limit " << copyLimit << " frames/s (" << (copy ? *copy / 1e9 : 0.0) << " GB/s)\n";
    std::ostringstream js;
    js << "{\"benchmark\":\"gpu\",\"device\":\"" << st.deviceName << "\",\"n_q\":" << nQ << ",\"n_phi\":" << nPhi
       << ",\"resident_frames_per_s\":" << residentRate << ",\"end_to_end_frames_per_s\":" << endToEnd
       << ",\"copy_limit_frames_per_s\":" << copyLimit << ",\"host_to_device_gb_per_s\":" << (copy ? *copy / 1e9 : 0)
       << ",\"end_to_end_vs_copy_limit\":" << (copyLimit > 0 ? endToEnd / copyLimit : 0) << "}";
    std::cout << js.str() << std::endl;
    return 0;
}

fxs::bench::Registrar reg { "gpu", "CUDA C2 backend: resident, end to end from pinned memory, copy limit", &runGpu };

} // namespace
