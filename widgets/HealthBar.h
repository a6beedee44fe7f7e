#pragma once

#include <QString>
#include <QWidget>
#include <cstdint>

class QLabel;

namespace fxs::widgets {

class ShotCountsModel;

/// State of the run, as the coloured dot shows it (Review: a results file is shown, nothing runs).
enum class RunState { Idle, Running, Paused, Finished, Failed, Waiting, Review };

/// The figures the health bar shows.
struct HealthFigures {
    double inputHz = 0.0; ///< frames read from the source per second
    double processedHz = 0.0; ///< frames accumulated per second
    double latencyMs = 0.0; ///< source read to display, latest frame
    std::int64_t droppedDisplayFrames = 0; ///< images the display skipped for a newer one (latest-wins; no data lost)
    std::int64_t shotsDone = 0; ///< shots accumulated
    double memoryBytes = 0.0; ///< resident memory of the process
    RunState state = RunState::Idle;
    QString stateText; ///< replaces the state's word when set ("reconnecting…")
    QString detail; ///< replaces the local figures when set (a remote job: server, shots, rates)
    QString source; ///< the input's own state and losses, after the state word (a detector stream)
    QString toolTip; ///< more about the input (the stream's last problem)
};

/// One line across the bottom of the window: state, the input's state (a stream: connection, frames, drops), input
/// rate, processed rate, latency, display drops, memory.
class HealthBar : public QWidget {
    Q_OBJECT
public:
    explicit HealthBar(QWidget* parent = nullptr);

    /// Shows new figures.
    void setFigures(const HealthFigures& figures);
    /// Shows the run's shot counts from this model (read, in C2, re-evaluation) instead of `shotsDone`; the Vetoes
    /// panel and the C2 explorer show the same model.
    void setCountsModel(const ShotCountsModel* model);
    /// The text shown (tests read it).
    QString text() const;
    /// The tooltip over the figures (tests read it).
    QString toolTipText() const;
    /// The text for a set of figures (and the run's counts when a model is given).
    static QString describe(const HealthFigures& f, const ShotCountsModel* counts = nullptr);
    /// Colour of the state dot.
    static QColor stateColor(RunState state);
    /// Word for the state.
    static QString stateName(RunState state);

private:
    QLabel* m_dot = nullptr;
    QLabel* m_text = nullptr;
    HealthFigures m_figures;
    const ShotCountsModel* m_counts = nullptr;
};

} // namespace fxs::widgets
