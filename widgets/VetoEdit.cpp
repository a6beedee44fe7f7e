#include "VetoEdit.h"

#include <QObject>
#include <nlohmann/json.hpp>
#include <utility>

namespace fxs::widgets {

VetoEdit::VetoEdit(const QString& text, VetoState before, VetoState after, std::function<void(const VetoState&)> apply)
    : QUndoCommand(text)
    , m_before(std::move(before))
    , m_after(std::move(after))
    , m_apply(std::move(apply))
{
}

void VetoEdit::redo() { m_apply(m_after); }

void VetoEdit::undo() { m_apply(m_before); }

QByteArray VetoState::toJson() const
{
    nlohmann::json changes = nlohmann::json::array();
    for (const auto& c : sampleChanges) {
        changes.push_back({ { "shot", c.shot }, { "reason", c.reason } });
    }
    const nlohmann::json j = { { "rules", rules.toJson() }, { "sample_changes", changes } };
    return QByteArray::fromStdString(j.dump());
}

bool VetoState::fromJson(const QByteArray& json, VetoState* state, QString* error)
{
    const auto j = nlohmann::json::parse(json.toStdString(), nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("rules")) {
        *error = QObject::tr("Veto settings: expected a JSON object with \"rules\"");
        return false;
    }
    auto rules = VetoRules::fromJson(j["rules"]);
    if (!rules) {
        *error = QObject::tr("Veto settings: %1").arg(QString::fromStdString(rules.error().message));
        return false;
    }
    state->rules = std::move(*rules);
    state->sampleChanges.clear();
    for (const auto& c : j.value("sample_changes", nlohmann::json::array())) {
        if (!c.is_object() || !c.contains("shot") || !c["shot"].is_number_integer() || !c.contains("reason")
            || !c["reason"].is_string()) {
            *error = QObject::tr("Veto settings: each sample change needs an integer \"shot\" and a \"reason\" text");
            return false;
        }
        state->sampleChanges.push_back({ c["shot"].get<std::int64_t>(), c["reason"].get<std::string>() });
    }
    return true;
}

} // namespace fxs::widgets
