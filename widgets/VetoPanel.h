#pragma once

#ifndef Q_MOC_RUN
#include "VetoEdit.h"

#include <fxs/shots/ShotLedger.h>
#include <fxs/shots/ShotStats.h>
#include <fxs/shots/VetoRules.h>
#endif

#include <QWidget>
#include <vector>

class QComboBox;
class QCustomPlot;
class QCPBars;
class QCPItemStraightLine;
class QCPItemText;
class QLabel;
class QLayout;
class QLineEdit;
class QListWidget;
class QTimer;
class QUndoStack;

namespace fxs::widgets {

class ShotCountsModel;

/// Vetoes: a live threshold on any shot statistic with that statistic's histogram (accepted and vetoed shots
/// stacked, the limits drawn), shot ranges vetoed by hand and sample changes marked, each with a reason, all
/// undoable. Every shot and decision is in the ShotLedger; a rule change re-decides every shot at once.
class VetoPanel : public QWidget {
    Q_OBJECT
public:
    explicit VetoPanel(QWidget* parent = nullptr);

    /// Judges new shots with the current rules and records them.
    void addShots(const std::vector<ShotStats>& shots);
    /// Forgets every shot (a new run); rules stay.
    void clearShots();
    /// The ledger: every shot and its decision.
    const ShotLedger& ledger() const { return m_ledger; }
    /// The rules in force.
    const VetoRules& rules() const { return m_state.rules; }
    /// The sample changes marked.
    const std::vector<SampleChange>& sampleChanges() const { return m_state.sampleChanges; }
    /// The whole state (rules and sample changes).
    const VetoState& state() const { return m_state; }

    /// Sets (replaces) the threshold on a statistic, undoably; ±inf means no limit. False with a message when refused.
    bool setThreshold(ShotStatistic statistic, double min, double max, QString* error = nullptr);
    /// Removes the threshold on a statistic, undoably.
    void clearThreshold(ShotStatistic statistic);
    /// Vetoes shots first … last by hand, undoably.
    bool vetoRange(std::int64_t first, std::int64_t last, const QString& reason, QString* error = nullptr);
    /// Lifts every hand veto that overlaps first … last, undoably.
    void liftRanges(std::int64_t first, std::int64_t last);
    /// Marks a sample change at a shot, undoably.
    bool addSampleChange(std::int64_t shot, const QString& reason, QString* error = nullptr);
    /// Replaces the whole state without an undo entry and clears the undo history (settings at start-up).
    void loadState(const VetoState& state);
    /// Replaces the whole state (a session being opened), undoably.
    void setState(const VetoState& state, const QString& text);
    /// The undo stack (the window puts its actions in the Edit menu).
    QUndoStack* undoStack() const { return m_undo; }

    /// The statistic whose histogram is shown.
    void showStatistic(ShotStatistic statistic);
    /// Redraws now (normally coalesced on a short timer).
    void refreshNow();
    /// The histogram (export, tests).
    QCustomPlot* histogram() const { return m_plot; }
    /// CSV of the histogram: bin centre, accepted, vetoed.
    QString histogramCsv() const;
    /// The summary line ("Accepted 8,512 of 10,000 shots (85.1 %) · 8,512 shots in C2 · vetoed by hand 12, by rule
    /// 1,476"); its figures come from the counts model when one is set (the run's), else from the ledger.
    QString summary() const;
    /// Shows the run's counts (the model the health bar and the C2 explorer show too) and the re-evaluation state.
    void setCountsModel(const ShotCountsModel* model);
    /// The re-evaluation line ("Re-evaluating 1,234 shots… 45 %"; empty when nothing was re-evaluated).
    QString reevaluation() const;

    /// Freezes the rules (a remote job is running: its ranks judge every shot with the rules it was submitted with)
    /// or, with an empty reason, makes them editable again. While frozen every control that would change them is
    /// disabled with `why` as its tooltip, the histogram says why it is empty, and the setters refuse with `why`.
    void setFrozen(const QString& why, const QString& histogramNote);
    /// Why the rules are frozen; empty when they may be changed.
    QString frozenReason() const { return m_frozen; }

    /// {"rules": VetoRules::toJson(), "sample_changes": [{"shot", "reason"}]} as compact JSON text.
    QByteArray toJson() const;
    /// Reads toJson()'s form into a state; false with a message saying what is wrong.
    static bool stateFromJson(const QByteArray& json, VetoState* state, QString* error);

signals:
    /// The rules changed and every shot was re-decided (the C2 must be re-accumulated).
    void rulesChanged();
    /// The rules were frozen (true) or made editable again (false): the window's Undo/Redo actions follow.
    void frozenChanged(bool frozen);

private:
    void buildUi();
    QLayout* buildThresholdRow(); ///< statistic, min, max, Apply, Clear
    void buildHistogram();
    QLayout* buildHandVetoes(); ///< shot range, reason, Veto / Lift / Sample change
    QLayout* buildListButtons(); ///< Remove selected, Undo, Redo
    void removeSelected();
    void push(const QString& text, VetoState after);
    void apply(const VetoState& state);
    void scheduleRefresh();
    void updateList();
    void fillThresholdEdits();
    void updateSummary();
    ShotStatistic currentStatistic() const;
    bool editable(QString* error) const; ///< false with the freeze's reason while frozen

    VetoState m_state;
    ShotLedger m_ledger;
    QUndoStack* m_undo = nullptr;
    QTimer* m_refresh = nullptr;
    QComboBox* m_statistic = nullptr;
    QLineEdit* m_min = nullptr;
    QLineEdit* m_max = nullptr;
    QCustomPlot* m_plot = nullptr;
    QCPBars* m_accepted = nullptr;
    QCPBars* m_vetoed = nullptr;
    QCPItemStraightLine* m_minLine = nullptr;
    QCPItemStraightLine* m_maxLine = nullptr;
    QLabel* m_summary = nullptr;
    QLabel* m_reevaluation = nullptr; ///< "Re-evaluating N shots… P %", then "C2 exact again"
    const ShotCountsModel* m_counts = nullptr;
    QLineEdit* m_first = nullptr;
    QLineEdit* m_last = nullptr;
    QLineEdit* m_reason = nullptr;
    QListWidget* m_list = nullptr;
    QLabel* m_error = nullptr;
    QList<QWidget*> m_editing; ///< the controls that change the rules (disabled while frozen)
    QWidget* m_undoButton = nullptr;
    QWidget* m_redoButton = nullptr;
    QCPItemText* m_frozenNote = nullptr; ///< over the histogram while frozen
    QString m_frozen; ///< why the rules are frozen; empty: editable
};

} // namespace fxs::widgets
