#pragma once

// moc cannot parse the C++20 standard headers these pull in (<numbers>); it does not need them.
#ifndef Q_MOC_RUN
#include "RemoteJobStatus.h"
#include "RunConfig.h"
#endif

#include <QWidget>

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

signals:
    void startRequested();
    void pauseToggled(bool paused);
    void stopRequested();
    void resetRequested();
    /// The remote server or token changed (or the remote source was chosen): ask who we are there.
    void remoteServerChanged();

private:
    void updateEnabled();

    RunConfig m_config;
    QComboBox* m_source = nullptr;
    QLineEdit* m_path = nullptr;
    QLineEdit* m_dataset = nullptr;
    QLineEdit* m_geometry = nullptr;
    QSpinBox* m_nQ = nullptr;
    QSpinBox* m_nPhi = nullptr;
    QSpinBox* m_first = nullptr;
    QSpinBox* m_last = nullptr;
    QDoubleSpinBox* m_qMin = nullptr;
    QDoubleSpinBox* m_qMax = nullptr;
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
