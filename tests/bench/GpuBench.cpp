// fxs-bench gpu: the CUDA backend on 300 × 256 polar frames — resident on the device, end to end from pinned
// host memory, and the host→device copy limit for the same frames; then the raw path: 2.2 Mpx 16-panel uint16
// frames in pinned host memory → upload, remap (the CPU remap's CSR) and C2 on the device, against the copy limit
// of the same bytes.
#include "BenchRegistry.h"
#include "PhotonFrames.h"

#include <algorithm>
#include <chrono>
#include <fxs/pipeline/C2Pipeline.h>
#include <fxs/polar/PolarRemapper.h>
#include <fxs/gpu/GpuBenchHooks.h>
#include <fxs/gpu/GpuC2Accumulator.h>
#include <iostream>
#include <random>
#include <sstream>

namespace {

struct RawFigures {
    int batch = 0;
    double endToEnd = 0, copyLimit = 0, resident = 0, streamOnly = 0;
};

// Raw frames of the ePix10k 2M size through the device remap and C2 (300 × 256), batches of `batch` frames: a
// pinned pool of two batches is streamed `passes` times (shot indices continuing), then the flush.
fxs::Result<RawFigures> rawPath(const fxs::PolarRemapper& remapper, int batch)
{
    const fxs::PolarGrid& grid = remapper.grid();
    fxs::GpuC2Config g;
    g.c2.nQ = grid.nQ;
    g.c2.nPhi = grid.nPhi;
    g.batchFrames = batch;
    g.foldFrames = 8192;
    auto acc = fxs::GpuC2Accumulator::create(g);
    if (!acc) {
        return acc.error();
    }
    if (auto st = (*acc)->setDeviceRemap(remapper); !st) {
        return fxs::Error { st.message() };
    }
    const std::size_t pixels = static_cast<std::size_t>(remapper.nSlow()) * remapper.nFast();
    const int pool = 2 * batch;
    auto host = fxs::GpuBenchHooks::allocatePinnedRaw(pixels * pool);
    if (!host) {
        return fxs::Error { "cannot pin " + std::to_string(pixels * pool * 2 / 1000000) + " MB of host memory" };
    }
    for (int i = 0; i < pool; ++i) {
        const fxs::Frame f = fxs::bench::photonLikeFrame(remapper.nSlow(), remapper.nFast(), i % 16);
        std::copy_n(f.as<std::uint16_t>().data(), pixels, host.get() + pixels * i);
    }
    if (auto st = (*acc)->addRawHostBatch(host.get(), pool, 0); !st) { // warm-up
        return fxs::Error { st.message() };
    }
    (*acc)->flush();
    const int passes = std::max(4, 8192 / pool);
    const auto t0 = std::chrono::steady_clock::now();
    for (int p = 0; p < passes; ++p) {
        if (auto st = (*acc)->addRawHostBatch(host.get(), pool, static_cast<std::int64_t>(p) * pool); !st) {
            return fxs::Error { st.message() };
        }
    }
    const double tStream = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    (*acc)->flush();
    const double tAll = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    RawFigures r;
    r.batch = batch;
    r.endToEnd = passes * pool / tAll;
    r.streamOnly = passes * pool / tStream;
    const int repeats = 16;
    auto resident = fxs::GpuBenchHooks::rerunResident(**acc, repeats);
    r.resident = resident ? repeats * batch / *resident : 0.0;
    auto copy = fxs::GpuBenchHooks::measureHostToDevice(pixels * sizeof(std::uint16_t) * batch);
    r.copyLimit = copy ? *copy / (pixels * sizeof(std::uint16_t)) : 0.0;
    std::cerr << "gpu: raw " << remapper.nSlow() << " x " << remapper.nFast() << " uint16, batches of " << batch
              << ": end to end " << r.endToEnd << " frames/s (" << r.streamOnly << " before the flush), copy limit "
              << r.copyLimit << ", remap + C2 resident " << r.resident << "\n";
    return r;
}

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
    // The raw path, at a few batch sizes; the figures are the pipeline's batch size's (C2PipelineConfig).
    std::vector<RawFigures> raws;
    auto geometry = fxs::bench::epixLikeGeometry();
    auto remapper = geometry ? fxs::PolarRemapper::create(*geometry, { nQ, nPhi, 0.1, 2.4 })
                             : fxs::Result<fxs::PolarRemapper>(geometry.error());
    if (!remapper) {
        std::cerr << "gpu: raw path: " << remapper.error().message << "\n";
        return 1;
    }
    const int rawBatch = fxs::C2PipelineConfig {}.rawBatchFrames;
    for (int b : { 32, 64, rawBatch, 256 }) {
        if (b == 128 && rawBatch != 128) {
            continue;
        }
        auto r = rawPath(*remapper, b);
        if (!r) {
            std::cerr << "gpu: raw path, batches of " << b << ": " << r.error().message << "\n";
            return 1;
        }
        raws.push_back(*r);
    }
    const RawFigures raw = *std::find_if(raws.begin(), raws.end(), [&](const RawFigures& r) { return r.batch == rawBatch; });
    std::ostringstream js;
    js << "{\"benchmark\":\"gpu\",\"device\":\"" << st.deviceName << "\",\"n_q\":" << nQ << ",\"n_phi\":" << nPhi
       << ",\"resident_frames_per_s\":" << residentRate << ",\"end_to_end_frames_per_s\":" << endToEnd
       << ",\"copy_limit_frames_per_s\":" << copyLimit << ",\"host_to_device_gb_per_s\":" << (copy ? *copy / 1e9 : 0)
       << ",\"end_to_end_vs_copy_limit\":" << (copyLimit > 0 ? endToEnd / copyLimit : 0)
       << ",\"raw_frame_pixels\":" << remapper->nSlow() * remapper->nFast() << ",\"raw_batch_frames\":" << raw.batch
       << ",\"raw_end_to_end_frames_per_s\":" << raw.endToEnd << ",\"raw_copy_limit_frames_per_s\":" << raw.copyLimit
       << ",\"raw_end_to_end_vs_copy_limit\":" << (raw.copyLimit > 0 ? raw.endToEnd / raw.copyLimit : 0)
       << ",\"raw_resident_frames_per_s\":" << raw.resident << ",\"raw_by_batch\":{";
    for (std::size_t i = 0; i < raws.size(); ++i) {
        js << (i ? "," : "") << "\"" << raws[i].batch << "\":{\"end_to_end\":" << raws[i].endToEnd
           << ",\"copy_limit\":" << raws[i].copyLimit << ",\"resident\":" << raws[i].resident << "}";
    }
    js << "}}";
    std::cout << js.str() << std::endl;
    return 0;
}

fxs::bench::Registrar reg { "gpu", "CUDA C2 backend: resident, end to end from pinned memory, copy limit", &runGpu };

} // namespace
