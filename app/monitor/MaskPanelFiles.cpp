#include "MaskPanel.h"

// Load and Save go through the engine's mask files (fxs/sources/MaskFile.h, issue-24-maskfiles); until that is
// merged they say so.

namespace fxs::monitor {

bool MaskPanel::loadFile(const QString& path, QString* error)
{
    *error = tr("Loading masks (%1) needs the engine's mask files, not in this build yet").arg(path);
    return false;
}

bool MaskPanel::saveFile(const QString& path, QString* error) const
{
    *error = tr("Saving masks (%1) needs the engine's mask files, not in this build yet").arg(path);
    return false;
}

} // namespace fxs::monitor
