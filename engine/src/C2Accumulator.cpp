#include "fxs/C2Accumulator.h"

#include "FftwLock.h"

#include <algorithm>
#include <cblas.h>
#include <cmath>
#include <complex>
#include <cstring>
#include <fftw3.h>
#include <string>

namespace fxs {

namespace {

    // Thin precision traits over FFTW and CBLAS so one implementation serves float (cherk) and double (zherk).
    template <class Real> struct Kernels;

    template <> struct Kernels<float> {
        using Complex = std::complex<float>;
        using Plan = fftwf_plan;
        static void* alloc(std::size_t bytes) { return fftwf_malloc(bytes); }
        static void release(void* p) { fftwf_free(p); }
        static Plan planRows(int n, int rows, float* in, int idist, Complex* out, int ostride, unsigned flags)
        {
            return fftwf_plan_many_dft_r2c(
                1, &n, rows, in, nullptr, 1, idist, reinterpret_cast<fftwf_complex*>(out), nullptr, ostride, 1, flags);
        }
        static void execute(Plan p) { fftwf_execute(p); }
        static void execute(Plan p, float* in, Complex* out)
        {
            fftwf_execute_dft_r2c(p, in, reinterpret_cast<fftwf_complex*>(out));
        }
        static void destroy(Plan p) { fftwf_destroy_plan(p); }
        static void herk(int n, int k, float alpha, const Complex* a, float beta, Complex* c)
        {
            cblas_cherk(CblasColMajor, CblasUpper, CblasNoTrans, n, k, alpha, a, n, beta, c, n);
        }
    };

    template <> struct Kernels<double> {
        using Complex = std::complex<double>;
        using Plan = fftw_plan;
        static void* alloc(std::size_t bytes) { return fftw_malloc(bytes); }
        static void release(void* p) { fftw_free(p); }
        static Plan planRows(int n, int rows, double* in, int idist, Complex* out, int ostride, unsigned flags)
        {
            return fftw_plan_many_dft_r2c(
                1, &n, rows, in, nullptr, 1, idist, reinterpret_cast<fftw_complex*>(out), nullptr, ostride, 1, flags);
        }
        static void execute(Plan p) { fftw_execute(p); }
        static void execute(Plan p, double* in, Complex* out)
        {
            fftw_execute_dft_r2c(p, in, reinterpret_cast<fftw_complex*>(out));
        }
        static void destroy(Plan p) { fftw_destroy_plan(p); }
        static void herk(int n, int k, double alpha, const Complex* a, double beta, Complex* c)
        {
            cblas_zherk(CblasColMajor, CblasUpper, CblasNoTrans, n, k, alpha, a, n, beta, c, n);
        }
    };

    // An FFTW-aligned array.
    template <class T, class K> class AlignedArray {
    public:
        explicit AlignedArray(std::size_t n)
            : m_n(n)
            , m_p(static_cast<T*>(K::alloc(n * sizeof(T))))
        {
            std::memset(static_cast<void*>(m_p), 0, n * sizeof(T));
        }
        ~AlignedArray() { K::release(m_p); }
        AlignedArray(const AlignedArray&) = delete;
        AlignedArray& operator=(const AlignedArray&) = delete;
        T* data() const { return m_p; }
        std::size_t size() const { return m_n; }

    private:
        std::size_t m_n;
        T* m_p;
    };

    int roundUp(int v, int m) { return (v + m - 1) / m * m; }

    Status validate(const PolarFrame& f, const C2Config& c)
    {
        const std::size_t n = static_cast<std::size_t>(c.nQ) * c.nPhi;
        if (f.nQ != c.nQ || f.nPhi != c.nPhi || f.intensity.size() != n || f.weight.size() != n) {
            return Error { "shot " + std::to_string(f.shotIndex) + ": polar frame is " + std::to_string(f.nQ) + " x "
                + std::to_string(f.nPhi) + " but the correlator expects " + std::to_string(c.nQ) + " x "
                + std::to_string(c.nPhi) };
        }
        for (std::size_t i = 0; i < n; ++i) {
            const float w = f.weight[i];
            if (!(w >= 0.0f && w <= 1.0f)) {
                return Error { "shot " + std::to_string(f.shotIndex) + ": weight " + std::to_string(w) + " at bin "
                    + std::to_string(i) + " is outside [0, 1]" };
            }
            if (w > 0.0f && !std::isfinite(f.intensity[i])) {
                return Error { "shot " + std::to_string(f.shotIndex) + ": non-finite intensity at unmasked bin (q "
                    + std::to_string(i / c.nPhi) + ", phi " + std::to_string(i % c.nPhi) + ")" };
            }
        }
        return {};
    }

} // namespace

struct C2Accumulator::Impl {
    virtual ~Impl() = default;
    virtual Status add(const PolarFrame& f) = 0;
    virtual void flush() = 0;
    virtual void reset() = 0;
    virtual std::int64_t pending() const = 0;
    C2Config config;
    C2Sums sums;
};

namespace {

    // Batches of shots: even shots fill rows from the start, odd shots from the end, so that each half is one
    // contiguous block for its rank-k update and both halves share one FFT.
    template <class Real> class BatchImpl final : public C2Accumulator::Impl {
        using K = Kernels<Real>;
        using Complex = typename K::Complex;

    public:
        explicit BatchImpl(const C2Config& c)
            : m_nQ(c.nQ)
            , m_nPhi(c.nPhi)
            , m_pad(roundUp(c.nPhi, 16))
            , m_nF(c.nPhi / 2 + 1)
            , m_b(c.batchShots)
            , m_in(static_cast<std::size_t>(m_b) * m_nQ * m_pad)
            , m_out(static_cast<std::size_t>(m_nF) * m_b * m_nQ)
            , m_maskIn(static_cast<std::size_t>(m_b) * m_nQ * m_pad)
            , m_maskOut(static_cast<std::size_t>(m_nF) * m_b * m_nQ)
        {
            config = c;
            sums = C2Sums::zeros(c.nQ, c.nPhi, c.nMax, c.subtractRingMean);
            if constexpr (std::is_same_v<Real, float>) {
                for (int h = 0; h < 2; ++h) {
                    m_accSignal[h].assign(sums.signal[h].size(), {});
                    m_accMask[h].assign(sums.mask[h].size(), {});
                }
            }
            std::lock_guard lock(detail::fftwPlannerMutex());
            m_planBatch = K::planRows(m_nPhi, m_b * m_nQ, m_in.data(), m_pad, m_out.data(), m_b * m_nQ, FFTW_ESTIMATE);
            // One shot's rows, executed at any row offset (hence unaligned).
            m_planShot = K::planRows(
                m_nPhi, m_nQ, m_in.data(), m_pad, m_out.data(), m_b * m_nQ, FFTW_ESTIMATE | FFTW_UNALIGNED);
        }

        ~BatchImpl() override
        {
            std::lock_guard lock(detail::fftwPlannerMutex());
            K::destroy(m_planBatch);
            K::destroy(m_planShot);
        }

        Status add(const PolarFrame& f) override
        {
            if (Status s = validate(f, config); !s) {
                return s;
            }
            if (m_count[0] + m_count[1] == m_b) {
                flushBatch();
            }
            const int h = static_cast<int>(f.shotIndex & 1);
            const int row = h == 0 ? m_count[0] : m_b - 1 - m_count[1];
            prepareSignal(f, m_in.data() + static_cast<std::size_t>(row) * m_nQ * m_pad);
            addMask(f, h);
            ++m_count[h];
            return {};
        }

        void flush() override
        {
            flushBatch();
            fold();
        }

        void reset() override
        {
            m_count[0] = m_count[1] = 0;
            for (int h = 0; h < 2; ++h) {
                m_maskMult[h].clear();
                m_lastMask[h].clear();
                std::fill(m_accSignal[h].begin(), m_accSignal[h].end(), Complex {});
                std::fill(m_accMask[h].begin(), m_accMask[h].end(), Complex {});
                m_accShots[h] = 0;
            }
            sums.clear();
        }

        std::int64_t pending() const override { return m_count[0] + m_count[1] + m_accShots[0] + m_accShots[1]; }

    private:
        // δI = w (I − ring mean) (or w I) into one shot's rows; the mean image sums in double.
        void prepareSignal(const PolarFrame& f, Real* dst)
        {
            for (int q = 0; q < m_nQ; ++q) {
                const float* I = f.intensity.data() + static_cast<std::size_t>(q) * m_nPhi;
                const float* w = f.weight.data() + static_cast<std::size_t>(q) * m_nPhi;
                double* wi = sums.weightedIntensity.data() + static_cast<std::size_t>(q) * m_nPhi;
                double* ws = sums.weightSum.data() + static_cast<std::size_t>(q) * m_nPhi;
                double sw = 0.0;
                double swi = 0.0;
                for (int p = 0; p < m_nPhi; ++p) {
                    const double v = w[p] > 0.0f ? static_cast<double>(w[p]) * I[p] : 0.0;
                    sw += w[p];
                    swi += v;
                    wi[p] += v;
                    ws[p] += w[p];
                }
                const double mean = (config.subtractRingMean && sw > 0.0) ? swi / sw : 0.0;
                Real* row = dst + static_cast<std::size_t>(q) * m_pad;
                for (int p = 0; p < m_nPhi; ++p) {
                    row[p] = w[p] > 0.0f ? static_cast<Real>(w[p] * (I[p] - mean)) : Real(0);
                }
            }
        }

        // Masks repeat from shot to shot (the detector's gaps and bad pixels): a repeated mask only increments a
        // multiplicity, so the weights' rank-k update costs one row set per distinct mask instead of one per shot.
        void addMask(const PolarFrame& f, int h)
        {
            auto& last = m_lastMask[h];
            if (!m_maskMult[h].empty() && last == f.weight) {
                ++m_maskMult[h].back();
                return;
            }
            const int d = static_cast<int>(m_maskMult[h].size());
            const int row = h == 0 ? d : m_b - 1 - d;
            Real* dst = m_maskIn.data() + static_cast<std::size_t>(row) * m_nQ * m_pad;
            for (int q = 0; q < m_nQ; ++q) {
                for (int p = 0; p < m_nPhi; ++p) {
                    dst[static_cast<std::size_t>(q) * m_pad + p] = f.weight[static_cast<std::size_t>(q) * m_nPhi + p];
                }
            }
            m_maskMult[h].push_back(1);
            last = f.weight;
        }

        Complex* target(std::vector<Complex>* acc, std::vector<std::complex<double>>* exact, int h, int n)
        {
            const std::size_t off = static_cast<std::size_t>(n) * m_nQ * m_nQ;
            if constexpr (std::is_same_v<Real, float>) {
                return acc[h].data() + off;
            } else {
                return exact[h].data() + off;
            }
        }

        void flushBatch()
        {
            const int total = m_count[0] + m_count[1];
            if (total == 0) {
                return;
            }
            if (total == m_b) {
                K::execute(m_planBatch);
            } else {
                for (int h = 0; h < 2; ++h) {
                    for (int i = 0; i < m_count[h]; ++i) {
                        executeShot(h == 0 ? i : m_b - 1 - i, m_in.data(), m_out.data());
                    }
                }
            }
            const std::size_t slab = static_cast<std::size_t>(m_b) * m_nQ;
            for (int h = 0; h < 2; ++h) {
                if (m_count[h] == 0) {
                    continue;
                }
                const std::size_t first = static_cast<std::size_t>(h == 0 ? 0 : m_b - m_count[h]) * m_nQ;
                for (int n = 0; n < sums.nFreq(); ++n) {
                    K::herk(m_nQ, m_count[h], 1, m_out.data() + n * slab + first, 1,
                        target(m_accSignal, sums.signal, h, n));
                }
                flushMasks(h);
                if constexpr (std::is_same_v<Real, float>) {
                    m_accShots[h] += m_count[h];
                } else {
                    sums.shots[h] += m_count[h];
                }
                m_count[h] = 0;
            }
            if (m_accShots[0] + m_accShots[1] >= config.foldShots) {
                fold();
            }
        }

        void flushMasks(int h)
        {
            auto& mult = m_maskMult[h];
            const int distinct = static_cast<int>(mult.size());
            const std::size_t slab = static_cast<std::size_t>(m_b) * m_nQ;
            for (int d = 0; d < distinct; ++d) {
                const int row = h == 0 ? d : m_b - 1 - d;
                if (distinct > 1) {
                    // Σ_d m_d W_d W_dᴴ as one rank-k update of the rows scaled by √m_d.
                    const Real scale = std::sqrt(static_cast<Real>(mult[d]));
                    Real* r = m_maskIn.data() + static_cast<std::size_t>(row) * m_nQ * m_pad;
                    std::transform(
                        r, r + static_cast<std::size_t>(m_nQ) * m_pad, r, [scale](Real v) { return v * scale; });
                }
                executeShot(row, m_maskIn.data(), m_maskOut.data());
            }
            const Real alpha = distinct == 1 ? static_cast<Real>(mult[0]) : Real(1);
            const std::size_t first = static_cast<std::size_t>(h == 0 ? 0 : m_b - distinct) * m_nQ;
            for (int n = 0; n < sums.nFreqMask(); ++n) {
                K::herk(
                    m_nQ, distinct, alpha, m_maskOut.data() + n * slab + first, 1, target(m_accMask, sums.mask, h, n));
            }
            mult.clear();
            m_lastMask[h].clear();
        }

        void executeShot(int row, Real* in, Complex* out)
        {
            K::execute(m_planShot, in + static_cast<std::size_t>(row) * m_nQ * m_pad,
                out + static_cast<std::size_t>(row) * m_nQ);
        }

        // Single precision: move the float partial sums into the double totals (lower triangle, see C2Sums).
        void fold()
        {
            if constexpr (std::is_same_v<Real, float>) {
                for (int h = 0; h < 2; ++h) {
                    foldArray(m_accSignal[h], sums.signal[h]);
                    foldArray(m_accMask[h], sums.mask[h]);
                    sums.shots[h] += m_accShots[h];
                    m_accShots[h] = 0;
                }
            }
        }

        void foldArray(std::vector<Complex>& acc, std::vector<std::complex<double>>& dst)
        {
            const std::size_t mats = acc.size() / (static_cast<std::size_t>(m_nQ) * m_nQ);
            for (std::size_t n = 0; n < mats; ++n) {
                for (int r = 0; r < m_nQ; ++r) {
                    const std::size_t off = (n * m_nQ + r) * m_nQ;
                    for (int c = 0; c <= r; ++c) {
                        dst[off + c] += std::complex<double>(acc[off + c]);
                        acc[off + c] = {};
                    }
                }
            }
        }

        int m_nQ, m_nPhi, m_pad, m_nF, m_b;
        AlignedArray<Real, K> m_in;
        AlignedArray<Complex, K> m_out;
        AlignedArray<Real, K> m_maskIn;
        AlignedArray<Complex, K> m_maskOut;
        typename K::Plan m_planBatch {};
        typename K::Plan m_planShot {};
        int m_count[2] = { 0, 0 };
        std::vector<int> m_maskMult[2];
        std::vector<float> m_lastMask[2];
        std::vector<Complex> m_accSignal[2];
        std::vector<Complex> m_accMask[2];
        std::int64_t m_accShots[2] = { 0, 0 };
    };

    C2Config resolve(C2Config c)
    {
        c.nQ = std::max(1, c.nQ);
        c.nPhi = std::max(4, c.nPhi);
        if (c.nMax < 0 || c.nMax > c.nPhi / 2) {
            c.nMax = c.nPhi / 2;
        }
        c.batchShots = std::max(1, c.batchShots);
        c.foldShots = std::max(c.batchShots, c.foldShots);
        return c;
    }

} // namespace

C2Accumulator::C2Accumulator(const C2Config& config)
{
    const C2Config c = resolve(config);
    if (c.precision == C2Precision::Double) {
        m_impl = std::make_unique<BatchImpl<double>>(c);
    } else {
        m_impl = std::make_unique<BatchImpl<float>>(c);
    }
}

C2Accumulator::~C2Accumulator() = default;
C2Accumulator::C2Accumulator(C2Accumulator&&) noexcept = default;
C2Accumulator& C2Accumulator::operator=(C2Accumulator&&) noexcept = default;

const C2Config& C2Accumulator::config() const { return m_impl->config; }
Status C2Accumulator::add(const PolarFrame& frame) { return m_impl->add(frame); }
void C2Accumulator::flush() { m_impl->flush(); }
const C2Sums& C2Accumulator::sums() const { return m_impl->sums; }
void C2Accumulator::reset() { m_impl->reset(); }
std::int64_t C2Accumulator::shotsAdded() const { return m_impl->sums.totalShots() + m_impl->pending(); }

Status C2Accumulator::merge(C2Accumulator& other)
{
    other.flush();
    return merge(other.sums());
}

Status C2Accumulator::merge(const C2Sums& s) { return m_impl->sums.merge(s); }

} // namespace fxs
