#include <QtTest>
#include <fxs/shots/ShotLedger.h>
#include <nlohmann/json.hpp>
#include <thread>

using namespace fxs;

namespace {

// Shot i has hit score i / 100: shots below 20 are too dim; shots 50 … 59 are vetoed by hand.
VetoRules rules()
{
    VetoRules r;
    if (!r.addThreshold({ ShotStatistic::HitScore, 0.2, std::numeric_limits<double>::infinity() })) {
        qFatal("rule refused");
    }
    if (!r.addRange(50, 59, "beam dump, \"no X-rays\"")) {
        qFatal("rule refused");
    }
    return r;
}

ShotStats shot(std::int64_t i)
{
    ShotStats s;
    s.shotIndex = i;
    s.hitScore = i / 100.0;
    s.sum = 1000.0 + i;
    return s;
}

ShotLedger filled(int n)
{
    ShotLedger ledger;
    const VetoRules r = rules();
    for (int i = n - 1; i >= 0; --i) { // out of order, as worker threads deliver
        ledger.judge(shot(i), r);
    }
    return ledger;
}

} // namespace

class tst_ShotLedger : public QObject {
    Q_OBJECT
private slots:
    void everyShotWithItsReason()
    {
        const ShotLedger ledger = filled(100);
        QCOMPARE(ledger.size(), std::int64_t(100));
        QCOMPARE(ledger.acceptedCount(), std::int64_t(70)); // 20 … 99 minus 50 … 59
        QCOMPARE(ledger.vetoedCount(), std::int64_t(30));
        const auto counts = ledger.vetoCounts();
        QCOMPARE(counts.at("hit_score<min"), std::int64_t(20));
        QCOMPARE(counts.at("manual"), std::int64_t(10));
        const auto entries = ledger.entries();
        for (int i = 0; i < 100; ++i) {
            const LedgerEntry& e = entries[i];
            QCOMPARE(e.stats.shotIndex, std::int64_t(i)); // shot order
            const bool expected = i >= 20 && (i < 50 || i > 59);
            QCOMPARE(e.decision.accepted, expected);
            if (i < 20) {
                QVERIFY(e.decision.reason.find("hit_score") != std::string::npos);
            } else if (i >= 50 && i <= 59) {
                QVERIFY(e.decision.reason.find("beam dump") != std::string::npos);
            } else {
                QCOMPARE(e.decision.reason, std::string("accepted"));
            }
        }
        QVERIFY(!ledger.entry(100).has_value());
        QCOMPARE(ledger.entry(55)->stats.sum, 1055.0);
    }

    void redecideReportsChanges()
    {
        ShotLedger ledger = filled(100);
        VetoRules looser;
        QVERIFY(looser.addThreshold({ ShotStatistic::HitScore, 0.1, 1.0 }));
        const auto changed = ledger.redecide(looser);
        // Now accepted: 10 … 19 (no longer too dim) and 50 … 59 (manual veto lifted).
        std::vector<std::int64_t> expected;
        for (std::int64_t i = 10; i < 20; ++i) {
            expected.push_back(i);
        }
        for (std::int64_t i = 50; i < 60; ++i) {
            expected.push_back(i);
        }
        QCOMPARE(changed, expected);
        QCOMPARE(ledger.acceptedCount(), std::int64_t(90));
    }

    void concurrentRecording()
    {
        ShotLedger ledger;
        const VetoRules r = rules();
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t) {
            threads.emplace_back([&, t] {
                for (int i = t; i < 4000; i += 4) {
                    ledger.judge(shot(i), r);
                }
            });
        }
        for (auto& th : threads) {
            th.join();
        }
        QCOMPARE(ledger.size(), std::int64_t(4000));
        QCOMPARE(ledger.vetoedCount(), std::int64_t(30));
    }

    void jsonAndCsv()
    {
        const ShotLedger ledger = filled(100);
        auto back = ShotLedger::fromJson(nlohmann::json::parse(ledger.toJson().dump()));
        QVERIFY2(back.ok(), back.ok() ? "" : back.error().message.c_str());
        QCOMPARE(back->size(), std::int64_t(100));
        QCOMPARE(back->vetoCounts(), ledger.vetoCounts());
        QCOMPARE(back->entry(55)->decision.reason, ledger.entry(55)->decision.reason);
        QVERIFY(std::isnan(back->entry(3)->stats.particles));
        QVERIFY(!ShotLedger::fromJson(nlohmann::json::parse(R"({"shots":[{"shot":1}]})")).ok());

        const QString csv = QString::fromStdString(ledger.toCsv());
        const QStringList lines = csv.trimmed().split('\n');
        QCOMPARE(lines.size(), 101);
        QVERIFY(lines[0].startsWith("shot,accepted,reason"));
        // The reason holds a comma and quotes: quoted, quotes doubled (RFC 4180).
        QVERIFY2(lines[51].startsWith(R"(50,0,"vetoed by hand (shots 50–59): beam dump, ""no X-rays""")"),
            qPrintable(lines[51]));
        QVERIFY(lines[100].startsWith("99,1,accepted,1099,"));
    }
};

QTEST_GUILESS_MAIN(tst_ShotLedger)
#include "tst_ShotLedger.moc"
