#pragma once

#include "fxs.grpc.pb.h"
#include <fxs/core/Sha256.h>

#include <filesystem>
#include <fstream>
#include <mutex>

namespace fxs::remote {

/// One FetchResult stream: the file in chunks of at most 1 MiB read one at a time (memory stays at one chunk
/// whatever the file size), each with its index and the total count; the last one carries the SHA-256 of the
/// whole. The file is opened once, so an atomic replacement (a newer checkpoint) during the fetch cannot mix two
/// versions.
class FetchReactor final : public grpc::ServerWriteReactor<fxs::v1::ResultChunk> {
public:
    explicit FetchReactor(const std::filesystem::path& path);

    void OnWriteDone(bool ok) override;
    void OnCancel() override;
    void OnDone() override { delete this; }

private:
    void next();

    std::recursive_mutex m_mutex; // recursive: a reaction may run inline from StartWrite/Finish
    std::ifstream m_in;
    std::string m_name;
    std::int64_t m_size = 0;
    std::int64_t m_count = 0;
    std::int64_t m_index = 0;
    bool m_finished = false;
    Sha256 m_sha;
    fxs::v1::ResultChunk m_chunk;
};

/// Largest data field of a ResultChunk.
constexpr std::size_t kResultChunkBytes = 1 << 20;

} // namespace fxs::remote
