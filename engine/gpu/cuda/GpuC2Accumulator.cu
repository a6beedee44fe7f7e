// The CUDA correlation backend: see fxs/GpuC2Accumulator.h.
#include <fxs/gpu/CudaLibraries.h>
#include "GpuC2AccumulatorImpl.cuh"
#include "GpuKernels.cuh"

#include <cmath>
#include <cstring>
#include <fxs/core/ParallelRange.h>
#include <fxs/frames/FrameSource.h>
#include <limits>
#include <shared_mutex>

namespace fxs {

using gpu::cudaMessage;

Status GpuC2Accumulator::Impl::init(const GpuC2Config& c)
{
    cfg = c;
    C2Config& k = cfg.c2;
    k.nMax = k.effectiveNMax();
    nQ = k.nQ;
    nPhi = k.nPhi;
    nF = nPhi / 2 + 1;
    nFreq = k.nMax + 1;
    B = std::max(1, cfg.batchFrames);
    frameFloats = static_cast<std::size_t>(nQ) * nPhi;
    cudaError_t e = cudaSetDevice(cfg.device);
    if (e != cudaSuccess) {
        return Error { cudaMessage(e, ("selecting device " + std::to_string(cfg.device)).c_str()) };
    }
    cudaDeviceProp prop {};
    cudaGetDeviceProperties(&prop, cfg.device);
    deviceName = prop.name;
    const std::size_t batchFloats = frameFloats * B;
    const std::size_t mat = static_cast<std::size_t>(nQ) * nQ;
    for (int i = 0; i < 2; ++i) {
        if ((e = dI[i].allocate(batchFloats)) != cudaSuccess || (e = dW[i].allocate(batchFloats)) != cudaSuccess
            || (e = dAccF[i].allocate(mat * nFreq)) != cudaSuccess
            || (e = dAccD[i].allocate(mat * nFreq)) != cudaSuccess || (e = dDest[i].allocate(B)) != cudaSuccess
            || (e = hDest[i].allocate(B)) != cudaSuccess) {
            return Error { cudaMessage(e, "allocating device buffers") };
        }
    }
    if ((e = dStatic.allocate(frameFloats)) != cudaSuccess || (e = dReal.allocate(batchFloats)) != cudaSuccess
        || (e = dSpec.allocate(static_cast<std::size_t>(B) * nQ * nF)) != cudaSuccess
        || (e = dT.allocate(static_cast<std::size_t>(B) * nQ * nF)) != cudaSuccess
        || (e = dMeanNum.allocate(frameFloats)) != cudaSuccess || (e = dMeanDen.allocate(frameFloats)) != cudaSuccess
        || (e = hI[0].allocate(batchFloats)) != cudaSuccess || (e = hW[0].allocate(batchFloats)) != cudaSuccess
        || (e = hI[1].allocate(batchFloats)) != cudaSuccess || (e = hW[1].allocate(batchFloats)) != cudaSuccess
        || (e = hTotals.allocate(mat * nF)) != cudaSuccess) {
        return Error { cudaMessage(e, "allocating device buffers") };
    }
    cudaStreamCreateWithFlags(&copyStream, cudaStreamNonBlocking);
    cudaStreamCreateWithFlags(&computeStream, cudaStreamNonBlocking);
    for (int i = 0; i < 2; ++i) {
        cudaEventCreateWithFlags(&copied[i], cudaEventDisableTiming);
        cudaEventCreateWithFlags(&consumed[i], cudaEventDisableTiming);
        cudaEventRecord(consumed[i], computeStream);
        cudaEventRecord(copied[i], copyStream);
    }
    int n = nPhi;
    if (cufftPlanMany(&plan, 1, &n, nullptr, 1, nPhi, nullptr, 1, nF, CUFFT_R2C, B * nQ) != CUFFT_SUCCESS
        || cufftSetStream(plan, computeStream) != CUFFT_SUCCESS) {
        return Error { "CUDA: cuFFT could not plan " + std::to_string(B * nQ) + " transforms of "
            + std::to_string(nPhi) };
    }
    if (cublasCreate(&blas) != CUBLAS_STATUS_SUCCESS || cublasSetStream(blas, computeStream) != CUBLAS_STATUS_SUCCESS) {
        return Error { "CUDA: cuBLAS could not start" };
    }
    hostMasks = std::make_unique<detail::MaskSpectra>(nQ, nPhi, 64);
    own = C2Sums::zeros(nQ, nPhi, k.nMax, k.subtractRingMean);
    staticMask.assign(frameFloats, 1.0f);
    staticMaskFrame = PolarFrame::zeros(nQ, nPhi);
    staticMaskFrame.weight = staticMask;
    cudaMemcpy(dStatic.get(), staticMask.data(), frameFloats * sizeof(float), cudaMemcpyHostToDevice);
    return {};
}

// C_n += A_n A_nᴴ for every kept frequency in one strided batched GEMM per half: A_n is the nQ × count block of T
// for frequency n (column-major, lda nQ), so C (column-major) holds Σ X(i) conj X(j) — the CPU path's layout.
void GpuC2Accumulator::Impl::gemmHalves(const cuComplex* T, int keep, const int count[2], cuComplex* const acc[2])
{
    const cuComplex one = make_cuComplex(1.0f, 0.0f);
    const long long strideT = static_cast<long long>(B) * nQ;
    const long long strideC = static_cast<long long>(nQ) * nQ;
    for (int h = 0; h < 2; ++h) {
        if (count[h] == 0) {
            continue;
        }
        const cuComplex* A = T + static_cast<long long>(h == 0 ? 0 : count[0]) * nQ;
        cublasCgemmStridedBatched(blas, CUBLAS_OP_N, CUBLAS_OP_C, nQ, nQ, count[h], &one, A, nQ, strideT, A, nQ,
            strideT, &one, acc[h], nQ, strideC, keep);
    }
}

void GpuC2Accumulator::Impl::upload(
    int s, const std::int64_t* shots, int count, int half[2], const std::function<void(cudaStream_t)>& copies)
{
    half[0] = half[1] = 0;
    for (int f = 0; f < count; ++f) {
        ++half[shots[f] & 1];
    }
    int next[2] = { 0, half[0] };
    cudaEventSynchronize(copied[s]); // the last upload from this slot's host arrays is done
    for (int f = 0; f < count; ++f) {
        hDest[s].get()[f] = next[shots[f] & 1]++;
    }
    // Copy stream: wait until the compute stream is done with this slot, then upload.
    cudaStreamWaitEvent(copyStream, consumed[s], 0);
    copies(copyStream);
    cudaMemcpyAsync(dDest[s].get(), hDest[s].get(), count * sizeof(int), cudaMemcpyHostToDevice, copyStream);
    cudaEventRecord(copied[s], copyStream);
    // Compute stream.
    cudaStreamWaitEvent(computeStream, copied[s], 0);
}

Status GpuC2Accumulator::Impl::runBatch(
    const float* I, const float* W, long long wStride, const std::int64_t* shots, int count, bool deviceMasks)
{
    const int s = slot;
    slot ^= 1;
    int half[2];
    upload(s, shots, count, half, [&](cudaStream_t stream) {
        const std::size_t n = frameFloats * count;
        cudaMemcpyAsync(dI[s].get(), I, n * sizeof(float), cudaMemcpyHostToDevice, stream);
        bytesCopied += static_cast<std::int64_t>(n * sizeof(float));
        if (wStride != 0) {
            cudaMemcpyAsync(dW[s].get(), W, n * sizeof(float), cudaMemcpyHostToDevice, stream);
            bytesCopied += static_cast<std::int64_t>(n * sizeof(float));
        }
    });
    lastSlot = s;
    lastCount = count;
    lastWStride = wStride;
    lastDeviceMasks = deviceMasks;
    lastRaw = false;
    std::copy(half, half + 2, lastHalf);
    return compute(s, count, wStride, deviceMasks, half);
}

void GpuC2Accumulator::Impl::remap(int s, int count)
{
    const int warpsPerBlock = 8;
    const dim3 grid(static_cast<unsigned>((frameFloats + warpsPerBlock - 1) / warpsPerBlock),
        static_cast<unsigned>((count + gpu::kRemapFramesPerWarp - 1) / gpu::kRemapFramesPerWarp));
    gpu::remapRawRows<<<grid, 32 * warpsPerBlock, 0, computeStream>>>(dRaw[s].get(),
        static_cast<long long>(rawPixels), count, dRowStart.get(), dPixel.get(), dCoef.get(),
        static_cast<int>(frameFloats), dI[s].get());
}

Status GpuC2Accumulator::Impl::runRawBatch(const std::uint16_t* raw, const std::int64_t* shots, int count)
{
    const int s = slot;
    slot ^= 1;
    int half[2];
    upload(s, shots, count, half, [&](cudaStream_t stream) {
        const std::size_t bytes = rawPixels * count * sizeof(std::uint16_t);
        cudaMemcpyAsync(dRaw[s].get(), raw, bytes, cudaMemcpyHostToDevice, stream);
        bytesCopied += static_cast<std::int64_t>(bytes);
    });
    // Every raw frame's weights are the remapper's bin weights: the static mask, counted once per half.
    for (int h = 0; h < 2; ++h) {
        if (half[h] > 0) {
            hostMasks->addRepeated(staticMaskFrame, h, half[h], target(), sink);
        }
    }
    remap(s, count); // into dI[s], on the compute stream behind the upload
    lastSlot = s;
    lastCount = count;
    lastWStride = 0;
    lastDeviceMasks = false;
    lastRaw = true;
    std::copy(half, half + 2, lastHalf);
    return compute(s, count, 0, false, half);
}

Status GpuC2Accumulator::Impl::stageNext(bool raw)
{
    if (staged > 0 && stagedRaw != raw) {
        if (Status st = runStaged(); !st) {
            return st;
        }
    }
    if (staged == 0) {
        cudaEventSynchronize(copied[slot]); // this slot's staging arrays are free again
        stagedShots.clear();
        stagedRaw = raw;
    }
    return {};
}

Status GpuC2Accumulator::Impl::runStaged()
{
    if (staged == 0) {
        return {};
    }
    const int s = slot;
    const int n = staged;
    staged = 0;
    if (stagedRaw) {
        return runRawBatch(hRaw[s].get(), stagedShots.data(), n);
    }
    return runBatch(hI[s].get(), hW[s].get(), static_cast<long long>(frameFloats), stagedShots.data(), n, false);
}

Status GpuC2Accumulator::Impl::compute(int s, int count, long long wStride, bool deviceMasks, const int half[2])
{
    const float* dWeights = wStride != 0 ? dW[s].get() : dStatic.get();
    if (cfg.poisonScratch) {
        const float nan = std::numeric_limits<float>::quiet_NaN();
        gpu::fillFloat<<<1024, 256, 0, computeStream>>>(dReal.get(), static_cast<long long>(dReal.size()), nan);
        gpu::fillFloat<<<1024, 256, 0, computeStream>>>(
            reinterpret_cast<float*>(dSpec.get()), 2LL * static_cast<long long>(dSpec.size()), nan);
        gpu::fillFloat<<<1024, 256, 0, computeStream>>>(
            reinterpret_cast<float*>(dT.get()), 2LL * static_cast<long long>(dT.size()), nan);
        if (dMaskReal.get()) {
            gpu::fillFloat<<<1024, 256, 0, computeStream>>>(
                dMaskReal.get(), static_cast<long long>(dMaskReal.size()), nan);
        }
    }
    if (deviceMasks && !dMaskReal.get()) {
        if (dMaskReal.allocate(frameFloats * B) != cudaSuccess
            || dMaskAccF[0].allocate(static_cast<std::size_t>(nQ) * nQ * nF) != cudaSuccess
            || dMaskAccF[1].allocate(static_cast<std::size_t>(nQ) * nQ * nF) != cudaSuccess
            || dMaskAccD[0].allocate(static_cast<std::size_t>(nQ) * nQ * nF) != cudaSuccess
            || dMaskAccD[1].allocate(static_cast<std::size_t>(nQ) * nQ * nF) != cudaSuccess) {
            return Error { "CUDA: out of device memory for per-frame mask spectra" };
        }
        deviceMasksUsed = true;
    }
    gpu::prepareRows<<<dim3(nQ, count), 256, 0, computeStream>>>(dI[s].get(), dWeights, wStride, dReal.get(),
        deviceMasks ? dMaskReal.get() : nullptr, nQ, nPhi, cfg.c2.subtractRingMean ? 1 : 0);
    const int bins = static_cast<int>(frameFloats);
    gpu::accumulateMean<<<(bins + 255) / 256, 256, 0, computeStream>>>(
        dI[s].get(), dWeights, wStride, count, bins, dMeanNum.get(), dMeanDen.get());
    const dim3 tgrid(static_cast<unsigned>((static_cast<long long>(count) * nQ + 31) / 32), 0, 1);
    auto spectra = [&](float* real, int keep, cuComplex* const acc[2]) {
        cufftExecR2C(plan, real, dSpec.get());
        gpu::transposeSpectra<<<dim3(tgrid.x, (keep + 31) / 32), dim3(32, 8), 0, computeStream>>>(
            dSpec.get(), dT.get(), dDest[s].get(), count, nQ, nF, keep, B);
        gemmHalves(dT.get(), keep, half, acc);
    };
    cuComplex* acc[2] = { dAccF[0].get(), dAccF[1].get() };
    spectra(dReal.get(), nFreq, acc);
    if (deviceMasks) {
        cuComplex* macc[2] = { dMaskAccF[0].get(), dMaskAccF[1].get() };
        spectra(dMaskReal.get(), nF, macc);
    }
    // The slot's inputs are no longer needed: dI/dW/dRaw were read above, and dDest by the transposes (recorded
    // after them: a batch two behind may rewrite dDest[s] with other rows once the shots' halves differ).
    cudaEventRecord(consumed[s], computeStream);
    const cudaError_t e = cudaGetLastError();
    if (e != cudaSuccess) {
        return Error { cudaMessage(e, "launching the correlation kernels") };
    }
    pendingShots[0] += half[0];
    pendingShots[1] += half[1];
    floatFrames += count;
    return floatFrames >= cfg.foldFrames ? fold() : Status {};
}

Status GpuC2Accumulator::Impl::fold()
{
    const long long mat = static_cast<long long>(nQ) * nQ;
    for (int h = 0; h < 2; ++h) {
        gpu::foldIntoDouble<<<1024, 256, 0, computeStream>>>(dAccF[h].get(), dAccD[h].get(), mat * nFreq);
        if (deviceMasksUsed) {
            gpu::foldIntoDouble<<<1024, 256, 0, computeStream>>>(dMaskAccF[h].get(), dMaskAccD[h].get(), mat * nF);
        }
    }
    floatFrames = 0;
    const cudaError_t e = cudaGetLastError();
    return e == cudaSuccess ? Status {} : Status { Error { cudaMessage(e, "folding into double") } };
}

Status GpuC2Accumulator::Impl::flush()
{
    Status st = fold();
    if (!st) {
        return st;
    }
    const cudaError_t sync = cudaStreamSynchronize(computeStream);
    if (sync != cudaSuccess) {
        return Error { cudaMessage(sync, "finishing the correlation") };
    }
    const std::size_t mat = static_cast<std::size_t>(nQ) * nQ;
    cuDoubleComplex* host = hTotals.get();
    std::vector<double> num(frameFloats), den(frameFloats);
    auto download = [&](DeviceArray<cuDoubleComplex>& d, std::size_t n) {
        cudaMemcpy(host, d.get(), n * sizeof(cuDoubleComplex), cudaMemcpyDeviceToHost);
        cudaMemset(d.get(), 0, n * sizeof(cuDoubleComplex));
    };
    // Only the lower triangle (row-major) is the CPU path's layout; the GEMM also filled the upper one.
    // Memory-bound passes over hundreds of MB: split by frequency over the host's cores, which are idle here.
    const int helpers = std::min(detail::resolveThreads(0), 8);
    // `maskHalf` ≥ 0: dst is that half's mask sums, whose frequencies are guarded by the sink's mask stripes.
    auto addLower = [&](std::vector<std::complex<double>>& dst, int freqs, int maskHalf) {
        detail::parallelChunks(
            static_cast<std::size_t>(freqs), helpers, [&](std::size_t, std::size_t begin, std::size_t end) {
                for (std::size_t n = begin; n < end; ++n) {
                    auto stripe = sink && maskHalf >= 0
                        ? std::unique_lock(sink->maskStripe(maskHalf, static_cast<int>(n)))
                        : std::unique_lock<std::mutex>();
                    for (int r = 0; r < nQ; ++r) {
                        const std::size_t off = (n * nQ + r) * nQ;
                        for (int c = 0; c <= r; ++c) {
                            dst[off + c] += std::complex<double>(host[off + c].x, host[off + c].y);
                        }
                    }
                }
            });
    };
    std::shared_lock<std::shared_mutex> gate;
    std::unique_lock<std::mutex> lock;
    if (sink) {
        gate = std::shared_lock(sink->gate);
        lock = std::unique_lock(sink->mutex);
    }
    C2Sums& t = target();
    for (int h = 0; h < 2; ++h) {
        download(dAccD[h], mat * nFreq);
        addLower(t.signal[h], nFreq, -1);
        if (deviceMasksUsed) {
            download(dMaskAccD[h], mat * nF);
            addLower(t.mask[h], nF, h);
        }
        t.shots[h] += pendingShots[h];
        pendingShots[h] = 0;
    }
    cudaMemcpy(num.data(), dMeanNum.get(), frameFloats * sizeof(double), cudaMemcpyDeviceToHost);
    cudaMemcpy(den.data(), dMeanDen.get(), frameFloats * sizeof(double), cudaMemcpyDeviceToHost);
    cudaMemset(dMeanNum.get(), 0, frameFloats * sizeof(double));
    cudaMemset(dMeanDen.get(), 0, frameFloats * sizeof(double));
    for (std::size_t i = 0; i < frameFloats; ++i) {
        t.weightedIntensity[i] += num[i];
        t.weightSum[i] += den[i];
    }
    hostMasks->flush(t, sink, true); // the halves side by side
    const cudaError_t e = cudaGetLastError();
    return e == cudaSuccess ? Status {} : Status { Error { cudaMessage(e, "reading the device totals") } };
}

bool GpuC2Accumulator::available(std::string* why)
{
    int n = 0;
    const cudaError_t e = cudaGetDeviceCount(&n);
    if (e != cudaSuccess || n == 0) {
        if (why) {
            *why = e != cudaSuccess ? cudaMessage(e, "looking for a GPU") : "no CUDA device present";
        }
        return false;
    }
    return detail::loadCudaLibraries(why); // cuFFT and cuBLAS, loaded now rather than at the program's start
}

int GpuC2Accumulator::deviceCount()
{
    int n = 0;
    return cudaGetDeviceCount(&n) == cudaSuccess ? n : 0;
}

Result<std::unique_ptr<GpuC2Accumulator>> GpuC2Accumulator::create(const GpuC2Config& config)
{
    std::string why;
    if (!available(&why)) {
        return Error { "GPU correlation unavailable: " + why };
    }
    if (config.device < 0 || config.device >= deviceCount()) {
        return Error { "GPU correlation: device " + std::to_string(config.device) + " does not exist ("
            + std::to_string(deviceCount()) + " visible)" };
    }
    auto impl = std::make_unique<Impl>();
    if (Status s = impl->init(config); !s) {
        return Error { s.message() };
    }
    return std::unique_ptr<GpuC2Accumulator>(new GpuC2Accumulator(std::move(impl)));
}

GpuC2Accumulator::GpuC2Accumulator(std::unique_ptr<Impl> impl)
    : m_impl(std::move(impl))
{
}

GpuC2Accumulator::~GpuC2Accumulator() = default;

Status GpuC2Accumulator::add(const PolarFrame& f)
{
    Impl& m = *m_impl;
    if (Status st = C2Accumulator::validate(f, m.nQ, m.nPhi); !st) {
        return st;
    }
    if (Status st = m.stageNext(false); !st) {
        return st;
    }
    std::memcpy(m.hI[m.slot].get() + m.frameFloats * m.staged, f.intensity.data(), m.frameFloats * sizeof(float));
    std::memcpy(m.hW[m.slot].get() + m.frameFloats * m.staged, f.weight.data(), m.frameFloats * sizeof(float));
    m.stagedShots.push_back(f.shotIndex);
    m.hostMasks->add(f, static_cast<int>(f.shotIndex & 1), m.target(), m.sink);
    ++m.staged;
    ++m.added;
    return m.staged == m.B ? m.runStaged() : Status {};
}

Status GpuC2Accumulator::addHostBatch(const float* intensity, const float* weights, int frames, std::int64_t first)
{
    Impl& m = *m_impl;
    if (Status st = m.runStaged(); !st) {
        return st;
    }
    std::vector<std::int64_t> shots(m.B);
    for (int done = 0; done < frames; done += m.B) {
        const int n = std::min(m.B, frames - done);
        long long perHalf[2] = { 0, 0 };
        for (int f = 0; f < n; ++f) {
            shots[f] = first + done + f;
            ++perHalf[shots[f] & 1];
        }
        const std::size_t off = m.frameFloats * done;
        if (!weights) {
            for (int h = 0; h < 2; ++h) {
                m.hostMasks->addRepeated(m.staticMaskFrame, h, perHalf[h], m.target(), m.sink);
            }
        }
        Status st = m.runBatch(intensity + off, weights ? weights + off : nullptr,
            weights ? static_cast<long long>(m.frameFloats) : 0, shots.data(), n, weights != nullptr);
        if (!st) {
            return st;
        }
        m.added += n;
    }
    // The caller's memory may be reused on return: wait for the uploads.
    cudaStreamSynchronize(m.copyStream);
    return {};
}

Status GpuC2Accumulator::setStaticMask(std::span<const float> weights)
{
    Impl& m = *m_impl;
    if (weights.size() != m.frameFloats) {
        return Error { "static mask has " + std::to_string(weights.size()) + " bins, expected "
            + std::to_string(m.frameFloats) };
    }
    for (float w : weights) {
        if (!(w >= 0.0f && w <= 1.0f)) {
            return Error { "static mask weight " + std::to_string(w) + " is outside [0, 1]" };
        }
    }
    cudaStreamSynchronize(m.computeStream);
    m.staticMask.assign(weights.begin(), weights.end());
    m.staticMaskFrame.weight = m.staticMask;
    const cudaError_t e
        = cudaMemcpy(m.dStatic.get(), m.staticMask.data(), m.frameFloats * sizeof(float), cudaMemcpyHostToDevice);
    return e == cudaSuccess ? Status {} : Status { Error { cudaMessage(e, "uploading the static mask") } };
}

void GpuC2Accumulator::flush()
{
    Impl& m = *m_impl;
    m.runStaged();
    m.flush();
}

Status GpuC2Accumulator::setDeviceRemap(const PolarRemapper& remapper)
{
    Impl& m = *m_impl;
    const PolarGrid& g = remapper.grid();
    if (g.nQ != m.nQ || g.nPhi != m.nPhi) {
        return Error { "device remap: the remapper's grid is " + std::to_string(g.nQ) + " × " + std::to_string(g.nPhi)
            + ", the correlation's " + std::to_string(m.nQ) + " × " + std::to_string(m.nPhi) };
    }
    if (Status st = m.runStaged(); !st) {
        return st;
    }
    const RemapCsr csr = remapper.csr();
    if (Status st = setStaticMask(csr.weight); !st) {
        return Error { "device remap: " + st.message() };
    }
    m.rawSlow = remapper.nSlow();
    m.rawFast = remapper.nFast();
    m.rawPixels = static_cast<std::size_t>(m.rawSlow) * m.rawFast;
    const std::size_t rawBatch = m.rawPixels * m.B;
    cudaError_t e = cudaSuccess;
    if ((e = m.dRowStart.allocate(csr.rowStart.size())) != cudaSuccess
        || (e = m.dPixel.allocate(csr.pixel.size())) != cudaSuccess
        || (e = m.dCoef.allocate(csr.coef.size())) != cudaSuccess
        || (e = cudaMemcpy(m.dRowStart.get(), csr.rowStart.data(), csr.rowStart.size_bytes(), cudaMemcpyHostToDevice))
            != cudaSuccess
        || (e = cudaMemcpy(m.dPixel.get(), csr.pixel.data(), csr.pixel.size_bytes(), cudaMemcpyHostToDevice))
            != cudaSuccess
        || (e = cudaMemcpy(m.dCoef.get(), csr.coef.data(), csr.coef.size_bytes(), cudaMemcpyHostToDevice))
            != cudaSuccess) {
        return Error { cudaMessage(e, "uploading the remap table") };
    }
    for (int i = 0; i < 2; ++i) {
        if ((e = m.dRaw[i].allocate(rawBatch)) != cudaSuccess || (e = m.hRaw[i].allocate(rawBatch)) != cudaSuccess) {
            return Error { cudaMessage(e, ("allocating raw batches of " + std::to_string(m.B) + " frames").c_str()) };
        }
    }
    m.rawRemap = true;
    return {};
}

Status GpuC2Accumulator::checkRaw(const Frame& f) const
{
    const Impl& m = *m_impl;
    if (!m.rawRemap) {
        return Error { "shot " + std::to_string(f.shotIndex) + ": no device remap set up for raw frames" };
    }
    if (f.type != PixelType::UInt16 || f.nSlow != m.rawSlow || f.nFast != m.rawFast
        || f.pixels.size() != m.rawPixels * sizeof(std::uint16_t)) {
        return Error { "shot " + std::to_string(f.shotIndex) + ": raw frame of " + std::to_string(f.nSlow) + " × "
            + std::to_string(f.nFast) + " " + pixelTypeName(f.type) + " (" + std::to_string(f.pixels.size())
            + " bytes), the device remap expects " + std::to_string(m.rawSlow) + " × " + std::to_string(m.rawFast)
            + " uint16" };
    }
    return {};
}

Status GpuC2Accumulator::addRaw(const Frame& f)
{
    if (Status st = checkRaw(f); !st) {
        return st;
    }
    const Frame* one[1] = { &f };
    return addRaw(one, 1);
}

Status GpuC2Accumulator::addRaw(std::span<const Frame* const> frames, int copyThreads)
{
    Impl& m = *m_impl;
    for (const Frame* f : frames) {
        if (Status st = checkRaw(*f); !st) {
            return st;
        }
    }
    // Each frame is copied in quarters, so that a few frames still keep every copying thread busy.
    constexpr std::size_t kParts = 4;
    const std::size_t frameBytes = m.rawPixels * sizeof(std::uint16_t);
    for (std::size_t done = 0; done < frames.size();) {
        if (Status st = m.stageNext(true); !st) {
            return st;
        }
        const std::size_t n = std::min(frames.size() - done, static_cast<std::size_t>(m.B - m.staged));
        auto* dst = reinterpret_cast<std::byte*>(m.hRaw[m.slot].get() + m.rawPixels * m.staged);
        detail::parallelChunks(n * kParts, copyThreads, [&](std::size_t, std::size_t begin, std::size_t end) {
            for (std::size_t k = begin; k < end; ++k) {
                const std::size_t f = k / kParts, lo = frameBytes * (k % kParts) / kParts,
                                  hi = frameBytes * (k % kParts + 1) / kParts;
                std::memcpy(dst + f * frameBytes + lo, frames[done + f]->pixels.data() + lo, hi - lo);
            }
        });
        for (std::size_t f = 0; f < n; ++f) {
            m.stagedShots.push_back(frames[done + f]->shotIndex);
        }
        m.staged += static_cast<int>(n);
        m.added += static_cast<std::int64_t>(n);
        done += n;
        if (m.staged == m.B) {
            if (Status st = m.runStaged(); !st) {
                return st;
            }
        }
    }
    return {};
}

Status GpuC2Accumulator::addRawHostBatch(const std::uint16_t* pixels, int frames, std::int64_t first)
{
    Impl& m = *m_impl;
    if (!m.rawRemap) {
        return Error { "no device remap set up for raw frames" };
    }
    if (Status st = m.runStaged(); !st) {
        return st;
    }
    std::vector<std::int64_t> shots(m.B);
    for (int done = 0; done < frames; done += m.B) {
        const int n = std::min(m.B, frames - done);
        for (int f = 0; f < n; ++f) {
            shots[f] = first + done + f;
        }
        if (Status st = m.runRawBatch(pixels + m.rawPixels * done, shots.data(), n); !st) {
            return st;
        }
        m.added += n;
    }
    // The caller's memory may be reused on return: wait for the uploads.
    cudaStreamSynchronize(m.copyStream);
    return {};
}

bool GpuC2Accumulator::remapsOnDevice() const { return m_impl->rawRemap; }

const C2Sums& GpuC2Accumulator::sums() const { return m_impl->own; }

void GpuC2Accumulator::useSink(C2Sink& sink) { m_impl->sink = &sink; }

GpuC2Stats GpuC2Accumulator::stats() const { return { m_impl->deviceName, m_impl->added, m_impl->bytesCopied }; }

std::int64_t GpuC2Accumulator::shotsAdded() const { return m_impl->added; }

} // namespace fxs

namespace fxs {

Result<double> GpuC2Accumulator::hostToDeviceBytesPerSecond(std::size_t bytes)
{
    gpu::PinnedArray<std::byte> host;
    gpu::DeviceArray<std::byte> dev;
    if (!available() || host.allocate(bytes) != cudaSuccess || dev.allocate(bytes) != cudaSuccess) {
        return Error { "CUDA: cannot allocate " + std::to_string(bytes) + " bytes to measure copies" };
    }
    std::memset(host.get(), 1, bytes);
    cudaMemcpy(dev.get(), host.get(), bytes, cudaMemcpyHostToDevice); // warm-up
    cudaEvent_t start, stop;
    cudaEventCreate(&start);
    cudaEventCreate(&stop);
    cudaEventRecord(start);
    const int repeats = 5;
    for (int i = 0; i < repeats; ++i) {
        cudaMemcpyAsync(dev.get(), host.get(), bytes, cudaMemcpyHostToDevice);
    }
    cudaEventRecord(stop);
    cudaEventSynchronize(stop);
    float ms = 0;
    cudaEventElapsedTime(&ms, start, stop);
    cudaEventDestroy(start);
    cudaEventDestroy(stop);
    return ms > 0 ? Result<double>(static_cast<double>(bytes) * repeats / (ms / 1000.0))
                  : Result<double>(Error { "CUDA: the copy could not be timed" });
}

} // namespace fxs
