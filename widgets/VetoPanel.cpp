#include "VetoPanel.h"

#include "Format.h"
#include "PlotExport.h"
#include "ShotCountsModel.h"
#include "ShotHistogram.h"
#include "StatisticNames.h"

#include <QComboBox>
#include <QDoubleValidator>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QTextStream>
#include <QTimer>
#include <QUndoStack>
#include <QVBoxLayout>
#include <cmath>
#include <limits>
#include <qcustomplot.h>

namespace fxs::widgets {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr ShotStatistic kStatistics[] = { ShotStatistic::HitScore, ShotStatistic::Mean, ShotStatistic::Sum,
    ShotStatistic::Max, ShotStatistic::Saturated, ShotStatistic::MaskedFraction, ShotStatistic::Particles };
enum ItemKind { Threshold = 0, Range = 1, Change = 2 };

QString thresholdText(const VetoThreshold& t)
{
    const QString name = StatisticNames::name(t.statistic);
    if (!std::isfinite(t.max)) {
        return QObject::tr("keep %1 ≥ %2").arg(name, Format::value(t.min));
    }
    if (!std::isfinite(t.min)) {
        return QObject::tr("keep %1 ≤ %2").arg(name, Format::value(t.max));
    }
    return QObject::tr("keep %1 in [%2, %3]").arg(name, Format::value(t.min), Format::value(t.max));
}

QString limitText(double v) { return std::isfinite(v) ? QString::number(v, 'g', 6) : QString(); }

double parseLimit(const QLineEdit* edit, double fallback)
{
    bool ok = false;
    const double v = edit->text().trimmed().toDouble(&ok);
    return ok ? v : fallback;
}

// VetoRules has no "replace": rebuild it without the statistic's threshold.
VetoRules withoutThreshold(const VetoRules& rules, ShotStatistic statistic)
{
    VetoRules out;
    for (const auto& t : rules.thresholds()) {
        if (t.statistic != statistic) {
            out.addThreshold(t);
        }
    }
    for (const auto& r : rules.ranges()) {
        out.addRange(r.first, r.last, r.reason);
    }
    return out;
}

VetoRules withoutRange(const VetoRules& rules, std::size_t index)
{
    VetoRules out;
    for (const auto& t : rules.thresholds()) {
        out.addThreshold(t);
    }
    for (std::size_t i = 0; i < rules.ranges().size(); ++i) {
        if (i != index) {
            const auto& r = rules.ranges()[i];
            out.addRange(r.first, r.last, r.reason);
        }
    }
    return out;
}
}

VetoPanel::VetoPanel(QWidget* parent)
    : QWidget(parent)
{
    m_undo = new QUndoStack(this);
    m_refresh = new QTimer(this);
    m_refresh->setSingleShot(true);
    m_refresh->setInterval(200); // shots arrive at up to ~120 Hz: redraw the histogram a few times a second
    connect(m_refresh, &QTimer::timeout, this, &VetoPanel::refreshNow);
    buildUi();
    fillThresholdEdits();
    refreshNow();
}

void VetoPanel::buildUi()
{
    // Built in reading order, which is also the keyboard's tab order.
    QLayout* thresholdRow = buildThresholdRow();
    buildHistogram();
    m_summary = new QLabel(this);
    QFont bold = m_summary->font();
    bold.setBold(true);
    m_summary->setFont(bold);
    m_summary->setWordWrap(true);
    m_reevaluation = new QLabel(this);
    m_reevaluation->setWordWrap(true);
    m_reevaluation->setVisible(false);
    QLayout* handGrid = buildHandVetoes();
    m_list = new QListWidget(this);
    m_list->setMaximumHeight(110);
    QLayout* listRow = buildListButtons();
    m_error = new QLabel(this);
    m_error->setStyleSheet(QStringLiteral("color: #b00000"));

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_summary);
    layout->addWidget(m_reevaluation);
    layout->addLayout(thresholdRow);
    layout->addWidget(m_plot, 1);
    layout->addLayout(handGrid);
    layout->addWidget(m_list);
    layout->addLayout(listRow);
    layout->addWidget(m_error);
}

QLayout* VetoPanel::buildThresholdRow()
{
    m_statistic = new QComboBox(this);
    for (ShotStatistic s : kStatistics) {
        m_statistic->addItem(StatisticNames::label(s), int(s));
    }
    // The panel lives in a side dock about 330 px wide: the longest name must not set its width.
    m_statistic->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_statistic->setMinimumContentsLength(14);
    m_min = new QLineEdit(this);
    m_max = new QLineEdit(this);
    for (QLineEdit* e : { m_min, m_max }) {
        e->setValidator(new QDoubleValidator(e));
        e->setPlaceholderText(tr("no limit"));
        e->setMinimumWidth(70);
        e->setMaximumWidth(110);
    }
    auto* apply = new QPushButton(tr("Apply"), this);
    auto* clear = new QPushButton(tr("Clear"), this);
    connect(m_statistic, &QComboBox::currentIndexChanged, this, [this] {
        fillThresholdEdits();
        refreshNow();
    });
    connect(apply, &QPushButton::clicked, this, [this] {
        QString error;
        setThreshold(currentStatistic(), parseLimit(m_min, -kInf), parseLimit(m_max, kInf), &error);
        m_error->setText(error);
    });
    for (QLineEdit* e : { m_min, m_max }) {
        connect(e, &QLineEdit::returnPressed, apply, &QPushButton::click); // Enter applies, as a tired hand expects
    }
    connect(clear, &QPushButton::clicked, this, [this] { clearThreshold(currentStatistic()); });
    m_editing << m_min << m_max << apply << clear;
    // Two rows: the statistic, then its limits; one row did not fit the dock (min, max and Clear were cut off).
    auto* limits = new QHBoxLayout;
    limits->addWidget(new QLabel(tr("min"), this));
    limits->addWidget(m_min, 1);
    limits->addWidget(new QLabel(tr("max"), this));
    limits->addWidget(m_max, 1);
    limits->addWidget(apply);
    limits->addWidget(clear);
    auto* rows = new QVBoxLayout;
    rows->addWidget(m_statistic);
    rows->addLayout(limits);
    return rows;
}

void VetoPanel::buildHistogram()
{
    m_plot = new QCustomPlot(this);
    m_plot->setMinimumHeight(120);
    m_accepted = new QCPBars(m_plot->xAxis, m_plot->yAxis);
    m_accepted->setName(tr("accepted"));
    m_accepted->setBrush(QColor(40, 160, 80));
    m_accepted->setPen(Qt::NoPen);
    m_vetoed = new QCPBars(m_plot->xAxis, m_plot->yAxis);
    m_vetoed->setName(tr("vetoed"));
    m_vetoed->setBrush(QColor(200, 60, 50));
    m_vetoed->setPen(Qt::NoPen);
    m_vetoed->moveAbove(m_accepted);
    m_plot->yAxis->setLabel(tr("shots"));
    m_plot->legend->setVisible(true);
    m_plot->legend->setFont(QFont(font().family(), 8));
    for (QCPItemStraightLine** line : { &m_minLine, &m_maxLine }) {
        *line = new QCPItemStraightLine(m_plot);
        (*line)->setPen(QPen(QColor(20, 20, 20), 2.0, Qt::DashLine));
    }
    m_frozenNote = new QCPItemText(m_plot);
    m_frozenNote->setPositionAlignment(Qt::AlignCenter);
    m_frozenNote->position->setType(QCPItemPosition::ptAxisRectRatio);
    m_frozenNote->position->setCoords(0.5, 0.45);
    m_frozenNote->setTextAlignment(Qt::AlignCenter);
    m_frozenNote->setBrush(QColor(255, 255, 255, 230));
    m_frozenNote->setPadding(QMargins(6, 4, 6, 4));
    m_frozenNote->setVisible(false);
    PlotExport::install(
        m_plot, [this] { return histogramCsv(); }, [this] { refreshNow(); });
}

QLayout* VetoPanel::buildHandVetoes()
{
    m_first = new QLineEdit(this);
    m_last = new QLineEdit(this);
    m_first->setPlaceholderText(tr("first shot"));
    m_last->setPlaceholderText(tr("last shot"));
    m_reason = new QLineEdit(this);
    m_reason->setPlaceholderText(tr("reason (required)"));
    auto* vetoButton = new QPushButton(tr("Veto shots"), this);
    auto* liftButton = new QPushButton(tr("Lift"), this);
    auto* changeButton = new QPushButton(tr("Sample change at first"), this);
    connect(vetoButton, &QPushButton::clicked, this, [this] {
        QString error;
        vetoRange(m_first->text().toLongLong(), m_last->text().toLongLong(), m_reason->text(), &error);
        m_error->setText(error);
    });
    connect(liftButton, &QPushButton::clicked, this,
        [this] { liftRanges(m_first->text().toLongLong(), m_last->text().toLongLong()); });
    connect(changeButton, &QPushButton::clicked, this, [this] {
        QString error;
        addSampleChange(m_first->text().toLongLong(), m_reason->text(), &error);
        m_error->setText(error);
    });
    m_editing << m_first << m_last << m_reason << vetoButton << liftButton << changeButton;
    // Two columns, to fit the side dock: the range, its reason, then what to do with them.
    auto* grid = new QGridLayout;
    grid->addWidget(m_first, 0, 0);
    grid->addWidget(m_last, 0, 1);
    grid->addWidget(m_reason, 1, 0, 1, 2);
    grid->addWidget(vetoButton, 2, 0);
    grid->addWidget(liftButton, 2, 1);
    grid->addWidget(changeButton, 3, 0, 1, 2);
    return grid;
}

QLayout* VetoPanel::buildListButtons()
{
    auto* removeButton = new QPushButton(tr("Remove selected"), this);
    auto* undoButton = new QPushButton(tr("Undo"), this);
    auto* redoButton = new QPushButton(tr("Redo"), this);
    connect(removeButton, &QPushButton::clicked, this, &VetoPanel::removeSelected);
    connect(undoButton, &QPushButton::clicked, m_undo, &QUndoStack::undo);
    connect(redoButton, &QPushButton::clicked, m_undo, &QUndoStack::redo);
    connect(m_undo, &QUndoStack::canUndoChanged, undoButton,
        [this, undoButton](bool can) { undoButton->setEnabled(can && m_frozen.isEmpty()); });
    connect(m_undo, &QUndoStack::canRedoChanged, redoButton,
        [this, redoButton](bool can) { redoButton->setEnabled(can && m_frozen.isEmpty()); });
    undoButton->setEnabled(false);
    redoButton->setEnabled(false);
    m_editing << removeButton;
    m_undoButton = undoButton;
    m_redoButton = redoButton;
    auto* row = new QHBoxLayout;
    row->addWidget(removeButton);
    row->addStretch(1);
    row->addWidget(undoButton);
    row->addWidget(redoButton);
    return row;
}

void VetoPanel::removeSelected()
{
    if (!editable(nullptr)) {
        return;
    }
    const QListWidgetItem* item = m_list->currentItem();
    if (!item) {
        return;
    }
    const int kind = item->data(Qt::UserRole).toInt();
    const int index = item->data(Qt::UserRole + 1).toInt();
    VetoState after = m_state;
    if (kind == Threshold) {
        after.rules = withoutThreshold(m_state.rules, m_state.rules.thresholds()[std::size_t(index)].statistic);
    } else if (kind == Range) {
        after.rules = withoutRange(m_state.rules, std::size_t(index));
    } else {
        after.sampleChanges.erase(after.sampleChanges.begin() + index);
    }
    push(tr("Remove %1").arg(item->text()), after);
}

ShotStatistic VetoPanel::currentStatistic() const { return ShotStatistic(m_statistic->currentData().toInt()); }

void VetoPanel::addShots(const std::vector<ShotStats>& shots)
{
    for (const auto& s : shots) {
        m_ledger.judge(s, m_state.rules);
    }
    scheduleRefresh();
}

void VetoPanel::clearShots()
{
    m_ledger = ShotLedger();
    refreshNow();
}

bool VetoPanel::setThreshold(ShotStatistic statistic, double min, double max, QString* error)
{
    if (!editable(error)) {
        return false;
    }
    VetoState after = m_state;
    after.rules = withoutThreshold(m_state.rules, statistic);
    const Status added = after.rules.addThreshold({ statistic, min, max });
    if (!added) {
        if (error) {
            *error = QString::fromStdString(added.message());
        }
        return false;
    }
    push(thresholdText({ statistic, min, max }), after);
    return true;
}

void VetoPanel::clearThreshold(ShotStatistic statistic)
{
    if (!editable(nullptr)) {
        return;
    }
    VetoState after = m_state;
    after.rules = withoutThreshold(m_state.rules, statistic);
    push(tr("Clear threshold on %1").arg(StatisticNames::name(statistic)), after);
}

bool VetoPanel::vetoRange(std::int64_t first, std::int64_t last, const QString& reason, QString* error)
{
    if (!editable(error)) {
        return false;
    }
    VetoState after = m_state;
    const Status added = after.rules.addRange(first, last, reason.trimmed().toStdString());
    if (!added) {
        if (error) {
            *error = QString::fromStdString(added.message());
        }
        return false;
    }
    push(tr("Veto shots %1–%2").arg(Format::count(first), Format::count(last)), after);
    return true;
}

void VetoPanel::liftRanges(std::int64_t first, std::int64_t last)
{
    if (!editable(nullptr)) {
        return;
    }
    VetoState after = m_state;
    if (after.rules.removeRanges(first, last) > 0) {
        push(tr("Lift vetoes in %1–%2").arg(Format::count(first), Format::count(last)), after);
    }
}

bool VetoPanel::addSampleChange(std::int64_t shot, const QString& reason, QString* error)
{
    if (!editable(error)) {
        return false;
    }
    if (reason.trimmed().isEmpty()) {
        if (error) {
            *error = tr("A sample change needs a reason (e.g. \"new capillary\")");
        }
        return false;
    }
    VetoState after = m_state;
    after.sampleChanges.push_back({ shot, reason.trimmed().toStdString() });
    std::stable_sort(after.sampleChanges.begin(), after.sampleChanges.end(),
        [](const SampleChange& a, const SampleChange& b) { return a.shot < b.shot; });
    push(tr("Sample change at shot %1").arg(Format::count(shot)), after);
    return true;
}

void VetoPanel::loadState(const VetoState& state)
{
    m_undo->clear();
    apply(state);
}

void VetoPanel::setState(const VetoState& state, const QString& text) { push(text, state); }

void VetoPanel::push(const QString& text, VetoState after)
{
    m_undo->push(new VetoEdit(text, m_state, std::move(after), [this](const VetoState& s) { apply(s); }));
}

void VetoPanel::apply(const VetoState& state)
{
    m_state = state;
    m_ledger.redecide(m_state.rules);
    updateList();
    fillThresholdEdits();
    refreshNow();
    emit rulesChanged();
}

void VetoPanel::scheduleRefresh()
{
    if (!m_refresh->isActive()) {
        // A redraw copies the whole ledger (one entry per shot): redraw less often as the run grows.
        const auto shots = m_ledger.size();
        m_refresh->start(shots < 20000 ? 200 : (shots < 200000 ? 1000 : 5000));
    }
}

void VetoPanel::fillThresholdEdits()
{
    m_min->clear();
    m_max->clear();
    for (const auto& t : m_state.rules.thresholds()) {
        if (t.statistic == currentStatistic()) {
            m_min->setText(limitText(t.min));
            m_max->setText(limitText(t.max));
        }
    }
}

void VetoPanel::updateList()
{
    m_list->clear();
    auto add = [this](const QString& text, int kind, int index) {
        auto* item = new QListWidgetItem(text, m_list);
        item->setData(Qt::UserRole, kind);
        item->setData(Qt::UserRole + 1, index);
    };
    const auto& thresholds = m_state.rules.thresholds();
    for (std::size_t i = 0; i < thresholds.size(); ++i) {
        const auto& t = thresholds[i];
        add(thresholdText(t), Threshold, int(i));
    }
    const auto& ranges = m_state.rules.ranges();
    for (std::size_t i = 0; i < ranges.size(); ++i) {
        add(tr("vetoed shots %1–%2: %3")
                .arg(Format::count(ranges[i].first), Format::count(ranges[i].last),
                    QString::fromStdString(ranges[i].reason)),
            Range, int(i));
    }
    for (std::size_t i = 0; i < m_state.sampleChanges.size(); ++i) {
        const auto& c = m_state.sampleChanges[i];
        add(tr("sample change at shot %1: %2").arg(Format::count(c.shot), QString::fromStdString(c.reason)), Change,
            int(i));
    }
}

void VetoPanel::showStatistic(ShotStatistic statistic)
{
    m_statistic->setCurrentIndex(m_statistic->findData(int(statistic)));
}

QString VetoPanel::summary() const { return m_summary->text(); }

bool VetoPanel::editable(QString* error) const
{
    if (m_frozen.isEmpty()) {
        return true;
    }
    if (error) {
        *error = m_frozen;
    }
    return false;
}

void VetoPanel::setFrozen(const QString& why, const QString& histogramNote)
{
    if (why == m_frozen && histogramNote == m_frozenNote->text()) {
        return; // the window says it on every status of a remote job, several times a second
    }
    const bool changed = why.isEmpty() != m_frozen.isEmpty();
    m_frozen = why;
    for (QWidget* w : m_editing) {
        w->setEnabled(why.isEmpty());
        w->setToolTip(why);
    }
    m_undoButton->setEnabled(why.isEmpty() && m_undo->canUndo());
    m_redoButton->setEnabled(why.isEmpty() && m_undo->canRedo());
    m_undoButton->setToolTip(why);
    m_redoButton->setToolTip(why);
    m_list->setToolTip(why);
    m_frozenNote->setText(histogramNote);
    m_frozenNote->setVisible(!why.isEmpty() && !histogramNote.isEmpty());
    m_plot->replot(QCustomPlot::rpQueuedReplot);
    if (changed) {
        emit frozenChanged(!why.isEmpty());
    }
}

void VetoPanel::refreshNow()
{
    const ShotStatistic statistic = currentStatistic();
    double tMin = -kInf;
    double tMax = kInf;
    for (const auto& t : m_state.rules.thresholds()) {
        if (t.statistic == statistic) {
            tMin = t.min;
            tMax = t.max;
        }
    }
    const auto entries = m_ledger.entries();
    const ShotHistogram h = ShotHistogram::compute(entries, statistic, 40, tMin, tMax);
    const QVector<double> x(h.centres.begin(), h.centres.end());
    m_accepted->setWidth(h.width);
    m_vetoed->setWidth(h.width);
    m_accepted->setData(x, QVector<double>(h.accepted.begin(), h.accepted.end()), true);
    m_vetoed->setData(x, QVector<double>(h.vetoed.begin(), h.vetoed.end()), true);
    m_plot->xAxis->setLabel(StatisticNames::label(statistic));
    m_plot->xAxis->setRange(h.lo, h.lo + h.width * double(h.centres.size()));
    double top = 1.0;
    for (std::size_t i = 0; i < h.centres.size(); ++i) {
        top = std::max(top, h.accepted[i] + h.vetoed[i]);
    }
    m_plot->yAxis->setRange(0.0, top * 1.1);
    m_minLine->setVisible(std::isfinite(tMin));
    m_maxLine->setVisible(std::isfinite(tMax));
    m_minLine->point1->setCoords(tMin, 0.0);
    m_minLine->point2->setCoords(tMin, 1.0);
    m_maxLine->point1->setCoords(tMax, 0.0);
    m_maxLine->point2->setCoords(tMax, 1.0);
    m_plot->replot(QCustomPlot::rpQueuedReplot);

    updateSummary();
}

void VetoPanel::setCountsModel(const ShotCountsModel* model)
{
    m_counts = model;
    connect(model, &ShotCountsModel::changed, this, &VetoPanel::updateSummary);
    updateSummary();
}

QString VetoPanel::reevaluation() const { return m_reevaluation->text(); }

void VetoPanel::updateSummary()
{
    if (!m_counts) { // a panel on its own (no run): its ledger's figures
        const std::int64_t total = m_ledger.size();
        const std::int64_t accepted = m_ledger.acceptedCount();
        QString text = tr("Accepted %1 of %2 shots").arg(Format::count(accepted), Format::count(total));
        if (total > 0) {
            text += QStringLiteral(" (%1)").arg(Format::percent(double(accepted) / double(total)));
        }
        m_summary->setText(text);
        return;
    }
    const VetoCounts& c = m_counts->counts();
    QString text = tr("Accepted %1 of %2 shots").arg(Format::count(c.accepted()), Format::count(c.read));
    if (c.read > 0) {
        text += QStringLiteral(" (%1)").arg(Format::percent(double(c.accepted()) / double(c.read)));
    }
    text += QStringLiteral(" · ") + m_counts->inC2Text();
    text += tr(" · vetoed by hand %1, by rule %2").arg(Format::count(c.vetoedByHand), Format::count(c.vetoedByRule));
    if (c.refused > 0) {
        text += tr(" · refused %1").arg(Format::count(c.refused));
    }
    m_summary->setText(text);
    const QString state = m_counts->reevaluationText();
    m_reevaluation->setText(state);
    m_reevaluation->setVisible(!state.isEmpty());
    // Amber while the C2 is being corrected, red when shots could not be reached, green once it is exact.
    const char* colour = c.pending > 0 ? "#a86400" : (c.unreachable > 0 ? "#b00000" : "#207a30");
    m_reevaluation->setStyleSheet(QStringLiteral("color: %1; font-weight: bold").arg(QLatin1String(colour)));
    m_reevaluation->setToolTip(QString::fromStdString(c.problem));
}

QString VetoPanel::histogramCsv() const
{
    QString out;
    QTextStream s(&out);
    s << m_plot->xAxis->label() << ",accepted,vetoed\n";
    auto a = m_accepted->data()->constBegin();
    auto v = m_vetoed->data()->constBegin();
    for (; a != m_accepted->data()->constEnd() && v != m_vetoed->data()->constEnd(); ++a, ++v) {
        s << QString::number(a->key, 'g', 17) << "," << a->value << "," << v->value << "\n";
    }
    return out;
}

QByteArray VetoPanel::toJson() const { return m_state.toJson(); }

bool VetoPanel::stateFromJson(const QByteArray& json, VetoState* state, QString* error)
{
    return VetoState::fromJson(json, state, error);
}

} // namespace fxs::widgets
