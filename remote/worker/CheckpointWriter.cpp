#include "CheckpointWriter.h"

#include "fxs/C2Snapshot.h"

namespace fxs::remote {

namespace {

Status writeAll(const SumsFile& cp, bool final, const JobFiles& files)
{
    if (auto st = cp.write(files.checkpoint()); !st) {
        return st;
    }
    SnapshotOptions opt;
    opt.interShot = false;
    opt.fourier = false;
    opt.threads = 1;
    const C2Snapshot snap = C2Snapshot::compute(cp.sums, opt);
    const SnapshotFile s { snap.nQ, snap.nPhi, snap.shots, snap.splitHalfCC, snap.c2 };
    if (auto st = s.write(files.snapshot()); !st) {
        return st;
    }
    return final ? cp.write(files.result()) : Status {};
}

} // namespace

CheckpointWriter::CheckpointWriter(JobFiles files)
    : m_files(std::move(files))
{
}

CheckpointWriter::~CheckpointWriter() { (void)wait(); }

Status CheckpointWriter::submit(SumsFile cp, bool final)
{
    if (auto st = wait(); !st) {
        return st;
    }
    m_thread = std::thread([this, cp = std::move(cp), final] { m_status = writeAll(cp, final, m_files); });
    return {};
}

Status CheckpointWriter::wait()
{
    if (m_thread.joinable()) {
        m_thread.join();
    }
    return m_status;
}

} // namespace fxs::remote
