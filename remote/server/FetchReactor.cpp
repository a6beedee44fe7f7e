#include "FetchReactor.h"

namespace fxs::remote {

FetchReactor::FetchReactor(const std::filesystem::path& path)
    : m_in(path, std::ios::binary)
    , m_name(path.filename().string())
{
    if (!m_in) {
        m_finished = true;
        Finish(grpc::Status(grpc::StatusCode::NOT_FOUND, "cannot open " + m_name + " on the server"));
        return;
    }
    m_in.seekg(0, std::ios::end);
    m_size = m_in.tellg();
    m_in.seekg(0);
    m_count = std::max<std::int64_t>(1, (m_size + kResultChunkBytes - 1) / kResultChunkBytes);
    next();
}

void FetchReactor::next()
{
    std::lock_guard lock(m_mutex);
    if (m_finished) {
        return;
    }
    if (m_index == m_count) {
        m_finished = true;
        Finish(grpc::Status::OK);
        return;
    }
    const std::int64_t n
        = std::min<std::int64_t>(kResultChunkBytes, m_size - m_index * std::int64_t(kResultChunkBytes));
    m_chunk.Clear();
    std::string* data = m_chunk.mutable_data();
    data->resize(static_cast<std::size_t>(n));
    if (n > 0 && !m_in.read(data->data(), n)) {
        m_finished = true;
        Finish(grpc::Status(grpc::StatusCode::DATA_LOSS, "reading " + m_name + " failed on the server"));
        return;
    }
    m_sha.update(data->data(), data->size());
    m_chunk.set_index(m_index);
    m_chunk.set_count(m_count);
    m_chunk.set_total_bytes(m_size);
    m_chunk.set_file_name(m_name);
    if (m_index + 1 == m_count) {
        m_chunk.set_sha256(m_sha.hexDigest());
    }
    ++m_index;
    StartWrite(&m_chunk);
}

void FetchReactor::OnWriteDone(bool ok)
{
    if (!ok) {
        std::lock_guard lock(m_mutex);
        if (!m_finished) {
            m_finished = true;
            Finish(grpc::Status(grpc::StatusCode::CANCELLED, "the client went away"));
        }
        return;
    }
    next();
}

void FetchReactor::OnCancel()
{
    std::lock_guard lock(m_mutex);
    if (!m_finished) {
        m_finished = true;
        Finish(grpc::Status::CANCELLED);
    }
}

} // namespace fxs::remote
