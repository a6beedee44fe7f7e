// Words on the window's controls: every label, button, menu entry, axis and legend of each panel is in plain words,
// never a raw identifier such as `hit_score` (the oracle: a snake_case regular expression over the texts shown).
#include <C2SliceView.h>
#include <ConvergenceView.h>
#include <DiffractionView.h>
#include <FrameHistory.h>
#include <HealthBar.h>
#include <InvariantsView.h>
#include <PolarView.h>
#include <QAbstractButton>
#include <QAbstractSpinBox>
#include <QComboBox>
#include <QLabel>
#include <QRegularExpression>
#include <QSpinBox>
#include <QTextDocument>
#include <QtTest>
#include <ReconstructionView.h>
#include <StripChart.h>
#include <VetoPanel.h>
#include <memory>
#include <qcustomplot.h>

using namespace fxs::widgets;

namespace {

// Every text a scientist reads on `root` and its children, each with where it was found.
QStringList shownTexts(QWidget& root)
{
    QStringList out;
    const auto plain = [](const QString& t) {
        QTextDocument d;
        d.setHtml(t);
        return d.toPlainText();
    };
    for (auto* l : root.findChildren<QLabel*>()) {
        out << QStringLiteral("label: ") + plain(l->text());
    }
    for (auto* b : root.findChildren<QAbstractButton*>()) {
        out << QStringLiteral("button: ") + b->text();
    }
    for (auto* c : root.findChildren<QComboBox*>()) {
        for (int i = 0; i < c->count(); ++i) {
            out << QStringLiteral("menu: ") + c->itemText(i);
        }
    }
    for (auto* s : root.findChildren<QSpinBox*>()) {
        out << QStringLiteral("spin box: ") + s->prefix() + s->suffix() + s->specialValueText();
    }
    for (auto* p : root.findChildren<QCustomPlot*>()) {
        for (auto* axis : p->axisRect()->axes()) {
            out << QStringLiteral("axis: ") + axis->label();
        }
        for (int g = 0; g < p->graphCount(); ++g) {
            out << QStringLiteral("legend: ") + p->graph(g)->name();
        }
    }
    return out;
}

} // namespace

class TestWidgetLabels : public QObject {
    Q_OBJECT
private slots:
    void noRawIdentifiers_data()
    {
        QTest::addColumn<QString>("panel");
        for (const char* p : { "vetoes", "convergence", "detector", "history", "health", "c2", "polar", "invariants",
                 "reconstruction", "strip chart" }) {
            QTest::newRow(p) << QString::fromLatin1(p);
        }
    }

    void noRawIdentifiers()
    {
        QFETCH(QString, panel);
        std::unique_ptr<QWidget> w;
        if (panel == QLatin1String("vetoes")) {
            w = std::make_unique<VetoPanel>();
        } else if (panel == QLatin1String("convergence")) {
            auto c = std::make_unique<ConvergenceView>();
            c->setGrid({ 10, 16, 0.1, 1.1 });
            c->addPoint(1000, 0.5, std::vector<double>(10, 0.4));
            w = std::move(c);
        } else if (panel == QLatin1String("detector")) {
            w = std::make_unique<DiffractionView>();
        } else if (panel == QLatin1String("history")) {
            w = std::make_unique<FrameHistory>();
        } else if (panel == QLatin1String("health")) {
            w = std::make_unique<HealthBar>();
        } else if (panel == QLatin1String("c2")) {
            w = std::make_unique<C2SliceView>();
        } else if (panel == QLatin1String("polar")) {
            w = std::make_unique<PolarView>();
        } else if (panel == QLatin1String("invariants")) {
            w = std::make_unique<InvariantsView>();
        } else if (panel == QLatin1String("reconstruction")) {
            w = std::make_unique<ReconstructionView>();
        } else {
            w = std::make_unique<StripChart>(QStringLiteral("hit rate"), QStringLiteral("%"));
        }
        // snake_case: lower-case words joined by underscores ("hit_score", "masked_fraction").
        const QRegularExpression snake(QStringLiteral("\\b[a-z][a-z0-9]*_[a-z0-9_]*[a-z0-9]\\b"));
        const QStringList texts = shownTexts(*w);
        QVERIFY(texts.size() >= 2); // the walk found the panel's words
        for (const QString& t : texts) {
            QVERIFY2(!snake.match(t).hasMatch(), qPrintable(panel + QStringLiteral(" shows a raw identifier: ") + t));
        }
    }
};

QTEST_MAIN(TestWidgetLabels)
#include "tst_WidgetLabels.moc"
