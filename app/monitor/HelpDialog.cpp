#include "HelpDialog.h"

#include <QDialogButtonBox>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace fxs::monitor {

HelpDialog::HelpDialog(QWidget* parent)
    : QDialog(parent)
{
    setWindowTitle(tr("FXS Monitor help"));
    auto* text = new QTextBrowser(this);
    text->setHtml(html());
    text->setOpenExternalLinks(false);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(text);
    layout->addWidget(buttons);
    resize(620, 640);
}

QString HelpDialog::html()
{
    return tr(R"(<h2>FXS Monitor at a glance</h2>
<p><b>Detector / Polar</b>: the newest shot, log scale, q rings; the readout under the cursor gives value, q (Å⁻¹),
d = 2π/q (Å), φ and panel. <b>C2 explorer</b>: C2(q, q', Δ). <b>Strip charts</b> and the <b>health bar</b>: rates,
latency, drops. Errors appear in the bar across the top, never in pop-ups.</p>
<h3>Keyboard</h3>
<table cellpadding="2">
<tr><td><b>Space</b></td><td>pause / resume the display</td></tr>
<tr><td><b>← / →</b>, <b>Home / End</b></td><td>step through the frame history, first / last frame</td></tr>
<tr><td><b>Ctrl+O</b></td><td>open a detector stack</td></tr>
<tr><td><b>Ctrl+R</b> / <b>Ctrl+.</b></td><td>start / stop the run (what was accumulated is kept)</td></tr>
<tr><td><b>Ctrl+E</b></td><td>export the current view (PNG, PDF or CSV)</td></tr>
<tr><td><b>Ctrl+Z</b> / <b>Ctrl+Shift+Z</b></td><td>undo / redo a veto or sample change</td></tr>
<tr><td><b>F1</b></td><td>this page</td></tr>
</table>
<p>Right-click any plot: export PNG / PDF / CSV, reset zoom, toggle log.</p>
<h3>Vetoes</h3>
<p>Pick a shot statistic, type min and/or max, <i>Apply</i>. The histogram shows accepted shots in green and
vetoed ones in red, the limits as dashed lines; the line on top says how many shots are accepted and which rule
vetoed the others. To veto a stretch by hand, give first and last shot and a reason, <i>Veto shots</i>. Every
change can be undone. Every shot, accepted or not, is in the shot ledger with its reason.</p>
<h3>Deciding a sample change</h3>
<p>The <b>Convergence</b> panel plots the split-half correlation of the C2 against shots and, in large type, the
shots still needed for the target reliability at the <i>slowest</i> q of the q range of interest, which it names
(the overall correlation is dominated by low q and would flatter high q); the q × q′ map shows which pairs have
converged. When it says <i>Target reached at every q of interest</i>, or the estimate stops falling, the sample
has given what it can: change it, then mark <i>Sample change at first</i> with a reason.</p>
<h3>Reconstruction</h3>
<p>The <b>Invariants</b> panel shows B<sub>l</sub>(q, q') for the chosen l and the SAXS curve. In
<b>Reconstruction</b>, choose the grid and starts and press <i>Reconstruct</i>: the error curves and the
density's central slices (or projections) update while M-TIP runs; <i>Cancel</i> keeps the best density so far,
<i>Save MRC…</i> writes it for ChimeraX or PyMOL.</p>
<h3>Sessions</h3>
<p>Session → <i>Save session…</i> writes the layout, source, geometry, grid and veto rules to a JSON file that a
colleague can open with <i>Open session…</i>.</p>
<p>More: docs/USER_GUIDE.md.</p>)");
}

} // namespace fxs::monitor
