// The three response shapes of the original REST allocation API, driven the
// way its clients drove it: doctor_id, slot_id, source (as text) and the
// slot's capacity on every call, with the slot created on first use.
//   ALLOCATED   {status, token_id}
//   REALLOCATED {status, removed_token, token_id}
//   REJECTED    {status, reason "Lower priority"}
#include <string>

#include "support.h"

namespace opd {
namespace {

// The original API's request: every field is text as it came over HTTP.
Outcome original_allocate(test::Harness& h, std::string_view doctor, std::string_view slot_id,
                          std::string_view source_text, std::uint32_t capacity) {
  const auto source = parse_source(source_text);
  REQUIRE(source.has_value());
  return h.allocate(doctor, slot_id, *source, capacity);
}

TEST_CASE("original API: ALLOCATED, REALLOCATED and REJECTED shapes", "[original_api]") {
  test::Harness h(Schedule{});  // the original engine started with no schedule

  const auto first = original_allocate(h, "dr_1", "slot_9am", "walkin", 1).result;
  CHECK(to_string(first.status) == "ALLOCATED");
  REQUIRE(first.token_id.has_value());
  CHECK_FALSE(first.removed_token.has_value());
  CHECK(first.reason.empty());
  CHECK(first.code == Code::kNone);

  const auto second = original_allocate(h, "dr_1", "slot_9am", "emergency", 1).result;
  CHECK(to_string(second.status) == "REALLOCATED");
  REQUIRE(second.token_id.has_value());
  CHECK(second.removed_token == first.token_id);
  CHECK(*second.token_id != *first.token_id);
  CHECK(second.reason.empty());

  const auto third = original_allocate(h, "dr_1", "slot_9am", "WALK_IN", 1).result;
  CHECK(to_string(third.status) == "REJECTED");
  CHECK(third.reason == "Lower priority");
  CHECK_FALSE(third.token_id.has_value());
  CHECK_FALSE(third.removed_token.has_value());

  // The removed patient was not dropped: with no later slot it waits.
  CHECK(h.state(*first.token_id) == TokenState::kWaitlisted);
  CHECK(h.state(*second.token_id) == TokenState::kWaiting);
}

TEST_CASE("original API: a removed token is reported once, by the call that removed it",
          "[original_api]") {
  test::Harness h(Schedule{});
  const auto a = original_allocate(h, "dr_2", "am", "online", 2).result;
  const auto b = original_allocate(h, "dr_2", "am", "followup", 2).result;
  CHECK(to_string(a.status) == "ALLOCATED");
  CHECK(to_string(b.status) == "ALLOCATED");
  const auto c = original_allocate(h, "dr_2", "am", "paid", 2).result;
  CHECK(to_string(c.status) == "REALLOCATED");
  CHECK(c.removed_token == a.token_id);  // ONLINE is the lowest priority present
  const auto d = original_allocate(h, "dr_2", "am", "EMERGENCY", 2).result;
  CHECK(to_string(d.status) == "REALLOCATED");
  CHECK(d.removed_token == b.token_id);
  const auto e = original_allocate(h, "dr_2", "am", "PAID", 2).result;
  CHECK(to_string(e.status) == "REJECTED");
  CHECK(e.reason == "Lower priority");
}

}  // namespace
}  // namespace opd
