// Queries: board(), token(), totals(), doctors(), current_date().
#include <string>
#include <vector>

#include "support.h"

namespace opd {
namespace {

using test::Harness;
using Strings = std::vector<std::string>;

TEST_CASE("board(): slots in order with their tokens in service order", "[queries]") {
  Harness h(test::three_slot_schedule(3, 1, 0));
  const auto walk = h.allocate("D1", "S1", Source::kWalkIn).result;
  const auto emergency = h.allocate("D1", "S1", Source::kEmergency).result;
  const auto online = h.allocate("D1", "S1", Source::kOnline).result;
  const auto s2 = h.seat("D1", "S2", Source::kWalkIn);
  const auto paid = h.seat("D1", "S2", Source::kPaid);  // s2 -> waitlist
  REQUIRE(h.call("D1") == *emergency.token_id);

  const auto board = h.board("D1");
  CHECK(board.doctor_id == test::doc("D1"));
  CHECK(board.version == 7);  // 5 allocations + 1 waitlisting + 1 call
  REQUIRE(board.slots.size() == 3);
  const auto& s1 = board.slots[0];
  CHECK(s1.slot_id == test::slot("S1"));
  CHECK(s1.start == test::at("09:00"));
  CHECK(s1.end == test::at("10:00"));
  CHECK(s1.capacity == 3);
  REQUIRE(s1.tokens.size() == 3);
  CHECK(s1.tokens[0] == TokenInfo{*emergency.token_id, 2, Source::kEmergency, TokenState::kCalled});
  CHECK(s1.tokens[1] == TokenInfo{*online.token_id, 3, Source::kOnline, TokenState::kWaiting});
  CHECK(s1.tokens[2] == TokenInfo{*walk.token_id, 1, Source::kWalkIn, TokenState::kWaiting});
  CHECK(test::ids_of(board.slots[1].tokens) == Strings{paid.str()});
  CHECK(board.slots[2].capacity == 0);
  CHECK(board.slots[2].tokens.empty());
  REQUIRE(board.waitlist.size() == 1);
  CHECK(board.waitlist[0] == TokenInfo{s2, 4, Source::kWalkIn, TokenState::kWaitlisted});
  REQUIRE(board.now_serving.has_value());
  CHECK(board.now_serving->token_id == *emergency.token_id);
}

TEST_CASE("board(): the waitlist in drain order", "[queries]") {
  Harness h(test::three_slot_schedule(3, 0, 0));
  const auto walk = h.seat("D1", "S1", Source::kWalkIn);
  const auto online = h.seat("D1", "S1", Source::kOnline);
  const auto walk2 = h.seat("D1", "S1", Source::kWalkIn);
  for (int i = 0; i < 3; ++i) h.seat("D1", "S1", Source::kEmergency);
  CHECK(h.waitlist("D1") == Strings{online.str(), walk.str(), walk2.str()});
}

TEST_CASE("board() of an unknown doctor is nullopt", "[queries]") {
  Harness h(test::three_slot_schedule(1, 1, 1));
  CHECK_FALSE(h.engine.board(test::doc("nobody")).has_value());
}

TEST_CASE("token(): status of a waiting, waitlisted and finished token", "[queries]") {
  Harness h(test::three_slot_schedule(2, 1, 0));
  const auto a = h.allocate("D1", "S1", Source::kOnline, std::nullopt, std::string("card-42")).result;
  const auto b = h.seat("D1", "S1", Source::kPaid);
  const auto c = h.seat("D1", "S2", Source::kWalkIn);
  const auto d = h.seat("D1", "S2", Source::kFollowUp);  // c -> waitlist

  const auto sa = h.status(*a.token_id);
  CHECK(sa.token == TokenInfo{*a.token_id, 1, Source::kOnline, TokenState::kWaiting});
  CHECK(sa.doctor_id == test::doc("D1"));
  CHECK(sa.slot_id == test::slot("S1"));
  CHECK(sa.ahead == 1u);  // the PAID token in S1
  CHECK(sa.patient_ref == std::string("card-42"));

  const auto sb = h.status(b);
  CHECK(sb.ahead == 0u);
  CHECK_FALSE(sb.patient_ref.has_value());
  CHECK(h.status(d).ahead == 2u);

  const auto sc = h.status(c);
  CHECK(sc.token.state == TokenState::kWaitlisted);
  CHECK(sc.token.token_number == 3);
  CHECK_FALSE(sc.slot_id.has_value());
  CHECK(sc.doctor_id == test::doc("D1"));

  REQUIRE(h.call("D1") == b);
  REQUIRE(h.complete(b).result.ok());
  const auto done = h.status(b);
  CHECK(done.token.state == TokenState::kCompleted);
  CHECK(done.slot_id == test::slot("S1"));
  CHECK_FALSE(done.ahead.has_value());
  CHECK(h.status(*a.token_id).ahead == 0u);
  CHECK(h.status(d).ahead == 1u);

  REQUIRE(h.cancel(c).result.ok());
  CHECK_FALSE(h.status(c).ahead.has_value());
  CHECK(h.status(c).token.state == TokenState::kCancelled);
}

TEST_CASE("token() of an unknown id is nullopt", "[queries]") {
  Harness h(test::three_slot_schedule(1, 1, 1));
  const auto t = h.seat("D1", "S1", Source::kWalkIn);
  CHECK(h.engine.token(t).has_value());
  CHECK_FALSE(h.engine.token(test::tok("definitely-not-issued")).has_value());
  CHECK_FALSE(h.engine.token(TokenId::from_trusted(t.str() + "0")).has_value());
}

TEST_CASE("totals(): per slot counters of the running day", "[queries]") {
  Harness h(test::three_slot_schedule(1, 1, 1));
  CHECK_FALSE(h.engine.totals().date.has_value());
  const auto walk = h.seat("D1", "S1", Source::kWalkIn);
  h.seat("D1", "S1", Source::kEmergency);  // walk -> S2
  REQUIRE(h.call("D1", "S2") == walk);
  REQUIRE(h.complete(walk).result.ok());
  test::require_rejected(h.allocate("D1", "S1", Source::kEmergency), Code::kLowerPriority);

  const auto totals = h.engine.totals();
  REQUIRE(totals.doctors.size() == 2);
  const auto& d1 = totals.doctors[0];
  CHECK(d1.doctor_id == test::doc("D1"));
  REQUIRE(d1.slots.size() == 3);
  CHECK(d1.slots[0].tally.allocated == 2);
  CHECK(d1.slots[0].tally.displaced == 1);
  CHECK(d1.slots[0].tally.waitlisted == 0);
  CHECK(d1.slots[0].tally.rejected[static_cast<std::size_t>(Code::kLowerPriority)] == 1);
  CHECK(d1.slots[0].tally.rejected_total() == 1);
  CHECK(d1.slots[1].tally.moved_in == 1);
  CHECK(d1.slots[1].tally.served == 1);
  CHECK(d1.slots[1].tally.allocated == 0);
  CHECK(d1.total.allocated == 2);
  CHECK(d1.total.served == 1);
  CHECK(d1.total.rejected_total() == 1);
  CHECK(totals.doctors[1].total == Tally{});
}

TEST_CASE("Tally sums field by field", "[queries]") {
  Tally a;
  a.allocated = 1;
  a.served = 2;
  a.rejected[3] = 4;
  Tally b;
  b.allocated = 10;
  b.no_shows = 5;
  b.rejected[3] = 1;
  b.rejected[5] = 2;
  a += b;
  CHECK(a.allocated == 11);
  CHECK(a.served == 2);
  CHECK(a.no_shows == 5);
  CHECK(a.rejected[3] == 5);
  CHECK(a.rejected[5] == 2);
  CHECK(a.rejected_total() == 7);
}

TEST_CASE("doctors() in creation order and current_date()", "[queries]") {
  Harness h(test::three_slot_schedule(1, 1, 1));
  h.set_capacity("D0", "Z", 1);
  h.allocate("A9", "Y", Source::kWalkIn, 1);
  Strings ids;
  for (const auto& d : h.engine.doctors()) ids.push_back(d.str());
  CHECK(ids == Strings{"D1", "D2", "D0", "A9"});
  CHECK_FALSE(h.engine.current_date().has_value());
  h.open_day("2026-01-15");
  CHECK(h.engine.current_date() == test::day("2026-01-15"));
}

}  // namespace
}  // namespace opd
