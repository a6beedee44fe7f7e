#include "ReconstructionRunner.h"

#include <QPointer>
#include <fxs/results/MrcWriter.h>

namespace fxs::monitor {

ReconstructionRunner::ReconstructionRunner(QObject* parent)
    : QObject(parent)
{
}

ReconstructionRunner::~ReconstructionRunner()
{
    cancel();
    join();
}

void ReconstructionRunner::join()
{
    if (m_thread.joinable()) {
        m_thread.join();
    }
}

void ReconstructionRunner::cancel()
{
    if (m_cancel) {
        *m_cancel = true;
    }
}

void ReconstructionRunner::start(const KamInvariants& invariants, const MtipConfig& config)
{
    cancel();
    join();
    const int job = ++m_job;
    m_cancel = std::make_shared<std::atomic<bool>>(false);
    m_running = true;
    QPointer<ReconstructionRunner> self(this);
    // The worker owns copies of everything it reads; it talks back only through queued lambdas that check the
    // job id on the GUI thread, so a replaced job's late progress never reaches the view.
    m_thread = std::thread([self, job, invariants, config, cancelFlag = m_cancel] {
        MtipControl control;
        control.cancel = cancelFlag.get();
        control.progress = [self, job](const MtipProgress& p) {
            QMetaObject::invokeMethod(self.data(), [self, job, p] {
                if (self && self->m_job == job && self->onProgress) {
                    self->onProgress(p);
                }
            });
        };
        auto result = MtipReconstructor(config).run(invariants, control);
        QMetaObject::invokeMethod(self.data(), [self, job, result = std::move(result)] {
            if (!self || self->m_job != job) {
                return;
            }
            self->m_running = false;
            if (result) {
                self->m_result = *result;
                if (self->onFinished) {
                    self->onFinished(*result);
                }
            } else if (self->onFailed) {
                self->onFailed(QString::fromStdString(result.error().message));
            }
        });
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
