// opd-worker itself with CURVE: its flags, its refusals of unusable key
// files, SIGHUP reloading the authorised keys without dropping state, and
// its systemd readiness notifications. Real process, ipc sockets in a
// temporary directory, real signals; every wait bounded.
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <thread>

#include <catch2/catch.hpp>

#include "opd/worker/security/authorized_keys.h"
#include "secure_fixture.h"

using namespace opd::worker::test;
using opd::worker::security::CurveKeyPair;
using opd::worker::security::generate_key_pair;

namespace {

const std::string kWorker = OPD_WORKER_BINARY;

// Waits until the child's stderr contains `text` `count` times.
bool wait_for_log(ChildProcess& child, const std::string& text, std::size_t count = 1,
                  std::chrono::milliseconds timeout = kWait) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string err = child.err_so_far();
    std::size_t seen = 0;
    for (auto at = err.find(text); at != std::string::npos; at = err.find(text, at + 1)) ++seen;
    if (seen >= count) return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

struct WorkerFiles {
  KeyRing keys;
  std::string requests = "ipc://" + keys.dir() + "/requests";
  std::string events = "ipc://" + keys.dir() + "/events";
  std::string queries = "ipc://" + keys.dir() + "/queries";

  [[nodiscard]] std::vector<std::string> argv() const {
    return {kWorker,       "--requests",      requests,  "--events", events, "--queries", queries,
            "--data-dir",  keys.dir() + "/data", "--schedule", OPD_EXAMPLE_SCHEDULE,
            "--curve-secret-key-file", keys.server_key_file(), "--authorized-keys", keys.authorized_keys_file()};
  }
  std::pair<CurveKey, CurveKeyPair> as(const CurveKeyPair& client) const { return {keys.server.public_key, client}; }
};

Body walk_in(const std::string& id) {
  return request("allocate", id, "t").set("doctor_id", "GEN-1").set("source", "WALK_IN");
}

}  // namespace

TEST_CASE("opd-worker: the CURVE flags go together", "[security][binary]") {
  KeyRing keys;
  const auto alone = run_process({kWorker, "--curve-secret-key-file", keys.server_key_file()}, kWait);
  CHECK(alone.exit_code == 2);
  CHECK(alone.err.find("option '--curve-secret-key-file' needs '--authorized-keys'") != std::string::npos);
  const auto list_only = run_process({kWorker, "--authorized-keys", keys.authorized_keys_file()}, kWait);
  CHECK(list_only.exit_code == 2);
  CHECK(list_only.err.find("option '--authorized-keys' needs '--curve-secret-key-file'") != std::string::npos);
  const auto help = run_process({kWorker, "--help"}, kWait);
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("--curve-secret-key-file FILE") != std::string::npos);
  CHECK(help.out.find("SIGHUP") != std::string::npos);
}

TEST_CASE("opd-worker: unusable key files stop it with a message naming them", "[security][binary]") {
  WorkerFiles f;
  SECTION("a bad line in the authorised keys") {
    // Line 1 is the file's header comment.
    f.keys.write_authorized({KeyRing::line(f.keys.kiosk, "kiosk"), "# fine", KeyRing::line(f.keys.desk, "doctor")});
    const auto r = run_process(f.argv(), kWait);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find(f.keys.authorized_keys_file() + ":4: unknown role 'doctor'") != std::string::npos);
  }
  SECTION("a secret key others can read") {
    REQUIRE(::chmod(f.keys.server_key_file().c_str(), 0644) == 0);
    const auto r = run_process(f.argv(), kWait);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("chmod 600 " + f.keys.server_key_file()) != std::string::npos);
  }
  SECTION("a missing key file") {
    auto argv = f.argv();
    argv[argv.size() - 3] = f.keys.dir() + "/absent.key";
    const auto r = run_process(argv, kWait);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find(f.keys.dir() + "/absent.key: cannot open") != std::string::npos);
  }
}

TEST_CASE("opd-worker: no exposure warning on loopback, none with CURVE", "[security][binary]") {
  // The warning itself (plaintext on a reachable address) is checked in
  // test_exposure.cc: tests bind nothing beyond 127.0.0.1.
  TempDir dir;
  for (const bool curve : {false, true}) {
    WorkerFiles f;
    std::vector<std::string> argv = {kWorker, "--requests", "tcp://127.0.0.1:0", "--events", "tcp://127.0.0.1:0",
                                     "--queries", "tcp://127.0.0.1:0", "--data-dir",
                                     dir.path() + (curve ? "/curve" : "/plain")};
    if (curve)
      argv.insert(argv.end(), {"--curve-secret-key-file", f.keys.server_key_file(), "--authorized-keys",
                               f.keys.authorized_keys_file()});
    ChildProcess child(argv);
    REQUIRE(wait_for_log(child, "serving:"));
    child.signal(SIGTERM);
    const auto r = child.wait(kWait);
    CHECK(r.exit_code == 0);
    CHECK(r.err.find("without CURVE") == std::string::npos);
    CHECK((r.err.find("CURVE on: server public key " + f.keys.server.public_key.z85()) != std::string::npos) == curve);
  }
}

TEST_CASE("opd-worker: SIGHUP reloads the authorised keys and keeps the state", "[security][binary][reload]") {
  WorkerFiles f;
  ChildProcess worker(f.argv());
  REQUIRE(wait_for_log(worker, "serving:"));
  zmq::context_t context(1);
  Subscriber results(context, f.events, {"result/"});

  // Before: the newcomer's key is not listed.
  const CurveKeyPair newcomer = generate_key_pair();
  {
    SecurePusher early(context, f.requests, f.as(newcomer));
    const auto refused = early.handshake();
    REQUIRE(refused.has_value());
    CHECK(refused->event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH);
  }
  SecurePusher kiosk(context, f.requests, f.as(f.keys.kiosk));
  SecureQuerier kiosk_reader(context, f.queries, f.as(f.keys.kiosk));
  const auto before = kiosk_reader.ask(Body().set("type", "health"));
  REQUIRE(before.has_value());
  CHECK(before->str("status") == "ok");
  kiosk.send(walk_in("k-1"));
  const auto first = result_for(results, "k-1");
  REQUIRE(first.has_value());
  REQUIRE(first->str("status") == "ALLOCATED");
  const std::string kiosk_token = first->str("token_id");

  // Add the newcomer, remove the kiosk, and reload.
  f.keys.write_authorized({KeyRing::line(newcomer, "kiosk", "new kiosk"), KeyRing::line(f.keys.desk, "desk"),
                           KeyRing::line(f.keys.admin, "admin"), KeyRing::line(f.keys.display, "display")});
  worker.signal(SIGHUP);
  REQUIRE(wait_for_log(worker, "reloaded " + f.keys.authorized_keys_file() + ": 4 authorised keys (1 removed"));

  SecurePusher added(context, f.requests, f.as(newcomer));
  const auto admitted = added.handshake();
  REQUIRE(admitted.has_value());
  CHECK(admitted->succeeded());
  added.send(walk_in("n-1"));
  const auto second = result_for(results, "n-1");
  REQUIRE(second.has_value());
  CHECK(second->str("status") == "ALLOCATED");
  // The state survived the reload: numbering goes on, the old token is there.
  CHECK(second->u64("token_number") == first->u64("token_number") + 1);
  SecureQuerier office(context, f.queries, f.as(f.keys.admin));
  const auto token = office.ask(Body().set("type", "token").set("token_id", kiosk_token));
  REQUIRE(token.has_value());
  CHECK(token->str("state") == "WAITING");

  // The removed kiosk is still connected, but no longer authorised.
  kiosk.send(walk_in("k-2"));
  const auto revoked = result_for(results, "k-2");
  REQUIRE(revoked.has_value());
  CHECK(revoked->str("code") == "FORBIDDEN");
  CHECK(revoked->str("reason").find("not authorised") != std::string::npos);
  const auto after = kiosk_reader.ask(Body().set("type", "health"));
  REQUIRE(after.has_value());
  CHECK(after->str("code") == "FORBIDDEN");
  CHECK_FALSE(after->has("status"));
  // And it cannot open a new connection.
  SecureQuerier reconnecting(context, f.queries, f.as(f.keys.kiosk));
  CHECK_FALSE(reconnecting.ask(Body().set("type", "health"), kRefusedWait).has_value());

  // A broken file is refused and the keys loaded before stay in force.
  {
    std::ofstream out(f.keys.authorized_keys_file(), std::ios::trunc);
    out << newcomer.public_key.z85() << " kiosk\nthis is not a key\n";
  }
  worker.signal(SIGHUP);
  REQUIRE(wait_for_log(worker, "reload refused, keeping the 4 keys loaded before: " + f.keys.authorized_keys_file() +
                                   ":2: 'this' is not a public key"));
  added.send(walk_in("n-2"));
  const auto third = result_for(results, "n-2");
  REQUIRE(third.has_value());
  CHECK(third->str("status") == "ALLOCATED");
  SecureQuerier desk_reader(context, f.queries, f.as(f.keys.desk));  // desk is still listed
  CHECK(desk_reader.ask(Body().set("type", "health")).has_value());

  worker.signal(SIGTERM);
  const auto exit = worker.wait(kWait);
  CHECK(exit.exit_code == 0);
}

namespace {

// The systemd side of sd_notify: a datagram socket the worker reports to.
class NotifySocket {
 public:
  explicit NotifySocket(const std::string& path) : path_(path) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    REQUIRE(path.size() < sizeof address.sun_path);
    std::memcpy(address.sun_path, path.c_str(), path.size());
    REQUIRE(::bind(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0);
  }
  ~NotifySocket() { ::close(fd_); }
  // The next datagram, or "" after the timeout.
  std::string next(std::chrono::milliseconds timeout = kWait) {
    timeval tv{.tv_sec = timeout.count() / 1000, .tv_usec = (timeout.count() % 1000) * 1000};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char buffer[4096];
    const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    return n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : std::string();
  }

 private:
  std::string path_;
  int fd_ = -1;
};

}  // namespace

TEST_CASE("opd-worker: tells systemd when it is ready, reloading and stopping", "[security][binary][notify]") {
  WorkerFiles f;
  NotifySocket systemd(f.keys.dir() + "/notify");
  std::optional<ChildProcess> worker;
  {
    ScopedEnv env("NOTIFY_SOCKET", f.keys.dir() + "/notify");
    worker.emplace(f.argv());
  }
  REQUIRE(systemd.next() == "READY=1");
  // Ready means serving: a query right away is answered.
  zmq::context_t context(1);
  SecureQuerier office(context, f.queries, f.as(f.keys.admin));
  const auto health = office.ask(Body().set("type", "health"));
  REQUIRE(health.has_value());
  CHECK(health->str("status") == "ok");

  worker->signal(SIGHUP);
  CHECK(systemd.next() == "RELOADING=1");
  CHECK(systemd.next() == "READY=1");
  worker->signal(SIGTERM);
  CHECK(systemd.next() == "STOPPING=1");
  CHECK(worker->wait(kWait).exit_code == 0);
}

TEST_CASE("opd-keygen: a pair in Z85 files, the secret one private", "[security][binary][keygen]") {
  TempDir dir;
  const std::string name = dir.path() + "/kiosk-7";
  const auto made = run_process({OPD_KEYGEN_BINARY, "--role", "kiosk", "--comment", "kiosk 7, ward B", name}, kWait);
  REQUIRE(made.exit_code == 0);

  const auto secret = opd::worker::security::read_key_file(name + ".key", opd::worker::security::KeyKind::kSecret);
  REQUIRE(secret.key.has_value());  // which also proves mode 0600
  const auto pub = opd::worker::security::read_key_file(name + ".pub", opd::worker::security::KeyKind::kPublic);
  REQUIRE(pub.key.has_value());
  CHECK(opd::worker::security::public_key_of(*secret.key) == *pub.key);

  // What it prints is a line of the authorised-keys file.
  CHECK(made.out == pub.key->z85() + " kiosk kiosk 7, ward B\n");
  const auto listed = opd::worker::security::parse_authorized_keys(made.out, "stdout");
  REQUIRE(listed.keys.has_value());
  REQUIRE(listed.keys->find(*pub.key) != nullptr);
  CHECK(listed.keys->find(*pub.key)->role == opd::worker::security::Role::kKiosk);

  const auto again = run_process({OPD_KEYGEN_BINARY, name}, kWait);
  CHECK(again.exit_code == 1);
  CHECK(again.err.find("already exists (give --force to overwrite it)") != std::string::npos);
  const auto derived = run_process({OPD_KEYGEN_BINARY, "--public", name + ".key"}, kWait);
  CHECK(derived.exit_code == 0);
  CHECK(derived.out == pub.key->z85() + "\n");
  const auto forced = run_process({OPD_KEYGEN_BINARY, "--force", name}, kWait);
  CHECK(forced.exit_code == 0);
  // A new pair: the printed public key changed.
  CHECK(forced.out != made.out.substr(0, opd::worker::security::kCurveKeyZ85Chars) + "\n");
  const auto bad_role = run_process({OPD_KEYGEN_BINARY, "--role", "root", name + "-2"}, kWait);
  CHECK(bad_role.exit_code == 2);
}
