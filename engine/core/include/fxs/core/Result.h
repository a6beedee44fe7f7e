#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace fxs {

/// An expected failure: a message a scientist understands (which file, dataset, option, what was expected).
struct Error {
    std::string message;
};

/// A value or an Error (g++ 12 has no std::expected); failures never cross threads as exceptions.
template <class T> class Result {
public:
    Result(T value)
        : m_v(std::move(value))
    {
    }
    Result(Error error)
        : m_v(std::move(error))
    {
    }

    /// True when a value is held.
    bool ok() const { return m_v.index() == 0; }
    explicit operator bool() const { return ok(); }
    /// The value; only valid when ok().
    T& value() { return std::get<0>(m_v); }
    const T& value() const { return std::get<0>(m_v); }
    T& operator*() { return value(); }
    const T& operator*() const { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    /// The error; only valid when !ok().
    const Error& error() const { return std::get<1>(m_v); }

private:
    std::variant<T, Error> m_v;
};

/// Success or an Error, for operations without a value.
class Status {
public:
    Status() = default;
    Status(Error error)
        : m_error(std::move(error))
    {
    }
    static Status success() { return {}; }
    bool ok() const { return !m_error.has_value(); }
    explicit operator bool() const { return ok(); }
    const std::string& message() const
    {
        static const std::string empty;
        return m_error ? m_error->message : empty;
    }

private:
    std::optional<Error> m_error;
};

} // namespace fxs
