#pragma once

#ifndef Q_MOC_RUN
#include "RunConfig.h"
#endif

#include <QGroupBox>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace fxs::monitor {

/// The remote-job part of the run control: which fxs-server (address, token file, CA certificate for TLS), how
/// the MPI job runs (ranks, threads, backend), what it reads (synthetic shots, a CXI file on the server, or a particle
/// simulated on the server) and whether the server reconstructs the density once the C2 is complete.
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
    /// Shows who the token is on the server ("alice (operate)") or why that is unknown.
    void setIdentity(const QString& text, const QString& toolTip);

signals:
    /// The input (synthetic, CXI, simulator) changed: the run control shows the Dataset row for CXI only.
    void inputChanged();
    /// The server, token file or CA certificate was edited: who we are there may have changed.
    void serverChanged();

private:
    void updateEnabled();

    QLineEdit* m_address = nullptr;
    QLineEdit* m_token = nullptr;
    QLineEdit* m_ca = nullptr;
    QLabel* m_identity = nullptr;
    QSpinBox* m_ranks = nullptr;
    QSpinBox* m_threads = nullptr;
    QComboBox* m_backend = nullptr;
    QDoubleSpinBox* m_checkpoint = nullptr;
    QComboBox* m_input = nullptr;
    QSpinBox* m_shots = nullptr;
    QLineEdit* m_serverFile = nullptr;
    QLineEdit* m_streamEndpoint = nullptr;
    QComboBox* m_streamProtocol = nullptr;
    QCheckBox* m_streamStopAtEnd = nullptr;
    QSpinBox* m_streamMaxShots = nullptr;
    QDoubleSpinBox* m_streamIdle = nullptr;
    QLineEdit* m_serverGeometry = nullptr;
    QComboBox* m_model = nullptr;
    QDoubleSpinBox* m_wavelength = nullptr;
    QDoubleSpinBox* m_photons = nullptr;
    QDoubleSpinBox* m_particles = nullptr;
    QSpinBox* m_nMax = nullptr;
    QComboBox* m_precision = nullptr;
    QGroupBox* m_reconstruct = nullptr;
    QSpinBox* m_recGrid = nullptr;
    QDoubleSpinBox* m_recDiameter = nullptr;
    QSpinBox* m_recStarts = nullptr;
    QSpinBox* m_recIterations = nullptr;
    QSpinBox* m_recLMax = nullptr;
    QSpinBox* m_recSeed = nullptr;
    RemoteJobSettings m_settings;
    QFormLayout* m_form = nullptr;
};

} // namespace fxs::monitor
