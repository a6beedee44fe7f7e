#include "PythonRunner.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <fxs/results/ResultsFile.h>
#include <fxs/core/Version.h>

namespace {

constexpr int nQ = 3, nPhi = 8, nMax = 2; // mask spectra keep nPhi / 2 + 1 = 5 frequencies, signal 3

// Every array is filled from its flat index by a formula that the h5py reader below evaluates on its own.
fxs::C2Snapshot snapshot()
{
    fxs::C2Snapshot s;
    s.nQ = nQ;
    s.nPhi = nPhi;
    s.nMax = nMax;
    s.shots = 11;
    s.shotsHalf[0] = 6;
    s.shotsHalf[1] = 5;
    s.maskThreshold = 0.125;
    s.splitHalfCC = 0.75;
    const std::size_t cube = nQ * nQ * nPhi;
    for (std::size_t i = 0; i < cube; ++i) {
        s.c2.push_back(std::sin(0.1 * double(i)));
        s.maskCorrelation.push_back(0.5 * double(i));
        s.flags.push_back(static_cast<std::uint8_t>(i % 3));
        s.c2Inter.push_back(0.001 * double(i));
        s.c2Difference.push_back(s.c2.back() - s.c2Inter.back());
        s.c2StdError.push_back(0.01 * double(i) + 0.5);
    }
    for (std::size_t i = 0; i < nQ * nPhi; ++i) {
        s.meanImage.push_back(std::cos(double(i)));
    }
    for (int q = 0; q < nQ; ++q) {
        s.splitHalfCCPerQ.push_back(0.1 * q);
    }
    for (std::size_t i = 0; i < std::size_t(nMax + 1) * nQ * nQ; ++i) {
        s.fourier.emplace_back(double(i), -0.5 * double(i));
        s.fourierStdError.push_back(0.25 * double(i));
    }
    return s;
}

fxs::C2Sums sums()
{
    fxs::C2Sums s;
    s.nQ = nQ;
    s.nPhi = nPhi;
    s.nMax = nMax;
    s.ringMeanSubtracted = false;
    s.shots[0] = 6;
    s.shots[1] = 5;
    for (int h = 0; h < 2; ++h) {
        for (std::size_t i = 0; i < std::size_t(nMax + 1) * nQ * nQ; ++i) {
            s.signal[h].emplace_back(double(i) + h, double(h) - double(i));
        }
        for (std::size_t i = 0; i < std::size_t(nPhi / 2 + 1) * nQ * nQ; ++i) {
            s.mask[h].emplace_back(2.0 * double(i), double(h));
        }
    }
    for (std::size_t i = 0; i < nQ * nPhi; ++i) {
        s.weightedIntensity.push_back(3.0 * double(i));
        s.weightSum.push_back(double(i % 5));
    }
    for (std::size_t i = 0; i < std::size_t(nMax + 1) * nQ * nQ; ++i) {
        s.squares.push_back(4.0 * double(i) + 1.0);
    }
    return s;
}

const char* kReader = R"(
import sys, json, hashlib, os, h5py, numpy as np
path, inp = sys.argv[1], sys.argv[2]
f = h5py.File(path, 'r')
out = {}
def err(name, want):
    got = f[name][()]
    out[name] = [list(got.shape), float(np.max(np.abs(got - want))) if got.size else 0.0]
nq, nphi, nmax = 3, 8, 2
i = np.arange(nq * nq * nphi).reshape(nq, nq, nphi).astype(float)
err('/c2/c2', np.sin(0.1 * i))
err('/c2/mask_correlation', 0.5 * i)
err('/c2/flags', i % 3)
err('/c2/c2_inter', 0.001 * i)
err('/c2/c2_difference', np.sin(0.1 * i) - 0.001 * i)
err('/c2/mean_image', np.cos(np.arange(nq * nphi).reshape(nq, nphi)))
err('/c2/split_half_cc_per_q', 0.1 * np.arange(nq))
k = np.arange((nmax + 1) * nq * nq).reshape(nmax + 1, nq, nq).astype(float)
err('/c2/fourier', k - 0.5j * k)
err('/c2/c2_std_error', 0.01 * i + 0.5)
err('/c2/fourier_std_error', 0.25 * k)
err('/sums/squares', 4 * k + 1)
for h, name in enumerate(['even', 'odd']):
    err('/sums/signal_' + name, (k + h) + 1j * (h - k))
    km = np.arange((nphi // 2 + 1) * nq * nq).reshape(nphi // 2 + 1, nq, nq).astype(float)
    err('/sums/mask_' + name, 2 * km + 1j * h)
err('/sums/weighted_intensity', 3.0 * np.arange(nq * nphi).reshape(nq, nphi))
err('/sums/weight_sum', np.arange(nq * nphi).reshape(nq, nphi) % 5)
err('/analysis/invariants/B_l', np.arange(6.0).reshape(2, 3) ** 2)
out['fourier_dtype'] = str(f['/c2/fourier'].dtype)
out['attrs_c2'] = {k: (v.item() if hasattr(v, 'item') else v) for k, v in f['/c2'].attrs.items()}
out['attrs_sums'] = {k: (v.item() if hasattr(v, 'item') else v) for k, v in f['/sums'].attrs.items()}
out['schema_version'] = int(f.attrs['schema_version'])
out['software_version'] = f.attrs['software_version']
out['description'] = f['/analysis/invariants/B_l'].attrs['description']
out['ledger'] = [f['/ledger/shot_index'][()].tolist(), f['/ledger/accepted'][()].tolist(),
                 [r.decode() for r in f['/ledger/reason'][()]]]
out['geometry'] = f['/run/geometry'][()].decode()
out['configuration'] = json.loads(f['/run/configuration'][()].decode())
out['inputs_ok'] = (f['/inputs/path'][0].decode() == os.path.realpath(inp)
    and int(f['/inputs/size_bytes'][0]) == os.path.getsize(inp)
    and f['/inputs/sha256_first_mib'][0].decode() == hashlib.sha256(open(inp, 'rb').read(1 << 20)).hexdigest())
print(json.dumps(out))
)";

} // namespace

class tst_ResultsFile : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private slots:
    void h5pyReadsBackEverything()
    {
        // An input of 1.5 MiB: the hash must stop at the first MiB.
        const QString input = m_dir.path() + "/input.cxi";
        {
            QFile f(input);
            QVERIFY(f.open(QIODevice::WriteOnly));
            QByteArray bytes(3 << 19, '\0');
            for (int i = 0; i < bytes.size(); ++i) {
                bytes[i] = static_cast<char>((i * 7919) >> 3);
            }
            f.write(bytes);
        }
        const std::string path = (m_dir.path() + "/run.h5").toStdString();
        auto rf = fxs::ResultsFile::create(path);
        QVERIFY2(rf.ok(), rf ? "" : rf.error().message.c_str());
        auto& r = **rf;
        QVERIFY(r.writeSnapshot(snapshot()).ok());
        QVERIFY(r.writeSnapshot(snapshot()).ok()); // a refresh replaces the previous snapshot
        QVERIFY(r.writeSums(sums()).ok());
        const std::vector<double> bl { 0, 1, 4, 9, 16, 25 };
        QVERIFY(r.writeArray("invariants/B_l", bl, { 2, 3 }, "Kam invariants").ok());
        QVERIFY(r.writeLedger({ { 0, 1, 2 }, { 1, 0, 1 }, { "", "low intensity", "" } }).ok());
        QVERIFY(r.writeGeometry("clen = 0.1\nres = 5000\n").ok());
        QVERIFY(r.writeConfiguration(R"({"nQ": 3, "veto": {"minPhotons": 10}})").ok());
        auto id = fxs::InputIdentity::of(input.toStdString());
        QVERIFY(id.ok());
        QVERIFY(r.writeInputs({ *id }).ok());
        QVERIFY(r.close().ok());

        const auto py = fxs::test::runPython(kReader, { QString::fromStdString(path), input });
        QVERIFY2(py.ok(), py.err.constData());
        const QJsonObject o = QJsonDocument::fromJson(py.out).object();
        const std::pair<const char*, QList<int>> shapes[] = { { "/c2/c2", { 3, 3, 8 } },
            { "/c2/mask_correlation", { 3, 3, 8 } }, { "/c2/flags", { 3, 3, 8 } }, { "/c2/c2_inter", { 3, 3, 8 } },
            { "/c2/c2_difference", { 3, 3, 8 } }, { "/c2/mean_image", { 3, 8 } }, { "/c2/split_half_cc_per_q", { 3 } },
            { "/c2/fourier", { 3, 3, 3 } }, { "/sums/signal_even", { 3, 3, 3 } }, { "/sums/signal_odd", { 3, 3, 3 } },
            { "/sums/mask_even", { 5, 3, 3 } }, { "/sums/mask_odd", { 5, 3, 3 } },
            { "/sums/weighted_intensity", { 3, 8 } }, { "/sums/weight_sum", { 3, 8 } },
            { "/analysis/invariants/B_l", { 2, 3 } }, { "/c2/c2_std_error", { 3, 3, 8 } },
            { "/c2/fourier_std_error", { 3, 3, 3 } }, { "/sums/squares", { 3, 3, 3 } } };
        for (const auto& [name, shape] : shapes) {
            const QJsonArray e = o[name].toArray();
            QList<int> got;
            for (const auto& v : e[0].toArray()) {
                got.append(v.toInt());
            }
            QCOMPARE(got, shape);
            QVERIFY2(e[1].toDouble(1) < 1e-12, name);
        }
        QCOMPARE(o["fourier_dtype"].toString(), QString("complex128"));
        const QJsonObject c2 = o["attrs_c2"].toObject();
        QCOMPARE(c2["shots"].toInt(), 11);
        QCOMPARE(c2["shots_even"].toInt(), 6);
        QCOMPARE(c2["n_max"].toInt(), nMax);
        QCOMPARE(c2["split_half_cc"].toDouble(), 0.75);
        QCOMPARE(c2["mask_threshold"].toDouble(), 0.125);
        QCOMPARE(o["attrs_sums"].toObject()["ring_mean_subtracted"].toInt(), 0);
        QCOMPARE(o["attrs_sums"].toObject()["shots_odd"].toInt(), 5);
        QCOMPARE(o["schema_version"].toInt(), 2); // the standard errors came with schema 2
        QCOMPARE(o["software_version"].toString().toStdString(), std::string(fxs::versionString()));
        QCOMPARE(o["description"].toString(), QString("Kam invariants"));
        QCOMPARE(o["ledger"].toArray(),
            QJsonDocument::fromJson(R"([[0, 1, 2], [1, 0, 1], ["", "low intensity", ""]])").array());
        QCOMPARE(o["geometry"].toString(), QString("clen = 0.1\nres = 5000\n"));
        QCOMPARE(o["configuration"].toObject()["veto"].toObject()["minPhotons"].toInt(), 10);
        QVERIFY(o["inputs_ok"].toBool());
    }

    // A run refreshes its results at every snapshot: the file must not grow with the number of refreshes.
    void refreshingDoesNotGrowTheFile()
    {
        qint64 size[2] = { 0, 0 };
        for (int refreshes : { 1, 6 }) {
            const QString path = m_dir.path() + QStringLiteral("/refresh%1.h5").arg(refreshes);
            auto rf = fxs::ResultsFile::create(path.toStdString());
            QVERIFY(rf.ok());
            for (int i = 0; i < refreshes; ++i) {
                QVERIFY((*rf)->writeSnapshot(snapshot()).ok());
                QVERIFY((*rf)->writeSums(sums()).ok());
                QVERIFY((*rf)->writeLedger({ { 0, 1, 2 }, { 1, 0, 1 }, { "", "low intensity", "" } }).ok());
            }
            QVERIFY((*rf)->close().ok());
            size[refreshes > 1] = QFileInfo(path).size();
        }
        QVERIFY2(size[1] <= size[0] + 4096,
            qPrintable(QStringLiteral("%1 bytes after 1 write, %2 after 6").arg(size[0]).arg(size[1])));
    }

    // A refresh whose sums lost their squares (merged with sums that had none) must not leave the earlier standard
    // errors in the file as if current.
    void standardErrorsLostInARefreshAreRemoved()
    {
        const std::string path = (m_dir.path() + "/stale.h5").toStdString();
        auto rf = fxs::ResultsFile::create(path);
        QVERIFY(rf.ok());
        QVERIFY((*rf)->writeSnapshot(snapshot()).ok() && (*rf)->writeSums(sums()).ok());
        fxs::C2Snapshot s = snapshot();
        s.c2StdError.clear();
        s.fourierStdError.clear();
        fxs::C2Sums u = sums();
        u.squares.clear();
        QVERIFY((*rf)->writeSnapshot(s).ok() && (*rf)->writeSums(u).ok());
        QVERIFY((*rf)->close().ok());
        const auto py = fxs::test::runPython(R"(
import sys, h5py
f = h5py.File(sys.argv[1], 'r')
print(sorted(k for k in ('c2/c2_std_error', 'c2/fourier_std_error', 'sums/squares', 'c2/c2') if k in f))
)",
            { QString::fromStdString(path) });
        QVERIFY2(py.ok(), py.err.constData());
        QCOMPARE(py.out.trimmed(), QByteArray("['c2/c2']"));
    }

    void refusesInconsistentInput()
    {
        auto rf = fxs::ResultsFile::create((m_dir.path() + "/bad.h5").toStdString());
        QVERIFY(rf.ok());
        fxs::C2Snapshot s = snapshot();
        s.c2.pop_back();
        const fxs::Status st = (*rf)->writeSnapshot(s);
        QVERIFY(!st.ok());
        QVERIFY2(QString::fromStdString(st.message()).contains("/c2/c2"), st.message().c_str());
        QVERIFY(!(*rf)->writeLedger({ { 0, 1 }, { 1 }, { "", "" } }).ok());
        QVERIFY(!(*rf)->writeArray("/absolute", std::vector<double> { 1.0 }, { 1 }).ok());
        QVERIFY(!fxs::ResultsFile::create("/nonexistent-dir/x.h5").ok());
    }
};

QTEST_GUILESS_MAIN(tst_ResultsFile)
#include "tst_ResultsFile.moc"
