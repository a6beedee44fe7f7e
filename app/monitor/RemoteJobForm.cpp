#include "RemoteJobForm.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QToolButton>
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
    m_input->addItems({ tr("Synthetic shots (test)"), tr("CXI file on the server") });
    m_shots = new QSpinBox(this);
    m_shots->setRange(1, std::numeric_limits<int>::max());
    m_shots->setGroupSeparatorShown(true);
    m_serverFile = new QLineEdit(this);
    m_serverFile->setPlaceholderText(tr("path on the server"));
    m_serverGeometry = new QLineEdit(this);
    m_serverGeometry->setPlaceholderText(tr(".geom path on the server"));
    m_nMax = new QSpinBox(this);
    m_nMax->setRange(0, 4096);
    m_nMax->setSpecialValueText(tr("n_φ / 2"));
    m_precision = new QComboBox(this);
    m_precision->addItems({ tr("single (fast)"), tr("double") });
    auto* form = m_form = new QFormLayout(this);
    form->addRow(tr("Server"), m_address);
    form->addRow(tr("Token file"), fileRow(m_token, tr("All files (*)")));
    form->addRow(tr("CA certificate"), fileRow(m_ca, tr("PEM certificates (*.pem *.crt);;All files (*)")));
    form->addRow(tr("Ranks × threads"), pair(m_ranks, QStringLiteral("×"), m_threads));
    form->addRow(tr("Backend"), m_backend);
    form->addRow(tr("Input"), m_input);
    form->addRow(tr("Shots"), m_shots);
    form->addRow(tr("File (server)"), m_serverFile);
    form->addRow(tr("Geometry (server)"), m_serverGeometry);
    form->addRow(tr("n max"), m_nMax);
    form->addRow(tr("Precision"), m_precision);
    connect(m_input, &QComboBox::currentIndexChanged, this, &RemoteJobForm::updateEnabled);
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
    s.cxiInput = m_input->currentIndex() == 1;
    s.syntheticShots = m_shots->value();
    s.serverCxiPath = m_serverFile->text().trimmed();
    s.serverGeometryPath = m_serverGeometry->text().trimmed();
    s.nMax = m_nMax->value();
    s.doublePrecision = m_precision->currentIndex() == 1;
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
    m_input->setCurrentIndex(s.cxiInput ? 1 : 0);
    m_shots->setValue(int(std::min<std::int64_t>(s.syntheticShots, std::numeric_limits<int>::max())));
    m_serverFile->setText(s.serverCxiPath);
    m_serverGeometry->setText(s.serverGeometryPath);
    m_nMax->setValue(s.nMax);
    m_precision->setCurrentIndex(s.doublePrecision ? 1 : 0);
    updateEnabled();
}

void RemoteJobForm::updateEnabled()
{
    const bool cxi = m_input->currentIndex() == 1;
    m_form->setRowVisible(m_shots, !cxi);
    m_form->setRowVisible(m_serverFile, cxi);
    m_form->setRowVisible(m_serverGeometry, cxi);
}

} // namespace fxs::monitor
