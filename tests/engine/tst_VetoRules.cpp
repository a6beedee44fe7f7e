#include <QtTest>
#include <fxs/shots/VetoRules.h>
#include <nlohmann/json.hpp>

using namespace fxs;

namespace {

ShotStats shot(std::int64_t index, double hitScore, std::int64_t saturated = 0)
{
    ShotStats s;
    s.shotIndex = index;
    s.hitScore = hitScore;
    s.saturated = saturated;
    return s;
}

VetoRules standardRules()
{
    VetoRules r;
    if (!r.addThreshold({ ShotStatistic::HitScore, 0.01, 0.5 })) {
        qFatal("rule refused");
    }
    if (!r.addThreshold({ ShotStatistic::Saturated, -std::numeric_limits<double>::infinity(), 100 })) {
        qFatal("rule refused");
    }
    if (!r.addRange(100, 199, "sample jet clogged")) {
        qFatal("rule refused");
    }
    return r;
}

} // namespace

class tst_VetoRules : public QObject {
    Q_OBJECT
private slots:
    void decisions_data()
    {
        QTest::addColumn<qint64>("index");
        QTest::addColumn<double>("hit");
        QTest::addColumn<qint64>("saturated");
        QTest::addColumn<bool>("accepted");
        QTest::addColumn<QString>("reasonPart");
        QTest::addColumn<QStringList>("rules");
        QTest::newRow("accepted") << qint64(5) << 0.2 << qint64(3) << true << "accepted" << QStringList {};
        QTest::newRow("too dim") << qint64(5) << 0.002 << qint64(0) << false << "hit_score 0.002 < 0.01"
                                 << QStringList { "hit_score<min" };
        QTest::newRow("too bright") << qint64(5) << 0.9 << qint64(0) << false << "hit_score 0.9 > 0.5"
                                    << QStringList { "hit_score>max" };
        QTest::newRow("edge of range") << qint64(199) << 0.2 << qint64(0) << false << "sample jet clogged"
                                       << QStringList { "manual" };
        QTest::newRow("after range") << qint64(200) << 0.5 << qint64(100) << true << "accepted" << QStringList {};
        QTest::newRow("two reasons") << qint64(150) << 0.2 << qint64(101) << false << "saturated 101 > 100"
                                     << QStringList { "manual", "saturated>max" };
    }
    void decisions()
    {
        QFETCH(qint64, index);
        QFETCH(double, hit);
        QFETCH(qint64, saturated);
        QFETCH(bool, accepted);
        QFETCH(QString, reasonPart);
        QFETCH(QStringList, rules);
        const VetoDecision d = standardRules().decide(shot(index, hit, saturated));
        QCOMPARE(d.accepted, accepted);
        QVERIFY2(QString::fromStdString(d.reason).contains(reasonPart), d.reason.c_str());
        QStringList got;
        for (const auto& r : d.rules) {
            got << QString::fromStdString(r);
        }
        QCOMPARE(got, rules);
    }

    void unavailableStatisticVetoes()
    {
        VetoRules r;
        QVERIFY(r.addThreshold({ ShotStatistic::Particles, 0.5, 3.0 }));
        const VetoDecision d = r.decide(shot(1, 0.1)); // particles is NaN: no calibration
        QVERIFY(!d.accepted);
        QVERIFY(d.reason.find("particles is not available") != std::string::npos);
    }

    void refusals()
    {
        VetoRules r;
        QVERIFY(!r.addThreshold({ ShotStatistic::Sum, 5, 1 }));
        QVERIFY(!r.addThreshold({ ShotStatistic::Sum }));
        QVERIFY(!r.addRange(10, 5, "x"));
        QVERIFY(!r.addRange(1, 5, ""));
        QVERIFY(r.thresholds().empty() && r.ranges().empty());
        VetoRules s = standardRules();
        QCOMPARE(s.removeRanges(150, 150), 1);
        QVERIFY(s.decide(shot(150, 0.2)).accepted);
    }

    void jsonRoundTrip()
    {
        const VetoRules r = standardRules();
        const nlohmann::json j = nlohmann::json::parse(r.toJson().dump());
        QVERIFY(j["thresholds"][1]["min"].is_null());
        auto back = VetoRules::fromJson(j);
        QVERIFY2(back.ok(), back.ok() ? "" : back.error().message.c_str());
        for (qint64 i : { 0, 99, 100, 150, 199, 200 }) {
            for (double hit : { 0.0, 0.2, 0.7 }) {
                QCOMPARE(back->decide(shot(i, hit, 120)).reason, r.decide(shot(i, hit, 120)).reason);
            }
        }
    }

    void badJson_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("where");
        QTest::newRow("not an object") << "[1,2]"
                                       << "expected a JSON object";
        QTest::newRow("unknown statistic") << R"({"thresholds":[{"statistic":"colour","min":1}]})"
                                           << "thresholds[0]";
        QTest::newRow("min is text") << R"({"thresholds":[{"statistic":"sum","min":"a"}]})"
                                     << "thresholds[0]";
        QTest::newRow("range without reason") << R"({"ranges":[{"first":1,"last":2}]})"
                                              << "ranges[0]";
        QTest::newRow("thresholds not array") << R"({"thresholds":5})"
                                              << "must be arrays";
    }
    void badJson()
    {
        QFETCH(QString, text);
        QFETCH(QString, where);
        auto r = VetoRules::fromJson(nlohmann::json::parse(text.toStdString()));
        QVERIFY(!r.ok());
        QVERIFY2(QString::fromStdString(r.error().message).contains(where), r.error().message.c_str());
    }
};

QTEST_GUILESS_MAIN(tst_VetoRules)
#include "tst_VetoRules.moc"
