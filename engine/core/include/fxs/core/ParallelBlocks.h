#pragma once

// Runs fn(block) for block = 0 … nBlocks − 1 on up to `threads` threads (the caller's included); blocks are
// handed out through an atomic counter, so uneven blocks balance. Threads are started per call: the
// simulator calls this once per frame, where ~20 µs of thread start-up is negligible.

#include <fxs/core/ParallelRange.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

namespace fxs::sim {

using detail::resolveThreads;

template <class Fn> void parallelBlocks(std::int64_t nBlocks, int threads, Fn&& fn)
{
    const int n = static_cast<int>(std::min<std::int64_t>(resolveThreads(threads), nBlocks));
    if (n <= 1) {
        for (std::int64_t b = 0; b < nBlocks; ++b) {
            fn(b);
        }
        return;
    }
    std::atomic<std::int64_t> next { 0 };
    auto work = [&] {
        for (std::int64_t b = next++; b < nBlocks; b = next++) {
            fn(b);
        }
    };
    std::vector<std::jthread> pool;
    pool.reserve(n - 1);
    for (int t = 1; t < n; ++t) {
        pool.emplace_back(work);
    }
    work();
}

} // namespace fxs::sim
