// The project's one error vocabulary: a code, a message naming what is wrong,
// and optionally the offending field; Result<T> carries either a value or such
// an error. Thread-safety: plain values, no shared state.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace hotline {

enum class Code {
  kOk = 0,
  kInvalidArgument,     // bad input: a field is missing, malformed or out of range
  kNotFound,            // the thing named does not exist (or is outside the caller's scope)
  kConflict,            // compare-and-swap lost: the order moved on, or a duplicate key
  kFailedPrecondition,  // the action is not allowed in the current state
  kUnauthenticated,     // no or expired token, wrong password
  kForbidden,           // authenticated, but the role or unit may not do this
  kUnavailable,         // shutting down, store busy
  kInternal,            // a bug or an I/O failure
};

const char* CodeName(Code code);

class Status {
 public:
  Status() = default;
  Status(Code code, std::string message, std::string field = {})
      : code_(code), message_(std::move(message)), field_(std::move(field)) {}

  static Status Ok() { return {}; }
  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  // The request field the error is about ("" when not about one field).
  const std::string& field() const { return field_; }
  std::string ToString() const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
  std::string field_;
};

inline Status Invalid(std::string field, std::string message) {
  return Status(Code::kInvalidArgument, std::move(message), std::move(field));
}

template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {}  // NOLINT
  // REQUIRES: !status.ok() for the Status constructor.

  bool ok() const { return v_.index() == 0; }
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<1>(v_);
  }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace hotline

#define HOTLINE_RETURN_IF_ERROR(expr) \
  do {                                \
    ::hotline::Status _st = (expr);   \
    if (!_st.ok()) return _st;        \
  } while (0)

#define HOTLINE_CONCAT_INNER(a, b) a##b
#define HOTLINE_CONCAT(a, b) HOTLINE_CONCAT_INNER(a, b)
#define HOTLINE_ASSIGN_OR_RETURN(lhs, expr) \
  HOTLINE_ASSIGN_OR_RETURN_IMPL(HOTLINE_CONCAT(_res_, __LINE__), lhs, expr)
#define HOTLINE_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return tmp.status();                 \
  lhs = std::move(tmp).value()
