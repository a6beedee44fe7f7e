#include "JobTracker.h"

namespace fxs::widgets {

JobTracker::JobTracker(QObject* context)
    : m_context(context)
    , m_current(std::make_shared<std::atomic<std::uint64_t>>(0))
{
    m_job.m_context = context;
    m_job.m_current = m_current;
    m_job.m_cancel = std::make_shared<std::atomic<bool>>(false);
}

JobTracker::~JobTracker()
{
    discard();
    wait();
}

void JobTracker::cancel() { *m_job.m_cancel = true; }

void JobTracker::discard()
{
    *m_job.m_cancel = true;
    // Results already queued check this id when they run: from here on none of the job's matches.
    *m_current = 0;
    m_running = false;
}

void JobTracker::wait()
{
    if (m_thread.joinable()) {
        m_thread.join();
    }
}

JobTracker::Job JobTracker::begin()
{
    discard();
    wait();
    Job job;
    job.m_context = m_context;
    job.m_current = m_current;
    job.m_cancel = std::make_shared<std::atomic<bool>>(false);
    job.m_id = ++m_lastId;
    *m_current = job.m_id;
    m_job = job;
    m_running = true;
    return job;
}

} // namespace fxs::widgets
