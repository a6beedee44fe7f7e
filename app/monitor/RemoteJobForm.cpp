#include "RemoteJobForm.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QToolButton>
#include <fxs/simulation/ParticleModel.h>
#include <limits>

namespace fxs::monitor {

namespace {
QWidget* pair(QWidget* a, const QString& between, QWidget* b)
{
    auto* w = new QWidget;
    auto* row = new QHBoxLayout(w);
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(a);
    row->addWidget(new QLabel(between));
    row->addWidget(b);
    return w;
}

QDoubleSpinBox* number(QWidget* parent, double lo, double hi, int decimals, const QString& suffix)
{
    auto* s = new QDoubleSpinBox(parent);
    s->setRange(lo, hi);
    s->setDecimals(decimals);
    s->setSuffix(suffix);
    return s;
}

QSpinBox* integer(QWidget* parent, int lo, int hi, const QString& zeroText)
{
    auto* s = new QSpinBox(parent);
    s->setRange(lo, hi);
    s->setSpecialValueText(zeroText);
    return s;
}
} // namespace

QWidget* RemoteJobForm::fileRow(QLineEdit* edit, const QString& filter)
{
    auto* w = new QWidget;
    auto* button = new QToolButton(w);
    button->setText(QStringLiteral("…"));
    QObject::connect(button, &QToolButton::clicked, edit, [edit, filter] {
        const QString path = QFileDialog::getOpenFileName(edit, QObject::tr("Choose a file"), edit->text(), filter);
        if (!path.isEmpty()) {
            edit->setText(path);
        }
    });
    auto* row = new QHBoxLayout(w);
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(edit, 1);
    row->addWidget(button);
    return w;
}

RemoteJobForm::RemoteJobForm(QWidget* parent)
    : QGroupBox(tr("Remote job"), parent)
{
    m_address = new QLineEdit(this);
    m_address->setPlaceholderText(QStringLiteral("host:port"));
    m_address->setToolTip(tr("fxs-server's --listen address (an SSH tunnel's local end works too)"));
    m_token = new QLineEdit(this);
    m_token->setPlaceholderText(tr("file with the server's token (mode 0600)"));
    m_ca = new QLineEdit(this);
    m_ca->setPlaceholderText(tr("none: no TLS (loopback, SSH tunnel)"));
    m_ranks = new QSpinBox(this);
    m_ranks->setRange(1, 1024);
    m_threads = new QSpinBox(this);
    m_threads->setRange(1, 256);
    m_backend = new QComboBox(this);
    m_backend->addItems({ QStringLiteral("cpu"), QStringLiteral("gpu"), QStringLiteral("auto") });
    m_backend->setToolTip(tr("gpu: each rank binds a GPU, or falls back to the CPU and says so in Ranks"));
    m_input = new QComboBox(this);
    m_input->addItems(
        { tr("Synthetic shots (test)"), tr("CXI file on the server"), tr("Simulated particle (on the server)"),
            tr("Detector stream (every rank connects)") });
    m_shots = new QSpinBox(this);
    m_shots->setRange(1, std::numeric_limits<int>::max());
    m_shots->setGroupSeparatorShown(true);
    m_serverFile = new QLineEdit(this);
    m_serverFile->setPlaceholderText(tr("path on the server"));
    m_serverGeometry = new QLineEdit(this);
    m_streamEndpoint = new QLineEdit(this);
    m_streamEndpoint->setPlaceholderText(QStringLiteral("tcp://host:port"));
    m_streamEndpoint->setToolTip(tr("The publisher as the server's worker nodes reach it (not necessarily as this "
                                    "computer does); every rank connects and the shots are shared between them"));
    m_streamProtocol = new QComboBox(this);
    m_streamProtocol->addItem(tr("DECTRIS Stream V2"), QStringLiteral("dectris"));
    m_streamProtocol->addItem(tr("DECTRIS Stream V1"), QStringLiteral("dectris1"));
    m_streamProtocol->addItem(tr("Karabo bridge"), QStringLiteral("karabo"));
    m_streamStopAtEnd = new QCheckBox(tr("series end ends the job"), this);
    m_streamStopAtEnd->setToolTip(tr("DECTRIS: the series' end message ends the job (else the limits below or Stop)"));
    m_streamMaxShots = integer(this, 0, std::numeric_limits<int>::max(), tr("no limit"));
    m_streamMaxShots->setGroupSeparatorShown(true);
    m_streamMaxShots->setSuffix(tr(" shots"));
    m_streamIdle = number(this, 0.0, 86400.0, 0, tr(" s idle"));
    m_streamIdle->setSpecialValueText(tr("never idle"));
    m_streamIdle->setToolTip(tr("The job ends after this long without a frame on any rank"));
    // The particle models of a local simulated run and `fxs simulate`; a JSON model file on the server may be typed.
    m_model = new QComboBox(this);
    m_model->setEditable(true);
    for (const std::string& name : ParticleModel::builtinNames()) {
        m_model->addItem(QString::fromStdString(name));
    }
    m_model->setToolTip(tr("A built-in particle, or the path of a JSON model file on the server"));
    m_wavelength = number(this, 0.1, 100.0, 3, QStringLiteral(" Å"));
    m_wavelength->setToolTip(tr("Ignored with a geometry: its photon energy sets the wavelength"));
    m_photons = number(this, 0.001, 1e12, 1, {});
    m_photons->setToolTip(tr("Expected photons of one particle at q = 0 per polar bin (or unit-gain pixel)"));
    m_particles = number(this, 0.01, 1000.0, 2, {});
    m_particles->setToolTip(tr("Mean number of particles per shot"));
    m_nMax = integer(this, 0, 4096, tr("n_φ / 2"));
    m_checkpoint = number(this, 0.0, 86400.0, 1, tr(" s"));
    m_checkpoint->setPrefix(tr("every "));
    m_checkpoint->setSpecialValueText(tr("every 5 s (the server's default)"));
    m_checkpoint->setToolTip(tr("How often the job's C2 is updated and a checkpoint written: a failed or cancelled "
                                "job resumes from its last checkpoint"));
    m_precision = new QComboBox(this);
    m_precision->addItems({ tr("single (fast)"), tr("double") });
    // Reconstruction on the server: the same starting values as the Reconstruction dock's.
    m_reconstruct = new QGroupBox(tr("Reconstruct on the server"), this);
    m_reconstruct->setCheckable(true);
    m_recGrid = integer(m_reconstruct, 8, 256, {});
    m_recGrid->setSingleStep(8);
    m_recGrid->setSuffix(QStringLiteral("³"));
    m_recDiameter = number(m_reconstruct, 0.0, 1e5, 1, QStringLiteral(" Å"));
    m_recDiameter->setSpecialValueText(tr("auto (2 × model)"));
    m_recDiameter->setToolTip(
        tr("Particle diameter; auto: twice the simulated model's extent (a CXI input needs one)"));
    m_recStarts = integer(m_reconstruct, 1, 100, {});
    m_recIterations = integer(m_reconstruct, 0, 1000000, tr("600 (server)"));
    m_recIterations->setSingleStep(100);
    m_recIterations->setToolTip(tr("HIO/ER iterations per start, in cycles of 60 HIO + shrink-wrap + 40 ER"));
    m_recLMax = integer(m_reconstruct, 0, 200, tr("auto"));
    m_recLMax->setSingleStep(2);
    m_recLMax->setToolTip(tr("Highest even l of the invariants; auto: from q max and the diameter"));
    m_recSeed = integer(m_reconstruct, 0, std::numeric_limits<int>::max(), {});
    auto* rec = new QFormLayout(m_reconstruct);
    // Three rows, not five: the run buttons below the form stay on a laptop screen.
    rec->addRow(tr("Grid, diameter"), pair(m_recGrid, QStringLiteral("⌀"), m_recDiameter));
    rec->addRow(tr("Starts × iterations"), pair(m_recStarts, QStringLiteral("×"), m_recIterations));
    rec->addRow(tr("l max, seed"), pair(m_recLMax, tr("seed"), m_recSeed));
    auto* form = m_form = new QFormLayout(this);
    form->addRow(tr("Server"), m_address);
    form->addRow(tr("Token file"), fileRow(m_token, tr("All files (*)")));
    form->addRow(tr("CA certificate"), fileRow(m_ca, tr("PEM certificates (*.pem *.crt);;All files (*)")));
    m_identity = new QLabel(tr("not asked yet"), this);
    m_identity->setToolTip(tr("The token's name and role on the server: watch (list, watch, fetch), operate (also "
                              "submit and cancel its own jobs), admin (also the jobs of others)"));
    form->addRow(tr("Signed in as"), m_identity);
    for (QLineEdit* e : { m_address, m_token, m_ca }) {
        connect(e, &QLineEdit::editingFinished, this, &RemoteJobForm::serverChanged);
    }
    form->addRow(tr("Ranks × threads"), pair(m_ranks, QStringLiteral("×"), m_threads));
    form->addRow(tr("Backend"), m_backend);
    form->addRow(tr("Checkpoint"), m_checkpoint); // its own row: beside the backend it widened the dock past its size
    form->addRow(tr("Input"), m_input);
    form->addRow(tr("Shots"), m_shots);
    form->addRow(tr("File (server)"), m_serverFile);
    form->addRow(tr("Stream"), m_streamEndpoint);
    form->addRow(tr("Protocol"), pair(m_streamProtocol, {}, m_streamStopAtEnd));
    form->addRow(tr("Ends after"), pair(m_streamMaxShots, tr("or"), m_streamIdle));
    form->addRow(tr("Geometry (server)"), m_serverGeometry);
    form->addRow(tr("Particle"), m_model);
    form->addRow(tr("Wavelength"), m_wavelength);
    form->addRow(tr("Photons (peak)"), m_photons);
    form->addRow(tr("Particles / shot"), m_particles);
    form->addRow(tr("n max, precision"), pair(m_nMax, QStringLiteral(","), m_precision));
    form->addRow(m_reconstruct);
    connect(m_streamProtocol, &QComboBox::currentIndexChanged, this, &RemoteJobForm::updateEnabled);
    connect(m_input, &QComboBox::currentIndexChanged, this, [this] {
        updateEnabled();
        emit inputChanged();
    });
    setSettings(m_settings);
}

RemoteJobSettings RemoteJobForm::settings() const
{
    RemoteJobSettings s = m_settings;
    s.address = m_address->text().trimmed();
    s.tokenFile = m_token->text().trimmed();
    s.caCertificate = m_ca->text().trimmed();
    s.ranks = m_ranks->value();
    s.threadsPerRank = m_threads->value();
    s.backend = m_backend->currentText();
    s.input = RemoteInput(m_input->currentIndex());
    s.syntheticShots = m_shots->value();
    s.serverCxiPath = m_serverFile->text().trimmed();
    s.serverGeometryPath = m_serverGeometry->text().trimmed();
    s.streamEndpoint = m_streamEndpoint->text().trimmed();
    s.streamProtocol = m_streamProtocol->currentData().toString();
    s.streamStopAtEnd = m_streamStopAtEnd->isChecked();
    s.streamMaxShots = m_streamMaxShots->value();
    s.streamIdleTimeoutS = m_streamIdle->value();
    s.model = m_model->currentText().trimmed();
    s.wavelengthA = m_wavelength->value();
    s.peakPhotons = m_photons->value();
    s.meanParticles = m_particles->value();
    s.nMax = m_nMax->value();
    s.doublePrecision = m_precision->currentIndex() == 1;
    s.reduceIntervalS = m_checkpoint->value();
    RemoteReconstruction& r = s.reconstruction;
    r.enabled = m_reconstruct->isChecked();
    r.gridSize = m_recGrid->value();
    r.particleDiameterA = m_recDiameter->value();
    r.starts = m_recStarts->value();
    r.iterations = m_recIterations->value();
    r.lMax = m_recLMax->value();
    r.seed = std::uint64_t(m_recSeed->value());
    return s;
}

void RemoteJobForm::setSettings(const RemoteJobSettings& s)
{
    m_settings = s;
    m_address->setText(s.address);
    m_token->setText(s.tokenFile);
    m_ca->setText(s.caCertificate);
    m_ranks->setValue(s.ranks);
    m_threads->setValue(s.threadsPerRank);
    m_backend->setCurrentIndex(std::max(0, m_backend->findText(s.backend)));
    m_input->setCurrentIndex(int(s.input));
    m_shots->setValue(int(std::min<std::int64_t>(s.syntheticShots, std::numeric_limits<int>::max())));
    m_serverFile->setText(s.serverCxiPath);
    m_serverGeometry->setText(s.serverGeometryPath);
    m_streamEndpoint->setText(s.streamEndpoint);
    m_streamProtocol->setCurrentIndex(std::max(0, m_streamProtocol->findData(s.streamProtocol)));
    m_streamStopAtEnd->setChecked(s.streamStopAtEnd);
    m_streamMaxShots->setValue(int(std::min<std::int64_t>(s.streamMaxShots, std::numeric_limits<int>::max())));
    m_streamIdle->setValue(s.streamIdleTimeoutS);
    m_model->setCurrentText(s.model);
    m_wavelength->setValue(s.wavelengthA);
    m_photons->setValue(s.peakPhotons);
    m_particles->setValue(s.meanParticles);
    m_nMax->setValue(s.nMax);
    m_precision->setCurrentIndex(s.doublePrecision ? 1 : 0);
    m_checkpoint->setValue(s.reduceIntervalS);
    const RemoteReconstruction& r = s.reconstruction;
    m_reconstruct->setChecked(r.enabled);
    m_recGrid->setValue(r.gridSize);
    m_recDiameter->setValue(r.particleDiameterA);
    m_recStarts->setValue(r.starts);
    m_recIterations->setValue(r.iterations);
    m_recLMax->setValue(r.lMax);
    m_recSeed->setValue(int(std::min<std::uint64_t>(r.seed, std::numeric_limits<int>::max())));
    updateEnabled();
}

void RemoteJobForm::updateEnabled()
{
    const auto input = RemoteInput(m_input->currentIndex());
    const bool cxi = input == RemoteInput::Cxi;
    const bool sim = input == RemoteInput::Simulator;
    const bool stream = input == RemoteInput::Stream;
    m_form->setRowVisible(m_shots, !cxi && !stream);
    m_form->setRowVisible(m_serverFile, cxi);
    m_form->setRowVisible(m_serverGeometry, cxi || sim || stream);
    for (QWidget* w : { static_cast<QWidget*>(m_streamEndpoint), m_streamProtocol->parentWidget(),
             m_streamMaxShots->parentWidget() }) {
        m_form->setRowVisible(w, stream);
    }
    // Only a DECTRIS series has an end message; a Karabo bridge runs until the limits or Stop.
    m_streamStopAtEnd->setEnabled(m_streamProtocol->currentData().toString() != QLatin1String("karabo"));
    m_serverGeometry->setPlaceholderText(sim ? tr("optional .geom on the server: simulate its pixels")
            : stream                         ? tr(".geom path on the server (required: one rank gets the start message)")
                                             : tr(".geom path on the server"));
    for (QWidget* w : { static_cast<QWidget*>(m_model), static_cast<QWidget*>(m_wavelength),
             static_cast<QWidget*>(m_photons), static_cast<QWidget*>(m_particles) }) {
        m_form->setRowVisible(w, sim);
    }
    // M-TIP needs a wavelength: synthetic shots have none.
    m_reconstruct->setEnabled(cxi || sim || stream);
    m_reconstruct->setToolTip(input == RemoteInput::Synthetic
            ? tr("Synthetic shots have no wavelength to reconstruct from: choose a simulated particle, a CXI file "
                 "or a stream")
            : tr("Kam invariants and M-TIP on rank 0 once the C2 is complete; the density comes back as an MRC map "
                 "and is shown in the Reconstruction dock"));
}

} // namespace fxs::monitor

namespace fxs::monitor {

void RemoteJobForm::setIdentity(const QString& text, const QString& toolTip)
{
    m_identity->setText(text);
    m_identity->setToolTip(toolTip);
}

} // namespace fxs::monitor
