// The journal keeps each request's role: after a restart, replay rejects
// exactly what was rejected live, whatever the authorised-keys file says
// by then.
#include <catch2/catch.hpp>

#include "secure_fixture.h"

using namespace opd::worker::test;
using opd::worker::FsyncMode;
using opd::worker::PersistenceConfig;

namespace {

opd::Schedule one_doctor() {
  return make_schedule({{"D1", {{"S1", 5, "09:00", "10:00"}, {"S2", 5, "10:00", "11:00"}}}});
}

struct Session {
  RunningWorker& worker;
  const KeyRing& keys;
  Subscriber results{worker.context(), worker.endpoints().events, {"result/"}};

  View send(const opd::worker::security::CurveKeyPair& key, const Body& body, const std::string& id) {
    SecurePusher pusher(worker.context(), worker.endpoints().requests, std::pair{keys.server.public_key, key});
    pusher.send(body);
    auto result = result_for(results, id);
    REQUIRE(result.has_value());
    return *result;
  }
  // The board and the day, as text to compare; S2's capacity.
  std::pair<std::string, std::uint64_t> snapshot() {
    SecureQuerier reader(worker.context(), worker.endpoints().queries, std::pair{keys.server.public_key, keys.admin});
    auto board = reader.ask(Body().set("type", "snapshot").set("doctor_id", "D1"));
    REQUIRE(board.has_value());
    auto health = reader.ask(Body().set("type", "health"));
    REQUIRE(health.has_value());
    REQUIRE(health->is_nil("date"));  // no open_day went through
    return {board->dump(), (*board)["slots"].at(1).u64("capacity")};
  }
};

Body capacity(const std::string& id, const std::string& slot, int value) {
  return request("set_capacity", id, "c").set("doctor_id", "D1").set("slot_id", slot).set("capacity", value);
}

}  // namespace

TEST_CASE("replay reproduces FORBIDDEN from the recorded role, not today's keys", "[security][journal]") {
  KeyRing keys;
  TempDir data;
  opd::worker::ServiceConfig config = secured_config(keys);
  config.persistence = PersistenceConfig{.data_dir = data.path() + "/data", .fsync = FsyncMode::kAlways};

  std::pair<std::string, std::uint64_t> before;
  {
    RunningWorker worker(one_doctor(), config);
    Session s{worker, keys};
    CHECK(s.send(keys.kiosk, request("allocate", "a1", "c").set("doctor_id", "D1").set("source", "PAID"), "a1")
              .str("status") == "ALLOCATED");
    CHECK(s.send(keys.kiosk, capacity("k-cap", "S2", 9), "k-cap").str("code") == "FORBIDDEN");
    CHECK(s.send(keys.admin, capacity("a-cap", "S1", 6), "a-cap").str("status") == "UPDATED");
    CHECK(s.send(keys.desk, request("open_day", "d-day", "c").set("date", "2030-01-02"), "d-day").str("code") ==
          "FORBIDDEN");
    before = s.snapshot();
    worker.stop();
  }

  // Everyone is an admin now. The journal still says who they were.
  keys.write_authorized({KeyRing::line(keys.kiosk, "admin"), KeyRing::line(keys.desk, "admin"),
                         KeyRing::line(keys.admin, "admin")});
  RunningWorker worker(one_doctor(), config);
  Session s{worker, keys};
  const auto after = s.snapshot();
  CHECK(after.first == before.first);
  CHECK(before.second == 5);
  CHECK(after.second == 5);

  // New requests are judged by the new file: the former kiosk may now.
  CHECK(s.send(keys.kiosk, capacity("k-cap-2", "S2", 9), "k-cap-2").str("status") == "UPDATED");
}
