// cuFFT and cuBLAS loaded on first use instead of at every program's start.
//
// Linked as ordinary shared libraries, the two (~880 MB with cuBLASLt) were mapped and relocated by every process
// of a CUDA build before main(): `fxs remote --help` took 0.34-0.78 s on an idle 2-core VM and 7-18 s beside two
// busy MPI ranks, and every fxs-worker rank, monitor and test paid the same, GPU or not. The GPU backend calls
// eight of their functions; this file defines those eight (the .cu files call them as before) and each forwards to
// the real one, found with dlopen/dlsym the first time any of them is called. CUDA's runtime stays linked
// statically (cudart_static): asking whether a GPU exists costs nothing extra.
#include <cublas_v2.h>
#include <cufft.h>
#include <dlfcn.h>
#include <fxs/gpu/CudaLibraries.h>
#include <string>

#ifndef FXS_CUFFT_PATH
#define FXS_CUFFT_PATH ""
#endif
#ifndef FXS_CUBLAS_PATH
#define FXS_CUBLAS_PATH ""
#endif

#define FXS_STR2(x) #x
#define FXS_STR(x) FXS_STR2(x) // the name after cublas_v2.h's macros (cublasCreate -> cublasCreate_v2)

namespace {

struct Libraries {
    decltype(&::cufftPlanMany) planMany = nullptr;
    decltype(&::cufftSetStream) fftSetStream = nullptr;
    decltype(&::cufftExecR2C) execR2C = nullptr;
    decltype(&::cufftDestroy) fftDestroy = nullptr;
    decltype(&::cublasCreate) blasCreate = nullptr;
    decltype(&::cublasSetStream) blasSetStream = nullptr;
    decltype(&::cublasDestroy) blasDestroy = nullptr;
    decltype(&::cublasCgemmStridedBatched) cgemmStridedBatched = nullptr;
    std::string error; ///< empty when all eight were found
};

// The soname first (LD_LIBRARY_PATH, the system's cache: a relocated or installed tree), then the file this build
// was linked against.
void* openLibrary(const char* soname, const char* builtPath, std::string& error)
{
    void* h = ::dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (!h && builtPath[0] != '\0') {
        h = ::dlopen(builtPath, RTLD_NOW | RTLD_LOCAL);
    }
    if (!h && error.empty()) {
        const char* why = ::dlerror();
        error = std::string("cannot load ") + soname + (builtPath[0] ? std::string(" (nor ") + builtPath + ")" : "")
            + ": " + (why ? why : "unknown error");
    }
    return h;
}

template <typename F> void find(void* library, const char* name, F& out, std::string& error)
{
    if (!library) {
        return;
    }
    out = reinterpret_cast<F>(::dlsym(library, name));
    if (!out && error.empty()) {
        error = std::string("the CUDA library loaded has no ") + name + " (another CUDA version?)";
    }
}

Libraries load()
{
    Libraries l;
    void* fft = openLibrary("libcufft.so." FXS_STR(CUFFT_VER_MAJOR), FXS_CUFFT_PATH, l.error);
    void* blas = openLibrary("libcublas.so." FXS_STR(CUBLAS_VER_MAJOR), FXS_CUBLAS_PATH, l.error);
    find(fft, FXS_STR(cufftPlanMany), l.planMany, l.error);
    find(fft, FXS_STR(cufftSetStream), l.fftSetStream, l.error);
    find(fft, FXS_STR(cufftExecR2C), l.execR2C, l.error);
    find(fft, FXS_STR(cufftDestroy), l.fftDestroy, l.error);
    find(blas, FXS_STR(cublasCreate), l.blasCreate, l.error);
    find(blas, FXS_STR(cublasSetStream), l.blasSetStream, l.error);
    find(blas, FXS_STR(cublasDestroy), l.blasDestroy, l.error);
    find(blas, FXS_STR(cublasCgemmStridedBatched), l.cgemmStridedBatched, l.error);
    return l;
}

const Libraries& libraries()
{
    static const Libraries l = load(); // thread-safe, once
    return l;
}

} // namespace

namespace fxs::detail {

bool loadCudaLibraries(std::string* why)
{
    const Libraries& l = libraries();
    if (!l.error.empty() && why) {
        *why = l.error;
    }
    return l.error.empty();
}

} // namespace fxs::detail

// The eight entry points. Without the libraries each reports the library's own "not initialised" status, which the
// callers already turn into a message; GpuC2Accumulator::available() says why before any of them is reached.
extern "C" {

cufftResult CUFFTAPI cufftPlanMany(cufftHandle* plan, int rank, int* n, int* inembed, int istride, int idist,
    int* onembed, int ostride, int odist, cufftType type, int batch)
{
    const auto f = libraries().planMany;
    return f ? f(plan, rank, n, inembed, istride, idist, onembed, ostride, odist, type, batch) : CUFFT_SETUP_FAILED;
}

cufftResult CUFFTAPI cufftSetStream(cufftHandle plan, cudaStream_t stream)
{
    const auto f = libraries().fftSetStream;
    return f ? f(plan, stream) : CUFFT_SETUP_FAILED;
}

cufftResult CUFFTAPI cufftExecR2C(cufftHandle plan, cufftReal* idata, cufftComplex* odata)
{
    const auto f = libraries().execR2C;
    return f ? f(plan, idata, odata) : CUFFT_SETUP_FAILED;
}

cufftResult CUFFTAPI cufftDestroy(cufftHandle plan)
{
    const auto f = libraries().fftDestroy;
    return f ? f(plan) : CUFFT_SETUP_FAILED;
}

cublasStatus_t CUBLASWINAPI cublasCreate(cublasHandle_t* handle)
{
    const auto f = libraries().blasCreate;
    return f ? f(handle) : CUBLAS_STATUS_NOT_INITIALIZED;
}

cublasStatus_t CUBLASWINAPI cublasSetStream(cublasHandle_t handle, cudaStream_t stream)
{
    const auto f = libraries().blasSetStream;
    return f ? f(handle, stream) : CUBLAS_STATUS_NOT_INITIALIZED;
}

cublasStatus_t CUBLASWINAPI cublasDestroy(cublasHandle_t handle)
{
    const auto f = libraries().blasDestroy;
    return f ? f(handle) : CUBLAS_STATUS_NOT_INITIALIZED;
}

cublasStatus_t CUBLASWINAPI cublasCgemmStridedBatched(cublasHandle_t handle, cublasOperation_t transa,
    cublasOperation_t transb, int m, int n, int k, const cuComplex* alpha, const cuComplex* A, int lda,
    long long int strideA, const cuComplex* B, int ldb, long long int strideB, const cuComplex* beta, cuComplex* C,
    int ldc, long long int strideC, int batchCount)
{
    const auto f = libraries().cgemmStridedBatched;
    return f
        ? f(handle, transa, transb, m, n, k, alpha, A, lda, strideA, B, ldb, strideB, beta, C, ldc, strideC, batchCount)
        : CUBLAS_STATUS_NOT_INITIALIZED;
}

} // extern "C"
