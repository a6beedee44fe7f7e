#pragma once

#include "RemoteJobStatus.h"

#include <QWidget>

class QLabel;
class QProgressBar;
class QPushButton;
class QTableWidget;

namespace fxs::monitor {

/// The "Remote job" dock: one line on the job (server, id, state, shots) and a table of its MPI ranks with their
/// health in colour (OK green, STARTING blue, STALE amber, GONE red, DONE grey), updated with every status; for a job
/// that reconstructs on the server, a bar with rank 0's M-TIP progress. A job that failed or was cancelled offers
/// Resume (from its checkpoint on the server); the ranks of a cancelled job read CANCELLED, not GONE.
class RanksPanel : public QWidget {
    Q_OBJECT
public:
    explicit RanksPanel(QWidget* parent = nullptr);

    /// Shows a job's status and its ranks.
    void setStatus(const RemoteJobStatus& status);
    /// Shows a line above the table (reconnecting, submitting, an error) without touching the ranks.
    void setNote(const QString& note);
    /// Who this window is on the server (shown in the header).
    void setIdentity(const RemoteIdentity& identity)
    {
        m_identity = identity;
        if (!m_status.jobId.isEmpty()) {
            setStatus(m_status);
        }
    }
    /// The status shown.
    const RemoteJobStatus& status() const { return m_status; }
    /// What the reconstruction bar shows, 0 … 100; −1 while it is hidden (no reconstruction asked for).
    int reconstructionPercent() const;
    /// Background colour of a health cell.
    static QColor healthColor(RankHealthKind health);
    /// Shows or hides the Resume button (a failed or cancelled job this window may resume), with why in its tooltip.
    void setResumable(bool resumable, const QString& toolTip = {});
    /// The Resume button (tests, scripted runs).
    QPushButton* resumeButton() const { return m_resume; }

signals:
    /// Resume was pressed.
    void resumeRequested();

private:
    QLabel* m_header = nullptr;
    QLabel* m_note = nullptr;
    QProgressBar* m_reconstruction = nullptr;
    QTableWidget* m_table = nullptr;
    QPushButton* m_resume = nullptr;
    RemoteJobStatus m_status;
    RemoteIdentity m_identity;
};

} // namespace fxs::monitor
