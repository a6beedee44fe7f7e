#pragma once

// What the window tests of exact vetoes and masks share (tst_ExactVetoes, tst_MonitorMasks): fxs-monitor run with a
// veto script, its settings, the polar frames it dumped, and the C2 explorer's dump against the brute force.

#include <C2BruteForce.h>
#include <ProgramRunner.h>
#include <QtTest>
#include <fxs/shots/VetoRules.h>
#include <nlohmann/json.hpp>

namespace fxs::test {

inline ProgramRun monitorWithScript(const QTemporaryDir& dir, const QStringList& args)
{
    return runMonitor(
        QStringList { "--settings", dir.filePath("s.ini"), "--results", dir.filePath("results"), "--dump-c2",
            dir.filePath("c2.json"), "--dump-polar", dir.filePath("polar.bin"), "--dump-polar-every-shot",
            "--veto-script", dir.filePath("script.json"), "--counts-log", dir.filePath("counts.jsonl"),
            "--quit-when-done" }
            + args,
        240000);
}

// The window's settings: the run's source, the spool and memory ring, and the rules in force at the start.
inline void writeSettings(
    const QTemporaryDir& dir, int source, double spoolGb, double ringMb, bool keep, const fxs::VetoRules& rules)
{
    QSettings s(dir.filePath("s.ini"), QSettings::IniFormat);
    s.setValue(QStringLiteral("run/source"), source);
    s.setValue(QStringLiteral("run/spoolGb"), spoolGb);
    s.setValue(QStringLiteral("run/vetoRingMb"), ringMb);
    s.setValue(QStringLiteral("run/keepSpool"), keep);
    s.setValue(QStringLiteral("run/spoolDir"), dir.filePath("spool"));
    const nlohmann::json state = { { "rules", rules.toJson() }, { "sample_changes", nlohmann::json::array() } };
    s.setValue(QStringLiteral("decision/vetoes"), QByteArray::fromStdString(state.dump()));
    QDir().mkpath(dir.filePath("spool"));
}

inline void writeScript(const QTemporaryDir& dir, const QByteArray& json)
{
    QFile f(dir.filePath("script.json"));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(json);
}

inline std::vector<fxs::PolarFrame> readPolar(const QString& path)
{
    QFile f(path);
    std::vector<fxs::PolarFrame> out;
    if (!f.open(QIODevice::ReadOnly)) {
        return out;
    }
    const QByteArray all = f.readAll();
    std::size_t off = 0;
    while (off + 16 <= std::size_t(all.size())) {
        fxs::PolarFrame p;
        std::memcpy(&p.shotIndex, all.constData() + off, 8);
        std::memcpy(&p.nQ, all.constData() + off + 8, 4);
        std::memcpy(&p.nPhi, all.constData() + off + 12, 4);
        off += 16;
        const std::size_t n = std::size_t(p.nQ) * p.nPhi;
        p.intensity.resize(n);
        p.weight.resize(n);
        std::memcpy(p.intensity.data(), all.constData() + off, n * 4);
        std::memcpy(p.weight.data(), all.constData() + off + n * 4, n * 4);
        off += 2 * n * 4;
        out.push_back(std::move(p));
    }
    return out;
}

// The C2 explorer's curve and pair map (--dump-c2) against the brute force of `frames`; returns what disagrees.
inline QString compareC2(const QString& dumpPath, const std::vector<fxs::PolarFrame>& frames)
{
    QFile jf(dumpPath);
    if (!jf.open(QIODevice::ReadOnly)) {
        return QStringLiteral("no C2 dump");
    }
    const QJsonObject o = QJsonDocument::fromJson(jf.readAll()).object();
    if (o.value("shots").toInteger() != qint64(frames.size())) {
        return QStringLiteral("C2 of %1 shots, expected %2").arg(o.value("shots").toInteger()).arg(frames.size());
    }
    const fxs::test::BruteC2 b = fxs::test::bruteForce(frames, true);
    const auto value = [&](int q, int qp, int k) { return b.numTotal(b.at(q, qp, k)) / b.denTotal(b.at(q, qp, k)); };
    const int q = o.value("q").toInt();
    const int qp = o.value("qp").toInt();
    const QJsonArray curve = o.value("c2").toArray();
    int compared = 0;
    for (int k = 0; k < curve.size(); ++k) {
        if (!curve[k].isNull()) {
            const double expected = value(q, qp, k);
            if (std::abs(curve[k].toDouble() - expected) > 1e-4 * std::abs(expected) + 1e-6) {
                return QStringLiteral("Δ bin %1: shown %2, brute force %3")
                    .arg(k)
                    .arg(curve[k].toDouble())
                    .arg(expected);
            }
            ++compared;
        }
    }
    const QJsonArray pair = o.value("pairMapAtK").toArray();
    const int k0 = o.value("k").toInt();
    for (int a = 0; a < b.nQ; ++a) {
        for (int c = 0; c < b.nQ; ++c) {
            const QJsonValue v = pair[a * b.nQ + c];
            if (!v.isNull() && std::abs(v.toDouble() - value(a, c, k0)) > 1e-4 * std::abs(value(a, c, k0)) + 1e-6) {
                return QStringLiteral("pair map (%1, %2): shown %3, brute force %4")
                    .arg(a)
                    .arg(c)
                    .arg(v.toDouble())
                    .arg(value(a, c, k0));
            }
            compared += v.isNull() ? 0 : 1;
        }
    }
    return compared >= 8 ? QString() : QStringLiteral("only %1 values compared").arg(compared);
}

} // namespace fxs::test
