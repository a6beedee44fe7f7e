#pragma once

#include <mutex>

namespace fxs::detail {

/// FFTW's planner is not thread-safe (execution is): every plan creation and destruction takes this lock.
inline std::mutex& fftwPlannerMutex()
{
    static std::mutex m;
    return m;
}

} // namespace fxs::detail
