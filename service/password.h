// Secrets: password hashing (argon2id), session tokens and their digests
// (libsodium). Tokens are handed to the client once and stored only as
// digests, so a leaked table cannot be replayed.
// Thread-safety: every function is safe to call concurrently; libsodium is
// initialised once, on first use, behind a function-local static. If it cannot
// initialise (no system randomness) the process aborts: handing out
// predictable tokens or salts would be worse than stopping.
#pragma once

#include <string>
#include <string_view>

#include "domain/result.h"

namespace hotline {

// Password policy: at least `min_length` code points (a store's own minimum is set when it is
// created, `hotline init --min-password-length`; Default: kMinPasswordLength; the demo city
// uses 4, its accounts' password being "demo"), at most 1024 bytes, no control characters
// (which include NUL).
inline constexpr int kMinPasswordLength = 10;
inline constexpr int kLowestMinPasswordLength = 4;  // what --min-password-length accepts
inline constexpr std::size_t kMaxPasswordBytes = 1024;
Status ValidatePassword(std::string_view password, int min_length = kMinPasswordLength);

// The store document holding the password policy: {"min_password_length": N}.
inline constexpr const char* kSecurityKey = "security";
std::string SecurityJson(int min_password_length);
// The minimum of a stored policy document; kMinPasswordLength when there is none or it is
// unreadable.
int MinPasswordLengthOf(const std::string* security_json);

// Tests only: hash with libsodium's minimum cost so suites that create many
// users stay fast. Never called by the server.
void UseMinimalHashCostForTesting();

// Hashes with argon2id (crypto_pwhash_str_alg, OPSLIMIT/MEMLIMIT_INTERACTIVE:
// 2 passes over 64 MiB, roughly 50-150 ms and 64 MiB of RAM per call on one
// core). The result is the self-describing "$argon2id$v=19$m=65536,t=2,p=1$..."
// string with its own random salt. Rejects passwords that fail ValidatePassword
// (kInvalidArgument, field "password") except for their length, which is the policy of
// the caller (ValidatePassword first); kInternal if memory cannot be had.
Result<std::string> HashPassword(std::string_view password);

// True when `password` matches `encoded` (from HashPassword). Any malformed,
// empty or foreign encoding yields false, never an error.
bool VerifyPassword(std::string_view encoded, std::string_view password);

// True when `encoded` was made with other parameters than HashPassword's
// current ones (rehash on the next successful login).
bool PasswordNeedsRehash(std::string_view encoded);

// A new bearer token: 32 random bytes, base64url without padding (43 chars).
std::string NewToken();

// What is stored for a token: BLAKE2b-256 of its text, 64 lowercase hex chars.
std::string TokenDigest(std::string_view token);

}  // namespace hotline
