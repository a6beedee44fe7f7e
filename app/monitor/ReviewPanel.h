#pragma once

// moc cannot parse the C++20 standard headers these pull in (<numbers>); it does not need them.
#ifndef Q_MOC_RUN
#include "ResultsReader.h"

#include <C2SliceView.h>
#include <fxs/correlation/C2Snapshot.h>
#endif

#include <QWidget>
#include <map>
#include <memory>

class QCustomPlot;
class QCPColorMap;
class QCPTextElement;
class QLabel;
class QTableWidget;

namespace fxs::monitor {

/// A results file's /ledger in a few lines: shots seen, shots in C2, and the refused ones by reason.
struct LedgerSummary {
    bool present = false; ///< the file has a /ledger
    std::int64_t seen = 0;
    std::int64_t accepted = 0;
    std::map<std::string, std::int64_t> refusedBy; ///< reason → shots
};

/// A finished run read back from its results file (docs/RESULTS_SCHEMA.md), for review and comparison.
struct ReviewedRun {
    QString path;
    cli::StoredRun stored; ///< sums, grid, convergence, invariants, density
    std::shared_ptr<const C2Snapshot> snapshot; ///< the C2 recomputed from /sums
    LedgerSummary ledger;

    /// Reads `path`; null with `error` naming the file and what is wrong in it.
    static std::shared_ptr<const ReviewedRun> load(const QString& path, QString* error);
};

/// The Review tab: what a results file holds beside the C2 explorer (file, shots, the ledger by reason) and, with a
/// second file, the comparison of the two runs at the explorer's (q, q'): both C2(Δ) curves, their difference A − B,
/// and both convergence curves.
class ReviewPanel : public QWidget {
    Q_OBJECT
public:
    explicit ReviewPanel(QWidget* parent = nullptr);

    /// The run reviewed (A); drops a comparison whose grid no longer matches.
    void setRun(std::shared_ptr<const ReviewedRun> run);
    /// The run compared with A (B); false with `error` when the two cannot be compared (grids differ).
    bool setComparison(std::shared_ptr<const ReviewedRun> run, QString* error);
    /// Follows the C2 explorer's cursor: the (q, q') pair the compare plots show.
    void setCursor(const widgets::C2Cursor& cursor);
    /// The runs shown (may be null).
    std::shared_ptr<const ReviewedRun> runA() const { return m_a; }
    std::shared_ptr<const ReviewedRun> runB() const { return m_b; }
    /// Writes what the compare plots show (JSON: q, q', Δ in degrees, A, B, A − B, both convergence curves, and the
    /// q × q′ difference map at the cursor's Δ: its values row by row (q major), its unit and its Δ bin).
    bool dumpCompare(const QString& path) const;
    /// The compare plots (tests, screenshots).
    QWidget* comparePlots() const { return m_plots; }

private:
    void refresh();
    /// The file's name for legends (with its folder when A and B share a name).
    QString label(const ReviewedRun& run) const;
    void refreshHeader();
    void refreshLedger();
    /// The q × q′ map of A − B at the cursor's Δ, in combined standard errors when both runs have them.
    void refreshDifferenceMap();

    std::shared_ptr<const ReviewedRun> m_a;
    std::shared_ptr<const ReviewedRun> m_b;
    widgets::C2Cursor m_cursor;
    QLabel* m_header = nullptr;
    QTableWidget* m_ledger = nullptr;
    QWidget* m_plots = nullptr;
    QCustomPlot* m_slice = nullptr; ///< C2(q, q', Δ) of A and B
    QCustomPlot* m_difference = nullptr; ///< A − B
    QCustomPlot* m_convergence = nullptr; ///< split-half CC of A and B against shots
    QCustomPlot* m_mapPlot = nullptr; ///< the q × q′ difference map
    QCPColorMap* m_diffMap = nullptr;
    QCPTextElement* m_mapTitle = nullptr; ///< what the map shows: at which Δφ, in which unit
    std::vector<double> m_diffMapValues; ///< what it shows, [q · nQ + q′], NaN where either run has no value
    bool m_diffMapInSigma = false; ///< in combined standard errors (else in C2's units)
};

} // namespace fxs::monitor
