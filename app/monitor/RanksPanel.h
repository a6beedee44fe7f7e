#pragma once

#include "RemoteJobStatus.h"

#include <QWidget>

class QLabel;
class QTableWidget;

namespace fxs::monitor {

/// The "Remote job" dock: one line on the job (server, id, state, shots) and a table of its MPI ranks with their
/// health in colour (OK green, STARTING blue, STALE amber, GONE red, DONE grey), updated with every status.
class RanksPanel : public QWidget {
    Q_OBJECT
public:
    explicit RanksPanel(QWidget* parent = nullptr);

    /// Shows a job's status and its ranks.
    void setStatus(const RemoteJobStatus& status);
    /// Shows a line above the table (reconnecting, submitting, an error) without touching the ranks.
    void setNote(const QString& note);
    /// The status shown.
    const RemoteJobStatus& status() const { return m_status; }
    /// Background colour of a health cell.
    static QColor healthColor(RankHealthKind health);

private:
    QLabel* m_header = nullptr;
    QLabel* m_note = nullptr;
    QTableWidget* m_table = nullptr;
    RemoteJobStatus m_status;
};

} // namespace fxs::monitor
