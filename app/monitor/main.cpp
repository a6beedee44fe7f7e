#include <cmath>
#include <cstdio>
#include <cstdlib>
// fxs-monitor: the live monitoring window.
#include "MainWindow.h"
#include "EngineController.h"
#include "ScriptedRun.h"
#include "VetoScript.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QTimer>
#include <fxs/core/Version.h>
#include <fxs/sources/DectrisStreamDecoder.h>

namespace {

fxs::monitor::MonitorOptions parse(QApplication& app)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("FXS Monitor: live diffraction, C2 and run health"));
    p.addHelpOption();
    p.addVersionOption();
    const QCommandLineOption fresh(
        QStringLiteral("fresh"), QStringLiteral("Ignore saved settings: the first-start simulated run"));
    const QCommandLineOption settings(
        QStringLiteral("settings"), QStringLiteral("INI file for settings"), QStringLiteral("file"));
    const QCommandLineOption shots(
        QStringLiteral("shots"), QStringLiteral("Simulated shots (0: endless)"), QStringLiteral("n"));
    const QCommandLineOption rate(
        QStringLiteral("rate"), QStringLiteral("Simulated pulse rate in Hz (0: flat out)"), QStringLiteral("hz"));
    const QCommandLineOption nq(QStringLiteral("nq"), QStringLiteral("q bins"), QStringLiteral("n"));
    const QCommandLineOption nphi(QStringLiteral("nphi"), QStringLiteral("φ bins"), QStringLiteral("n"));
    const QCommandLineOption size(
        QStringLiteral("size"), QStringLiteral("Simulated detector side in pixels"), QStringLiteral("px"));
    const QCommandLineOption shotsDir(
        QStringLiteral("screenshots"), QStringLiteral("Save PNGs here when the run ends"), QStringLiteral("dir"));
    const QCommandLineOption shotsAt(QStringLiteral("screenshots-at"),
        QStringLiteral("Take the screenshots while running, at this many shots"), QStringLiteral("n"));
    const QCommandLineOption shotsAtRec(QStringLiteral("screenshots-at-reconstruction"),
        QStringLiteral("Take the screenshots while a remote job reconstructs, at this progress (0 … 1)"),
        QStringLiteral("fraction"));
    const QCommandLineOption shotsAtSeconds(QStringLiteral("screenshots-at-seconds"),
        QStringLiteral("Take the screenshots this many seconds after launch"), QStringLiteral("s"));
    const QCommandLineOption dump(QStringLiteral("dump-c2"),
        QStringLiteral("Write the C2 view as JSON when the run ends"), QStringLiteral("file"));
    const QCommandLineOption polar(
        QStringLiteral("dump-polar"), QStringLiteral("Write every polar frame (tests)"), QStringLiteral("file"));
    const QCommandLineOption results(
        QStringLiteral("results"), QStringLiteral("Folder for the run's results file"), QStringLiteral("dir"));
    const QCommandLineOption open(QStringLiteral("open"),
        QStringLiteral("Open a CXI / HDF5 stack and compute C2 over it"), QStringLiteral("file"));
    const QCommandLineOption first(
        QStringLiteral("first"), QStringLiteral("First shot to correlate"), QStringLiteral("n"));
    const QCommandLineOption last(
        QStringLiteral("last"), QStringLiteral("Last shot to correlate (-1: to the end)"), QStringLiteral("n"));
    const QCommandLineOption quit(QStringLiteral("quit-when-done"), QStringLiteral("Quit when the run ends"));
    const QCommandLineOption start(QStringLiteral("no-start"), QStringLiteral("Do not start the run on launch"));
    const QCommandLineOption submit(QStringLiteral("submit"),
        QStringLiteral("Submit the restored remote job on launch (without it, restored remote settings wait for Start)"));
    const QCommandLineOption pressResume(QStringLiteral("press-resume"),
        QStringLiteral("Scripts: when the remote job ends cancelled or failed, press Resume once"));
    const QCommandLineOption review(QStringLiteral("review"),
        QStringLiteral("Open a results file (.h5) for review: C2, convergence, invariants, density, ledger"),
        QStringLiteral("file"));
    const QCommandLineOption compare(QStringLiteral("compare"),
        QStringLiteral("With --review: overlay a second results file on it (A − B)"), QStringLiteral("file"));
    const QCommandLineOption dumpCompare(QStringLiteral("dump-compare"),
        QStringLiteral("Write the compare plots as JSON once the files are shown"), QStringLiteral("file"));
    const QCommandLineOption stopAt(QStringLiteral("stop-at-shots"),
        QStringLiteral("Stop the run (cancel a remote job) once this many shots are done (at least: a stream may have "
                       "more on their way)"),
        QStringLiteral("n"));
    const QCommandLineOption stopReconnecting(QStringLiteral("stop-when-reconnecting"),
        QStringLiteral("Stop the remote job (press Stop) as soon as its connection drops (scripts)"));
    const QCommandLineOption ranks(QStringLiteral("dump-ranks"),
        QStringLiteral("Write the remote job's Ranks table as JSON when it ends"), QStringLiteral("file"));
    const QCommandLineOption geometry(
        QStringLiteral("geometry"), QStringLiteral("CrystFEL .geom file for the run"), QStringLiteral("file"));
    const QCommandLineOption mask(QStringLiteral("mask"),
        QStringLiteral("Pixel mask: HDF5 FILE[:DATASET] or a CrystFEL bad-region file (as fxs --mask)"),
        QStringLiteral("file"));
    const QCommandLineOption clen(QStringLiteral("clen"),
        QStringLiteral("Camera length in metres (wins over the geometry and the data file)"), QStringLiteral("m"));
    const QCommandLineOption energy(QStringLiteral("photon-energy"),
        QStringLiteral("Photon energy in eV (wins over the geometry and the data file)"), QStringLiteral("eV"));
    const QCommandLineOption pixel(QStringLiteral("pixel-size"),
        QStringLiteral("Pixel size in metres of a file read without a geometry"), QStringLiteral("m"));
    const QCommandLineOption streamAt(QStringLiteral("stream-endpoint"),
        QStringLiteral("Read a detector stream at this ZeroMQ endpoint (tcp://HOST:PORT)"), QStringLiteral("endpoint"));
    const QCommandLineOption stream(QStringLiteral("stream"),
        QStringLiteral("The detector stream's protocol: dectris (Stream V2) or karabo (Karabo bridge)"),
        QStringLiteral("protocol"));
    const QCommandLineOption stopAtEnd(
        QStringLiteral("stop-at-end"), QStringLiteral("DECTRIS stream: the series' end message ends the run"));
    const QCommandLineOption streamDecode(QStringLiteral("stream-decode"),
        QStringLiteral("DECTRIS stream: decode compressed images on the pipeline's workers, on the receiving thread, "
                       "or auto (workers from 8 cores; the default)"),
        QStringLiteral("workers|receiver|auto"));
    const QCommandLineOption windowDump(QStringLiteral("dump-window"),
        QStringLiteral("Write what the window shows (JSON) when the run ends"), QStringLiteral("file"));
    const QCommandLineOption pauseAt(QStringLiteral("pause-display-at"),
        QStringLiteral("Pause the display (not the run) once this many shots are done"), QStringLiteral("n"));
    const QCommandLineOption thenOpen(QStringLiteral("then-open"),
        QStringLiteral("When the first run ends, open this detector stack"), QStringLiteral("file"));
    const QCommandLineOption fileShot(QStringLiteral("show-file-shot"),
        QStringLiteral("When a file run ends, show this shot read back from the file"), QStringLiteral("n"));
    const QCommandLineOption openDuring(QStringLiteral("open-during-run"),
        QStringLiteral("Once 20 shots are in C2, open this detector stack while the run goes on"), QStringLiteral("file"));
    const QCommandLineOption answer(QStringLiteral("answer"),
        QStringLiteral("Answer the window's questions (\"Stop the run and open a file?\"): yes or cancel"),
        QStringLiteral("yes|cancel"));
    p.addOptions({ windowDump, pauseAt, thenOpen, fileShot, openDuring, answer });
    const QCommandLineOption vetoScript(QStringLiteral("veto-script"),
        QStringLiteral("Pause at a shot, change the vetoes as a JSON script says, resume (tests, screenshots)"),
        QStringLiteral("file"));
    const QCommandLineOption countsLog(QStringLiteral("counts-log"),
        QStringLiteral("Append the shot counts the window shows, one JSON line per change (tests)"),
        QStringLiteral("file"));
    const QCommandLineOption polarEvery(QStringLiteral("dump-polar-every-shot"),
        QStringLiteral("--dump-polar writes every remapped shot, vetoed ones too (tests)"));
    p.addOptions({ vetoScript, countsLog, polarEvery, mask });
    p.addOptions({ fresh, settings, shots, rate, nq, nphi, size, shotsDir, shotsAt, shotsAtRec, shotsAtSeconds, dump,
        polar, results, open, first, last, quit, start, submit, pressResume, review, compare, dumpCompare, stopAt, stopReconnecting, ranks, geometry, clen, energy, pixel, streamAt, stream,
        stopAtEnd, streamDecode });
    p.process(app);
    fxs::monitor::MonitorOptions o;
    o.fresh = p.isSet(fresh);
    o.settingsPath = p.value(settings);
    o.shots = p.isSet(shots) ? p.value(shots).toLongLong() : -1;
    o.rateHz = p.isSet(rate) ? p.value(rate).toDouble() : -1.0;
    o.nQ = p.value(nq).toInt();
    o.nPhi = p.value(nphi).toInt();
    o.size = p.value(size).toInt();
    o.screenshotDir = p.value(shotsDir);
    o.screenshotAtShots = p.value(shotsAt).toLongLong();
    o.screenshotAtReconstruction = p.value(shotsAtRec).toDouble();
    o.screenshotAtSeconds = p.value(shotsAtSeconds).toDouble();
    o.dumpPath = p.value(dump);
    o.polarDumpPath = p.value(polar);
    o.quitWhenDone = p.isSet(quit);
    o.resultsDir = p.value(results);
    o.openPath = p.value(open);
    o.firstShot = p.isSet(first) ? p.value(first).toLongLong() : -1;
    o.lastShot = p.isSet(last) ? p.value(last).toLongLong() : -2;
    o.autoStart = !p.isSet(start);
    o.submitRemote = p.isSet(submit);
    o.pressResume = p.isSet(pressResume);
    o.reviewPath = p.value(review);
    o.comparePath = p.value(compare);
    o.compareDumpPath = p.value(dumpCompare);
    o.stopAtShots = p.value(stopAt).toLongLong();
    o.stopWhenReconnecting = p.isSet(stopReconnecting);
    o.ranksDumpPath = p.value(ranks);
    o.windowDumpPath = p.value(windowDump);
    o.pauseDisplayAtShots = p.value(pauseAt).toLongLong();
    o.thenOpenPath = p.value(thenOpen);
    o.openDuringRunPath = p.value(openDuring);
    o.answer = p.value(answer);
    if (!o.answer.isEmpty() && o.answer != QLatin1String("yes") && o.answer != QLatin1String("cancel")) {
        std::fprintf(stderr, "fxs-monitor: --answer %s: expected yes or cancel\n", qPrintable(o.answer));
        std::exit(2);
    }
    o.showFileShot = p.isSet(fileShot) ? p.value(fileShot).toLongLong() : -1;
    o.geometryPath = p.value(geometry);
    o.pixelMask = p.value(mask);
    const double nan = std::nan("");
    o.clenM = p.isSet(clen) ? p.value(clen).toDouble() : nan;
    o.photonEnergyEv = p.isSet(energy) ? p.value(energy).toDouble() : nan;
    o.pixelSizeM = p.isSet(pixel) ? p.value(pixel).toDouble() : nan;
    o.streamEndpoint = p.value(streamAt);
    o.streamProtocol = p.value(stream);
    o.streamStopAtEnd = p.isSet(stopAtEnd);
    o.streamDecode = p.value(streamDecode);
    if (!o.streamDecode.isEmpty()) {
        if (const auto checked = fxs::decodeOnWorkers(o.streamDecode.toStdString(), 1); !checked) {
            std::fprintf(stderr, "fxs-monitor: --stream-decode: %s\n", checked.error().message.c_str());
            std::exit(2); // as QCommandLineParser ends on an unknown option
        }
    }
    o.vetoScriptPath = p.value(vetoScript);
    o.countsLogPath = p.value(countsLog);
    o.polarDumpEveryShot = p.isSet(polarEvery);
    return o;
}

} // namespace

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("FXS"));
    QApplication::setApplicationName(QStringLiteral("fxs-monitor"));
    QApplication::setApplicationVersion(
        QString::fromUtf8(fxs::versionString().data(), int(fxs::versionString().size())));
    const auto options = parse(app);
    fxs::monitor::MainWindow window(options);
    new fxs::monitor::ScriptedRun(&window, options); // screenshots, dumps, stop and quit that options ask for
    if (!options.vetoScriptPath.isEmpty() || !options.countsLogPath.isEmpty()) {
        new fxs::monitor::VetoScript(&window, options.vetoScriptPath, options.countsLogPath);
    }
    if (options.polarDumpEveryShot) {
        window.engine()->setPolarDumpPath(options.polarDumpPath.toStdString(), true);
    }
    window.show();
    if (!options.reviewPath.isEmpty()) { // a finished run, read back: nothing starts
        QTimer::singleShot(0, &window, [&window, &options] { window.reviewResults(options.reviewPath, options.comparePath); });
    } else if (!options.openPath.isEmpty()) {
        QTimer::singleShot(0, &window, [&window, &options] { window.openFile(options.openPath); });
    } else if (options.autoStart) { // first start: the simulated run, already streaming; settings, never actions
        QTimer::singleShot(0, &window, [&window] { window.startOnLaunch(); });
    }
    return app.exec();
}
