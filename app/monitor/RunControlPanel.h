#pragma once

// moc cannot parse the C++20 standard headers these pull in (<numbers>); it does not need them.
#ifndef Q_MOC_RUN
#include "RemoteJobStatus.h"
#include "RunConfig.h"
#include "RunGeometry.h"
#endif

#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace fxs::monitor {

class RemoteJobForm;

/// Source, geometry and polar grid of the next run, and the run buttons (start, pause, stop, reset).
class RunControlPanel : public QWidget {
    Q_OBJECT
public:
    explicit RunControlPanel(QWidget* parent = nullptr);

    /// The run as edited.
    RunConfig config() const;
    /// Fills the fields (keeps fields the panel does not show).
    void setConfig(const RunConfig& config);
    /// Enables the buttons that make sense while running or not.
    void setRunning(bool running);
    /// Reflects a pause made elsewhere (keyboard, menu).
    void setPaused(bool paused);
    /// One line under the buttons: what runs, or why it stopped.
    void setStatus(const QString& text);
    /// Who this window is on the remote server: a role that may not submit or cancel disables Start or Stop for
    /// remote jobs, with a tooltip saying why.
    void setRemoteIdentity(const RemoteIdentity& identity);
    /// The token name that owns the remote job followed (Stop needs admin for another token's job).
    void setRemoteJobOwner(const QString& owner);
    /// Who the window is on the remote server, as last told.
    const RemoteIdentity& remoteIdentity() const { return m_identity; }
    /// Whether Start may be pressed now, and its tooltip (for scripted checks: --dump-ranks).
    bool startEnabled() const;
    QString startToolTip() const;
    /// Shows beside each detector value the one in effect and where it came from (geometry, data file, user).
    void showValuesInEffect(const fxs::monitor::GeometryInEffect& values);
    /// Asks for values the run needs ("clen", "photon_energy", "pixel_size"): marks their fields, focuses the
    /// first and says why in the status line.
    void askFor(const QStringList& keys, const QString& message);

signals:
    void startRequested();
    void pauseToggled(bool paused);
    void stopRequested();
    void resetRequested();
    /// The remote server or token changed (or the remote source was chosen): ask who we are there.
    void remoteServerChanged();

private:
    void updateEnabled();
    QWidget* valueRow(QLineEdit* field, QLabel* inEffect);

    RunConfig m_config;
    QComboBox* m_source = nullptr;
    QLineEdit* m_path = nullptr;
    QLineEdit* m_endpoint = nullptr; ///< detector stream: tcp://HOST:PORT
    QComboBox* m_protocol = nullptr; ///< detector stream: DECTRIS or Karabo (data: "dectris", "karabo")
    QCheckBox* m_stopAtEnd = nullptr; ///< detector stream: the series' end message ends the run
    QLineEdit* m_dataset = nullptr;
    QLineEdit* m_geometry = nullptr;
    QLineEdit* m_mask = nullptr; ///< pixel mask: FILE[:DATASET] or a bad-region file
    QLineEdit* m_clen = nullptr; ///< metres; empty: from the geometry or the data file
    QLineEdit* m_energy = nullptr; ///< eV
    QLineEdit* m_pixel = nullptr; ///< µm (a file read without a geometry)
    QLineEdit* m_beamShift = nullptr; ///< "X,Y" in mm
    QLabel* m_clenInEffect = nullptr;
    QLabel* m_energyInEffect = nullptr;
    QLabel* m_pixelInEffect = nullptr;
    QSpinBox* m_nQ = nullptr;
    QSpinBox* m_nPhi = nullptr;
    QSpinBox* m_first = nullptr;
    QSpinBox* m_last = nullptr;
    QDoubleSpinBox* m_qMin = nullptr;
    QDoubleSpinBox* m_qMax = nullptr;
    QDoubleSpinBox* m_spoolGb = nullptr; ///< bound of the polar spool (exact vetoes)
    QPushButton* m_start = nullptr;
    QPushButton* m_pause = nullptr;
    QPushButton* m_stop = nullptr;
    QPushButton* m_reset = nullptr;
    QLabel* m_status = nullptr;
    RemoteJobForm* m_remote = nullptr;
    QFormLayout* m_form = nullptr;
    bool m_running = false;
    RemoteIdentity m_identity;
    QString m_remoteOwner;
};

} // namespace fxs::monitor
