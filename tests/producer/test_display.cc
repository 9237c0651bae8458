// opd-display against a real worker: whether it starts before or after the
// events, loses events while stopped (a forced gap), or sees the worker
// restart, it ends with exactly the board the snapshot query returns.
#include <signal.h>

#include <set>

#include <catch2/catch.hpp>

#include "fixture.h"

namespace opd::tools::test {
namespace {

using nlohmann::json;

json send(const Worker& worker, std::vector<std::string> args) {
  args.insert(args.begin(), "send");
  const RunResult r = producer(worker, args);
  INFO("send: " << r.out << r.err);
  REQUIRE(r.exit_code <= 1);
  const auto lines = json_lines(r.out);
  REQUIRE(lines.size() == 1);
  return lines[0];
}

std::string token_of(const json& result) { return result["token_id"].get<std::string>(); }

// Drives D1 of the small schedule through every kind of board event:
// ALLOCATED, MOVED (preemption, from the waitlist, a capacity raise),
// WAITLISTED (preemption, a capacity cut), CANCELLED, CALLED, COMPLETED,
// NO_SHOW, SLOT_UPDATED.
void busy_morning(const Worker& w) {
  const json t1 = send(w, {"--doctor", "D1", "--slot", "D1-0900", "--source", "WALK_IN"});
  send(w, {"--doctor", "D1", "--slot", "D1-0900", "--source", "WALK_IN"});
  const json t3 = send(w, {"--doctor", "D1", "--slot", "D1-0900", "--source", "EMERGENCY"});
  INFO(t3.dump() << "\nworker log: " << w.log());
  REQUIRE(t3["status"] == "REALLOCATED");  // #2 moved to D1-1000
  const json t4 = send(w, {"--doctor", "D1", "--slot", "D1-1000", "--source", "ONLINE"});
  const json t5 = send(w, {"--doctor", "D1", "--slot", "D1-0900", "--source", "PAID"});
  REQUIRE(t5["moved_to"] == "WAITLIST");  // #1 had nowhere to go
  send(w, {"--type", "cancel", "--token", token_of(t4)});  // #1 leaves the waitlist
  send(w, {"--type", "call_next", "--doctor", "D1"});
  send(w, {"--type", "complete", "--token", token_of(t3)});
  const json called = send(w, {"--type", "call_next", "--doctor", "D1"});
  send(w, {"--type", "no_show", "--token", token_of(called)});
  send(w, {"--type", "set_capacity", "--doctor", "D1", "--slot", "D1-1000", "--capacity", "1"});
  send(w, {"--type", "set_capacity", "--doctor", "D1", "--slot", "D1-1000", "--capacity", "3"});
  send(w, {"--doctor", "D1", "--source", "FOLLOW_UP"});
  send(w, {"--type", "call_next", "--doctor", "D1"});
  (void)t1;
}

class Display {
 public:
  Display(const Worker& worker, const TempDir& dir, const std::string& name, std::vector<std::string> extra)
      : out_(dir.file(name + ".out")), err_(dir.file(name + ".err")) {
    std::vector<std::string> argv{kDisplayBin};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.insert(argv.end(), worker.endpoints().begin(), worker.endpoints().end());
    child_ = std::make_unique<Child>(argv, out_, err_);
  }

  [[nodiscard]] std::vector<json> lines() const {
    std::vector<json> parsed;
    for (const auto& line : read_lines(out_))
      if (json::accept(line)) parsed.push_back(json::parse(line));
    return parsed;
  }

  // The last board the display printed for `doctor`, without seq.
  [[nodiscard]] std::optional<json> last_board(const std::string& doctor) const {
    std::optional<json> board;
    for (const auto& line : lines())
      if (line["kind"] == "board" && line["board"]["doctor_id"] == doctor) board = line["board"];
    if (board) board->erase("seq");
    return board;
  }

  [[nodiscard]] bool printed(const std::string& kind, const std::string& contains = "") const {
    for (const auto& line : lines())
      if (line["kind"] == kind && line.dump().find(contains) != std::string::npos) return true;
    return false;
  }

  // Waits until the display shows `expected`; reports both when it does not.
  void converges_to(const json& expected, const std::string& doctor) const {
    const bool same = eventually([&] { return last_board(doctor) == expected; }, 30s);
    INFO("display: " << last_board(doctor).value_or(json()).dump() << "\nworker:  " << expected.dump()
                     << "\ndisplay stderr: " << read_file(err_));
    CHECK(same);
  }

  Child& child() { return *child_; }
  [[nodiscard]] std::string err() const { return read_file(err_); }
  [[nodiscard]] std::string out() const { return read_file(out_); }

 private:
  std::string out_;
  std::string err_;
  std::unique_ptr<Child> child_;
};

}  // namespace

TEST_CASE("display: started before the events, it ends with the snapshot's board", "[producer][display]") {
  TempDir dir;
  Worker worker(dir, {"--schedule", write_small_schedule(dir)});
  Display display(worker, dir, "display", {"--json", "--doctor", "D1"});
  display.converges_to(board_of(worker, "D1"), "D1");  // the initial, empty board

  busy_morning(worker);
  const json expected = board_of(worker, "D1");
  CHECK(expected["version"].get<int>() > 15);
  display.converges_to(expected, "D1");
  CHECK(display.child().stop() == 0);
  CHECK(display.last_board("D1") == expected);
  // It followed the events one by one: a board line per version.
  std::set<std::uint64_t> versions;
  for (const auto& line : display.lines())
    if (line["kind"] == "board") versions.insert(line["board"]["version"].get<std::uint64_t>());
  CHECK(versions.size() == expected["version"].get<std::size_t>() + 1);
  CHECK_FALSE(display.printed("resync"));
}

TEST_CASE("display: started after the events, it shows the snapshot's board", "[producer][display]") {
  TempDir dir;
  Worker worker(dir, {"--schedule", write_small_schedule(dir)});
  busy_morning(worker);
  const json expected = board_of(worker, "D1");
  Display display(worker, dir, "display", {"--json", "--doctor", "D1,D2"});
  display.converges_to(expected, "D1");
  display.converges_to(board_of(worker, "D2"), "D2");
  CHECK(display.child().stop() == 0);
  CHECK(display.last_board("D1") == expected);
}

TEST_CASE("display: --plain prints one readable line per change", "[producer][display]") {
  TempDir dir;
  Worker worker(dir, {"--schedule", write_small_schedule(dir)});
  Display display(worker, dir, "display", {"--plain", "--doctor", "D1"});
  REQUIRE(eventually([&] { return display.out().find("D1 v0") != std::string::npos; }, 30s));
  send(worker, {"--doctor", "D1", "--slot", "D1-0900", "--source", "WALK_IN"});
  send(worker, {"--doctor", "D1", "--slot", "D1-0900", "--source", "PAID"});
  send(worker, {"--type", "call_next", "--doctor", "D1"});
  const std::string last = "D1 v3 serving #2 | D1-0900 cap 2: #2* #1 | D1-1000 cap 2: - | waitlist: -";
  const bool shown = eventually([&] { return display.out().find(last) != std::string::npos; }, 30s);
  INFO(display.out());
  CHECK(shown);
  CHECK(display.child().stop() == 0);
  const auto lines = read_lines(dir.file("display.out"));
  REQUIRE(lines.size() == 4);  // v0 .. v3
  CHECK_THAT(lines[0], Catch::Matches(R"(\d\d:\d\d:\d\d D1 v0 serving - \| D1-0900 cap 2: - \| D1-1000 cap 2: - \| waitlist: -)"));
  CHECK_THAT(lines[3], Catch::EndsWith(last));
}

TEST_CASE("display: events lost while it was stopped are recovered by a new snapshot", "[producer][display]") {
  TempDir dir;
  // Small high-water marks on both sides, so the burst below overflows them.
  Worker worker(dir, {"--sndhwm", "50"});
  const std::vector<std::string> load{"load", "--doctors", "1", "--slots", "4", "--capacity", "20",
                                      "--doctor-prefix", "GAP", "--no-progress", "--drain", "2"};
  std::vector<std::string> setup = load;
  setup.insert(setup.end(), {"--count", "20", "--rate", "1000"});
  REQUIRE(producer(worker, setup).exit_code == 0);

  Display display(worker, dir, "display", {"--json", "--doctor", "GAP-D1", "--rcvhwm", "10"});
  display.converges_to(board_of(worker, "GAP-D1"), "GAP-D1");

  display.child().signal(SIGSTOP);
  std::vector<std::string> burst = load;
  // Capacity changes only go up and down freely while nobody was called.
  burst.insert(burst.end(), {"--count", "20000", "--rate", "unlimited", "--mix", "set_capacity=70,allocate=30"});
  const RunResult flood = producer(worker, burst);  // its own results may be dropped too: not checked
  INFO("load: " << flood.out << flood.err);
  display.child().signal(SIGCONT);
  // One more change after the loss, as a waiting room would see next.
  send(worker, {"--type", "set_capacity", "--doctor", "GAP-D1", "--slot", "GAP-D1-S1", "--capacity", "25"});

  const json expected = board_of(worker, "GAP-D1");
  CHECK(expected["version"].get<int>() > 1000);
  display.converges_to(expected, "GAP-D1");
  // It noticed the loss (a skipped version, or the heartbeat showing it behind).
  const bool resynced = display.printed("resync", "gap:") || display.printed("resync", "behind:");
  INFO(display.out().substr(0, 4000));
  CHECK(resynced);
  CHECK(display.child().stop() == 0);
  CHECK(display.last_board("GAP-D1") == expected);
}

TEST_CASE("display: shows the connection lost, then follows a restarted worker", "[producer][display]") {
  TempDir dir;
  const std::string schedule = write_small_schedule(dir);
  Worker worker(dir, {"--schedule", schedule});
  send(worker, {"--doctor", "D1", "--source", "ONLINE"});
  send(worker, {"--doctor", "D1", "--source", "ONLINE"});
  Display display(worker, dir, "display", {"--json", "--doctor", "D1", "--stale-after", "1"});
  const json before = board_of(worker, "D1");
  display.converges_to(before, "D1");
  // Its first heartbeat: it now knows this worker's start id.
  REQUIRE(eventually([&] { return display.printed("connection", "live"); }, 30s));

  CHECK(worker.stop() == 0);
  CHECK(eventually([&] { return display.printed("connection", "lost"); }, 30s));
  CHECK(display.child().running());

  // A new process (new start id) that recovers the same day from its data dir.
  worker.start();
  CHECK(eventually([&] { return display.printed("restart"); }, 30s));
  const auto lives = [&] {
    int n = 0;
    for (const auto& line : display.lines()) n += line["kind"] == "connection" && line["state"] == "live";
    return n;
  };
  CHECK(eventually([&] { return lives() == 2; }, 30s));  // connected, then restored
  const json recovered = board_of(worker, "D1");
  CHECK(recovered == before);
  display.converges_to(recovered, "D1");

  send(worker, {"--doctor", "D1", "--source", "PAID"});
  const json after = board_of(worker, "D1");
  CHECK(after["version"] == before["version"].get<int>() + 1);
  display.converges_to(after, "D1");
  CHECK_FALSE(display.printed("resync"));  // the restart was followed, nothing was missed
  CHECK(display.child().stop() == 0);
}

}  // namespace opd::tools::test
