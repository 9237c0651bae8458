// Sources, their priorities and their spellings; and the rule that only a
// strictly higher priority displaces.
#include <string>
#include <utility>
#include <vector>

#include "support.h"

namespace opd {
namespace {

using test::Harness;

const std::vector<Source> kAllSources{Source::kEmergency, Source::kPaid, Source::kFollowUp,
                                      Source::kOnline, Source::kWalkIn};

TEST_CASE("priorities: EMERGENCY 0, PAID 1, FOLLOW_UP 2, ONLINE 3, WALK_IN 4", "[source]") {
  CHECK(priority_of(Source::kEmergency) == 0);
  CHECK(priority_of(Source::kPaid) == 1);
  CHECK(priority_of(Source::kFollowUp) == 2);
  CHECK(priority_of(Source::kOnline) == 3);
  CHECK(priority_of(Source::kWalkIn) == 4);
  CHECK(kSourceCount == 5);
}

TEST_CASE("canonical source names round-trip", "[source]") {
  const std::vector<std::pair<std::string, Source>> names{{"EMERGENCY", Source::kEmergency},
                                                          {"PAID", Source::kPaid},
                                                          {"FOLLOW_UP", Source::kFollowUp},
                                                          {"ONLINE", Source::kOnline},
                                                          {"WALK_IN", Source::kWalkIn}};
  for (const auto& [name, source] : names) {
    INFO(name);
    CHECK(to_string(source) == name);
    CHECK(parse_source(name) == source);
  }
}

TEST_CASE("source parsing accepts lower case", "[source]") {
  CHECK(parse_source("emergency") == Source::kEmergency);
  CHECK(parse_source("paid") == Source::kPaid);
  CHECK(parse_source("follow_up") == Source::kFollowUp);
  CHECK(parse_source("online") == Source::kOnline);
  CHECK(parse_source("walk_in") == Source::kWalkIn);
}

TEST_CASE("source parsing accepts FOLLOWUP and WALKIN in any case", "[source]") {
  CHECK(parse_source("FOLLOWUP") == Source::kFollowUp);
  CHECK(parse_source("followup") == Source::kFollowUp);
  CHECK(parse_source("FollowUp") == Source::kFollowUp);
  CHECK(parse_source("WALKIN") == Source::kWalkIn);
  CHECK(parse_source("walkin") == Source::kWalkIn);
  CHECK(parse_source("WalkIn") == Source::kWalkIn);
}

TEST_CASE("source parsing refuses everything else", "[source]") {
  for (const char* bad : {"", "EMERGENCYX", "EMERG", "walk-in", "walk in", "WALK IN", " PAID",
                          "PAID ", "FOLLOW", "FOLLOW-UP", "URGENT", "0", "4", "ONLINE\n"}) {
    INFO("'" << bad << "'");
    CHECK_FALSE(parse_source(bad).has_value());
  }
  CHECK_FALSE(parse_source(std::string("PAID\0", 5)).has_value());
  CHECK_FALSE(parse_source(std::string(100, 'A')).has_value());
}

// For every pair of sources: a newcomer aimed at a full one-seat slot held by
// a waiting token takes the seat exactly when its priority number is strictly
// smaller; otherwise it is rejected as LOWER_PRIORITY.
TEST_CASE("only a strictly higher priority displaces (every pair of sources)", "[source][preemption]") {
  for (const Source holder : kAllSources) {
    for (const Source newcomer : kAllSources) {
      INFO("holder " << to_string(holder) << ", newcomer " << to_string(newcomer));
      Harness h(test::three_slot_schedule(1, 1, 1));
      const auto held = h.seat("D1", "S1", holder);
      const auto out = h.allocate("D1", "S1", newcomer);
      if (priority_of(newcomer) < priority_of(holder)) {
        CHECK(out.result.status == Status::kReallocated);
        CHECK(out.result.removed_token == held);
        CHECK(h.in_slot("D1", "S1") == std::vector<std::string>{out.result.token_id->str()});
        CHECK(h.in_slot("D1", "S2") == std::vector<std::string>{held.str()});
      } else {
        test::require_rejected(out, Code::kLowerPriority);
        CHECK(out.result.reason == "Lower priority");
        CHECK(h.in_slot("D1", "S1") == std::vector<std::string>{held.str()});
      }
    }
  }
}

}  // namespace
}  // namespace opd
