// The producer tools against a worker with CURVE on: --server-key and
// --client-key let a listed client in; without them the tool times out
// (exit 3), and one without the other is a usage error (exit 2).
#include <catch2/catch.hpp>

#include "secure_fixture.h"

namespace opd::worker::test {
namespace {

const std::string kProducer = OPD_PRODUCER_BINARY;

Schedule clinic() { return make_schedule({{"D1", {{"S1", 3, "09:00", "10:00"}}}}); }

}  // namespace

TEST_CASE("opd-producer send with CURVE keys", "[security][tools]") {
  KeyRing keys;
  RunningWorker worker(clinic(), secured_config(keys));
  const std::string server_pub = keys.dir() + "/server.pub";
  const std::string kiosk_key = keys.dir() + "/kiosk.key";
  REQUIRE(security::write_key_file(server_pub, keys.server.public_key, security::KeyKind::kPublic, true).empty());
  REQUIRE(security::write_key_file(kiosk_key, keys.kiosk.secret_key, security::KeyKind::kSecret, true).empty());
  const std::vector<std::string> base{kProducer, "send", "--requests", worker.endpoints().requests,
                                      "--events", worker.endpoints().events, "--queries", worker.endpoints().queries,
                                      "--doctor", "D1", "--slot", "S1", "--source", "WALK_IN",
                                      "--timeout", "1000", "--retries", "1"};

  SECTION("a listed kiosk key books a token") {
    auto argv = base;
    argv.insert(argv.end(), {"--server-key", server_pub, "--client-key", kiosk_key});
    const auto run = run_process(argv, 20s);
    INFO(run.out << run.err);
    CHECK(run.exit_code == 0);
    CHECK_THAT(run.out, Catch::Contains("\"status\":\"ALLOCATED\""));
  }
  SECTION("the kiosk key may not call patients: FORBIDDEN, exit 1") {
    const auto run = run_process({kProducer, "send", "--requests", worker.endpoints().requests, "--events",
                                  worker.endpoints().events, "--queries", worker.endpoints().queries, "--type",
                                  "call_next", "--doctor", "D1", "--server-key", server_pub, "--client-key",
                                  kiosk_key, "--timeout", "1000"},
                                 20s);
    INFO(run.out << run.err);
    CHECK(run.exit_code == 1);
    CHECK_THAT(run.out, Catch::Contains("FORBIDDEN"));
  }
  SECTION("without keys the worker never answers: exit 3") {
    const auto run = run_process(base, 20s);
    INFO(run.out << run.err);
    CHECK(run.exit_code == 3);
  }
  SECTION("a server key without a client key is a usage error") {
    auto argv = base;
    argv.insert(argv.end(), {"--server-key", server_pub});
    const auto run = run_process(argv, 20s);
    INFO(run.out << run.err);
    CHECK(run.exit_code == 2);
    CHECK_THAT(run.err, Catch::Contains("--server-key and --client-key go together"));
  }
}

}  // namespace opd::worker::test
