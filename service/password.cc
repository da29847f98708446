#include "service/password.h"

#include <sodium.h>

#include <atomic>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

namespace hotline {
namespace {

// sodium_init() is itself idempotent and thread-safe; the static makes the
// check cheap after the first call. Without a working libsodium there is no
// safe randomness, so we stop rather than hand out predictable tokens.
void EnsureSodium() {
  static const bool kReady = sodium_init() >= 0;
  if (!kReady) std::abort();
}

int CodePoints(std::string_view s) {
  int n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

}  // namespace

Status ValidatePassword(std::string_view password, int min_length) {
  if (password.empty()) return Invalid("password", "password is required");
  if (password.size() > kMaxPasswordBytes)
    return Invalid("password", "password must be at most 1024 bytes");
  for (unsigned char c : password)
    if (c < 0x20 || c == 0x7F)
      return Invalid("password", "password must not contain control characters");
  if (CodePoints(password) < min_length)
    return Invalid("password",
                   "password must be at least " + std::to_string(min_length) + " characters");
  return Status::Ok();
}

std::string SecurityJson(int min_password_length) {
  return "{\"min_password_length\":" + std::to_string(min_password_length) + "}";
}

int MinPasswordLengthOf(const std::string* security_json) {
  if (!security_json) return kMinPasswordLength;
  auto j = nlohmann::json::parse(*security_json, nullptr, false);
  if (!j.is_object() || !j.contains("min_password_length") ||
      !j["min_password_length"].is_number_integer())
    return kMinPasswordLength;
  const int n = j["min_password_length"].get<int>();
  return n < kLowestMinPasswordLength ? kMinPasswordLength : n;
}

namespace {
std::atomic<bool> g_minimal_cost{false};
}  // namespace

void UseMinimalHashCostForTesting() { g_minimal_cost.store(true); }

Result<std::string> HashPassword(std::string_view password) {
  HOTLINE_RETURN_IF_ERROR(ValidatePassword(password, 1));
  EnsureSodium();
  char out[crypto_pwhash_STRBYTES];
  const bool minimal = g_minimal_cost.load();
  if (crypto_pwhash_str_alg(
          out, password.data(), password.size(),
          minimal ? crypto_pwhash_OPSLIMIT_MIN : crypto_pwhash_OPSLIMIT_INTERACTIVE,
          minimal ? crypto_pwhash_MEMLIMIT_MIN : crypto_pwhash_MEMLIMIT_INTERACTIVE,
          crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Status(Code::kInternal, "password hashing failed (out of memory?)");
  }
  return std::string(out);
}

bool VerifyPassword(std::string_view encoded, std::string_view password) {
  if (encoded.empty() || encoded.size() >= crypto_pwhash_STRBYTES) return false;
  EnsureSodium();
  std::string z(encoded);  // libsodium wants a NUL-terminated string
  return crypto_pwhash_str_verify(z.c_str(), password.data(), password.size()) == 0;
}

bool PasswordNeedsRehash(std::string_view encoded) {
  if (encoded.empty() || encoded.size() >= crypto_pwhash_STRBYTES) return true;
  EnsureSodium();
  std::string z(encoded);
  return crypto_pwhash_str_needs_rehash(z.c_str(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0;
}

std::string NewToken() {
  EnsureSodium();
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  char out[sodium_base64_ENCODED_LEN(sizeof bytes, kVariant)];
  sodium_bin2base64(out, sizeof out, bytes, sizeof bytes, kVariant);
  sodium_memzero(bytes, sizeof bytes);
  return std::string(out);
}

std::string TokenDigest(std::string_view token) {
  EnsureSodium();
  unsigned char hash[crypto_generichash_BYTES];  // 32 bytes = BLAKE2b-256
  crypto_generichash(hash, sizeof hash, reinterpret_cast<const unsigned char*>(token.data()),
                     token.size(), nullptr, 0);
  char hex[sizeof hash * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
  return std::string(hex);
}

}  // namespace hotline
