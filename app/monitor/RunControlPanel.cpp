#include "RunControlPanel.h"

#include "RemoteJobForm.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QDoubleValidator>
#include <QFormLayout>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>
#include <cmath>
#include <limits>

namespace fxs::monitor {

namespace {
// A number typed into a field, in units of which `perSi` make one SI unit (1e6 for µm); empty or unreadable: not
// given (NaN). Dividing by the exact perSi keeps 100 µm exactly 1e-4 m.
double fieldValue(const QLineEdit* e, double perSi)
{
    bool ok = false;
    const double v = QLocale::c().toDouble(e->text().trimmed(), &ok);
    return ok ? v / perSi : std::nan("");
}

QString fieldText(double v, double perSi) { return std::isfinite(v) ? QString::number(v * perSi, 'g', 10) : QString(); }

QString inEffect(double v, double perSi, const QString& unit, ValueSource source)
{
    if (!std::isfinite(v)) {
        return QObject::tr("not used");
    }
    return QObject::tr("in effect: %1 %2 (%3)")
        .arg(QString::number(v * perSi, 'g', 6), unit, QObject::tr(valueSourceName(source)));
}

// A value the data file gives per frame: its range over the run (the label), and what that means (the tooltip).
void showPerFrame(QLabel* label, double v, const ValueRange& range, const QString& unit, ValueSource source)
{
    if (!(range.max > range.min)) {
        label->setText(inEffect(v, 1.0, unit, source));
        label->setToolTip({});
        return;
    }
    label->setText(QObject::tr("per frame %1–%2 %3 (%4)")
                       .arg(QString::number(range.min, 'g', 6), QString::number(range.max, 'g', 6), unit,
                           QObject::tr(valueSourceName(source))));
    label->setToolTip(QObject::tr("The data file gives this value per frame, from %2 to %3 %4 (the first frame's: "
                                  "%5 %4); %1 distinct geometries in the run. Each frame is remapped with its own.")
                          .arg(range.distinct)
                          .arg(range.min, 0, 'g', 6)
                          .arg(range.max, 0, 'g', 6)
                          .arg(unit)
                          .arg(v, 0, 'g', 6));
}
} // namespace

QWidget* RunControlPanel::valueRow(QLineEdit* field, QLabel* label)
{
    auto* w = new QWidget;
    auto* row = new QHBoxLayout(w);
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(field, 1);
    row->addWidget(label, 2);
    auto* validator = new QDoubleValidator(field);
    validator->setLocale(QLocale::c());
    field->setValidator(validator);
    return w;
}

RunControlPanel::RunControlPanel(QWidget* parent)
    : QWidget(parent)
{
    m_source = new QComboBox(this);
    m_source->addItems({ tr("Simulated run"), tr("CXI / HDF5 file"), tr("Live SWMR file"),
        tr("Remote job (fxs-server)"), tr("Detector stream (ZeroMQ)") }); // in SourceKind's order
    m_path = new QLineEdit(this);
    m_path->setPlaceholderText(tr("file to read"));
    m_endpoint = new QLineEdit(this);
    m_endpoint->setPlaceholderText(QStringLiteral("tcp://HOST:PORT"));
    m_endpoint->setToolTip(tr("The publisher's ZeroMQ address: a DECTRIS DCU (port 31001) or a Karabo bridge"));
    m_protocol = new QComboBox(this);
    m_protocol->addItem(tr("DECTRIS Stream V2 (EIGER2, PILATUS4, JUNGFRAU)"), QStringLiteral("dectris"));
    m_protocol->addItem(tr("DECTRIS Stream V1 (SIMPLON, port 9999)"), QStringLiteral("dectris1"));
    m_protocol->addItem(tr("Karabo bridge (European XFEL)"), QStringLiteral("karabo"));
    m_protocol->setToolTip(tr("DECTRIS: the geometry and energy come from the series' start message unless a "
                              "geometry file or values below are given. Karabo: give a geometry file."));
    m_stopAtEnd = new QCheckBox(tr("End the run at the series' end message"), this);
    m_stopAtEnd->setToolTip(tr("DECTRIS: the run ends when the detector's series ends (else it waits for the next "
                               "series until Stop; the results file is written either way)"));
    m_dataset = new QLineEdit(this);
    m_geometry = new QLineEdit(this);
    m_geometry->setPlaceholderText(tr("none: flat panel, beam centred"));
    m_mask = new QLineEdit(this);
    m_mask->setPlaceholderText(tr("none: the geometry's own"));
    m_mask->setToolTip(tr("Pixel mask for the run: an HDF5 file, FILE:DATASET (nonzero = bad, or the geometry's "
                          "mask_good/mask_bad bits), or a CrystFEL bad-region file (.geom or bad_NAME/min_fs … lines). "
                          "A remote job reads it as a path on the server."));
    m_clen = new QLineEdit(this);
    m_clen->setPlaceholderText(tr("from the geometry / data file"));
    m_clen->setToolTip(tr("Camera length in metres for every panel; wins over the geometry's clen and the data "
                          "file's value (the geometry's coffset is still added)"));
    m_energy = new QLineEdit(this);
    m_energy->setPlaceholderText(tr("from the geometry / data file"));
    m_energy->setToolTip(tr("Photon energy in eV; wins over the geometry's and the data file's"));
    m_pixel = new QLineEdit(this);
    m_pixel->setPlaceholderText(tr("needed without a geometry"));
    m_pixel->setToolTip(tr("Pixel size in µm of a file read without a geometry"));
    m_beamShift = new QLineEdit(this);
    m_beamShift->setPlaceholderText(QStringLiteral("0,0"));
    m_beamShift->setToolTip(tr("Where the beam meets the detector, X,Y in mm in the geometry's lab frame"));
    m_clenInEffect = new QLabel(this);
    m_energyInEffect = new QLabel(this);
    m_pixelInEffect = new QLabel(this);
    // Not word-wrapped: Qt 6.4's QFormLayout gives rows next to hidden ones no height once a row's height depends on
    // its width (a wrapped label), and a stream's or a file's rows are hidden by turns.
    for (QLabel* l : { m_clenInEffect, m_energyInEffect, m_pixelInEffect }) {
        l->setWordWrap(false);
    }
    m_remote = new RemoteJobForm(this);
    m_nQ = new QSpinBox(this);
    m_nQ->setRange(2, 2000);
    m_nPhi = new QSpinBox(this);
    m_nPhi->setRange(8, 4096);
    m_first = new QSpinBox(this);
    m_first->setRange(0, std::numeric_limits<int>::max());
    m_last = new QSpinBox(this);
    m_last->setRange(-1, std::numeric_limits<int>::max());
    m_last->setSpecialValueText(tr("end"));
    m_qMin = new QDoubleSpinBox(this);
    m_qMax = new QDoubleSpinBox(this);
    for (QDoubleSpinBox* s : { m_qMin, m_qMax }) {
        s->setDecimals(3);
        s->setRange(0.0, 20.0);
        s->setSingleStep(0.01);
        s->setSuffix(QStringLiteral(" Å⁻¹"));
    }
    m_spoolGb = new QDoubleSpinBox(this);
    m_spoolGb->setRange(0.0, 100000.0);
    m_spoolGb->setDecimals(1);
    m_spoolGb->setSuffix(QStringLiteral(" GB"));
    m_spoolGb->setSpecialValueText(tr("off"));
    m_spoolGb->setToolTip(tr("Disk kept for every shot's polar frame, so that a veto change corrects the C2 for every "
                             "shot of the run (files are read again when needed; a live source's shots past this "
                             "bound cannot be corrected). Clamped to the free disk space."));
    auto* form = m_form = new QFormLayout;
    form->addRow(tr("Source"), m_source);
    form->addRow(tr("Endpoint"), m_endpoint);
    form->addRow(tr("Protocol"), m_protocol);
    form->addRow(QString(), m_stopAtEnd);
    form->addRow(
        tr("File"), RemoteJobForm::fileRow(m_path, tr("Detector stacks (*.cxi *.h5 *.hdf5 *.nxs);;All files (*)")));
    form->addRow(tr("Dataset"), m_dataset);
    form->addRow(tr("Geometry"), RemoteJobForm::fileRow(m_geometry, tr("CrystFEL geometry (*.geom);;All files (*)")));
    form->addRow(tr("Pixel mask"),
        RemoteJobForm::fileRow(m_mask, tr("Masks (*.h5 *.hdf5 *.nxs *.geom *.txt);;All files (*)")));
    form->addRow(tr("Camera length (m)"), valueRow(m_clen, m_clenInEffect));
    form->addRow(tr("Photon energy (eV)"), valueRow(m_energy, m_energyInEffect));
    form->addRow(tr("Pixel size (µm)"), valueRow(m_pixel, m_pixelInEffect));
    form->addRow(tr("Beam shift X,Y (mm)"), m_beamShift);
    form->addRow(tr("q bins × φ bins"), [this] {
        auto* w = new QWidget;
        auto* row = new QHBoxLayout(w);
        row->setContentsMargins(0, 0, 0, 0);
        row->addWidget(m_nQ);
        row->addWidget(new QLabel(QStringLiteral("×")));
        row->addWidget(m_nPhi);
        return w;
    }());
    form->addRow(tr("Shots from … to"), [this] {
        auto* w = new QWidget;
        auto* row = new QHBoxLayout(w);
        row->setContentsMargins(0, 0, 0, 0);
        row->addWidget(m_first);
        row->addWidget(new QLabel(QStringLiteral("…")));
        row->addWidget(m_last);
        return w;
    }());
    form->addRow(tr("q from"), m_qMin);
    form->addRow(tr("q to"), m_qMax);
    form->addRow(tr("Veto spool"), m_spoolGb);

    m_start = new QPushButton(QStringLiteral("▶ ") + tr("Start"), this);
    m_start->setToolTip(tr("Start a run with these settings (Ctrl+R)"));
    m_pause = new QPushButton(QStringLiteral("❚❚ ") + tr("Pause"), this);
    m_pause->setCheckable(true);
    m_pause->setToolTip(tr("Pause reading the source (the run, not only the display)"));
    m_stop = new QPushButton(QStringLiteral("■ ") + tr("Stop"), this);
    m_stop->setToolTip(tr("Stop the run; what was accumulated is kept (Ctrl+.)"));
    m_reset = new QPushButton(QStringLiteral("⟲ ") + tr("Reset"), this);
    m_reset->setToolTip(tr("Drop the accumulated C2 and start again"));
    connect(m_start, &QPushButton::clicked, this, &RunControlPanel::startRequested);
    connect(m_pause, &QPushButton::toggled, this, &RunControlPanel::pauseToggled);
    connect(m_stop, &QPushButton::clicked, this, &RunControlPanel::stopRequested);
    connect(m_reset, &QPushButton::clicked, this, &RunControlPanel::resetRequested);
    connect(m_source, &QComboBox::currentIndexChanged, this, &RunControlPanel::updateEnabled);
    connect(m_remote, &RemoteJobForm::inputChanged, this, &RunControlPanel::updateEnabled);
    connect(m_protocol, &QComboBox::currentIndexChanged, this, &RunControlPanel::updateEnabled);
    connect(m_remote, &RemoteJobForm::serverChanged, this, &RunControlPanel::remoteServerChanged);
    connect(m_source, &QComboBox::currentIndexChanged, this, [this] {
        if (SourceKind(m_source->currentIndex()) == SourceKind::RemoteJob) {
            emit remoteServerChanged();
        }
    });
    auto* buttons = new QGridLayout;
    buttons->addWidget(m_start, 0, 0);
    buttons->addWidget(m_pause, 0, 1);
    buttons->addWidget(m_stop, 1, 0);
    buttons->addWidget(m_reset, 1, 1);
    m_status = new QLabel(tr("Not running"), this);
    m_status->setWordWrap(true);
    m_status->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred); // a long path never widens the dock
    m_status->setMinimumWidth(0);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_remote);
    layout->addLayout(buttons);
    layout->addWidget(m_status);
    layout->addStretch();
    setConfig(m_config);
    setRunning(false);
}

RunConfig RunControlPanel::config() const
{
    RunConfig c = m_config;
    c.source = SourceKind(m_source->currentIndex());
    c.path = m_path->text().trimmed();
    c.dataset = m_dataset->text().trimmed();
    c.geometryPath = m_geometry->text().trimmed();
    c.pixelMask = m_mask->text().trimmed();
    c.streamEndpoint = m_endpoint->text().trimmed();
    c.streamProtocol = m_protocol->currentData().toString();
    c.streamStopAtEnd = m_stopAtEnd->isChecked();
    c.firstShot = m_first->value();
    c.lastShot = m_last->value();
    c.grid.nQ = m_nQ->value();
    c.grid.nPhi = m_nPhi->value();
    c.grid.qMinInvA = m_qMin->value();
    c.grid.qMaxInvA = m_qMax->value();
    c.remote = m_remote->settings();
    // A bound finer than the box shows (a settings file's) is kept unless the box was changed.
    const bool spoolEdited = std::abs(m_spoolGb->value() - std::round(m_config.spoolGb * 10.0) / 10.0) > 1e-9;
    c.spoolGb = spoolEdited ? m_spoolGb->value() : m_config.spoolGb;
    c.userClenM = fieldValue(m_clen, 1.0);
    c.userPhotonEnergyEv = fieldValue(m_energy, 1.0);
    c.userPixelSizeM = fieldValue(m_pixel, 1e6);
    const QStringList shift = m_beamShift->text().split(',');
    bool okX = false, okY = false;
    const double x = shift.size() == 2 ? QLocale::c().toDouble(shift[0].trimmed(), &okX) : 0.0;
    const double y = shift.size() == 2 ? QLocale::c().toDouble(shift[1].trimmed(), &okY) : 0.0;
    c.beamShiftXM = okX && okY ? x * 1e-3 : 0.0;
    c.beamShiftYM = okX && okY ? y * 1e-3 : 0.0;
    return c;
}

void RunControlPanel::setConfig(const RunConfig& c)
{
    m_config = c;
    m_source->setCurrentIndex(int(c.source));
    m_path->setText(c.path);
    m_dataset->setText(c.dataset);
    m_geometry->setText(c.geometryPath);
    m_mask->setText(c.pixelMask);
    m_endpoint->setText(c.streamEndpoint);
    m_protocol->setCurrentIndex(std::max(0, m_protocol->findData(c.streamProtocol)));
    m_stopAtEnd->setChecked(c.streamStopAtEnd);
    m_first->setValue(int(std::min<std::int64_t>(c.firstShot, std::numeric_limits<int>::max())));
    m_last->setValue(int(std::min<std::int64_t>(c.lastShot, std::numeric_limits<int>::max())));
    m_nQ->setValue(c.grid.nQ);
    m_nPhi->setValue(c.grid.nPhi);
    m_qMin->setValue(c.grid.qMinInvA);
    m_qMax->setValue(c.grid.qMaxInvA);
    m_remote->setSettings(c.remote);
    m_spoolGb->setValue(c.spoolGb);
    m_clen->setText(fieldText(c.userClenM, 1.0));
    m_energy->setText(fieldText(c.userPhotonEnergyEv, 1.0));
    m_pixel->setText(fieldText(c.userPixelSizeM, 1e6));
    m_beamShift->setText(c.beamShiftXM != 0.0 || c.beamShiftYM != 0.0
            ? QStringLiteral("%1,%2").arg(c.beamShiftXM * 1e3).arg(c.beamShiftYM * 1e3)
            : QString());
    updateEnabled();
}

void RunControlPanel::showValuesInEffect(const GeometryInEffect& v)
{
    m_clenInEffect->setStyleSheet({});
    m_energyInEffect->setStyleSheet({});
    m_pixelInEffect->setStyleSheet({});
    showPerFrame(m_clenInEffect, v.clenM, v.perFrame ? v.clenRangeM : ValueRange {}, QStringLiteral("m"), v.clenSource);
    showPerFrame(m_energyInEffect, v.photonEnergyEv, v.perFrame ? v.energyRangeEv : ValueRange {}, QStringLiteral("eV"),
        v.energySource);
    m_pixelInEffect->setText(inEffect(v.pixelSizeM, 1e6, QStringLiteral("µm"), v.pixelSource));
}

void RunControlPanel::askFor(const QStringList& keys, const QString& message)
{
    const std::pair<QString, std::pair<QLineEdit*, QLabel*>> rows[]
        = { { QStringLiteral("clen"), { m_clen, m_clenInEffect } },
              { QStringLiteral("photon_energy"), { m_energy, m_energyInEffect } },
              { QStringLiteral("pixel_size"), { m_pixel, m_pixelInEffect } } };
    QLineEdit* first = nullptr;
    for (const auto& [key, row] : rows) {
        if (keys.contains(key)) {
            row.second->setText(tr("needed: enter a value"));
            row.second->setStyleSheet(QStringLiteral("color: #c62828; font-weight: bold"));
            first = first ? first : row.first;
        }
    }
    if (first) {
        first->setFocus();
    }
    setStatus(message);
}

void RunControlPanel::setRunning(bool running)
{
    m_running = running;
    m_stop->setEnabled(running);
    if (!running) {
        setPaused(false);
    }
    updateEnabled();
}

void RunControlPanel::setPaused(bool paused)
{
    const QSignalBlocker block(m_pause);
    m_pause->setChecked(paused);
}

void RunControlPanel::setStatus(const QString& text)
{
    m_status->setText(text);
    m_status->setToolTip(text);
}

void RunControlPanel::setRemoteIdentity(const RemoteIdentity& identity)
{
    m_identity = identity;
    m_remote->setIdentity(identity.known() ? identity.describe() : tr("unknown"),
        identity.known() ? tr("Token '%1' on %2, role %3%4")
                               .arg(identity.tokenName, identity.server, identity.role,
                                   identity.maxJobs + identity.maxRanks > 0
                                       ? tr("; at most %1 jobs and %2 ranks at a time (0: no limit)")
                                             .arg(identity.maxJobs)
                                             .arg(identity.maxRanks)
                                       : QString())
                         : identity.error);
    updateEnabled();
}

bool RunControlPanel::startEnabled() const { return m_start->isEnabled(); }

QString RunControlPanel::startToolTip() const { return m_start->toolTip(); }

void RunControlPanel::setRemoteJobOwner(const QString& owner)
{
    m_remoteOwner = owner;
    updateEnabled();
}

void RunControlPanel::updateEnabled()
{
    const auto source = SourceKind(m_source->currentIndex());
    const bool remote = source == SourceKind::RemoteJob;
    const bool file = source == SourceKind::CxiFile || source == SourceKind::LiveFile;
    const bool stream = source == SourceKind::DetectorStream;
    m_path->setEnabled(file);
    m_dataset->setEnabled(file || remote); // a remote CXI input reads this dataset too
    // Rows that mean nothing to a remote job are hidden, so that its form fits a laptop screen; a stream shows its
    // endpoint and protocol instead of a file, and has no shot range (it cannot go back).
    m_form->setRowVisible(m_path->parentWidget(), !remote && !stream);
    m_form->setRowVisible(m_endpoint, stream);
    m_form->setRowVisible(m_protocol, stream);
    m_form->setRowVisible(m_stopAtEnd, stream && m_protocol->currentData().toString() != QLatin1String("karabo"));
    m_form->setRowVisible(m_geometry->parentWidget(), !remote); // a remote job's geometry is a path on the server
    m_form->setRowVisible(m_first->parentWidget(), !remote);
    // A stream cannot go back: no shot range.
    m_first->parentWidget()->setEnabled(!stream);
    m_first->parentWidget()->setToolTip(stream ? tr("A stream cannot go back: it runs until Stop or its end") : QString());
    m_geometry->setPlaceholderText(stream ? tr("none: from the stream's start message (DECTRIS)")
                                          : tr("none: flat panel, beam centred"));
    for (QLineEdit* e : { m_clen, m_energy }) {
        e->setPlaceholderText(stream ? tr("from the geometry / stream") : tr("from the geometry / data file"));
    }
    m_pixel->setPlaceholderText(stream ? tr("from the stream without a geometry") : tr("needed without a geometry"));
    // A remote job with a geometry (CXI, or simulator on a detector) takes the same values (JobSpec
    // GeometryValues); the pixel size only matters for a local file read without a geometry.
    const bool remoteGeometry = remote && m_remote->settings().input != RemoteInput::Synthetic;
    for (QWidget* row : { m_clen->parentWidget(), m_energy->parentWidget(), static_cast<QWidget*>(m_beamShift) }) {
        m_form->setRowVisible(row, !remote || remoteGeometry);
    }
    m_form->setRowVisible(m_pixel->parentWidget(), !remote);
    m_form->setRowVisible(m_dataset, (!remote && !stream) || (remote && m_remote->settings().input == RemoteInput::Cxi));
    m_remote->setVisible(remote);
    // A remote job cannot pause, and a reset would start a second job beside the running one.
    m_pause->setEnabled(m_running && !remote);
    m_start->setEnabled(!(m_running && remote)); // one remote job at a time from this window
    // What the token's role forbids is disabled, and the tooltip says why (and what would allow it).
    const bool mayStart = !remote || !m_identity.known() || m_identity.mayOperate();
    const bool mayStop = !remote || !m_identity.known() || m_identity.mayCancel(m_remoteOwner);
    if (!mayStart) {
        m_start->setEnabled(false);
    }
    if (!mayStop) {
        m_stop->setEnabled(false);
    }
    m_start->setToolTip(mayStart ? tr("Start a run with these settings (Ctrl+R)")
                                 : tr("The token '%1' has the role %2 on %3: submitting a job needs the role operate")
                                       .arg(m_identity.tokenName, m_identity.role, m_identity.server));
    m_stop->setToolTip(mayStop ? tr("Stop the run; what was accumulated is kept (Ctrl+.)")
                               : tr("The job belongs to '%1'; the token '%2' has the role %3: cancelling it needs %4")
                                     .arg(m_remoteOwner, m_identity.tokenName, m_identity.role,
                                         m_identity.mayOperate() ? tr("the role admin") : tr("the role operate")));
    m_reset->setEnabled(!(m_running && remote));
    m_source->setEnabled(!m_running || !remote);
}

} // namespace fxs::monitor
