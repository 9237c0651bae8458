// opd-producer send against a real worker: its JSON output, the original
// API's three outcomes, idempotent resends, JSON Lines on stdin, and the
// exit codes 0/1/2/3 (3 also against no worker at all).
#include <catch2/catch.hpp>

#include "fixture.h"

namespace opd::tools::test {
namespace {

using nlohmann::json;

json one_result(const RunResult& r) {
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  const auto lines = json_lines(r.out);
  REQUIRE(lines.size() == 1);
  return lines[0];
}

}  // namespace

TEST_CASE("send: one request from flags, printed as one JSON line in the worker's key order", "[producer][send]") {
  TempDir dir;
  Worker worker(dir, {"--schedule", write_small_schedule(dir)});
  const RunResult r = producer(worker, {"send", "--doctor", "D1", "--slot", "D1-0900", "--source", "ONLINE",
                                        "--patient", "P-17", "--request-id", "kiosk-1", "--client-id", "kiosk"});
  CHECK(r.exit_code == 0);
  const json result = one_result(r);
  CHECK(result["status"] == "ALLOCATED");
  CHECK(result["request_id"] == "kiosk-1");
  CHECK(result["type"] == "allocate");
  CHECK(result["doctor_id"] == "D1");
  CHECK(result["slot_id"] == "D1-0900");
  CHECK(result["source"] == "ONLINE");
  CHECK(result["priority"] == 3);
  CHECK(result["token_number"] == 1);
  CHECK(result["ahead"] == 0);
  CHECK(result["duplicate"] == false);
  CHECK(result["token_id"].is_string());
  CHECK(result["seq"].get<std::uint64_t>() >= 1);
  // The worker's order: seq, request_id, type, status first.
  CHECK_THAT(r.out, Catch::StartsWith("{\"seq\":"));
  CHECK(r.out.find("\"request_id\"") < r.out.find("\"status\""));
  CHECK(r.err.empty());

  // The token is really there.
  const json token = query(worker, "token", {"--token", result["token_id"].get<std::string>()});
  CHECK(token["state"] == "WAITING");
  CHECK(token["slot_id"] == "D1-0900");
}

TEST_CASE("send: the original API's three outcomes, and exit 1 for a rejection", "[producer][send]") {
  TempDir dir;
  Worker worker(dir, {"--schedule", write_small_schedule(dir)});
  // D2-0900 has one seat.
  const RunResult first = producer(worker, {"send", "--doctor", "D2", "--slot", "D2-0900", "--source", "WALK_IN"});
  CHECK(first.exit_code == 0);
  const json walk_in = one_result(first);
  CHECK(walk_in["status"] == "ALLOCATED");

  const RunResult second = producer(worker, {"send", "--doctor", "D2", "--slot", "D2-0900", "--source", "EMERGENCY"});
  CHECK(second.exit_code == 0);
  const json emergency = one_result(second);
  CHECK(emergency["status"] == "REALLOCATED");
  CHECK(emergency["removed_token"] == walk_in["token_id"]);
  CHECK(emergency["moved_to"] == "WAITLIST");  // D2 has no later slot

  const RunResult third = producer(worker, {"send", "--doctor", "D2", "--slot", "D2-0900", "--source", "PAID"});
  CHECK(third.exit_code == 1);
  const json paid = one_result(third);
  CHECK(paid["status"] == "REJECTED");
  CHECK(paid["reason"] == "Lower priority");
  CHECK(paid["code"] == "LOWER_PRIORITY");
}

TEST_CASE("send: resending a request_id returns the original result marked duplicate", "[producer][send]") {
  TempDir dir;
  Worker worker(dir, {"--schedule", write_small_schedule(dir)});
  const std::vector<std::string> args{"send", "--doctor", "D1", "--source", "PAID", "--request-id", "same-1"};
  const json original = one_result(producer(worker, args));
  const RunResult again = producer(worker, args);
  CHECK(again.exit_code == 0);
  const json replay = one_result(again);
  CHECK(original["duplicate"] == false);
  CHECK(replay["duplicate"] == true);
  CHECK(replay["token_id"] == original["token_id"]);
  CHECK(replay["seq"].get<std::uint64_t>() > original["seq"].get<std::uint64_t>());
  CHECK(query(worker, "stats")["duplicates"] == 1);
}

TEST_CASE("send: JSON Lines on stdin, one result line per request, in order", "[producer][send]") {
  TempDir dir;
  Worker worker(dir, {"--schedule", write_small_schedule(dir)});
  const std::string input =
      "{\"doctor_id\":\"D1\",\"slot_id\":\"D1-0900\",\"source\":\"FOLLOWUP\"}\n"
      "\n"
      "{\"type\":\"call_next\",\"doctor_id\":\"D1\",\"request_id\":\"desk-call\"}\n"
      "{\"type\":\"complete\",\"token_id\":\"no-such-token\"}\n"
      "{\"type\":\"allocate\",\"doctor_id\":\"D1\",\"source\":\"WALK_IN\",\"capacity\":2.5}\n";
  const RunResult r = producer(worker, {"send", "--client-id", "desk"}, input);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);  // two of them are rejected
  const auto results = json_lines(r.out);
  REQUIRE(results.size() == 4);
  CHECK(results[0]["status"] == "ALLOCATED");
  CHECK(results[0]["source"] == "FOLLOW_UP");
  CHECK(results[0]["request_id"] == "desk-1");  // generated: <client id>-<line>
  CHECK(results[1]["status"] == "CALLED");
  CHECK(results[1]["request_id"] == "desk-call");
  CHECK(results[2]["request_id"] == "desk-3");
  CHECK(results[1]["token_id"] == results[0]["token_id"]);
  CHECK(results[2]["code"] == "UNKNOWN_TOKEN");
  CHECK(results[3]["code"] == "BAD_REQUEST");
  CHECK_THAT(results[3]["reason"].get<std::string>(), Catch::Contains("capacity"));
  for (std::size_t i = 1; i < results.size(); ++i)
    CHECK(results[i]["seq"].get<std::uint64_t>() > results[i - 1]["seq"].get<std::uint64_t>());
}

TEST_CASE("send: a line that is not a JSON object stops with exit 2 after the lines before it", "[producer][send]") {
  TempDir dir;
  Worker worker(dir, {"--schedule", write_small_schedule(dir)});
  const RunResult r = producer(worker, {"send"}, "{\"doctor_id\":\"D1\",\"source\":\"ONLINE\"}\n[1,2]\n{\"doctor_id\":\"D1\"}\n");
  CHECK(r.exit_code == 2);
  CHECK(json_lines(r.out).size() == 1);
  CHECK_THAT(r.err, Catch::Contains("stdin line 2 is not a JSON object"));
  CHECK(query(worker, "stats")["received"] == 1);
}

TEST_CASE("send: usage errors exit 2, --help exits 0", "[producer][send][cli]") {
  const RunResult unknown = run({kProducerBin, "send", "--doctr", "D1"}, kToolDeadline);
  CHECK(unknown.exit_code == 2);
  CHECK_THAT(unknown.err, Catch::Contains("unknown option '--doctr'"));
  CHECK_THAT(unknown.err, Catch::Contains("Try 'opd-producer send --help'"));
  const RunResult bad_number = run({kProducerBin, "send", "--capacity", "ten"}, kToolDeadline);
  CHECK(bad_number.exit_code == 2);
  const RunResult bad_id = run({kProducerBin, "send", "--client-id", "a/b", "--doctor", "D1"}, kToolDeadline);
  CHECK(bad_id.exit_code == 2);
  const RunResult bad_endpoint = run({kProducerBin, "send", "--doctor", "D1", "--requests", "nowhere"}, kToolDeadline);
  CHECK(bad_endpoint.exit_code == 2);
  CHECK_THAT(bad_endpoint.err, Catch::Contains("cannot connect to 'nowhere'"));
  const RunResult nothing = run({kProducerBin, "send"}, kToolDeadline, "");
  CHECK(nothing.exit_code == 2);

  for (const std::string command : {"send", "simulate", "load", "query", "relay"}) {
    const RunResult help = run({kProducerBin, command, "--help"}, kToolDeadline);
    INFO(command);
    CHECK(help.exit_code == 0);
    CHECK_THAT(help.out, Catch::StartsWith("Usage: opd-producer " + command));
  }
  const RunResult top = run({kProducerBin, "--help"}, kToolDeadline);
  CHECK(top.exit_code == 0);
  CHECK_THAT(top.out, Catch::Contains("simulate"));
  CHECK(run({kProducerBin}, kToolDeadline).exit_code == 2);
  CHECK(run({kProducerBin, "frobnicate"}, kToolDeadline).exit_code == 2);
  const RunResult display = run({kDisplayBin, "--help"}, kToolDeadline);
  CHECK(display.exit_code == 0);
  CHECK_THAT(display.out, Catch::StartsWith("Usage: opd-display"));
  CHECK(run({kDisplayBin, "--plain", "--json"}, kToolDeadline).exit_code == 2);
}

TEST_CASE("send: no worker means exit 3 after the bounded resends", "[producer][send]") {
  TempDir dir;
  const RunResult r =
      run({kProducerBin, "send", "--doctor", "D1", "--source", "ONLINE", "--timeout", "300", "--retries", "2",
           "--requests", "ipc://" + dir.file("r"), "--events", "ipc://" + dir.file("e"), "--queries",
           "ipc://" + dir.file("q")},
          kToolDeadline);
  CHECK(r.exit_code == 3);
  CHECK(r.out.empty());
  CHECK_THAT(r.err, Catch::Contains("no result for request_id"));
  CHECK_THAT(r.err, Catch::Contains("after 3 attempt(s) of 300 ms"));
  CHECK(r.elapsed >= 900ms);
  CHECK(r.elapsed < 20s);

  const RunResult q = run({kProducerBin, "query", "health", "--timeout", "200", "--retries", "0", "--queries",
                           "ipc://" + dir.file("q")},
                          kToolDeadline);
  CHECK(q.exit_code == 3);
}

TEST_CASE("send: a worker that starts late is reached by a resend, applied once", "[producer][send]") {
  TempDir dir;
  const std::string schedule = write_small_schedule(dir);
  // The worker's endpoints, known before it runs.
  const std::vector<std::string> endpoints{"--requests", "ipc://" + dir.file("requests"), "--events",
                                           "ipc://" + dir.file("events"), "--queries", "ipc://" + dir.file("queries")};
  std::vector<std::string> argv{kProducerBin, "send",    "--doctor",  "D1",  "--source", "ONLINE",
                                "--timeout",  "400",     "--retries", "40"};
  argv.insert(argv.end(), endpoints.begin(), endpoints.end());
  Child send(argv, dir.file("send.out"), dir.file("send.err"));
  std::this_thread::sleep_for(1s);
  CHECK(send.running());
  Worker worker(dir, {"--schedule", schedule});
  const auto code = send.wait(30s);
  INFO(read_file(dir.file("send.err")));
  REQUIRE(code.has_value());
  CHECK(*code == 0);
  const auto results = json_lines(read_file(dir.file("send.out")));
  REQUIRE(results.size() == 1);
  CHECK(results[0]["status"] == "ALLOCATED");
  // However many copies reached the worker, one token exists.
  CHECK(query(worker, "token", {"--token", results[0]["token_id"].get<std::string>()})["state"] == "WAITING");
  CHECK(query(worker, "snapshot", {"--doctor", "D1"})["version"] == 1);
}

}  // namespace opd::tools::test
