#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <thread>
#include <vector>

namespace fxs::detail {

/// Number of worker threads for a request (0: all cores), at least 1.
inline int resolveThreads(int requested)
{
    if (requested > 0) {
        return requested;
    }
    return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

/// Where `owner` starts a walk over n items taken under per-item locks (the sink's frequency stripes): an offset of
/// its own, so that threads walking at once rarely queue behind each other on the same item.
inline int ownStart(const void* owner, int n)
{
    return static_cast<int>(reinterpret_cast<std::uintptr_t>(owner) / 64 % static_cast<std::uintptr_t>(n));
}

/// Runs fn(chunk, begin, end) over [0, n) split into `threads` contiguous chunks. The split depends only
/// on n and threads, so per-chunk partial results summed in chunk order are deterministic.
template <class Fn> void parallelChunks(std::size_t n, int threads, Fn&& fn)
{
    const std::size_t t = std::max<std::size_t>(1, std::min<std::size_t>(static_cast<std::size_t>(threads), n));
    if (t <= 1) {
        fn(std::size_t { 0 }, std::size_t { 0 }, n);
        return;
    }
    std::vector<std::thread> pool;
    pool.reserve(t - 1);
    for (std::size_t c = 1; c < t; ++c) {
        pool.emplace_back([&fn, c, n, t] { fn(c, c * n / t, (c + 1) * n / t); });
    }
    fn(std::size_t { 0 }, std::size_t { 0 }, n / t);
    for (auto& th : pool) {
        th.join();
    }
}

} // namespace fxs::detail
