// JSON and text codecs of the native API: reading request bodies and query
// parameters into domain values with errors that name the offending field,
// ISO 8601 times in local (Beijing, +08:00) time, and rendering of service
// results (orders, events, units, users) as JSON.
// Thread-safety: free functions are pure; a JsonReader is used by one thread.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/result.h"
#include "domain/types.h"
#include "service/hotline_service.h"

namespace hotline::api {

using Json = nlohmann::json;

// The API renders local time with a fixed offset (China: UTC+8, no DST).
inline constexpr int kLocalOffsetSeconds = 8 * 3600;

// "2026-11-01T08:00:00+08:00".
std::string FormatTime(Timestamp t);

// Accepts epoch seconds ("1793404800"), a local date ("2026-11-01": local
// midnight, or the following midnight when `end_of_day`, so that a date used
// as an exclusive upper bound includes that day), or a date-time
// "2026-11-01T08:00[:00[.fff]]" with "Z", "+08:00" or "+0800" (no offset =
// local time; a space may replace the "T"). Errors name `field`.
Result<Timestamp> ParseTime(std::string_view text, const std::string& field,
                            bool end_of_day = false);

// Parses a request body that must be one JSON object; an empty body is {}.
// Errors: kInvalidArgument naming the field where the text stops being valid JSON
// ("place.lon" for {"place":{"lon":1e400}}), or "body" when it is not inside a field.
Result<Json> ParseJsonObject(std::string_view body);

// Every string field of a request has a limit in bytes of UTF-8 (docs/openapi.yaml lists
// them): kMaxTextBytes unless the field says otherwise (content 20000, title 400, ...).
inline constexpr std::size_t kMaxTextBytes = 4000;

// Reads typed fields of one JSON object. Getters return nullopt when the key
// is absent or null; a wrong type records an error naming the field (with its
// path, e.g. "caller.phone") and later getters do nothing. The first error wins.
class JsonReader {
 public:
  // `prefix` is prepended to field names in errors ("" or "reply.").
  JsonReader(const Json& object, std::string prefix = {});

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  // Records an error unless one is already recorded.
  void Fail(const std::string& key, std::string message);
  void Fail(Status status);
  std::string Path(std::string_view key) const { return prefix_ + std::string(key); }

  // The raw value, or nullptr when absent or null.
  const Json* Get(const char* key) const;
  // A string of at most `max_bytes`, without control characters other than tab, line feed
  // and carriage return (NUL and the like are refused, never stored).
  std::optional<std::string> String(const char* key, std::size_t max_bytes = kMaxTextBytes);
  std::optional<bool> Bool(const char* key);
  std::optional<std::int64_t> Int(const char* key, std::int64_t min, std::int64_t max);
  std::optional<double> Number(const char* key, double min, double max);
  // A time given as a string (see ParseTime) or as epoch seconds.
  std::optional<Timestamp> Time(const char* key);
  // A nested object, or nullptr (absent) / error (not an object).
  const Json* Object(const char* key);
  template <typename E>
  std::optional<E> Enum(const char* key) {
    auto s = String(key);
    if (!s) return std::nullopt;
    auto v = Parse<E>(*s);
    if (!v) Fail(key, Path(key) + " must be one of " + AllowedNames<E>() + " (got \"" + *s + "\")");
    return v;
  }
  // Fails on the first key not in `known` (catches misspelt fields).
  void RejectUnknown(std::initializer_list<std::string_view> known);

 private:
  const Json& object_;
  std::string prefix_;
  Status status_;
};

// Parses "true/false/1/0/yes/no" (query parameters).
std::optional<bool> ParseBool(std::string_view s);
// Parses a decimal integer that fits in int64 (no sign for ids).
std::optional<std::int64_t> ParseInt(std::string_view s);

// -- rendering --
// A unit as a reference {id, code, name, kind}; null for an unknown id.
Json UnitRef(const HotlineService& service, std::optional<Id> id);
Json RenderUnit(const HotlineService& service, const Unit& unit);
// Users never carry password hashes; phone, failed_logins and locked_until (null when not
// locked) only when `with_phone` (admins, and the user itself).
Json RenderUser(const HotlineService& service, const User& user, bool with_phone);
Json RenderOrder(const HotlineService& service, const OrderView& view);
// Duplicate suggestions (并单): [{id, no, title, state, state_label, score, reason}].
Json RenderDuplicates(const std::vector<DuplicateView>& dups);
// Events with the acting user's display name (from `users`).
Json RenderEvents(const HotlineService& service, const std::vector<Event>& events);
// Parses a stored JSON text; an unparsable text is returned as a JSON string.
Json ParseOrString(const std::string& text);

}  // namespace hotline::api
