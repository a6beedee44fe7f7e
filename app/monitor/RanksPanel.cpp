#include "RanksPanel.h"

#include <Format.h>
#include <QHeaderView>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace fxs::monitor {

namespace {
// Health next to the rank number, then the figures; each rank's host, PID and device go on a second, grey line
// under its row (spanning the columns), so that the narrow tab needs no horizontal scroll.
enum Column { Rank, Health, Phase, Shots, Rejected, Rate, Heartbeat, ColumnCount };
}

RanksPanel::RanksPanel(QWidget* parent)
    : QWidget(parent)
{
    m_header = new QLabel(tr("No remote job. Choose “Remote job (fxs-server)” in Run control and press Start."), this);
    m_header->setWordWrap(true);
    m_header->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont big = m_header->font();
    big.setPointSizeF(big.pointSizeF() * 1.25); // the job's line is read from across the room
    m_header->setFont(big);
    m_note = new QLabel(this);
    m_note->setWordWrap(true);
    m_note->hide();
    m_reconstruction = new QProgressBar(this);
    m_reconstruction->setRange(0, 100);
    m_reconstruction->setFont(big);
    m_reconstruction->setToolTip(tr("Kam invariants and M-TIP on rank 0, once every shot is in the C2"));
    m_reconstruction->hide();
    m_table = new QTableWidget(0, ColumnCount, this);
    m_table->setHorizontalHeaderLabels(
        { tr("Rank"), tr("Health"), tr("Phase"), tr("Shots"), tr("Rejected"), tr("Rate"), tr("Heartbeat") });
    m_table->verticalHeader()->hide();
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionMode(QAbstractItemView::NoSelection);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(Phase, QHeaderView::Stretch);
    m_table->setTextElideMode(Qt::ElideMiddle);
    m_table->setWordWrap(false);
    m_table->horizontalHeaderItem(Rate)->setToolTip(
        tr("Shots per second the rank reads while it accumulates; “–” while it reduces, reconstructs or waits"));
    m_table->horizontalHeaderItem(Heartbeat)->setToolTip(tr("Seconds since the rank last reported (4× a second)"));
    m_resume = new QPushButton(QStringLiteral("⟳ ") + tr("Resume job from its checkpoint"), this);
    QFont bold = font(); // bold, not big: a job id in the large font made the window 1,785 px wide at least
    bold.setBold(true);
    m_resume->setFont(bold);
    m_resume->hide();
    connect(m_resume, &QPushButton::clicked, this, &RanksPanel::resumeRequested);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_header);
    layout->addWidget(m_note);
    layout->addWidget(m_resume, 0, Qt::AlignLeft);
    layout->addWidget(m_reconstruction);
    layout->addWidget(m_table, 1);
}

QColor RanksPanel::healthColor(RankHealthKind health)
{
    switch (health) {
    case RankHealthKind::Ok:
        return QColor(40, 170, 60);
    case RankHealthKind::Starting:
        return QColor(70, 130, 210);
    case RankHealthKind::Stale:
        return QColor(235, 160, 20);
    case RankHealthKind::Gone:
        return QColor(210, 40, 40);
    case RankHealthKind::Done:
        return QColor(120, 120, 120);
    case RankHealthKind::Unknown:
        break;
    }
    return QColor(180, 180, 180);
}

void RanksPanel::setResumable(bool resumable, const QString& toolTip)
{
    m_resume->setVisible(resumable);
    m_resume->setEnabled(resumable);
    m_resume->setToolTip(toolTip);
}

int RanksPanel::reconstructionPercent() const { return m_reconstruction->isHidden() ? -1 : m_reconstruction->value(); }

void RanksPanel::setNote(const QString& note)
{
    m_note->setText(QStringLiteral("<b>%1</b>").arg(note.toHtmlEscaped()));
    m_note->setVisible(!note.isEmpty());
}

void RanksPanel::setStatus(const RemoteJobStatus& s)
{
    m_status = s;
    setNote({});
    const QString shots = s.shotsTotal > 0
        ? tr("%1 of %2 shots").arg(widgets::Format::count(s.shotsDone), widgets::Format::count(s.shotsTotal))
        : tr("%1 shots").arg(widgets::Format::count(s.shotsDone));
    QString header = tr("<b>%1</b> · job %2 on %3 · %4 · %5 accepted, %6 rejected · %7")
                         .arg(s.state.toHtmlEscaped(), s.jobId.toHtmlEscaped(), s.server.toHtmlEscaped(), shots,
                             widgets::Format::count(s.shotsAccepted), widgets::Format::count(s.shotsRejected),
                             s.everyShotIn() ? tr("every shot in") : widgets::Format::rateHz(s.shotsPerSecond));
    if (s.attempt > 1) {
        header += tr(" · attempt %1").arg(s.attempt);
    }
    if (!s.slurmJobId.isEmpty()) {
        header += tr(" · Slurm job %1").arg(s.slurmJobId.toHtmlEscaped());
    }
    if (!s.owner.isEmpty()) {
        header += tr(" · submitted by %1").arg(s.owner.toHtmlEscaped());
    }
    if (m_identity.known()) {
        header += tr(" · you: %1").arg(m_identity.describe().toHtmlEscaped());
    }
    if (!s.message.isEmpty()) {
        header += QStringLiteral("<br>") + s.message.toHtmlEscaped();
    }
    m_header->setText(header);
    m_reconstruction->setVisible(s.reconstructs);
    if (s.reconstructs) {
        const int percent = s.reconstructionPercent();
        m_reconstruction->setValue(percent);
        m_reconstruction->setFormat(s.reconstructing() ? tr("Reconstructing on the server: %1 %").arg(percent)
                : percent >= 100                       ? tr("Reconstruction on the server: done")
                : s.terminal ? tr("Reconstruction on the server: stopped at %1 %").arg(percent)
                             : tr("Reconstruction on the server: waits for every shot"));
    }
    m_table->clearSpans();
    m_table->setRowCount(2 * int(s.ranks.size()));
    for (int i = 0; i < int(s.ranks.size()); ++i) {
        const RankRow& r = s.ranks[std::size_t(i)];
        // Between reduction rounds a rank reads no shots for a moment: a rate of 0 Hz there would read as a stall.
        const bool readsShots = r.phase == QLatin1String("accumulating") || r.shotsPerSecond > 0.0;
        const bool cancelled = shownHealth(s.state, r.health) == QLatin1String("CANCELLED");
        const QString cells[ColumnCount] = { QString::number(r.rank), shownHealth(s.state, r.health), r.phase,
            widgets::Format::count(r.shotsDone), widgets::Format::count(r.shotsRejected),
            readsShots ? widgets::Format::rateHz(r.shotsPerSecond) : QStringLiteral("–"),
            QStringLiteral("%1 s").arg(r.heartbeatAgeS, 0, 'f', 1) };
        const int row = 2 * i;
        for (int c = 0; c < ColumnCount; ++c) {
            auto* item = new QTableWidgetItem(cells[c]);
            const bool number = c == Rank || c == Shots || c == Rejected || c == Rate || c == Heartbeat;
            item->setTextAlignment(Qt::AlignVCenter | (number ? Qt::AlignRight : Qt::AlignLeft));
            m_table->setItem(row, c, item);
        }
        // Where the rank runs: host and PID (what to look for when it is gone), and its device.
        const QString where = r.device.isEmpty()
            ? QStringLiteral("%1, PID %2").arg(r.host).arg(r.pid)
            : QStringLiteral("%1, PID %2 · %3").arg(r.host).arg(r.pid).arg(r.device);
        auto* detail = new QTableWidgetItem(where);
        detail->setToolTip(where);
        detail->setForeground(QColor(95, 95, 95)); // secondary, yet readable
        m_table->setItem(row + 1, 0, new QTableWidgetItem());
        m_table->setItem(row + 1, Health, detail);
        m_table->setSpan(row + 1, Health, 1, ColumnCount - Health);
        // The health word, white and bold on its colour: readable across the control room.
        QTableWidgetItem* h = m_table->item(row, Health);
        // A cancelled job's ranks were stopped on purpose: grey like DONE, not the red of a rank that died.
        h->setBackground(cancelled ? healthColor(RankHealthKind::Done) : healthColor(r.health));
        h->setForeground(Qt::white);
        QFont bold = h->font();
        bold.setBold(true);
        h->setFont(bold);
        h->setTextAlignment(Qt::AlignCenter);
    }
}

} // namespace fxs::monitor
