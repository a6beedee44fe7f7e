#pragma once

// HDF5 helpers shared by the engine's file classes and the CLI's results reader (app/cli/ResultsReader): not part
// of the engine's data-path interface, since it exposes hid_t.

#include <cstdint>
#include <hdf5.h>
#include <string>
#include <utility>
#include <vector>

namespace fxs::h5 {

/// Owns one HDF5 identifier and closes it with the matching H5?close; move-only.
class Handle {
public:
    using Closer = herr_t (*)(hid_t);
    Handle() = default;
    Handle(hid_t id, Closer closer)
        : m_id(id)
        , m_closer(closer)
    {
    }
    Handle(Handle&& o) noexcept
        : m_id(std::exchange(o.m_id, H5I_INVALID_HID))
        , m_closer(o.m_closer)
    {
    }
    Handle& operator=(Handle&& o) noexcept
    {
        if (this != &o) {
            reset();
            m_id = std::exchange(o.m_id, H5I_INVALID_HID);
            m_closer = o.m_closer;
        }
        return *this;
    }
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    ~Handle() { reset(); }

    /// The identifier (negative when invalid).
    hid_t get() const { return m_id; }
    /// True when the identifier is valid.
    bool valid() const { return m_id >= 0; }
    explicit operator bool() const { return valid(); }
    /// Closes now; returns false when the close itself failed (e.g. a write-back error).
    bool reset()
    {
        bool ok = true;
        if (m_id >= 0 && m_closer) {
            ok = m_closer(m_id) >= 0;
        }
        m_id = H5I_INVALID_HID;
        return ok;
    }

private:
    hid_t m_id = H5I_INVALID_HID;
    Closer m_closer = nullptr;
};

inline Handle file(hid_t id) { return { id, H5Fclose }; }
inline Handle dataset(hid_t id) { return { id, H5Dclose }; }
inline Handle space(hid_t id) { return { id, H5Sclose }; }
inline Handle type(hid_t id) { return { id, H5Tclose }; }
inline Handle plist(hid_t id) { return { id, H5Pclose }; }
inline Handle group(hid_t id) { return { id, H5Gclose }; }
inline Handle attribute(hid_t id) { return { id, H5Aclose }; }

/// Switches off HDF5's automatic error printing (errors become messages instead); idempotent.
void quiet();
/// The most specific messages of the current HDF5 error stack, e.g. "truncated file: eof = 1024, ...".
std::string lastError();
/// True when `path` names an existing link (every intermediate group checked, no error printed).
bool linkExists(hid_t loc, const std::string& path);
/// Creates every missing group of `path`'s parent chain ("/a/b/c" creates /a and /a/b).
bool createParents(hid_t loc, const std::string& path);
/// Dataset dimensions (empty on error).
std::vector<hsize_t> dims(hid_t dataset);
/// Writes a variable-length UTF-8 string attribute on `loc`.
bool writeStringAttribute(hid_t loc, const std::string& name, const std::string& value);
/// Writes a scalar int64 attribute on `loc`.
bool writeIntAttribute(hid_t loc, const std::string& name, std::int64_t value);

} // namespace fxs::h5
