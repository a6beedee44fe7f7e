#include "CheckpointWriter.h"
#include "SnapshotFile.h"

#include <fxs/correlation/C2Snapshot.h>

#include <ctime>

namespace fxs::remote {

namespace {

// The result is the last checkpoint: a hard link to it costs nothing, where a second copy of the sums would cost
// as much as the checkpoint itself, at the end of the run when nothing else overlaps it.
Status linkResult(const C2Sums& sums, const SumsFile& meta, const JobFiles& files)
{
    std::error_code ec;
    std::filesystem::remove(files.result(), ec);
    std::filesystem::create_hard_link(files.checkpoint(), files.result(), ec);
    return ec ? SumsFile::write(files.result(), sums, meta) : Status {};
}

Status writeAll(const C2Sums& sums, const SumsFile& meta, bool final, int threads, const JobFiles& files)
{
    if (auto st = SumsFile::write(files.checkpoint(), sums, meta); !st) {
        return st;
    }
    if (final) {
        return linkResult(sums, meta, files); // the final analysis writes the last snapshot
    }
    SnapshotOptions opt;
    opt.interShot = false;
    opt.fourier = false;
    opt.threads = threads;
    return writeSnapshotFile(C2Snapshot::compute(sums, opt), files);
}

// CPU time of the calling thread so far: each write runs on a thread of its own, so this is the write's.
double threadCpuS()
{
    timespec t {};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

} // namespace

Status writeSnapshotFile(const C2Snapshot& snap, const JobFiles& files)
{
    // The window's error bands and convergence map need the standard errors and split-half values; a few times
    // c2's size at most.
    const SnapshotFile s { snap.nQ, snap.nPhi, snap.shots, snap.splitHalfCC, snap.c2, snap.c2StdError,
        snap.splitHalfCCPerPair, snap.splitHalfCCPerQ };
    return s.write(files.snapshot());
}

CheckpointWriter::CheckpointWriter(JobFiles files)
    : m_files(std::move(files))
{
}

CheckpointWriter::~CheckpointWriter() { (void)wait(); }

Status CheckpointWriter::submit(std::shared_ptr<const SumsFile> cp, bool final, int snapshotThreads)
{
    if (!final && m_busy.load()) {
        ++m_dropped; // the disk is slower than the rounds: this one waits for nothing, the next one supersedes it
        return {}; // a failure of the write in flight comes with the next submit() or wait()
    }
    if (final) {
        // The result follows the write in flight on the writer's side: the caller goes on (the final analysis)
        // and wait() collects both.
        m_busy = true;
        m_earlier = m_thread.joinable();
        m_thread = std::thread([this, previous = std::move(m_thread), cp = std::move(cp)]() mutable {
            if (previous.joinable()) {
                previous.join();
                const std::lock_guard lock(m_earlierMutex);
                m_earlier = false;
                m_earlierDone.notify_all();
            }
            if (m_status) {
                m_status = writeAll(cp->sums, *cp, true, 1, m_files);
            }
            m_cpuS = m_cpuS.load() + threadCpuS();
            m_busy = false;
        });
        return {};
    }
    if (auto st = wait(); !st) {
        return st;
    }
    m_busy = true;
    m_thread = std::thread([this, cp = std::move(cp), snapshotThreads] {
        m_status = writeAll(cp->sums, *cp, false, snapshotThreads, m_files);
        account(threadCpuS());
        m_busy = false;
    });
    return {};
}

Status CheckpointWriter::submit(
    PackedSums total, std::shared_ptr<const C2Sums> base, std::shared_ptr<const SumsFile> meta, int snapshotThreads)
{
    if (m_busy.load()) {
        ++m_dropped; // as above: the next checkpoint supersedes this one
        return {};
    }
    if (auto st = wait(); !st) {
        return st;
    }
    m_busy = true;
    m_thread = std::thread(
        [this, total = std::move(total), base = std::move(base), meta = std::move(meta), snapshotThreads]() mutable {
            total.unpackInto(m_scratch);
            total = {}; // the packed buffer goes back to the reductions at once
            // A resumed attempt adds the checkpoint's sums; a first attempt has none.
            m_status = base ? m_scratch.merge(*base) : Status {};
            if (m_status) {
                m_status = writeAll(m_scratch, *meta, false, snapshotThreads, m_files);
            }
            account(threadCpuS());
            m_busy = false;
        });
    return {};
}

void CheckpointWriter::account(double cpuS)
{
    m_lastCpuS = cpuS;
    m_cpuS = m_cpuS.load() + cpuS;
}

void CheckpointWriter::waitForEarlier()
{
    std::unique_lock lock(m_earlierMutex);
    m_earlierDone.wait(lock, [this] { return !m_earlier; });
}

Status CheckpointWriter::wait()
{
    if (m_thread.joinable()) {
        m_thread.join();
    }
    return m_status;
}

} // namespace fxs::remote
