// The worker with CURVE on, over real tcp sockets on 127.0.0.1: who can
// connect, and what each role may do. The PUB socket stays plaintext, so
// the tests read results with an ordinary subscriber.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <spdlog/sinks/ringbuffer_sink.h>

#include <chrono>
#include <thread>

#include "secure_fixture.h"

using namespace opd::worker::test;
using opd::worker::security::CurveKeyPair;
using opd::worker::security::generate_key_pair;

namespace {

opd::Schedule one_doctor() {
  return make_schedule({{"D1", {{"S1", 5, "09:00", "10:00"}, {"S2", 5, "10:00", "11:00"}}}});
}

// A worker with CURVE and clients for it.
struct SecuredWorker {
  KeyRing keys;
  RunningWorker worker{one_doctor(), secured_config(keys)};

  std::pair<CurveKey, CurveKeyPair> as(const CurveKeyPair& client) const { return {keys.server.public_key, client}; }
  SecurePusher pusher(const CurveKeyPair& client) { return {worker.context(), worker.endpoints().requests, as(client)}; }
  SecureQuerier querier(const CurveKeyPair& client) {
    return {worker.context(), worker.endpoints().queries, as(client)};
  }
  Subscriber subscriber() { return {worker.context(), worker.endpoints().events, {"result/", "doctor/"}}; }
  // The worker's last seq, asked with the admin key: how many requests it received.
  std::uint64_t received() {
    auto answer = querier(keys.admin).ask(Body().set("type", "health"));
    REQUIRE(answer.has_value());
    return answer->u64("seq");
  }
};

Body allocate_body(const std::string& request_id, const std::string& client_id) {
  return request("allocate", request_id, client_id).set("doctor_id", "D1").set("source", "WALK_IN");
}

}  // namespace

TEST_CASE("a listed key connects and is answered, and an unlisted key cannot connect", "[security][curve]") {
  SecuredWorker w;
  Subscriber results = w.subscriber();

  SecurePusher kiosk = w.pusher(w.keys.kiosk);
  const auto admitted = kiosk.handshake();
  REQUIRE(admitted.has_value());
  CHECK(admitted->succeeded());
  kiosk.send(allocate_body("k-1", "kiosk-1"));
  const auto result = result_for(results, "k-1");
  REQUIRE(result.has_value());
  CHECK(result->str("status") == "ALLOCATED");

  const CurveKeyPair stranger = generate_key_pair();
  SecurePusher intruder = w.pusher(stranger);
  const auto refused = intruder.handshake();
  REQUIRE(refused.has_value());
  CHECK(refused->event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH);
  CHECK(refused->value == 400);  // the ZAP handler's answer
  (void)intruder.try_send(allocate_body("x-1", "kiosk-1"));
  CHECK_FALSE(result_for(results, "x-1", kRefusedWait).has_value());

  SecureQuerier prying = w.querier(stranger);
  CHECK_FALSE(prying.ask(Body().set("type", "health"), kRefusedWait).has_value());
  const auto prying_handshake = prying.handshake();
  REQUIRE(prying_handshake.has_value());
  CHECK(prying_handshake->event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH);

  // The worker never received the intruder's request: one request, one seq.
  CHECK(w.received() == 1);
}

TEST_CASE("plaintext clients are refused when CURVE is on", "[security][curve]") {
  SecuredWorker w;
  Subscriber results = w.subscriber();

  SecurePusher plain(w.worker.context(), w.worker.endpoints().requests, std::nullopt);
  const auto handshake = plain.handshake();
  REQUIRE(handshake.has_value());
  CHECK(handshake->event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL);
  CHECK(handshake->value == ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH);
  (void)plain.try_send(allocate_body("p-1", "kiosk-1"));
  CHECK_FALSE(result_for(results, "p-1", kRefusedWait).has_value());

  SecureQuerier plain_query(w.worker.context(), w.worker.endpoints().queries, std::nullopt);
  CHECK_FALSE(plain_query.ask(Body().set("type", "health"), kRefusedWait).has_value());

  CHECK(w.received() == 0);
}

TEST_CASE("a plaintext client's failed handshakes are logged, one line a second with a count",
          "[security][curve]") {
  // libzmq drops a client without keys before the ZAP handler hears of
  // it: only the socket monitor sees it.
  KeyRing keys;
  auto sink = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(256);
  auto config = secured_config(keys);
  config.logger = std::make_shared<spdlog::logger>("handshakes", sink);
  RunningWorker worker(one_doctor(), config);
  const auto failure_lines = [&sink] {
    std::vector<std::string> found;
    for (auto& line : sink->last_formatted())
      if (line.find("failed the handshake") != std::string::npos) found.push_back(line);
    return found;
  };
  const auto started = std::chrono::steady_clock::now();
  // Each fails its handshake once. A new one every ~100 ms until a line
  // reports the ones held back: bounded, whatever the machine's speed.
  std::vector<std::unique_ptr<SecurePusher>> clients;
  std::vector<std::string> lines;
  bool counted = false;
  while (!counted && std::chrono::steady_clock::now() < started + 10s) {
    clients.push_back(std::make_unique<SecurePusher>(worker.context(), worker.endpoints().requests, std::nullopt));
    const auto handshake = clients.back()->handshake();
    REQUIRE(handshake.has_value());
    CHECK(handshake->event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL);
    std::this_thread::sleep_for(100ms);
    lines = failure_lines();
    for (const auto& line : lines) counted |= line.find("more in the last second") != std::string::npos;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  REQUIRE_FALSE(lines.empty());
  CHECK_THAT(lines.front(), Catch::Contains("failed the handshake on the requests socket tcp://127.0.0.1:"));
  CHECK_THAT(lines.front(), Catch::Contains("mechanism mismatch (a client without CURVE keys?)"));
  CHECK(counted);
  // The throttle: never more than a line a second, while ~10 clients a
  // second failed.
  CHECK(clients.size() > lines.size());
  CHECK(static_cast<double>(lines.size()) <= seconds + 1);
}

namespace {

// One plaintext ZMTP 3.0 greeting (mechanism NULL) over raw tcp: whether
// the worker's side answered within `wait` (it sends its own greeting at
// once, unless its I/O thread is stuck).
bool greeted(int port, std::chrono::milliseconds wait) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool answered = false;
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0) {
    unsigned char greeting[64] = {0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, 3, 0, 'N', 'U', 'L', 'L'};
    if (::write(fd, greeting, sizeof greeting) == static_cast<ssize_t>(sizeof greeting)) {
      pollfd readable{fd, POLLIN, 0};
      answered = ::poll(&readable, 1, static_cast<int>(wait.count())) > 0;
    }
  }
  ::close(fd);
  return answered;
}

int port_of(const std::string& endpoint) { return std::stoi(endpoint.substr(endpoint.rfind(':') + 1)); }

}  // namespace

TEST_CASE("thousands of failed handshakes between two turns of the loop stall nothing, and it still stops",
          "[security][curve]") {
  // The loop reads the handshake monitors once a turn; a long turn (an
  // fsync, a snapshot) must not let the events block libzmq's I/O thread.
  // Here the loop never turns: the Service is built, not run.
  KeyRing keys;
  auto* context = new zmq::context_t(1);
  auto* service = new opd::worker::Service(*context, one_doctor(), secured_config(keys));
  const int requests = port_of(service->endpoints().requests);
  int unanswered = 0;
  for (int i = 0; i < 3'000 && unanswered == 0; ++i) unanswered += greeted(requests, 2s) ? 0 : 1;
  const bool queries_answer = greeted(port_of(service->endpoints().queries), 2s);
  CHECK(unanswered == 0);
  CHECK(queries_answer);
  if (unanswered != 0 || !queries_answer) return;  // stuck: destroying it would wait for ever, so leak it
  delete service;  // stops the monitors: this waited for ever on a full pipe
  delete context;
}

TEST_CASE("a client holding the wrong server key cannot connect", "[security][curve]") {
  // CURVE authenticates the server too: a client configured with another
  // server's key never completes a handshake with this one.
  SecuredWorker w;
  Subscriber results = w.subscriber();
  SecurePusher misled(w.worker.context(), w.worker.endpoints().requests,
                      std::pair{generate_key_pair().public_key, w.keys.kiosk});
  (void)misled.try_send(allocate_body("m-1", "kiosk-1"));
  CHECK_FALSE(result_for(results, "m-1", kRefusedWait).has_value());
  const auto handshake = misled.handshake(0ms);
  CHECK_FALSE((handshake && handshake->succeeded()));
  CHECK(w.received() == 0);
}

namespace {

struct Step {
  std::string type;
  std::string success;  // the status when the role allows it
  bool kiosk, desk, admin, display;
};

// The roles table of issue 6, written out independently of the code.
// Each step succeeds when allowed, given the steps before it succeeded.
const std::vector<Step> kSteps = {
    {"allocate", "ALLOCATED", true, true, true, false},       // A
    {"allocate", "ALLOCATED", true, true, true, false},       // B
    {"allocate", "ALLOCATED", true, true, true, false},       // C
    {"cancel", "CANCELLED", true, true, true, false},         // C
    {"call_next", "CALLED", false, true, true, false},        // A
    {"complete", "COMPLETED", false, true, true, false},      // A
    {"call_next", "CALLED", false, true, true, false},        // B
    {"no_show", "NO_SHOW", false, true, true, false},         // B
    {"set_capacity", "UPDATED", false, false, true, false},   // S2 -> 7
    {"open_day", "DAY_OPENED", false, false, true, false},
};

}  // namespace

TEST_CASE("each role's allowed and forbidden operations, over real sockets", "[security][curve][roles]") {
  const auto [role, pick] =
      GENERATE(table<std::string, int>({{"kiosk", 0}, {"desk", 1}, {"admin", 2}, {"display", 3}}));
  SecuredWorker w;
  const CurveKeyPair& key = pick == 0   ? w.keys.kiosk
                            : pick == 1 ? w.keys.desk
                            : pick == 2 ? w.keys.admin
                                        : w.keys.display;
  Subscriber results = w.subscriber();
  SecurePusher client = w.pusher(key);
  SecureQuerier reader = w.querier(key);

  std::vector<std::string> tokens;
  std::size_t forbidden = 0;
  std::uint64_t last_seq = 0;
  for (std::size_t i = 0; i < kSteps.size(); ++i) {
    const Step& step = kSteps[i];
    const bool allowed = pick == 0 ? step.kiosk : pick == 1 ? step.desk : pick == 2 ? step.admin : step.display;
    // A role that may not allocate has no tokens: name one that does not
    // exist (the role check comes first, so the answer is FORBIDDEN).
    const auto token = [&](std::size_t n) { return n < tokens.size() ? tokens[n] : std::string("T999"); };
    const std::string id = role + "-" + std::to_string(i);
    // A client_id that claims more than the key holds changes nothing.
    Body body = request(step.type, id, "admin");
    if (step.type == "allocate") body.set("doctor_id", "D1").set("source", "WALK_IN");
    if (step.type == "cancel") body.set("token_id", token(2));
    if (step.type == "call_next") body.set("doctor_id", "D1");
    if (step.type == "complete") body.set("token_id", token(0));
    if (step.type == "no_show") body.set("token_id", token(1));
    if (step.type == "set_capacity") body.set("doctor_id", "D1").set("slot_id", "S2").set("capacity", 7);
    if (step.type == "open_day") body.set("date", "2030-01-02");
    client.send(body);
    const auto result = result_for(results, id);
    INFO(role << " " << step.type << " " << (result ? result->dump() : "no result"));
    REQUIRE(result.has_value());
    // Every request gets its seq, forbidden or not.
    CHECK(result->u64("seq") > last_seq);
    last_seq = result->u64("seq");
    CHECK(result->str("type") == step.type);
    if (allowed) {
      CHECK(result->str("status") == step.success);
    } else {
      ++forbidden;
      CHECK(result->str("status") == "REJECTED");
      CHECK(result->str("code") == "FORBIDDEN");
      CHECK(result->str("reason") == "role '" + role + "' may not " + step.type);
    }
    if (step.type == "allocate" && allowed) tokens.push_back(result->str("token_id"));
  }

  // Forbidden requests changed nothing: the board and the day are as the
  // allowed steps left them.
  const auto board = reader.ask(Body().set("type", "snapshot").set("doctor_id", "D1"));
  REQUIRE(board.has_value());
  const auto health = reader.ask(Body().set("type", "health"));
  REQUIRE(health.has_value());
  if (role == "admin") {
    CHECK(health->str("date") == "2030-01-02");
    // The new day starts from the schedule: S2 back to 5, no tokens.
    CHECK(board->u64("version") > 0);
    const auto slots = (*board)["slots"];
    REQUIRE(slots.size() == 2);
    CHECK(slots.at(1).str("slot_id") == "S2");
    CHECK(slots.at(1).u64("capacity") == 5);
    CHECK(slots.at(0)["tokens"].size() == 0);
    CHECK(slots.at(1)["tokens"].size() == 0);
    CHECK((*board)["waitlist"].size() == 0);
    CHECK(board->is_nil("now_serving"));
  } else if (role == "display") {
    CHECK(health->is_nil("date"));
    CHECK(board->u64("version") == 0);  // nothing ever happened
    CHECK((*board)["slots"].at(0)["tokens"].size() == 0);
    CHECK((*board)["slots"].at(1).u64("capacity") == 5);
  } else {
    CHECK(health->is_nil("date"));
    const auto slots = (*board)["slots"];
    CHECK(slots.at(1).str("slot_id") == "S2");
    CHECK(slots.at(1).u64("capacity") == 5);
    const auto seated = slots.at(0)["tokens"];
    REQUIRE(seated.size() == 2);  // A and B; C was cancelled
    const std::string a_state = seated.at(0).str("state");
    const std::string b_state = seated.at(1).str("state");
    if (role == "kiosk") {
      CHECK(a_state == "WAITING");
      CHECK(b_state == "WAITING");
      CHECK(board->is_nil("now_serving"));
    } else {
      CHECK(a_state == "COMPLETED");
      CHECK(b_state == "NO_SHOW");
    }
  }
  const auto stats = reader.ask(Body().set("type", "stats"));
  REQUIRE(stats.has_value());
  CHECK((*stats)["rejected"].u64("FORBIDDEN") == forbidden);
  CHECK(stats->u64("received") == kSteps.size());
  // FORBIDDEN requests never reach the engine.
  CHECK(stats->u64("applied") == kSteps.size() - forbidden);
}

TEST_CASE("the role cannot be claimed in the message", "[security][curve][roles]") {
  SecuredWorker w;
  Subscriber results = w.subscriber();
  SecurePusher kiosk = w.pusher(w.keys.kiosk);
  kiosk.send(request("set_capacity", "claim-1", "admin")
                 .set("doctor_id", "D1").set("slot_id", "S2").set("capacity", 9).set("role", "admin"));
  const auto smuggled = result_for(results, "claim-1");
  REQUIRE(smuggled.has_value());
  CHECK(smuggled->str("code") == "BAD_REQUEST");  // no such field
  kiosk.send(request("set_capacity", "claim-2", "admin").set("doctor_id", "D1").set("slot_id", "S2").set("capacity", 9));
  const auto claimed = result_for(results, "claim-2");
  REQUIRE(claimed.has_value());
  CHECK(claimed->str("code") == "FORBIDDEN");
}

TEST_CASE("every listed role may query", "[security][curve]") {
  SecuredWorker w;
  for (const CurveKeyPair* key : {&w.keys.kiosk, &w.keys.desk, &w.keys.admin, &w.keys.display}) {
    SecureQuerier reader = w.querier(*key);
    const auto answer = reader.ask(Body().set("type", "snapshot").set("doctor_id", "D1"));
    REQUIRE(answer.has_value());
    CHECK(answer->str("doctor_id") == "D1");
  }
}
