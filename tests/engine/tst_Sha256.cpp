#include <QCryptographicHash>
#include <QtTest>
#include <fxs/core/Sha256.h>

class tst_Sha256 : public QObject {
    Q_OBJECT
private slots:
    void matchesKnownDigests_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QString>("digest");
        // FIPS 180-2 examples.
        QTest::newRow("empty") << QByteArray() << "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        QTest::newRow("abc") << QByteArray("abc") << "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        QTest::newRow("two blocks") << QByteArray("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                                    << "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
    }

    void matchesKnownDigests()
    {
        QFETCH(QByteArray, input);
        QFETCH(QString, digest);
        fxs::Sha256 sha;
        sha.update(input.constData(), static_cast<std::size_t>(input.size()));
        QCOMPARE(QString::fromStdString(sha.hexDigest()), digest);
    }

    // Updates in uneven pieces give the digest of the whole, as Qt's independent implementation computes it.
    void incrementalEqualsWhole()
    {
        QByteArray data(1 << 20, '\0');
        for (int i = 0; i < data.size(); ++i) {
            data[i] = static_cast<char>((i * 131) ^ (i >> 9));
        }
        fxs::Sha256 sha;
        for (qsizetype at = 0, step = 1; at < data.size(); at += step, step = step * 3 + 1) {
            sha.update(data.constData() + at, static_cast<std::size_t>(std::min(step, data.size() - at)));
        }
        QCOMPARE(QByteArray::fromStdString(sha.hexDigest()),
            QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex());
    }
};

QTEST_GUILESS_MAIN(tst_Sha256)
#include "tst_Sha256.moc"
