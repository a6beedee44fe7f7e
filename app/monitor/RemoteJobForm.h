#pragma once

#ifndef Q_MOC_RUN
#include "RunConfig.h"
#endif

#include <QGroupBox>

class QComboBox;
class QFormLayout;
class QLineEdit;
class QSpinBox;

namespace fxs::monitor {

/// The remote-job part of the run control: which fxs-server (address, token file, CA certificate for TLS), how
/// the MPI job runs (ranks, threads, backend) and what it reads (synthetic shots, or a CXI file on the server).
class RemoteJobForm : public QGroupBox {
    Q_OBJECT
public:
    explicit RemoteJobForm(QWidget* parent = nullptr);

    /// The settings as edited.
    RemoteJobSettings settings() const;
    /// Fills the fields.
    void setSettings(const RemoteJobSettings& settings);
    /// A line edit with a "…" button that picks a local file into it (shared with the run control).
    static QWidget* fileRow(QLineEdit* edit, const QString& filter);

private:
    void updateEnabled();

    QLineEdit* m_address = nullptr;
    QLineEdit* m_token = nullptr;
    QLineEdit* m_ca = nullptr;
    QSpinBox* m_ranks = nullptr;
    QSpinBox* m_threads = nullptr;
    QComboBox* m_backend = nullptr;
    QComboBox* m_input = nullptr;
    QSpinBox* m_shots = nullptr;
    QLineEdit* m_serverFile = nullptr;
    QLineEdit* m_serverGeometry = nullptr;
    QSpinBox* m_nMax = nullptr;
    QComboBox* m_precision = nullptr;
    RemoteJobSettings m_settings;
    QFormLayout* m_form = nullptr;
};

} // namespace fxs::monitor
