#pragma once

#ifndef Q_MOC_RUN
#include <fxs/shots/VetoRules.h>
#endif

#include <QByteArray>
#include <QString>
#include <QUndoCommand>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace fxs::widgets {

/// A sample change the scientist marked: from this shot on, a new sample (or position) is in the beam.
struct SampleChange {
    std::int64_t shot = 0;
    std::string reason; ///< never empty
};

/// Everything the scientist decides in the veto panel; one value, so undo is "put the previous value back".
struct VetoState {
    VetoRules rules;
    std::vector<SampleChange> sampleChanges;

    /// {"rules": VetoRules::toJson(), "sample_changes": [{"shot", "reason"}]} as compact JSON text.
    QByteArray toJson() const;
    /// Reads toJson()'s form; false with a message saying what is wrong.
    static bool fromJson(const QByteArray& json, VetoState* state, QString* error);
};

/// One undoable edit of the veto state: keeps the state before and after and applies either.
class VetoEdit : public QUndoCommand {
public:
    /// `apply` puts a state into effect (re-deciding the ledger); it is called with `after` when pushed.
    VetoEdit(const QString& text, VetoState before, VetoState after, std::function<void(const VetoState&)> apply);
    /// Applies the state after the edit.
    void redo() override;
    /// Applies the state before the edit.
    void undo() override;

private:
    VetoState m_before;
    VetoState m_after;
    std::function<void(const VetoState&)> m_apply;
};

} // namespace fxs::widgets
