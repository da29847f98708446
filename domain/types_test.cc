#include "domain/types.h"

#include <gtest/gtest.h>

namespace hotline {
namespace {

TEST(Types, WireNamesRoundTripAndChineseLabelsParse) {
  EXPECT_EQ(ToString(Channel::kGridPatrol), "grid_patrol");
  EXPECT_EQ(Parse<Channel>("grid_patrol"), Channel::kGridPatrol);
  EXPECT_EQ(Parse<Nature>("举报"), Nature::kReport);
  EXPECT_EQ(ZhLabel(State::kSuspended), "已挂账");
  EXPECT_FALSE(Parse<Urgency>("very").has_value());
  EXPECT_EQ(AllowedNames<Urgency>(), "normal, urgent, critical");
}

TEST(Types, OpenAndTerminalStates) {
  EXPECT_TRUE(IsTerminal(State::kMerged));
  EXPECT_FALSE(IsTerminal(State::kReplied));
  EXPECT_TRUE(IsOpen(State::kExtensionRequested));
  EXPECT_FALSE(IsOpen(State::kSuspended));
}

}  // namespace
}  // namespace hotline
