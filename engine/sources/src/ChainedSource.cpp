#include <fxs/sources/ChainedSource.h>

namespace fxs {

Result<std::unique_ptr<FrameSource>> ChainedSource::create(std::vector<std::unique_ptr<FrameSource>> parts)
{
    if (parts.empty()) {
        return Error { "no input" };
    }
    if (parts.size() == 1) {
        return std::move(parts.front());
    }
    auto chain = std::unique_ptr<ChainedSource>(new ChainedSource);
    chain->m_offsets.push_back(0);
    for (const auto& p : parts) {
        if (!(p->shape() == parts.front()->shape())) {
            return Error { p->description() + ": frames differ in shape or type from " + parts.front()->description() };
        }
        if (!p->totalFrames()) {
            return Error { p->description() + ": only closed files can be chained" };
        }
        chain->m_offsets.push_back(chain->m_offsets.back() + *p->totalFrames());
    }
    chain->m_parts = std::move(parts);
    return std::unique_ptr<FrameSource>(std::move(chain));
}

Result<std::optional<Frame>> ChainedSource::next()
{
    while (m_current < m_parts.size()) {
        auto f = m_parts[m_current]->next();
        if (!f || f->has_value()) {
            if (f && f->has_value()) {
                (*f)->shotIndex += m_offsets[m_current];
            }
            return f;
        }
        ++m_current;
    }
    return std::optional<Frame> {};
}

std::string ChainedSource::description() const
{
    return std::to_string(m_parts.size()) + " files, " + std::to_string(m_offsets.back()) + " frames, first "
        + m_parts.front()->description();
}

Status ChainedSource::seek(std::int64_t shotIndex)
{
    std::size_t k = 0;
    while (k + 1 < m_parts.size() && shotIndex >= m_offsets[k + 1]) {
        ++k;
    }
    if (shotIndex >= m_offsets.back()) {
        // Past the end: every part is exhausted (a resumed run that was already complete).
        m_current = m_parts.size();
        return {};
    }
    m_current = k;
    return m_parts[k]->seek(shotIndex - m_offsets[k]);
}

void ChainedSource::cancel()
{
    for (auto& p : m_parts) {
        p->cancel();
    }
}

} // namespace fxs
