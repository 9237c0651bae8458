// The tools' reading of the wire, checked against the real thing: the core
// Engine decides, the worker's encoder (worker/src/encode.cc) writes the
// bytes, and the tools' decoders must give back exactly what was encoded;
// the display's board replay must reproduce every snapshot.
#include <map>
#include <set>

#include <catch2/catch.hpp>

#include "opd/worker/encode.h"
#include "producer/tools/board.h"
#include "producer/tools/msgpack_lite.h"
#include "producer/tools/wire.h"
#include "random_day.h"

namespace opd::tools::test {
namespace {

json decode(const worker::ByteBuffer& bytes) {
  auto value = from_msgpack(bytes.view().data(), bytes.size());
  REQUIRE(value.has_value());
  return *value;
}

json snapshot_json(const Engine& engine, const DoctorId& doctor, std::uint64_t seq) {
  worker::ByteBuffer bytes;
  worker::encode_snapshot(bytes, seq, *engine.board(doctor));
  return decode(bytes);
}

json without_seq(json board) {
  board.erase("seq");
  return board;
}

}  // namespace

TEST_CASE("wire: results, events and day reports read back exactly as the worker encodes them", "[producer][wire]") {
  Engine engine(small_random_schedule());
  RandomDay day(11);
  std::map<std::string, int> statuses;
  for (std::uint64_t seq = 1; seq <= 4000; ++seq) {
    const Request request = day.next(engine);
    const Outcome outcome = engine.apply(request);
    day.note(outcome.result);
    ++statuses[std::string(to_string(outcome.result.status))];

    worker::ByteBuffer bytes;
    worker::encode_result(bytes, seq, outcome.result);
    std::string error;
    const auto result = result_from_json(decode(bytes), &error);
    INFO("seq " << seq << ": " << decode(bytes).dump() << " " << error);
    REQUIRE(result.has_value());
    CHECK(*result == outcome.result);

    // The load generator's scanner reads the same bytes without allocating.
    mp::ResultFields fields;
    REQUIRE(mp::scan_result(bytes.view().data(), bytes.size(), fields));
    CHECK(fields.request_id == outcome.result.request_id.view());
    CHECK(fields.status == to_string(outcome.result.status));
    CHECK(fields.seq == seq);
    CHECK(fields.token_id == (outcome.result.token_id ? outcome.result.token_id->view() : std::string_view()));

    for (const auto& event : outcome.events) {
      worker::ByteBuffer e;
      worker::encode_event(e, seq, event);
      const auto back = event_from_json(decode(e), &error);
      INFO(decode(e).dump() << " " << error);
      REQUIRE(back.has_value());
      CHECK(*back == event);
    }
  }
  // The day's report: the shape of DAY_OPENED's and of the report query's.
  worker::ByteBuffer bytes;
  worker::encode_report(bytes, 1, engine.totals());
  std::string error;
  const auto report = report_from_json(decode(bytes)["report"], &error);
  REQUIRE(report.has_value());
  CHECK(*report == engine.totals());
  // The stream covered every outcome.
  for (const char* status : {"ALLOCATED", "REALLOCATED", "REJECTED", "CANCELLED", "CALLED", "COMPLETED", "NO_SHOW",
                             "UPDATED", "DAY_OPENED"})
    CHECK(statuses[status] > 0);
}

TEST_CASE("board replay: snapshot + events reproduce every later snapshot", "[producer][display]") {
  for (const std::uint64_t seed : {1u, 2u, 3u}) {
    Engine engine(small_random_schedule());
    RandomDay day(seed);
    std::map<std::string, BoardView> views;
    for (const auto& doctor : engine.doctors())
      views[doctor.str()] = *board_from_snapshot(snapshot_json(engine, doctor, 0), nullptr);
    std::map<std::string, int> resyncs;
    std::uint64_t applied = 0;
    for (std::uint64_t seq = 1; seq <= 3000; ++seq) {
      const Outcome outcome = engine.apply(day.next(engine));
      day.note(outcome.result);
      std::set<std::string> touched;  // only their views can have changed
      for (const auto& event : outcome.events) {
        touched.insert(event.doctor_id.str());
        const std::string& doctor = event.doctor_id.str();
        auto it = views.find(doctor);
        if (it == views.end()) {
          // A doctor created just now: the display's first snapshot is
          // taken after the request, so this request's events are stale.
          it = views.emplace(doctor, *board_from_snapshot(snapshot_json(engine, event.doctor_id, seq), nullptr)).first;
        }
        worker::ByteBuffer bytes;
        worker::encode_event(bytes, seq, event);
        std::string why;
        const ApplyResult r = apply_event(it->second, decode(bytes), &why);
        INFO("seed " << seed << " seq " << seq << " " << decode(bytes).dump() << ": " << why);
        REQUIRE(r != ApplyResult::kGap);
        if (r == ApplyResult::kApplied) ++applied;
        if (r == ApplyResult::kResync) {
          ++resyncs[why.substr(0, why.find(' '))];
          it->second = *board_from_snapshot(snapshot_json(engine, event.doctor_id, seq), nullptr);
        }
      }
      for (const auto& doctor : touched) {
        const BoardView& view = views.at(doctor);
        const json expected = without_seq(snapshot_json(engine, DoctorId::from_trusted(doctor), seq));
        const json shown = without_seq(board_to_json(view));
        INFO("seed " << seed << " seq " << seq << " doctor " << doctor);
        REQUIRE(shown == expected);
      }
    }
    // Nearly everything was applied locally; snapshots only for new days
    // and new slots.
    INFO("resyncs by reason: " << json(resyncs).dump());
    CHECK(applied > 1000);
    for (const auto& [reason, n] : resyncs) CHECK((reason == "a" || reason == "slot"));
  }
}

TEST_CASE("board replay: stale events are dropped, a skipped version is a gap", "[producer][display]") {
  Engine engine(small_random_schedule());
  const DoctorId d1 = DoctorId::from_trusted("D1");
  BoardView view = *board_from_snapshot(snapshot_json(engine, d1, 0), nullptr);
  std::vector<json> events;
  for (int i = 0; i < 3; ++i) {
    Request r;
    r.request_id = RequestId::from_trusted("a" + std::to_string(i));
    r.doctor_id = d1;
    r.source = Source::kOnline;
    for (const auto& e : engine.apply(r).events) {
      worker::ByteBuffer bytes;
      worker::encode_event(bytes, static_cast<std::uint64_t>(i + 1), e);
      events.push_back(decode(bytes));
    }
  }
  REQUIRE(events.size() == 3);
  std::string why;
  CHECK(apply_event(view, events[0], &why) == ApplyResult::kApplied);
  CHECK(apply_event(view, events[0], &why) == ApplyResult::kStale);
  CHECK(apply_event(view, events[2], &why) == ApplyResult::kGap);
  CHECK(why == "gap: board at v1, event v3");
  CHECK(view.version == 1);
  CHECK(apply_event(view, events[1], &why) == ApplyResult::kApplied);
  CHECK(apply_event(view, events[2], &why) == ApplyResult::kApplied);
  CHECK(without_seq(board_to_json(view)) == without_seq(snapshot_json(engine, d1, 3)));
}

}  // namespace opd::tools::test
