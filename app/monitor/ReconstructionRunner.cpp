#include "ReconstructionRunner.h"

#include <fxs/results/MrcWriter.h>

namespace fxs::monitor {

ReconstructionRunner::ReconstructionRunner(QObject* parent)
    : QObject(parent)
{
}

ReconstructionRunner::~ReconstructionRunner() = default; // the tracker drops the job and waits for its thread

void ReconstructionRunner::start(const KamInvariants& invariants, const MtipConfig& config)
{
    // The worker owns copies of everything it reads; it talks back only through the tracker, so a replaced job's
    // late progress never reaches the view.
    m_jobs.start(
        [this, invariants, config](const widgets::JobTracker::Job& job) {
            MtipControl control;
            control.cancel = job.cancelFlag();
            control.progress = [this, job](const MtipProgress& p) {
                job.post([this, p] {
                    if (onProgress) {
                        onProgress(p);
                    }
                });
            };
            return MtipReconstructor(config).run(invariants, control);
        },
        [this](const Result<MtipResult>& result) {
            if (result) {
                m_result = *result;
                if (onFinished) {
                    onFinished(*result);
                }
            } else if (onFailed) {
                onFailed(QString::fromStdString(result.error().message));
            }
        });
}

bool ReconstructionRunner::saveMrc(const QString& path, QString* message) const
{
    if (m_result.density.empty()) {
        *message = QObject::tr("No reconstruction to save yet");
        return false;
    }
    const Status written = MrcWriter::write(path.toStdString(), MrcWriter::mapOf(m_result));
    if (!written) {
        *message = QString::fromStdString(written.message());
        return false;
    }
    // "%2³" would read as placeholder 2 followed by the digit ³ (QString::arg takes Unicode digits): the cube goes
    // in as text.
    *message = QObject::tr("Density saved to %1 (%2 voxels of %3 Å)")
                   .arg(path, QString::number(m_result.gridSize) + QStringLiteral("³"),
                       QString::number(m_result.voxelSizeA, 'f', 2));
    return true;
}

} // namespace fxs::monitor
