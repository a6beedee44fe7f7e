#include <algorithm>
#include <cmath>
#include <fxs/pipeline/VetoReevaluator.h>
#include <unordered_set>

namespace fxs {

namespace {

constexpr std::size_t kCommitEvery = 64; // frames per merge: the C2 converges to exact in visible steps

std::size_t bytesOf(const PolarFrame& f) { return (f.intensity.size() + f.weight.size()) * sizeof(float); }

C2Config inDouble(C2Config c)
{
    // Differences of large sums lose digits: the correction is accumulated in double precision.
    c.precision = C2Precision::Double;
    return c;
}

} // namespace

VetoReevaluator::VetoReevaluator(
    C2Pipeline& pipeline, const VetoReevaluatorConfig& config, const VetoRules& rules, ShotRereader rereader)
    : m_pipeline(pipeline)
    , m_config(config)
    , m_rereader(std::move(rereader))
    , m_rules(rules)
    , m_plus(inDouble(config.c2))
    , m_minus(inDouble(config.c2))
{
    if (config.spool) {
        auto spool = PolarSpool::create(config.c2.nQ, config.c2.nPhi, config.spoolOptions);
        if (spool) {
            m_spool = std::move(*spool);
            m_spoolNote = m_spool->note();
            m_counts.spoolCapacityBytes = m_spool->capacityBytes();
        } else {
            m_spoolNote = spool.error().message;
        }
    }
    m_corrector = std::thread([this] { correctorLoop(); });
}

VetoReevaluator::~VetoReevaluator()
{
    stop();
    if (m_corrector.joinable()) {
        m_corrector.join();
    }
}

void VetoReevaluator::stop()
{
    {
        const std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_wake.notify_all();
}

VetoReevaluator::Verdict VetoReevaluator::verdictOf(const VetoDecision& d)
{
    if (d.accepted) {
        return Verdict::Accepted;
    }
    return std::find(d.rules.begin(), d.rules.end(), "manual") != d.rules.end() ? Verdict::Hand : Verdict::Rule;
}

VetoReevaluator::Record* VetoReevaluator::find(std::int64_t shot)
{
    auto it = std::lower_bound(
        m_records.begin(), m_records.end(), shot, [](const Record& r, std::int64_t s) { return r.shot < s; });
    return it != m_records.end() && it->shot == shot ? &*it : nullptr;
}

const VetoReevaluator::Record* VetoReevaluator::find(std::int64_t shot) const
{
    return const_cast<VetoReevaluator*>(this)->find(shot);
}

// Every count follows from the records' states: a record's contribution is added (+1) or taken back (−1) around
// each change, so the counts stay the sums over the records without a scan.
void VetoReevaluator::tally(const Record& r, int sign)
{
    VetoCounts& c = m_counts;
    c.read += sign;
    if (r.verdict == Verdict::Refused) {
        c.refused += sign;
        return;
    }
    c.vetoedByHand += r.verdict == Verdict::Hand ? sign : 0;
    c.vetoedByRule += r.verdict == Verdict::Rule ? sign : 0;
    c.inC2 += r.inC2 ? sign : 0;
    if (mismatch(r)) {
        (r.lost ? c.unreachable : c.pending) += sign;
    }
}

// A shot's C2 contribution differs from what the rules and the bin mask in force want.
bool VetoReevaluator::mismatch(const Record& r) const
{
    return r.verdict != Verdict::Refused
        && ((r.verdict == Verdict::Accepted) != r.inC2 || (r.inC2 && r.maskGen != m_maskGen));
}

PolarFrame VetoReevaluator::masked(const PolarFrame& frame, const BinMask& dropped)
{
    PolarFrame out = frame;
    if (dropped) {
        for (std::size_t i = 0; i < dropped->size() && i < out.weight.size(); ++i) {
            if ((*dropped)[i]) {
                out.weight[i] = 0.0f;
                out.intensity[i] = 0.0f;
            }
        }
    }
    return out;
}

bool VetoReevaluator::setBinMask(std::vector<std::uint8_t> droppedBins)
{
    const bool none = std::none_of(droppedBins.begin(), droppedBins.end(), [](std::uint8_t v) { return v != 0; });
    if (!none && droppedBins.size() != std::size_t(m_config.c2.nQ) * std::size_t(m_config.c2.nPhi)) {
        return false;
    }
    {
        const std::lock_guard lock(m_mutex);
        // Counts follow each record's state against the mask in force: taken back, the mask changed, added again.
        for (const Record& r : m_records) {
            tally(r, -1);
        }
        ++m_maskGen;
        if (!none) {
            m_masks[m_maskGen] = std::make_shared<const std::vector<std::uint8_t>>(std::move(droppedBins));
        }
        for (const Record& r : m_records) {
            tally(r, +1);
        }
    }
    m_wake.notify_all();
    return true;
}

void VetoReevaluator::recordRefused(std::int64_t shotIndex)
{
    const std::lock_guard lock(m_mutex);
    Record r;
    r.shot = shotIndex;
    tally(r, +1);
    m_records.push_back(std::move(r));
}

std::pair<VetoDecision, bool> VetoReevaluator::take(const ShotStats& stats, std::shared_ptr<const PolarFrame> kept)
{
    // Kept before it is recorded: a rule change that comes next finds its frame.
    if (m_spool) {
        if (const Status s = m_spool->append(*kept); !s) {
            const std::lock_guard lock(m_mutex);
            m_counts.problem = s.message();
        }
    }
    keepInRing(kept);
    VetoDecision d;
    BinMask mask;
    {
        const std::lock_guard lock(m_mutex);
        d = m_rules.decide(stats);
        Record r;
        r.shot = kept->shotIndex;
        r.stats = stats;
        r.verdict = verdictOf(d);
        r.inC2 = d.accepted;
        r.maskGen = m_maskGen;
        if (const auto it = m_masks.find(m_maskGen); it != m_masks.end()) {
            mask = it->second;
        }
        tally(r, +1);
        if (m_records.empty() || m_records.back().shot < r.shot) {
            m_records.push_back(std::move(r));
        } else if (Record* same = find(r.shot)) { // a shot seen again replaces its record
            tally(*same, -1);
            *same = std::move(r);
        } else {
            m_records.insert(std::lower_bound(m_records.begin(), m_records.end(), r.shot,
                                 [](const Record& a, std::int64_t s) { return a.shot < s; }),
                std::move(r));
        }
        if (m_spool) {
            m_counts.spoolBytes = m_spool->fileBytes();
        }
    }
    const bool pushed = d.accepted && m_pipeline.push(mask ? masked(*kept, mask) : *kept);
    if (d.accepted && !pushed) { // the C2 pipeline was stopped: the shot is not in it
        const std::lock_guard lock(m_mutex);
        if (Record* r = find(kept->shotIndex)) {
            tally(*r, -1);
            r->inC2 = false;
            tally(*r, +1);
        }
    }
    return { d, pushed };
}

void VetoReevaluator::keepInRing(std::shared_ptr<const PolarFrame> frame)
{
    const std::lock_guard lock(m_mutex);
    m_ringUsed += bytesOf(*frame);
    m_ringIndex[frame->shotIndex] = frame;
    m_ring.push_back(std::move(frame));
    while (m_ringUsed > m_config.ringBytes && !m_ring.empty()) {
        m_ringUsed -= bytesOf(*m_ring.front());
        m_ringIndex.erase(m_ring.front()->shotIndex);
        m_ring.pop_front();
    }
}

void VetoReevaluator::setRules(const VetoRules& rules)
{
    {
        const std::lock_guard lock(m_mutex);
        m_rules = rules;
        for (Record& r : m_records) {
            if (r.verdict == Verdict::Refused) {
                continue;
            }
            const Verdict v = verdictOf(rules.decide(r.stats));
            if (v != r.verdict) {
                tally(r, -1);
                r.verdict = v;
                tally(r, +1);
            }
        }
    }
    m_wake.notify_all();
}

std::vector<std::int64_t> VetoReevaluator::mismatched() const
{
    std::vector<std::int64_t> shots;
    for (const Record& r : m_records) {
        if (!r.lost && mismatch(r)) {
            shots.push_back(r.shot);
        }
    }
    return shots;
}

void VetoReevaluator::correctorLoop()
{
    while (true) {
        std::vector<std::int64_t> shots;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [this] { return m_stop || m_counts.pending > 0; });
            if (m_stop) {
                return;
            }
            shots = mismatched();
            m_counts.passTotal = std::int64_t(shots.size());
            m_counts.passDone = 0;
            m_busy = true;
        }
        correct(shots);
        {
            const std::lock_guard lock(m_mutex);
            m_counts.lastPassShots = m_counts.passDone;
            m_counts.passTotal = m_counts.passDone = 0;
            m_busy = false;
        }
        m_wake.notify_all();
    }
}

bool VetoReevaluator::correct(const std::vector<std::int64_t>& shots)
{
    std::vector<std::int64_t> rest = fromMemoryOrSpool(shots);
    commit();
    std::unordered_set<std::int64_t> reread;
    if (!rest.empty() && m_rereader) {
        const Status s = m_rereader(rest, [&](PolarFrame&& frame) {
            reread.insert(frame.shotIndex);
            addToCorrection(frame);
            if (m_batch.size() >= kCommitEvery) {
                commit();
            }
            const std::lock_guard lock(m_mutex);
            return !m_stop;
        });
        commit();
        if (!s) {
            const std::lock_guard lock(m_mutex);
            m_counts.problem = s.message();
        }
    }
    const std::lock_guard lock(m_mutex);
    if (m_stop) {
        return false;
    }
    for (std::int64_t shot : rest) {
        Record* r = find(shot);
        if (r && !reread.count(shot)) { // neither kept nor read again: it keeps its old place in the C2
            tally(*r, -1);
            r->lost = true;
            tally(*r, +1);
            ++m_counts.passDone;
        }
    }
    return true;
}

std::vector<std::int64_t> VetoReevaluator::fromMemoryOrSpool(const std::vector<std::int64_t>& shots)
{
    std::vector<std::int64_t> rest;
    for (std::int64_t shot : shots) {
        std::shared_ptr<const PolarFrame> frame;
        {
            const std::lock_guard lock(m_mutex);
            if (m_stop) {
                break;
            }
            if (const auto it = m_ringIndex.find(shot); it != m_ringIndex.end()) {
                frame = it->second;
            }
        }
        if (frame) {
            addToCorrection(*frame);
        } else if (m_spool && m_spool->contains(shot)) {
            auto read = m_spool->read(shot);
            if (read) {
                addToCorrection(*read);
            } else {
                const std::lock_guard lock(m_mutex);
                m_counts.problem = read.error().message;
                rest.push_back(shot);
            }
        } else {
            rest.push_back(shot);
        }
        if (m_batch.size() >= kCommitEvery) {
            commit();
        }
    }
    return rest;
}

void VetoReevaluator::addToCorrection(const PolarFrame& frame)
{
    bool toC2 = false;
    bool fromC2 = false;
    std::uint32_t gen = 0;
    BinMask oldMask, newMask;
    {
        const std::lock_guard lock(m_mutex);
        const Record* r = find(frame.shotIndex);
        if (!r || r->verdict == Verdict::Refused) {
            return;
        }
        if (!mismatch(*r)) { // the rules or the mask changed back meanwhile: nothing to correct
            ++m_counts.passDone;
            return;
        }
        toC2 = r->verdict == Verdict::Accepted;
        fromC2 = r->inC2;
        gen = m_maskGen;
        const auto maskOf = [this](std::uint32_t g) {
            const auto it = m_masks.find(g);
            return it == m_masks.end() ? BinMask {} : it->second;
        };
        oldMask = maskOf(r->maskGen);
        newMask = maskOf(gen);
    }
    // Out with the mask it went in with, in with the mask in force: exact for rule and mask changes alike.
    Status added;
    if (fromC2) {
        added = m_minus.add(oldMask ? masked(frame, oldMask) : frame);
    }
    if (added && toC2) {
        added = m_plus.add(newMask ? masked(frame, newMask) : frame);
    }
    if (added) {
        m_batch.push_back({ frame.shotIndex, toC2, gen });
    } else {
        markLost(frame.shotIndex, added.message());
    }
}

void VetoReevaluator::markLost(std::int64_t shot, const std::string& why)
{
    const std::lock_guard lock(m_mutex);
    if (Record* r = find(shot)) {
        tally(*r, -1);
        r->lost = true;
        tally(*r, +1);
    }
    ++m_counts.passDone;
    m_counts.problem = why;
}

void VetoReevaluator::commit()
{
    if (m_batch.empty()) {
        return;
    }
    m_plus.flush();
    m_minus.flush();
    C2Sums correction = m_plus.sums();
    Status merged = correction.subtract(m_minus.sums()); // same config: refused only if that ever changed
    if (merged) {
        merged = m_pipeline.mergeSums(correction);
    }
    m_plus.reset();
    m_minus.reset();
    const std::lock_guard lock(m_mutex);
    if (!merged) {
        m_counts.problem = merged.message();
    }
    for (const Change& c : m_batch) {
        if (Record* r = find(c.shot)) {
            tally(*r, -1);
            if (merged) {
                r->inC2 = c.toC2;
                r->maskGen = c.maskGen;
            } else {
                r->lost = true; // a refused merge must not be retried for ever
            }
            tally(*r, +1);
        }
        ++m_counts.passDone;
    }
    m_batch.clear();
}

void VetoReevaluator::waitExact()
{
    std::unique_lock lock(m_mutex);
    m_wake.wait(lock, [this] { return m_stop || (!m_busy && m_counts.pending == 0); });
}

VetoCounts VetoReevaluator::counts() const
{
    const std::lock_guard lock(m_mutex);
    return m_counts;
}

std::optional<std::pair<bool, VetoDecision>> VetoReevaluator::verdict(std::int64_t shotIndex) const
{
    const std::lock_guard lock(m_mutex);
    const Record* r = find(shotIndex);
    if (!r || r->verdict == Verdict::Refused) {
        return std::nullopt;
    }
    return std::make_pair(r->inC2, m_rules.decide(r->stats));
}

} // namespace fxs
