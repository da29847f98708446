#include "service/open311_clients.h"

#include <gtest/gtest.h>

#include "service/password.h"
#include "service/service_test_fixture.h"

namespace hotline {
namespace {

using testing::SmallCity;

class Open311ClientsTest : public SmallCity {};

TEST_F(Open311ClientsTest, KeysAreStoredAsDigestsFoundByKeyAndRevokedAtOnce) {
  auto made = CreateOpen311Client(*svc_, admin_, "城市服务App", "city_app", 30);
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  EXPECT_GE(made->key.size(), 32u);
  EXPECT_EQ(made->client.digest, TokenDigest(made->key));
  // The store has the digest, never the key.
  auto doc = store_->GetDocument("open311_clients");
  ASSERT_TRUE(doc.ok() && doc->has_value());
  EXPECT_EQ((*doc)->find(made->key), std::string::npos);
  EXPECT_NE((*doc)->find(made->client.digest), std::string::npos);

  auto found = FindOpen311Client(*svc_, made->key);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->channel_label, "city_app");
  EXPECT_EQ((*found)->rate_per_minute, 30);
  EXPECT_FALSE(FindOpen311Client(*svc_, made->key + "x")->has_value());
  EXPECT_FALSE(FindOpen311Client(*svc_, "")->has_value());

  // Survives a restart (the store document), then revoked: no longer found.
  OpenAll(false);
  ASSERT_TRUE(FindOpen311Client(*svc_, made->key)->has_value());
  auto revoked = RevokeOpen311Client(*svc_, admin_, made->client.id);
  ASSERT_TRUE(revoked.ok());
  EXPECT_TRUE(revoked->revoked_at.has_value());
  EXPECT_FALSE(FindOpen311Client(*svc_, made->key)->has_value());
  auto list = ListOpen311Clients(*svc_, admin_);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_TRUE((*list)[0].revoked_at.has_value());
  auto audit = store_->ListAudit(std::nullopt, 10);
  ASSERT_TRUE(audit.ok());
  int key_events = 0;
  for (const AuditEntry& e : *audit)
    key_events += e.action == "open311_key_create" || e.action == "open311_key_revoke";
  EXPECT_EQ(key_events, 2);
}

TEST_F(Open311ClientsTest, OnlyAdminsManageKeysAndBadInputNamesTheField) {
  EXPECT_EQ(CreateOpen311Client(*svc_, agent_, "x", "y", 10).status().code(), Code::kForbidden);
  EXPECT_EQ(ListOpen311Clients(*svc_, supervisor_).status().code(), Code::kForbidden);
  EXPECT_EQ(RevokeOpen311Client(*svc_, agent_, 1).status().code(), Code::kForbidden);
  EXPECT_EQ(CreateOpen311Client(*svc_, admin_, " ", "y", 10).status().field(), "name");
  EXPECT_EQ(CreateOpen311Client(*svc_, admin_, "x", "", 10).status().field(), "channel_label");
  EXPECT_EQ(CreateOpen311Client(*svc_, admin_, "x", "y", 0).status().field(), "rate_per_minute");
  EXPECT_EQ(CreateOpen311Client(*svc_, admin_, "x", "y", 6001).status().field(), "rate_per_minute");
  ASSERT_TRUE(CreateOpen311Client(*svc_, admin_, "x", "y", 10).ok());
  auto twice = CreateOpen311Client(*svc_, admin_, "x", "z", 10);
  EXPECT_EQ(twice.status().code(), Code::kConflict);
  EXPECT_EQ(twice.status().field(), "name");
  EXPECT_EQ(RevokeOpen311Client(*svc_, admin_, 99).status().code(), Code::kNotFound);
  // Nothing was written by the refusals: one client.
  EXPECT_EQ(ListOpen311Clients(*svc_, admin_)->size(), 1u);
}

}  // namespace
}  // namespace hotline
