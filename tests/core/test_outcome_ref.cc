// Answers in place (Engine::apply_in_place, outcome_ref.h): the same
// answers as apply()'s values, field by field, viewing the engine's records.
#include <sstream>
#include <string>

#include "opd/core/outcome_ref.h"
#include "random_requests.h"
#include "support.h"

namespace opd {
namespace {

// Every field of two result refs, as text, so that a difference shows which.
std::string describe(const ResultRef& r) {
  std::ostringstream s;
  s << "type=" << to_string(r.type) << " status=" << to_string(r.status) << " code=" << to_string(r.code)
    << " duplicate=" << r.duplicate << " request_id=" << r.request_id.view() << " reason=" << r.reason
    << " token_id=" << r.token_id.view() << " token_number=" << r.token_number
    << " source=" << (r.source ? to_string(*r.source) : "-") << " doctor_id=" << r.doctor_id.view()
    << " slot_id=" << r.slot_id.view() << " removed_token=" << r.removed_token.view() << " moved_to=" << r.moved_to.view()
    << " alternative_slot=" << r.alternative_slot.view() << " ahead=" << (r.ahead ? std::to_string(*r.ahead) : "-")
    << " capacity=" << (r.capacity ? std::to_string(*r.capacity) : "-");
  if (r.day_opened != nullptr) {
    s << " date=" << (r.day_opened->date ? r.day_opened->date->str() : "-")
      << " report_doctors=" << (r.day_opened->report ? r.day_opened->report->doctors.size() : 0);
  }
  return s.str();
}

std::string describe(const EventRef& e) {
  std::ostringstream s;
  s << to_string(e.kind) << " doctor_id=" << e.doctor_id.view() << " version=" << e.version << " token_id=" << e.token_id.view()
    << " token_number=" << e.token_number << " source=" << (e.source ? to_string(*e.source) : "-")
    << " slot_id=" << e.slot_id.view() << " from_slot=" << e.from_slot.view() << " to_slot=" << e.to_slot.view()
    << " capacity=" << (e.capacity ? std::to_string(*e.capacity) : "-")
    << " date=" << (e.date ? e.date->str() : "-");
  return s.str();
}

void require_same(const ResultRef& expected, const ResultRef& got, std::size_t i) {
  INFO("request " << i);
  REQUIRE(describe(got) == describe(expected));
  if (expected.day_opened != nullptr) {
    REQUIRE(got.day_opened != nullptr);
    REQUIRE(got.day_opened->date == expected.day_opened->date);
    REQUIRE(got.day_opened->report == expected.day_opened->report);
  }
}

TEST_CASE("apply_in_place answers exactly what apply answers, viewing the engine's records", "[outcome_ref]") {
  test::RandomRequests gen(4242, 10, 4);
  const auto schedule = gen.schedule();
  Engine values(schedule);
  Engine in_place(schedule);
  std::size_t reallocated = 0, moved_to = 0, events = 0, duplicates = 0, days = 0, rejected = 0;
  for (std::size_t i = 0; i < 30'000; ++i) {
    const Request r = gen.next();
    const Outcome expected = values.apply(r);
    const OutcomeRef& got = in_place.apply_in_place(r);
    require_same(ref_of(expected.result), got.result, i);
    REQUIRE(got.events.size() == expected.events.size());
    for (std::size_t k = 0; k < got.events.size(); ++k)
      REQUIRE(describe(got.events[k]) == describe(ref_of(expected.events[k])));
    gen.observe(r, expected);
    reallocated += got.result.status == Status::kReallocated;
    moved_to += !got.result.moved_to.empty();
    events += got.events.size();
    duplicates += got.result.duplicate;
    days += got.result.day_opened != nullptr;
    rejected += !got.result.ok();
  }
  CHECK(in_place.dump() == values.dump());
  // The sequence exercised what the views carry.
  CHECK(reallocated > 100);
  CHECK(moved_to > 100);
  CHECK(events > 10'000);
  CHECK(duplicates > 50);
  CHECK(days > 50);
  CHECK(rejected > 1000);
}

TEST_CASE("a duplicate answered in place is the original answer, marked", "[outcome_ref]") {
  Engine engine(test::three_slot_schedule(1, 1, 1));
  Request walk_in{.type = OpType::kAllocate};
  walk_in.request_id = test::rid("kiosk-1");
  walk_in.doctor_id = test::doc("D1");
  walk_in.source = Source::kWalkIn;
  const std::string first = describe(engine.apply_in_place(walk_in).result);
  Request paid = walk_in;
  paid.request_id = test::rid("kiosk-2");
  paid.source = Source::kPaid;
  paid.slot_id = test::slot("S1");
  const OutcomeRef& displaced = engine.apply_in_place(paid);
  CHECK(displaced.result.status == Status::kReallocated);
  CHECK(displaced.result.removed_token == "T1");
  CHECK(displaced.result.moved_to == "S2");
  const OutcomeRef& again = engine.apply_in_place(walk_in);
  CHECK(again.result.duplicate);
  CHECK(again.events.empty());
  std::string replayed = describe(again.result);
  replayed.replace(replayed.find("duplicate=1"), 11, "duplicate=0");
  CHECK(replayed == first);
}

TEST_CASE("refs of values view every field, absent ones empty", "[outcome_ref]") {
  Result r;
  r.type = OpType::kAllocate;
  r.status = Status::kReallocated;
  r.request_id = test::rid("q1");
  r.token_id = test::tok("T9");
  r.token_number = 9;
  r.source = Source::kPaid;
  r.doctor_id = test::doc("D1");
  r.slot_id = test::slot("S1");
  r.removed_token = test::tok("T3");
  r.moved_to = Destination{};
  r.ahead = 2;
  const ResultRef ref = ref_of(r);
  CHECK(ref.request_id == "q1");
  CHECK(ref.token_id == "T9");
  CHECK(ref.removed_token == "T3");
  CHECK(ref.moved_to == kWaitlistName);
  CHECK(ref.alternative_slot.empty());
  CHECK(ref.reason.empty());
  CHECK(ref.ahead == 2u);
  CHECK_FALSE(ref.capacity);
  CHECK(ref.day_opened == nullptr);
  r.moved_to = Destination{test::slot("S2")};
  CHECK(ref_of(r).moved_to == "S2");
  r.moved_to.reset();
  CHECK(ref_of(r).moved_to.empty());
  r.status = Status::kDayOpened;
  r.date = test::day("2026-03-02");
  CHECK(ref_of(r).day_opened == &r);

  BoardEvent e;
  e.kind = EventKind::kMoved;
  e.doctor_id = test::doc("D1");
  e.version = 7;
  e.to_slot = test::slot("S2");
  const EventRef event = ref_of(e);
  CHECK(event.doctor_id == "D1");
  CHECK(event.version == 7u);
  CHECK(event.token_id.empty());
  CHECK(event.from_slot.empty());  // MOVED from the waitlist
  CHECK(event.to_slot == "S2");
}

}  // namespace
}  // namespace opd
