// Veto panel: thresholds move the ledger's accepted count exactly as a direct count over the shots says; hand
// vetoes and sample changes need reasons; undo and redo restore the previous decisions; the histogram counts.
#include "WidgetScreenshot.h"

#include <QComboBox>
#include <QPushButton>
#include <QUndoStack>
#include <QtTest>
#include <VetoPanel.h>
#include <cmath>
#include <limits>
#include <qcustomplot.h>

using namespace fxs;
using namespace fxs::widgets;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

std::vector<ShotStats> makeShots(int n)
{
    std::vector<ShotStats> shots;
    std::uint64_t state = 12345;
    auto uniform = [&state] {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return double(state >> 11) / double(1ULL << 53);
    };
    for (int i = 0; i < n; ++i) {
        ShotStats s;
        s.shotIndex = i;
        s.hitScore = uniform();
        s.mean = 100.0 * uniform();
        s.sum = s.mean * 1000.0;
        s.max = 2.0 * s.mean;
        s.saturated = static_cast<std::int64_t>(uniform() * 10.0);
        s.maskedFraction = 0.1;
        s.particles = (i % 50 == 0) ? std::nan("") : 3.0 * uniform();
        shots.push_back(s);
    }
    return shots;
}

std::int64_t directCount(const std::vector<ShotStats>& shots, ShotStatistic stat, double lo, double hi,
    std::int64_t vetoFirst = 1, std::int64_t vetoLast = 0)
{
    std::int64_t n = 0;
    for (const auto& s : shots) {
        const double v = s.get(stat);
        const bool inRange = s.shotIndex >= vetoFirst && s.shotIndex <= vetoLast;
        n += (!std::isnan(v) && v >= lo && v <= hi && !inRange) ? 1 : 0;
    }
    return n;
}

}

class tst_VetoPanel : public QObject {
    Q_OBJECT
private slots:
    void screenshot();
    void thresholdMatchesDirectCount_data();
    void thresholdMatchesDirectCount();
    void handVetoAndUndo();
    void reasonsRequired();
    void frozenWhileARemoteJobRuns();
    void histogramCountsEveryShot();
    void stateJsonRoundTrip();
};

void tst_VetoPanel::thresholdMatchesDirectCount_data()
{
    QTest::addColumn<int>("statistic");
    QTest::addColumn<double>("lo");
    QTest::addColumn<double>("hi");
    QTest::newRow("hit_score >= 0.3") << int(ShotStatistic::HitScore) << 0.3 << kInf;
    QTest::newRow("mean in [10, 60]") << int(ShotStatistic::Mean) << 10.0 << 60.0;
    QTest::newRow("saturated <= 4") << int(ShotStatistic::Saturated) << -kInf << 4.0;
    QTest::newRow("particles in [0.5, 2] (NaN vetoed)") << int(ShotStatistic::Particles) << 0.5 << 2.0;
}

void tst_VetoPanel::thresholdMatchesDirectCount()
{
    QFETCH(int, statistic);
    QFETCH(double, lo);
    QFETCH(double, hi);
    const auto shots = makeShots(700);
    VetoPanel panel;
    panel.addShots(shots);
    QCOMPARE(panel.ledger().acceptedCount(), 700);
    QVERIFY(panel.setThreshold(ShotStatistic(statistic), lo, hi));
    const auto expected = directCount(shots, ShotStatistic(statistic), lo, hi);
    QVERIFY(expected > 0 && expected < 700);
    QCOMPARE(panel.ledger().acceptedCount(), expected);
    QCOMPARE(panel.ledger().vetoedCount(), 700 - expected);
    // Shots arriving after the rule are judged by it too.
    panel.clearShots();
    panel.addShots(shots);
    QCOMPARE(panel.ledger().acceptedCount(), expected);
}

void tst_VetoPanel::handVetoAndUndo()
{
    const auto shots = makeShots(500);
    VetoPanel panel;
    panel.addShots(shots);
    QSignalSpy changed(&panel, &VetoPanel::rulesChanged);
    QVERIFY(panel.setThreshold(ShotStatistic::HitScore, 0.25, kInf));
    const auto afterThreshold = directCount(shots, ShotStatistic::HitScore, 0.25, kInf);
    QVERIFY(panel.vetoRange(100, 199, QStringLiteral("ice ring")));
    const auto afterRange = directCount(shots, ShotStatistic::HitScore, 0.25, kInf, 100, 199);
    QVERIFY(afterRange < afterThreshold);
    QCOMPARE(panel.ledger().acceptedCount(), afterRange);
    QCOMPARE(panel.ledger().entry(150)->decision.accepted, false);
    QVERIFY(QString::fromStdString(panel.ledger().entry(150)->decision.reason).contains(QStringLiteral("ice ring")));
    QCOMPARE(changed.count(), 2);

    panel.undoStack()->undo();
    QCOMPARE(panel.ledger().acceptedCount(), afterThreshold);
    QVERIFY(panel.rules().ranges().empty());
    panel.undoStack()->undo();
    QCOMPARE(panel.ledger().acceptedCount(), 500);
    QVERIFY(panel.rules().thresholds().empty());
    panel.undoStack()->redo();
    panel.undoStack()->redo();
    QCOMPARE(panel.ledger().acceptedCount(), afterRange);

    // Replacing a threshold (not adding a second one) and lifting the range.
    QVERIFY(panel.setThreshold(ShotStatistic::HitScore, 0.5, kInf));
    QCOMPARE(panel.rules().thresholds().size(), std::size_t(1));
    panel.liftRanges(150, 150);
    QCOMPARE(panel.ledger().acceptedCount(), directCount(shots, ShotStatistic::HitScore, 0.5, kInf));
    QVERIFY(panel.addSampleChange(300, QStringLiteral("new capillary")));
    QCOMPARE(panel.sampleChanges().size(), std::size_t(1));
    panel.undoStack()->undo();
    QVERIFY(panel.sampleChanges().empty());
}

// While a remote job runs (the window freezes the panel), no control may change the rules the job was submitted
// with: every setter refuses with the reason, nothing is re-decided, the controls are disabled with the reason as
// tooltip, and the histogram says why it is empty. Unfrozen, the same calls work again. The oracle is the ledger's
// accepted count against a direct count over the shots.
void tst_VetoPanel::frozenWhileARemoteJobRuns()
{
    const auto shots = makeShots(300);
    VetoPanel panel;
    panel.addShots(shots);
    QVERIFY(panel.setThreshold(ShotStatistic::HitScore, 0.25, kInf));
    const std::int64_t before = directCount(shots, ShotStatistic::HitScore, 0.25, kInf);
    QCOMPARE(panel.ledger().acceptedCount(), before);
    QSignalSpy changed(&panel, &VetoPanel::rulesChanged);
    QSignalSpy frozen(&panel, &VetoPanel::frozenChanged);
    const QString why = QStringLiteral("Remote job job-1 runs with the veto rules it was submitted with");
    panel.setFrozen(why, QStringLiteral("No per-shot values during a remote job"));
    QCOMPARE(panel.frozenReason(), why);
    QCOMPARE(frozen.count(), 1);
    QCOMPARE(frozen.at(0).at(0).toBool(), true);

    QString error;
    QVERIFY(!panel.setThreshold(ShotStatistic::HitScore, 0.5, kInf, &error));
    QCOMPARE(error, why);
    error.clear();
    QVERIFY(!panel.vetoRange(10, 20, QStringLiteral("beam dump"), &error));
    QCOMPARE(error, why);
    QVERIFY(!panel.addSampleChange(50, QStringLiteral("new capillary"), &error));
    panel.clearThreshold(ShotStatistic::HitScore);
    panel.liftRanges(0, 299);
    QCOMPARE(changed.count(), 0);
    QCOMPARE(panel.ledger().acceptedCount(), before);
    QCOMPARE(panel.rules().thresholds().size(), std::size_t(1));
    QVERIFY(panel.rules().ranges().empty());

    // What a user sees: every button that changes the rules is disabled and says why; the statistic can still be
    // chosen; the histogram carries the note.
    int disabled = 0;
    for (const auto* b : panel.findChildren<QPushButton*>()) {
        QVERIFY2(!b->isEnabled(), qPrintable(b->text()));
        QCOMPARE(b->toolTip(), why);
        ++disabled;
    }
    QCOMPARE(disabled, 8); // Apply, Clear, Veto shots, Lift, Sample change, Remove selected, Undo, Redo
    QVERIFY(panel.findChild<QComboBox*>()->isEnabled());
    bool noted = false;
    for (int i = 0; i < panel.histogram()->itemCount(); ++i) {
        if (const auto* t = qobject_cast<QCPItemText*>(panel.histogram()->item(i))) {
            noted = noted || (t->visible() && t->text().contains(QStringLiteral("remote job")));
        }
    }
    QVERIFY(noted);

    panel.setFrozen({}, {});
    QCOMPARE(frozen.count(), 2);
    QVERIFY(panel.frozenReason().isEmpty());
    QVERIFY(panel.vetoRange(10, 20, QStringLiteral("beam dump")));
    QCOMPARE(panel.ledger().acceptedCount(), directCount(shots, ShotStatistic::HitScore, 0.25, kInf, 10, 20));
    for (const auto* b : panel.findChildren<QPushButton*>()) {
        if (b->text() != QStringLiteral("Redo")) { // nothing to redo
            QVERIFY2(b->isEnabled(), qPrintable(b->text()));
        }
    }
}

void tst_VetoPanel::reasonsRequired()
{
    VetoPanel panel;
    QString error;
    QVERIFY(!panel.vetoRange(10, 20, QStringLiteral("  "), &error));
    QVERIFY(!error.isEmpty());
    error.clear();
    QVERIFY(!panel.addSampleChange(10, QString(), &error));
    QVERIFY(!error.isEmpty());
    QVERIFY(!panel.setThreshold(ShotStatistic::Mean, 5.0, 1.0, &error));
    QCOMPARE(panel.undoStack()->count(), 0);
}

void tst_VetoPanel::histogramCountsEveryShot()
{
    const auto shots = makeShots(400);
    VetoPanel panel;
    panel.addShots(shots);
    QVERIFY(panel.setThreshold(ShotStatistic::Mean, 20.0, 80.0));
    panel.showStatistic(ShotStatistic::Mean);
    panel.refreshNow();
    double accepted = 0.0;
    double vetoed = 0.0;
    const QString csv = panel.histogramCsv();
    const QStringList lines = csv.split('\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 41);
    for (int i = 1; i < lines.size(); ++i) {
        const QStringList cols = lines[i].split(',');
        accepted += cols[1].toDouble();
        vetoed += cols[2].toDouble();
    }
    const auto expected = directCount(shots, ShotStatistic::Mean, 20.0, 80.0);
    QCOMPARE(accepted, double(expected));
    QCOMPARE(vetoed, double(400 - expected));
    QVERIFY(panel.summary().contains(QStringLiteral("of 400 shots")));
}

void tst_VetoPanel::stateJsonRoundTrip()
{
    VetoPanel panel;
    QVERIFY(panel.setThreshold(ShotStatistic::HitScore, 0.01, kInf));
    QVERIFY(panel.vetoRange(5, 9, QStringLiteral("beam dump")));
    QVERIFY(panel.addSampleChange(1000, QStringLiteral("new chip")));
    VetoState state;
    QString error;
    QVERIFY2(VetoPanel::stateFromJson(panel.toJson(), &state, &error), qPrintable(error));
    QCOMPARE(state.rules.thresholds().size(), std::size_t(1));
    QCOMPARE(state.rules.thresholds()[0].min, 0.01);
    QVERIFY(std::isinf(state.rules.thresholds()[0].max));
    QCOMPARE(state.rules.ranges()[0].reason, std::string("beam dump"));
    QCOMPARE(state.sampleChanges[0].shot, 1000);
    QVERIFY(!VetoPanel::stateFromJson("{\"rules\": 3}", &state, &error));

    // Loading at start-up (QSettings): rules in force at once, no undo history.
    QVERIFY(VetoPanel::stateFromJson(panel.toJson(), &state, &error));
    const auto shots = makeShots(300);
    VetoPanel restored;
    restored.addShots(shots);
    restored.loadState(state);
    QCOMPARE(restored.undoStack()->count(), 0);
    QCOMPARE(restored.ledger().acceptedCount(), directCount(shots, ShotStatistic::HitScore, 0.01, kInf, 5, 9));
}

void tst_VetoPanel::screenshot()
{
    // A run of 6,000 shots: mostly misses (hit score ~0.5 %), a hit population around 4 %, a bad stretch.
    std::vector<ShotStats> shots;
    std::uint64_t state = 99;
    auto uniform = [&state] {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return double(state >> 11) / double(1ULL << 53);
    };
    for (int i = 0; i < 6000; ++i) {
        ShotStats s;
        s.shotIndex = i;
        const bool hit = uniform() < 0.35;
        s.hitScore = hit ? 0.04 + 0.015 * (uniform() + uniform() - 1.0) : 0.005 * uniform() * 2.0;
        s.mean = 20.0 + 200.0 * s.hitScore + uniform();
        s.saturated = (i >= 2400 && i < 2600) ? 500 : 0;
        shots.push_back(s);
    }
    VetoPanel panel;
    panel.resize(460, 520);
    panel.addShots(shots);
    QVERIFY(panel.setThreshold(ShotStatistic::HitScore, 0.015, kInf));
    QVERIFY(panel.vetoRange(2400, 2599, QStringLiteral("jet clogged, saturated streaks")));
    QVERIFY(panel.addSampleChange(4000, QStringLiteral("new sample batch B")));
    panel.showStatistic(ShotStatistic::HitScore);
    panel.refreshNow();
    const QString shotError = fxs::test::saveWidgetScreenshot(panel, QStringLiteral("monitor-vetoes.png"));
    QVERIFY2(shotError.isEmpty(), qPrintable(shotError));
}

QTEST_MAIN(tst_VetoPanel)
#include "tst_VetoPanel.moc"
