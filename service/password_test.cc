#include "service/password.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <vector>

namespace hotline {
namespace {

TEST(Password, HashVerifiesAndAWrongPasswordFails) {
  auto hash = HashPassword("demo");
  ASSERT_TRUE(hash.ok()) << hash.status().ToString();
  EXPECT_TRUE(hash->starts_with("$argon2id$")) << *hash;
  EXPECT_EQ(hash->find("demo"), std::string::npos);
  EXPECT_TRUE(VerifyPassword(*hash, "demo"));
  EXPECT_FALSE(VerifyPassword(*hash, "Demo"));
  EXPECT_FALSE(VerifyPassword(*hash, "demo "));
  EXPECT_FALSE(VerifyPassword(*hash, ""));
  EXPECT_FALSE(PasswordNeedsRehash(*hash));
}

TEST(Password, SamePasswordHashesDifferently) {
  auto a = HashPassword("密码安全123");
  auto b = HashPassword("密码安全123");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);  // random salt
  EXPECT_TRUE(VerifyPassword(*b, "密码安全123"));
}

TEST(Password, GarbageEncodingsNeverVerify) {
  EXPECT_FALSE(VerifyPassword("", "demo"));
  EXPECT_FALSE(VerifyPassword("demo", "demo"));
  EXPECT_FALSE(VerifyPassword("$argon2id$v=19$m=65536,t=2,p=1$garbage", "demo"));
  EXPECT_FALSE(VerifyPassword(std::string(500, '$'), "demo"));
  EXPECT_TRUE(PasswordNeedsRehash("plain"));
}

TEST(Password, PolicyRejectsShortEmptyAndControlCharacters) {
  // A store's minimum (default 10 code points; the demo's store uses 4).
  EXPECT_TRUE(ValidatePassword("demo", 4).ok());
  EXPECT_TRUE(ValidatePassword("网格密码", 4).ok());  // 4 code points
  EXPECT_FALSE(ValidatePassword("demo").ok()) << "the default minimum is 10";
  EXPECT_TRUE(ValidatePassword("网格员巡查密码二〇二六").ok());  // 11 code points
  EXPECT_FALSE(ValidatePassword("").ok());
  EXPECT_FALSE(ValidatePassword("abc", 4).ok());
  EXPECT_FALSE(ValidatePassword("密码", 4).ok());
  EXPECT_FALSE(ValidatePassword(std::string("ab\0cd", 5), 4).ok());
  EXPECT_FALSE(ValidatePassword(std::string(1025, 'a')).ok());
  Status st = ValidatePassword("abc");
  EXPECT_EQ(st.field(), "password");
  // Hashing leaves the length to the caller's policy but still refuses the unhashable.
  auto h = HashPassword(std::string("ab\0cd", 5));
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.status().code(), Code::kInvalidArgument);
  EXPECT_FALSE(HashPassword("").ok());
}

TEST(Password, StoredPolicyDocument) {
  const std::string doc = SecurityJson(6);
  EXPECT_EQ(MinPasswordLengthOf(&doc), 6);
  EXPECT_EQ(MinPasswordLengthOf(nullptr), kMinPasswordLength);
  const std::string bad = R"({"min_password_length":1})";
  EXPECT_EQ(MinPasswordLengthOf(&bad), kMinPasswordLength) << "below 4 is not a policy";
}

TEST(Password, TokensDifferAndAreUrlSafe) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    std::string t = NewToken();
    EXPECT_EQ(t.size(), 43u);
    EXPECT_EQ(
        t.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
        std::string::npos);
    seen.insert(t);
  }
  EXPECT_EQ(seen.size(), 100u);
}

TEST(Password, TokenDigestIsBlake2b256Hex) {
  // BLAKE2b-256 of the empty string (RFC 7693 parameters, 32-byte output).
  EXPECT_EQ(TokenDigest(""), "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
  std::string t = NewToken();
  EXPECT_EQ(TokenDigest(t), TokenDigest(t));
  EXPECT_NE(TokenDigest(t), TokenDigest(NewToken()));
  EXPECT_EQ(TokenDigest(t).size(), 64u);
  EXPECT_EQ(TokenDigest(t).find(t), std::string::npos);
}

TEST(Password, ConcurrentFirstUseIsSafe) {
  std::vector<std::thread> threads;
  std::vector<std::string> tokens(8);
  for (int i = 0; i < 8; ++i) threads.emplace_back([&, i] { tokens[i] = NewToken(); });
  for (auto& t : threads) t.join();
  EXPECT_EQ(std::set<std::string>(tokens.begin(), tokens.end()).size(), 8u);
}

}  // namespace
}  // namespace hotline
