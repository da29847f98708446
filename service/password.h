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

// Password policy. Minimum 4 code points for now, because the demo city's
// accounts use "demo"; raise it (and add complexity rules) before production.
// Maximum 1024 bytes; no control characters (which include NUL).
inline constexpr int kMinPasswordLength = 4;
inline constexpr std::size_t kMaxPasswordBytes = 1024;
Status ValidatePassword(std::string_view password);

// Tests only: hash with libsodium's minimum cost so suites that create many
// users stay fast. Never called by the server.
void UseMinimalHashCostForTesting();

// Hashes with argon2id (crypto_pwhash_str_alg, OPSLIMIT/MEMLIMIT_INTERACTIVE:
// 2 passes over 64 MiB, roughly 50-150 ms and 64 MiB of RAM per call on one
// core). The result is the self-describing "$argon2id$v=19$m=65536,t=2,p=1$..."
// string with its own random salt. Rejects passwords that fail ValidatePassword
// (kInvalidArgument, field "password"); kInternal if memory cannot be had.
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
